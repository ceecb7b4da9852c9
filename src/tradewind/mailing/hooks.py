"""Points where other apps plug into sending without mailing importing them (the campaigns app
registers its unsubscribed addresses and its List-Unsubscribe headers here, in its ready()).

- A suppressor answers which of some addresses may not get automated mail in a workspace
  (`email_queue` refuses automated and bulk sends to them; a person writing one message is told).
- A header source answers extra headers for one stored message when it is built for SMTP.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

Suppressor = Callable[[int, list[str]], set[str]]
HeaderSource = Callable[[Any], dict[str, str]]

_suppressors: list[Suppressor] = []
_header_sources: list[HeaderSource] = []


def register_suppressor(fn: Suppressor) -> None:
    if fn not in _suppressors:
        _suppressors.append(fn)


def register_header_source(fn: HeaderSource) -> None:
    if fn not in _header_sources:
        _header_sources.append(fn)


def suppressed(workspace_id: int, addresses: Iterable[str]) -> set[str]:
    """The addresses (lower case) nobody may send automated mail to in this workspace."""
    wanted = sorted({a.strip().lower() for a in addresses if a and a.strip()})
    if not wanted:
        return set()
    found: set[str] = set()
    for fn in _suppressors:
        found |= set(fn(workspace_id, wanted))
    return found


def extra_headers(email: Any) -> dict[str, str]:
    headers: dict[str, str] = {}
    for fn in _header_sources:
        headers.update(fn(email) or {})
    return headers
