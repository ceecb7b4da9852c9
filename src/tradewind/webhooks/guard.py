"""SSRF guard: a webhook may only reach the public internet (or, with the workspace's setting,
the private network), never the server itself, link-local or cloud metadata addresses.

`resolve(url)` parses the URL, resolves the host once (getaddrinfo) and refuses when ANY address
is not allowed; the sender then connects to exactly those checked addresses (the host name is
only sent as Host header and TLS server name), so a DNS answer that changes between the check
and the connection (rebinding) cannot reach anything else.

What counts as one address: IPv4 in every spelling inet_aton accepts (2130706433, 0x7f.1,
017700000001, 127.1) is parsed here, not left to the resolver; IPv6 forms that embed an IPv4
address (IPv4-mapped ::ffff:a.b.c.d, SIIT ::ffff:0:a.b.c.d, IPv4-compatible ::a.b.c.d, 6to4
2002::/16, NAT64 64:ff9b::/96) are judged by the embedded address too.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud instance metadata: AWS/GCP/Azure/Oracle/Huawei, AWS ECS, Tencent Cloud, Alibaba Cloud,
# AWS over IPv6. Refused even when private targets are allowed.
METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",
        "169.254.170.2",
        "169.254.0.23",
        "100.100.100.200",
        "fd00:ec2::254",
    )
)
METADATA_NAMES = frozenset({"metadata.google.internal", "metadata.tencentyun.com", "metadata"})
LOCALHOST_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})

_PRIVATE_V4 = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)
_SHARED_V4 = ipaddress.ip_network("100.64.0.0/10")
_THIS_NET_V4 = ipaddress.ip_network("0.0.0.0/8")
_UNIQUE_LOCAL_V6 = ipaddress.ip_network("fc00::/7")
_SITE_LOCAL_V6 = ipaddress.ip_network("fec0::/10")
_MAPPED = ipaddress.ip_network("::ffff:0:0/96")
_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")
_COMPAT = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_6TO4 = ipaddress.ip_network("2002::/16")

# Reasons an address is refused; the first three pass when private targets are allowed.
PRIVATE_REASONS = frozenset({"loopback", "private", "shared"})
REASONS: dict[str, Promise] = {
    "loopback": _("the address is this server itself (loopback)"),
    "private": _("the address is in a private network"),
    "shared": _("the address is in the shared carrier network (100.64.0.0/10)"),
    "link_local": _("the address is link-local"),
    "metadata": _("the address is a cloud metadata service"),
    "multicast": _("the address is a multicast address"),
    "unspecified": _("the address is unspecified (0.0.0.0 or ::)"),
    "reserved": _("the address is reserved, not a public internet address"),
}


class Refused(Exception):
    """The URL may not be called; `code` says why ("scheme", "host", "loopback", …)."""

    def __init__(self, code: str, message: Any) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # ASCII, lower case, without brackets
    port: int
    path: str  # path and query, as sent
    addresses: tuple[str, ...]  # checked addresses to connect to, in resolver order

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"

    @property
    def host_is_ip(self) -> bool:
        try:
            ipaddress.ip_address(self.host)
        except ValueError:
            return False
        return True


# --- addresses ------------------------------------------------------------------------------


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    for net in (_TRANSLATED, _NAT64, _COMPAT):
        if ip in net:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _classify_v4(ip: ipaddress.IPv4Address) -> str | None:
    if ip in METADATA:
        return "metadata"
    if ip.is_unspecified or ip in _THIS_NET_V4:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link_local"
    if ip.is_multicast:
        return "multicast"
    if any(ip in net for net in _PRIVATE_V4):
        return "private"
    if ip in _SHARED_V4:
        return "shared"
    if ip.is_reserved or not ip.is_global:
        return "reserved"
    return None


def classify(ip: IPAddress) -> str | None:
    """Why an address is refused (a key of REASONS), or None for a public address."""
    if isinstance(ip, ipaddress.IPv4Address):
        return _classify_v4(ip)
    if ip in METADATA:
        return "metadata"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    embedded = _embedded_v4(ip)
    if embedded is not None:
        inner = _classify_v4(embedded)
        if inner is not None:
            return inner
        # Deprecated forms have no legitimate use; mapped, 6to4 and NAT64 of a public address do.
        if ip in _COMPAT or ip in _TRANSLATED:
            return "reserved"
        return None
    if ip.is_link_local:
        return "link_local"
    if ip.is_multicast:
        return "multicast"
    if ip in _UNIQUE_LOCAL_V6:
        return "private"
    if ip in _SITE_LOCAL_V6 or ip in _NAT64_LOCAL or ip.is_reserved or not ip.is_global:
        return "reserved"
    return None


def check_address(ip: IPAddress, *, allow_private: bool) -> None:
    reason = classify(ip)
    if reason is None or (allow_private and reason in PRIVATE_REASONS):
        return
    raise Refused(reason, REASONS[reason])


# --- host names -----------------------------------------------------------------------------

_NUMBER = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)
_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$")


def _number(part: str) -> int:
    if part[:2].lower() == "0x":
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8)  # ValueError for 08, 09 — refused like inet_aton refuses them
    return int(part, 10)


def parse_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """An IPv4 address in any inet_aton spelling (1 to 4 parts, decimal, octal or hex), or None
    when `host` is not written as a number. Raises Refused for a number that is no address."""
    parts = host.split(".")
    if not all(_NUMBER.match(p) for p in parts):
        if _NUMBER.match(parts[-1]):  # "foo.123": browsers read it as an address, we refuse
            raise Refused("host", _("Enter a valid host name or IP address."))
        return None
    try:
        numbers = [_number(p) for p in parts]
    except ValueError:
        raise Refused("host", _("Enter a valid host name or IP address.")) from None
    if len(numbers) > 4:
        raise Refused("host", _("Enter a valid host name or IP address."))
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (4 - len(head)):
        raise Refused("host", _("Enter a valid host name or IP address."))
    value = 0
    for n in head:
        value = value * 256 + n
    value = value * 256 ** (4 - len(head)) + last
    return ipaddress.IPv4Address(value)


def _ascii_host(host: str) -> str:
    host = host.rstrip(".").lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise Refused("host", _("Enter a valid host name or IP address.")) from None
    if not host or len(host) > 253 or not all(_LABEL.match(label) for label in host.split(".")):
        raise Refused("host", _("Enter a valid host name or IP address."))
    return host


# --- URLs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedUrl:
    scheme: str
    host: str
    port: int
    path: str
    ip: IPAddress | None  # the host written as an address


def parse(url: str) -> ParsedUrl:
    """Check the URL's form (http or https, a host, no user name or password)."""
    url = (url or "").strip()
    if not url or len(url) > 2000 or any(c.isspace() or ord(c) < 32 for c in url):
        raise Refused("url", _("Enter a valid URL starting with https:// or http://."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused("url", _("Enter a valid URL starting with https:// or http://.")) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise Refused("scheme", _("The URL must start with https:// or http://."))
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise Refused("credentials", _("Put no user name or password in the URL."))
    raw_host = parts.hostname or ""
    if not raw_host:
        raise Refused("host", _("Enter a valid host name or IP address."))
    if port == 0:
        raise Refused("url", _("Enter a valid URL starting with https:// or http://."))
    ip: IPAddress | None
    if "[" in parts.netloc:
        if "%" in raw_host:  # a zone id names an interface of this server
            raise Refused("link_local", REASONS["link_local"])
        try:
            ip = ipaddress.IPv6Address(raw_host)
        except ValueError:
            raise Refused("host", _("Enter a valid host name or IP address.")) from None
        host = str(ip)
    else:
        host = raw_host.rstrip(".").lower()
        ip = parse_ipv4(host)
        host = str(ip) if ip is not None else _ascii_host(host)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return ParsedUrl(scheme, host, port or (443 if scheme == "https" else 80), path, ip)


Resolver = Callable[..., list[tuple[Any, ...]]]


def resolve(url: str, *, allow_private: bool, getaddrinfo: Resolver = socket.getaddrinfo) -> Target:
    """Parse, resolve once and check every address; the Target holds what to connect to."""
    parsed = parse(url)
    if parsed.ip is not None:
        check_address(parsed.ip, allow_private=allow_private)
        return Target(parsed.scheme, parsed.host, parsed.port, parsed.path, (str(parsed.ip),))
    name = parsed.host
    if name in METADATA_NAMES:
        raise Refused("metadata", REASONS["metadata"])
    lookup = name
    if name in LOCALHOST_NAMES or name.endswith(".localhost"):
        if not allow_private:
            raise Refused("loopback", REASONS["loopback"])
        lookup = "localhost"  # RFC 6761: every *.localhost name is this machine
    try:
        infos = getaddrinfo(lookup, parsed.port, 0, socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Refused("unresolvable", _("The host name could not be resolved.")) from None
    addresses: list[str] = []
    for info in infos:
        raw = str(info[4][0]).split("%", 1)[0]
        try:
            ip = ipaddress.ip_address(raw)
        except ValueError:
            raise Refused("unresolvable", _("The host name could not be resolved.")) from None
        check_address(ip, allow_private=allow_private)  # ANY refused address refuses the URL
        if str(ip) not in addresses:
            addresses.append(str(ip))
    if not addresses:
        raise Refused("unresolvable", _("The host name could not be resolved."))
    return Target(parsed.scheme, name, parsed.port, parsed.path, tuple(addresses))
