"""Fixtures of the step plan tests: the rep's customer and opportunity, and a plan maker."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest

from tradewind.customers.services import customer_create
from tradewind.plans.editing import plan_create
from tradewind.sales.services import opportunity_create

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
# A Monday (2025-03-03), 10:00 in Shanghai.
MONDAY = dt.datetime(2025, 3, 3, 10, 0, tzinfo=TZ)


def task_step(title: str = "Call the buyer", **extra: Any) -> dict[str, Any]:
    return {
        "title": title,
        "offset_days": 0,
        "executor": "owner",
        "action": "task",
        "advance": "event",
        "event": "task_done",
        **extra,
    }


@pytest.fixture
def shanghai(world):
    world.ws.time_zone = "Asia/Shanghai"
    world.ws.save(update_fields=["time_zone"])
    for m in (world.owner, world.manager, world.rep, world.rep2, world.other_rep, world.readonly):
        m.workspace.time_zone = "Asia/Shanghai"
    return world


@pytest.fixture
def customer(world):
    return customer_create(
        actor=world.actor(world.rep), name="Plan Buyer GmbH", allow_duplicates=True
    )


@pytest.fixture
def opportunity(world, customer):
    return opportunity_create(actor=world.actor(world.rep), customer=customer, name="Plan deal")


@pytest.fixture
def make_plan(world):
    def make(*steps: dict[str, Any], applies_to: str = "customer", name: str = "Onboarding"):
        return plan_create(
            actor=world.actor(world.manager),
            name=name,
            applies_to=applies_to,
            steps=list(steps) or [task_step()],
        )

    return make
