"""The SSRF guard: every spelling of a loopback, private, link-local, metadata, multicast,
reserved or unspecified address is refused (IPv4, IPv6, IPv6 embedding IPv4), a name is refused
when ANY of its addresses is, private ones pass only with the setting (metadata never), and the
connection goes to the checked address (no second lookup)."""

from __future__ import annotations

import socket

import pytest

from tests.webhooks.receiver import Receiver
from tradewind.webhooks import guard, sender

REFUSED = [
    # loopback, every IPv4 spelling
    ("http://127.0.0.1/", "loopback"),
    ("http://127.1/", "loopback"),
    ("http://2130706433/", "loopback"),
    ("http://0x7f.1/", "loopback"),
    ("http://0x7f000001/", "loopback"),
    ("http://017700000001/", "loopback"),
    ("http://0177.0.0.1/", "loopback"),
    ("http://127.0.0.1.:8080/x", "loopback"),
    ("http://localhost/", "loopback"),
    ("http://LOCALHOST./", "loopback"),
    ("http://api.localhost/", "loopback"),
    ("http://[::1]/", "loopback"),
    ("http://[0:0:0:0:0:0:0:1]/", "loopback"),
    # IPv6 forms embedding a private or loopback IPv4
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://[::ffff:7f00:1]/", "loopback"),
    ("http://[::ffff:0:127.0.0.1]/", "loopback"),
    ("http://[::127.0.0.1]/", "loopback"),
    ("http://[64:ff9b::127.0.0.1]/", "loopback"),
    ("http://[64:ff9b::10.0.0.1]/", "private"),
    ("http://[2002:7f00:1::]/", "loopback"),
    ("http://[2002:c0a8:101::1]/", "private"),
    ("http://[::ffff:10.1.2.3]/", "private"),
    ("http://[::ffff:169.254.169.254]/", "metadata"),
    # private and shared
    ("http://10.0.0.1/", "private"),
    ("http://10.1/", "private"),
    ("http://172.16.5.4/", "private"),
    ("http://172.31.255.255/", "private"),
    ("http://192.168.1.1/", "private"),
    ("http://0xc0.0xa8.1.1/", "private"),
    ("http://3232235777/", "private"),
    ("http://100.64.0.1/", "shared"),
    ("http://[fd12:3456::1]/", "private"),
    ("http://[fc00::1]/", "private"),
    # link-local and metadata
    ("http://169.254.1.1/", "link_local"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://2852039166/", "metadata"),
    ("http://0xa9fea9fe/", "metadata"),
    ("http://[fd00:ec2::254]/", "metadata"),
    ("http://100.100.100.200/", "metadata"),
    ("http://metadata.google.internal/", "metadata"),
    ("http://[fe80::1]/", "link_local"),
    ("http://[fe80::1%25eth0]/", "link_local"),
    # multicast, unspecified, reserved
    ("http://224.0.0.1/", "multicast"),
    ("http://[ff02::1]/", "multicast"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://0/", "unspecified"),
    ("http://[::]/", "unspecified"),
    ("http://240.0.0.1/", "reserved"),
    ("http://255.255.255.255/", "reserved"),
    ("http://192.0.2.10/", "reserved"),
    ("http://198.18.0.1/", "reserved"),
    ("http://[2001:db8::1]/", "reserved"),
    ("http://[::ffff:0:8.8.8.8]/", "reserved"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_refused_addresses(url, reason):
    with pytest.raises(guard.Refused) as refused:
        guard.resolve(url, allow_private=False)
    assert refused.value.code == reason


NEVER_EVEN_WITH_SETTING = [u for u, r in REFUSED if r not in guard.PRIVATE_REASONS]
PRIVATE = [u for u, r in REFUSED if r in guard.PRIVATE_REASONS]


@pytest.mark.parametrize("url", NEVER_EVEN_WITH_SETTING)
def test_metadata_link_local_and_reserved_stay_refused_with_the_setting(url):
    with pytest.raises(guard.Refused):
        guard.resolve(url, allow_private=True)


@pytest.mark.parametrize("url", PRIVATE)
def test_private_and_loopback_pass_with_the_setting(url):
    target = guard.resolve(url, allow_private=True)
    assert target.addresses


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("https://8.8.8.8/hook", "8.8.8.8"),
        ("http://134744072/", "8.8.8.8"),
        ("https://[2606:4700:4700::1111]/x?y=1", "2606:4700:4700::1111"),
        ("https://[::ffff:8.8.8.8]/", "::ffff:808:808"),
        ("https://[2002:808:808::1]/", "2002:808:808::1"),
        ("https://[64:ff9b::8.8.8.8]/", "64:ff9b::808:808"),
    ],
)
def test_public_addresses_pass(url, address):
    target = guard.resolve(url, allow_private=False)
    assert target.addresses == (address,)


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://example.com/", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("gopher://1.2.3.4/", "scheme"),
        ("https://user:pw@example.com/", "credentials"),
        ("https://example.com@127.0.0.1/", "credentials"),
        ("https:///nohost", "host"),
        ("https://exa mple.com/", "url"),
        ("https://example.com:99999/", "url"),
        ("https://1.2.3.4.5/", "host"),
        ("https://08.1.1.1/", "host"),
        ("https://256.1.1.1/", "host"),
        ("https://foo.123/", "host"),
        ("https://%31%32%37.0.0.1/", "host"),
        ("", "url"),
        ("not a url", "url"),
    ],
)
def test_malformed_urls_refused(url, code):
    with pytest.raises(guard.Refused) as refused:
        guard.resolve(url, allow_private=False)
    assert refused.value.code == code


