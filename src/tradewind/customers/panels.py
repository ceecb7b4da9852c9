"""Sections of the customer 360 page filled by later apps (customers may not import them).

An app registers a panel in its AppConfig.ready(): `register_panel("finance", fn)`, where
`fn(customer, member)` returns the context of one section — a dict with at least "template" —
or None to show nothing. The page asks every registered panel once (`panels_for`); a key with no
panel keeps the page's placeholder. Keys the page knows: "documents", "finance"."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Panel = Callable[[Any, Any], "dict[str, Any] | None"]
PANELS: dict[str, Panel] = {}


def register_panel(key: str, fn: Panel) -> Panel:
    PANELS[key] = fn
    return fn


def panels_for(customer: Any, member: Any) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for key, fn in PANELS.items():
        data = fn(customer, member)
        if data:
            result[key] = data
    return result
