"""emit(): side effects run only after the transaction commits. No Django signals.

Domain apps emit; automation (and anything else that reacts) subscribes in its AppConfig.ready().
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
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


# The automation rules whose actions are running now. An event emitted meanwhile carries them as
# "_rules", so a rule is not triggered again by its own effect (no loops, no storms).
_rule_chain: contextvars.ContextVar[tuple[int, ...]] = contextvars.ContextVar(
    "rule_chain", default=()
)


def rule_chain() -> tuple[int, ...]:
    return _rule_chain.get()


@contextlib.contextmanager
def running_rules(chain: tuple[int, ...]) -> Iterator[None]:
    token = _rule_chain.set(chain)
    try:
        yield
    finally:
        _rule_chain.reset(token)


def emit(name: str, **payload: Any) -> None:
    chain = _rule_chain.get()
    if chain:
        payload["_rules"] = list(chain)
    transaction.on_commit(lambda: _dispatch(name, payload))
