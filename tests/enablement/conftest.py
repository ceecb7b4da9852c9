"""Enablement fixtures on top of the shared world: a customer and an opportunity of the rep, a
stage by key, scripts and files made through the services."""

from __future__ import annotations

from typing import Any

import pytest

from tradewind.activities.services import followup_record
from tradewind.customers.services import customer_create
from tradewind.enablement import library
from tradewind.sales.models import Opportunity, Stage
from tradewind.sales.services import opportunity_create, pipeline_default


def stage(ws: Any, key: str) -> Stage:
    return pipeline_default(ws).stages.get(key=key)


def script(world: Any, member: Any = None, **kw: Any) -> Any:
    """A talk script by `member` (the owner by default, who may share it)."""
    kw.setdefault("kind", "script")
    kw.setdefault("title", "Script")
    kw.setdefault("body", "Text of the script.")
    kw.setdefault("visibility", "shared")
    return library.item_create(actor=world.actor(member or world.owner), **kw)


def objection(world: Any, target: Any, feedback: str, member: Any = None) -> Any:
    return followup_record(
        actor=world.actor(member or world.rep),
        target=target,
        channel="phone",
        summary="Called",
        feedback=feedback,
        result="responded",
    )


@pytest.fixture
def customer(world):
    return customer_create(
        actor=world.actor(world.rep), name="Ningbo Machine Works", industry="Manufacturing"
    )


@pytest.fixture
def opp(world, customer) -> Opportunity:
    return opportunity_create(
        actor=world.actor(world.rep),
        customer=customer,
        name="Retrofit line",
        amount="1000",
        currency="CNY",
        stage_id=stage(world.ws, "quotation").pk,
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