def _resolver(*addresses: str):
    calls: list[str] = []

    def getaddrinfo(host, port, family=0, type=0, *args):
        calls.append(host)
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, port, 0, 0) if ":" in a else (a, port),
            )
            for a in addresses
        ]

    getaddrinfo.calls = calls  # type: ignore[attr-defined]
    return getaddrinfo


@pytest.mark.parametrize(
    "answers",
    [
        ("93.184.215.14", "127.0.0.1"),
        ("93.184.215.14", "10.0.0.8"),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", "::1"),
        ("93.184.215.14", "::ffff:192.168.0.1"),
        ("93.184.215.14", "fe80::1%eth0"),
        ("169.254.169.254",),
    ],
)
def test_a_name_is_refused_when_any_address_is(answers):
    with pytest.raises(guard.Refused):
        guard.resolve(
            "https://hooks.example/x", allow_private=False, getaddrinfo=_resolver(*answers)
        )


def test_a_public_name_resolves_once_and_keeps_its_addresses():
    resolver = _resolver("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c")
    target = guard.resolve(
        "https://Hooks.Example./in?a=1", allow_private=False, getaddrinfo=resolver
    )
    assert resolver.calls == ["hooks.example"]  # type: ignore[attr-defined]
    assert target.host == "hooks.example" and target.path == "/in?a=1" and target.port == 443
    assert target.addresses == ("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c")
    assert target.host_header == "hooks.example"


def test_unresolvable_name_is_refused():
    def fails(*args):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(guard.Refused) as refused:
        guard.resolve("https://nowhere.invalid/", allow_private=False, getaddrinfo=fails)
    assert refused.value.code == "unresolvable"


def test_connection_is_pinned_to_the_checked_address():
    """The name is never looked up again: the request reaches the checked address with the name
    as Host header ("rebind.example" would not even resolve here)."""
    with Receiver() as receiver:
        target = guard.resolve(
            f"http://rebind.example:{receiver.port}/hook",
            allow_private=True,
            getaddrinfo=_resolver("127.0.0.1"),
        )
        outcome = sender.post(target, b"{}", {"webhook-id": "msg_pin"})
    assert outcome.status == 200 and outcome.address == "127.0.0.1"
    (request,) = receiver.received
    assert request.headers["host"] == f"rebind.example:{receiver.port}"
    assert request.path == "/hook"


def test_ipv6_loopback_receiver_with_the_setting():
    with Receiver(host="::1") as receiver:
        target = guard.resolve(f"http://[::1]:{receiver.port}/v6", allow_private=True)
        outcome = sender.post(target, b"{}", {})
    assert outcome.status == 200 and outcome.address == "::1"
    assert receiver.received[0].headers["host"] == f"[::1]:{receiver.port}"
