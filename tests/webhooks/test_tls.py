"""https to a pinned address: the TLS server name and certificate check use the host name while
the connection goes to the checked IP. A real TLS receiver on loopback with a test CA."""

from __future__ import annotations

import datetime as dt
import ssl

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.webhooks.receiver import Receiver
from tradewind.webhooks import guard, sender


def _cert(tmp_path, name: str) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


def _tls(cert: str, key: str) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


def test_https_checks_the_certificate_for_the_name_while_connecting_to_the_ip(tmp_path, settings):
    cert, key = _cert(tmp_path, "hooks.example")
    settings.WEBHOOK_CA_BUNDLE = cert
    with Receiver(tls=_tls(cert, key)) as receiver:
        target = guard.Target("https", "hooks.example", receiver.port, "/in", ("127.0.0.1",))
        outcome = sender.post(target, b"{}", {"webhook-id": "msg_tls"})
    assert outcome.status == 200, outcome.error
    assert receiver.received[0].headers["host"] == f"hooks.example:{receiver.port}"


def test_https_refuses_a_certificate_for_another_name(tmp_path, settings):
    cert, key = _cert(tmp_path, "someone-else.example")
    settings.WEBHOOK_CA_BUNDLE = cert
    with Receiver(tls=_tls(cert, key)) as receiver:
        target = guard.Target("https", "hooks.example", receiver.port, "/in", ("127.0.0.1",))
        outcome = sender.post(target, b"{}", {})
    assert outcome.status is None and "SSL" in outcome.error
    assert receiver.received == []


def test_https_to_an_ip_literal_checks_the_certificate_for_that_ip(tmp_path, settings):
    cert, key = _cert(tmp_path, "hooks.example")
    settings.WEBHOOK_CA_BUNDLE = cert
    with Receiver(tls=_tls(cert, key)) as receiver:
        target = guard.resolve(f"https://127.0.0.1:{receiver.port}/", allow_private=True)
        outcome = sender.post(target, b"{}", {})
    assert outcome.status is None and receiver.received == []
