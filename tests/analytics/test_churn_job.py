"""The daily repurchase / churn reminder (analytics/tasks.py): who is told, and only once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from tests.analytics.rfm_helpers import TODAY, _order, build
from tradewind.activities.models import Notification
from tradewind.activities.notifications import notifications_for
from tradewind.analytics import tasks
from tradewind.orders.models_orders import Order


@pytest.fixture
def data(world):
    return build(world)


def _sent(world):
    return sorted(
        (n.user_id, n.kind, n.params["customer"])
        for n in Notification.objects.filter(workspace=world.ws, kind__startswith="customer.")
    )


def test_owners_are_told_about_soon_and_risk(world, data):
    tasks.churn_remind(workspace=world.ws, today=TODAY)
    assert _sent(world) == sorted(
        [
            (world.rep.user_id, "customer.reorder_soon", "Customer C1"),
            (world.rep.user_id, "customer.churn_risk", "Customer C2"),
            (world.rep2.user_id, "customer.churn_risk", "Customer C4"),
        ]
    )
    with translation.override("en"):
        rendered = notifications_for(world.rep2)
    assert rendered[0].title == "A customer may be lost"
    assert "Customer C4 usually orders every 32.0 days" in rendered[0].body
    with translation.override("zh-hans"):
        assert notifications_for(world.rep2)[0].title == "有客户可能流失"
    assert rendered[0].url == f"/customers/{data.customers['C4'].pk}/"
    assert Notification.objects.filter(workspace=world.ws2).count() == 0


def test_running_again_sends_nothing_new(world, data):
    tasks.churn_remind(workspace=world.ws, today=TODAY)
    tasks.churn_remind(workspace=world.ws, today=TODAY)
    assert len(_sent(world)) == 3
    # The next day nobody is told twice; only C6 is new (150 × 2 / 200 = 1.50: churn risk now).
    tasks.churn_remind(workspace=world.ws, today=TODAY + dt.timedelta(days=1))
    customers = [c for _u, _k, c in _sent(world)]
    assert sorted(customers) == ["Customer C1", "Customer C2", "Customer C4", "Customer C6"]


def test_a_new_cycle_or_a_worse_status_warns_again(world, data):
    tasks.churn_remind(workspace=world.ws, today=TODAY)
    # C1 (every 30 days, last 24 days ago) is "soon" today, "churn risk" from day 45 (45×3/90=1.5)
    tasks.churn_remind(workspace=world.ws, today=TODAY + dt.timedelta(days=21))
    kinds = [k for _u, k, c in _sent(world) if c == "Customer C1"]
    assert sorted(kinds) == ["customer.churn_risk", "customer.reorder_soon"]
    # C2 buys again: a new cycle; the next warning is a new one
    Order.objects.bulk_create(
        [_order(world.ws, data.customers["C2"], "DDX", -100, "CNY", "9", "1", "confirmed")]
    )
    before = len(_sent(world))
    tasks.churn_remind(workspace=world.ws, today=TODAY + dt.timedelta(days=400))
    assert len([c for _u, _k, c in _sent(world) if c == "Customer C2"]) == 2
    assert len(_sent(world)) > before


def test_pool_customers_are_skipped(world, data):
    from tradewind.customers.models import Customer

    Customer.objects.filter(pk=data.customers["C2"].pk).update(owner=None)
    tasks.churn_remind(workspace=world.ws, today=TODAY)
    assert "Customer C2" not in [c for _u, _k, c in _sent(world)]


def test_the_hourly_task_waits_for_the_morning(world, data):
    early = dt.datetime(2025, 6, 29, 22, 0, tzinfo=dt.UTC)  # 06:00 in Shanghai
    tasks.churn_remind_all(now=early)
    assert _sent(world) == []
    late = dt.datetime(2025, 6, 30, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai, 2025-06-30
    tasks.churn_remind_all(now=late)
    assert len(_sent(world)) == 3
