"""emit(): side effects run only after the transaction commits. No Django signals.

Domain apps emit; automation (and anything else that reacts) subscribes in its AppConfig.ready().
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)
Handler = Callable[[str, dict[str, Any]], None]
_subscribers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(name: str, handler: Handler) -> None:
    if handler not in _subscribers[name]:
        _subscribers[name].append(handler)


def unsubscribe(name: str, handler: Handler) -> None:
    if handler in _subscribers[name]:
        _subscribers[name].remove(handler)


def _dispatch(name: str, payload: dict[str, Any]) -> None:
    for handler in [*_subscribers.get(name, ()), *_subscribers.get("*", ())]:
        try:
            handler(name, payload)
        except Exception:  # one failing subscriber must not stop the others
            log.exception("event handler %r failed for %s", handler, name)


def emit(name: str, **payload: Any) -> None:
    transaction.on_commit(lambda: _dispatch(name, payload))
