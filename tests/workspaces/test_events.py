"""emit / emit_many: dispatched after commit only, batches reach batch subscribers whole, and one
failing handler or payload does not stop the others."""

from __future__ import annotations

import pytest
from django.db import transaction

from tradewind.workspaces.events import (
    emit,
    emit_many,
    running_rules,
    subscribe,
    subscribe_many,
    unsubscribe,
    unsubscribe_many,
)

NAME = "test.thing_happened"
pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    singles: list[dict] = []
    batches: list[list[dict]] = []

    def one(name, payload):
        if payload.get("boom") == "single":
            raise RuntimeError("single handler failed")
        singles.append(payload)

    def many(name, payloads):
        if any(p.get("boom") == "batch" for p in payloads):
            raise RuntimeError("batch handler failed")
        batches.append(list(payloads))

    subscribe(NAME, one)
    subscribe_many(NAME, many)
    yield singles, batches
    unsubscribe(NAME, one)
    unsubscribe_many(NAME, many)


def test_emit_many_dispatches_once_after_commit(heard, django_capture_on_commit_callbacks):
    singles, batches = heard
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        emit_many(NAME, [{"n": 1}, {"n": 2}, {"n": 3}])
        assert singles == [] and batches == []  # nothing before the commit
    assert len(callbacks) == 1
    assert [p["n"] for p in singles] == [1, 2, 3]
    assert batches == [[{"n": 1}, {"n": 2}, {"n": 3}]]


def test_a_single_emit_reaches_batch_subscribers_as_a_list_of_one(
    heard, django_capture_on_commit_callbacks
):
    singles, batches = heard
    with django_capture_on_commit_callbacks(execute=True):
        emit(NAME, n=7)
    assert singles == [{"n": 7}] and batches == [[{"n": 7}]]


def test_nothing_is_dispatched_when_the_transaction_rolls_back(
    heard, django_capture_on_commit_callbacks
):
    singles, batches = heard
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                emit_many(NAME, [{"n": 1}])
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert callbacks == [] and singles == [] and batches == []


def test_a_failing_payload_or_handler_does_not_stop_the_others(
    heard, django_capture_on_commit_callbacks
):
    singles, batches = heard
    with django_capture_on_commit_callbacks(execute=True):
        emit_many(NAME, [{"n": 1}, {"n": 2, "boom": "single"}, {"n": 3}])
    assert [p["n"] for p in singles] == [1, 3]
    assert len(batches) == 1 and len(batches[0]) == 3
    with django_capture_on_commit_callbacks(execute=True):
        emit_many(NAME, [{"n": 4, "boom": "batch"}, {"n": 5}])
    assert [p["n"] for p in singles] == [1, 3, 4, 5]  # the single handler still ran for both
    assert len(batches) == 1


def test_emit_many_carries_the_running_rules_and_skips_an_empty_list(
    heard, django_capture_on_commit_callbacks
):
    singles, batches = heard
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        emit_many(NAME, [])
        with running_rules((11, 12)):
            emit_many(NAME, [{"n": 1}])
    assert len(callbacks) == 1
    assert singles == [{"n": 1, "_rules": [11, 12]}]
    assert batches == [[{"n": 1, "_rules": [11, 12]}]]
