"""One HTTP POST to a checked target, connected to the checked address itself (no second DNS
lookup): urllib3's connection pool is opened on the IP, the host name travels as Host header and,
for https, as TLS server name and the name the certificate must match. Redirects are not followed,
no retries here (the job retries), at most 1 KB of the answer is read."""

from __future__ import annotations

import time
from dataclasses import dataclass

import urllib3
from django.conf import settings
from urllib3.exceptions import HTTPError as Urllib3Error

from tradewind import __version__

from .guard import Target

EXCERPT_BYTES = 1024
MAX_ADDRESSES = 3  # tried in turn when a connection fails; the job's lease covers three timeouts
USER_AGENT = f"Tradewind-Webhooks/{__version__}"


def timeout_seconds() -> float:
    return float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10.0))


@dataclass(frozen=True)
class Outcome:
    status: int | None
    excerpt: str
    error: str
    address: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _pool(target: Target, address: str, timeout: urllib3.Timeout) -> urllib3.HTTPConnectionPool:
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address,
            target.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            cert_reqs="CERT_REQUIRED",
            ca_certs=getattr(settings, "WEBHOOK_CA_BUNDLE", None),
            assert_hostname=target.host,
            server_hostname=None if target.host_is_ip else target.host,
        )
    return urllib3.HTTPConnectionPool(
        address, target.port, timeout=timeout, retries=False, maxsize=1
    )


def post(target: Target, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST `body` to the target's first reachable address; a connection failure tries the next
    checked address, any HTTP answer (3xx included) is final."""
    seconds = timeout_seconds()
    timeout = urllib3.Timeout(total=seconds, connect=seconds)
    sent = {
        **headers,
        "Host": target.host_header,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }
    started = time.monotonic()
    error = ""
    address = target.addresses[0] if target.addresses else ""
    for address in target.addresses[:MAX_ADDRESSES]:
        pool = _pool(target, address, timeout)
        try:
            response = pool.urlopen(
                "POST",
                target.path,
                body=body,
                headers=sent,
                redirect=False,
                retries=False,
                assert_same_host=False,
                preload_content=False,
                decode_content=False,
            )
        except (
            urllib3.exceptions.NewConnectionError,
            urllib3.exceptions.ConnectTimeoutError,
        ) as exc:
            error = _describe(exc)
            pool.close()
            continue
        except (Urllib3Error, OSError) as exc:
            pool.close()
            return Outcome(None, "", _describe(exc), address, _ms(started))
        try:
            excerpt = response.read(EXCERPT_BYTES, decode_content=False)
        except (Urllib3Error, OSError):
            excerpt = b""
        finally:
            response.close()
            pool.close()
        status = response.status
        note = ""
        if 300 <= status < 400:
            location = response.headers.get("Location", "")
            note = f"redirect not followed: {location}"[:500]
        return Outcome(
            status, excerpt.decode("utf-8", errors="replace"), note, address, _ms(started)
        )
    return Outcome(None, "", error or "no address to connect to", address, _ms(started))


def _ms(started: float) -> int:
    return max(0, int((time.monotonic() - started) * 1000))


def _describe(exc: BaseException) -> str:
    name = type(exc).__name__
    reason = getattr(exc, "reason", None)
    text = str(reason or exc)
    return f"{name}: {text}"[:500]
