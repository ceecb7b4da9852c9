"""Concurrent edits of one record with the version the editors opened (issue #10 item 5).

Several people save the same lead, customer, opportunity or task at once, each with the version
they loaded: exactly one save lands, every other one is refused with `stale_version` and a message
telling them to reload, and the record holds the winner's value (no lost update). Threads need a
server database: these run on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.utils import translation

from tradewind.activities.models_tasks import Task
from tradewind.activities.task_services import task_create, task_update
from tradewind.core.errors import Conflict
from tradewind.customers.models import Customer
from tradewind.customers.services import customer_create, customer_update
from tradewind.leads.models import Lead
from tradewind.leads.services import lead_update
from tradewind.sales.models import Opportunity
from tradewind.sales.services import opportunity_create, opportunity_update
from tradewind.workspaces.models import AuditEvent

EDITORS = 5

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("thread races need a server database (the SQLite test database is in memory)")


def race(count: int, work: Callable[[int], object]) -> list[object]:
    results: list[object] = [None] * count
    barrier = threading.Barrier(count)

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            with translation.override("en"):
                results[i] = work(i)
        except BaseException as exc:  # reported by the main thread
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "an editor hung"
    return results


def one_winner(results: list[object]) -> int:
    winners = [i for i, r in enumerate(results) if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1, results
    for exc in losers:
        assert isinstance(exc, Conflict) and exc.code == "stale_version", repr(exc)
        assert "reload" in str(exc.message).lower()
    return winners[0]


def updates_of(target, field: str) -> int:
    return sum(
        1
        for changes in AuditEvent.objects.filter(
            target_type=target.AUDIT_TYPE, target_id=target.pk, verb="update"
        ).values_list("changes", flat=True)
        if field in changes
    )


def test_concurrent_lead_edits_keep_one(world):
    seen = Lead.objects.get(pk=world.lead.pk)
    names = [f"Edited by {i}" for i in range(EDITORS)]

    def save(i: int) -> Lead:
        return lead_update(
            actor=world.actor(world.rep), lead=seen, version=seen.version, company_name=names[i]
        )

    winner = one_winner(race(EDITORS, save))
    lead = Lead.objects.get(pk=seen.pk)
    assert lead.company_name == names[winner] and lead.version == seen.version + 1
    assert updates_of(lead, "company_name") == 1


def test_concurrent_customer_edits_keep_one(world):
    customer = customer_create(actor=world.actor(world.rep), name="Race Buyer Ltd")
    seen = Customer.objects.get(pk=customer.pk)

    def save(i: int) -> Customer:
        return customer_update(
            actor=world.actor(world.rep),
            customer=seen,
            version=seen.version,
            website=f"https://r{i}.example",
        )

    winner = one_winner(race(EDITORS, save))
    current = Customer.objects.get(pk=seen.pk)
    assert current.website == f"https://r{winner}.example" and current.version == seen.version + 1
    assert updates_of(current, "website") == 1


def test_concurrent_opportunity_edits_keep_one(world):
    customer = customer_create(actor=world.actor(world.rep), name="Race Deal Buyer")
    opp = opportunity_create(actor=world.actor(world.rep), customer=customer, name="Race deal")
    seen = Opportunity.objects.get(pk=opp.pk)

    def save(i: int) -> Opportunity:
        return opportunity_update(
            actor=world.actor(world.rep),
            opportunity=seen,
            expected_version=seen.version,
            name=f"Race deal {i}",
        )

    winner = one_winner(race(EDITORS, save))
    current = Opportunity.objects.get(pk=seen.pk)
    assert current.name == f"Race deal {winner}" and current.version == seen.version + 1
    assert updates_of(current, "name") == 1


def test_concurrent_task_edits_keep_one(world):
    task = task_create(actor=world.actor(world.rep), title="Call back", due_kind="tomorrow")
    seen = Task.objects.get(pk=task.pk)

    def save(i: int) -> Task:
        return task_update(
            actor=world.actor(world.rep), task=seen, version=seen.version, title=f"Call back {i}"
        )

    winner = one_winner(race(EDITORS, save))
    current = Task.objects.get(pk=seen.pk)
    assert current.title == f"Call back {winner}" and current.version == seen.version + 1
    assert updates_of(current, "title") == 1
