"""emit(): side effects run only after the transaction commits. No Django signals.

Domain apps emit; automation (and anything else that reacts) subscribes in its AppConfig.ready().
A bulk path (an import routing thousands of leads) emits its events with `emit_many`: one
after-commit dispatch, and subscribers registered with `subscribe_many` see the whole list at once,
so they look up what every event needs (the workspace's rules, its webhook endpoints) once.
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
ManyHandler = Callable[[str, list[dict[str, Any]]], None]
_subscribers: dict[str, list[Handler]] = defaultdict(list)
_many_subscribers: dict[str, list[ManyHandler]] = defaultdict(list)


def subscribe(name: str, handler: Handler) -> None:
    if handler not in _subscribers[name]:
        _subscribers[name].append(handler)


def unsubscribe(name: str, handler: Handler) -> None:
    if handler in _subscribers[name]:
        _subscribers[name].remove(handler)


def subscribe_many(name: str, handler: ManyHandler) -> None:
    """A subscriber that takes a list of payloads of one event name (a single emit: a list of
    one). It should isolate its payloads from each other's failures (`each`)."""
    if handler not in _many_subscribers[name]:
        _many_subscribers[name].append(handler)


def unsubscribe_many(name: str, handler: ManyHandler) -> None:
    if handler in _many_subscribers[name]:
        _many_subscribers[name].remove(handler)


def each(name: str, payloads: list[dict[str, Any]], handler: Handler) -> None:
    """Run a handler for every payload; one that fails is logged and the others go on."""
    for payload in payloads:
        try:
            handler(name, payload)
        except Exception:
            log.exception("event handler %r failed for %s", handler, name)


def _dispatch_many(name: str, payloads: list[dict[str, Any]]) -> None:
    for handler in [*_subscribers.get(name, ()), *_subscribers.get("*", ())]:
        each(name, payloads, handler)
    for many in [*_many_subscribers.get(name, ()), *_many_subscribers.get("*", ())]:
        try:
            many(name, payloads)
        except Exception:  # one failing subscriber must not stop the others
            log.exception("event handler %r failed for %s", many, name)


def _dispatch(name: str, payload: dict[str, Any]) -> None:
    _dispatch_many(name, [payload])


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


def emit_many(name: str, payloads: list[dict[str, Any]]) -> None:
    """Many events of one name, dispatched together after commit (in this order)."""
    if not payloads:
        return
    chain = _rule_chain.get()
    if chain:
        payloads = [{**payload, "_rules": list(chain)} for payload in payloads]
    transaction.on_commit(lambda: _dispatch_many(name, payloads))
