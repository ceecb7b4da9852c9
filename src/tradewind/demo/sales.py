"""The demo exporter's sales side, through the sales services: a product catalogue with price
lists, exchange rates, two more pipelines (new export customer, tender) with stage tasks, and
opportunities with product lines spread over the stages — some moved along with their tasks ticked,
some won, lost or invalid, one left without activity long enough to be flagged stale."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tradewind.customers.models import Customer
from tradewind.sales.closing import close_reasons, opportunity_close
from tradewind.sales.models import Opportunity, Pipeline, StageChange
from tradewind.sales.moves import opportunity_move, stage_task_set
from tradewind.sales.pipelines import pipeline_create, stage_task_create
from tradewind.sales.products import product_create
from tradewind.sales.services import opportunity_create
from tradewind.sales.stale import opportunities_stale_check
from tradewind.workspaces.services import exchange_rate_set

from . import data
from .common import Demo
from .data_sales import DEFAULT_TASKS, OPPORTUNITIES, PRODUCTS, RATES


def load_sales(demo: Demo) -> None:
    boss = demo.actor(data.BOSS[0])
    for currency, rate in RATES.items():
        exchange_rate_set(
            actor=boss,
            on_date=demo.today - dt.timedelta(days=400),
            from_currency=currency,
            to_currency="CNY",
            rate=rate,
            source="demo",
        )
    products = {}
    for sku, en, zh, specs, unit, hs, moq, usd, eur in PRODUCTS:
        products[sku] = product_create(
            actor=boss,
            sku=sku,
            name_en=en,
            name_zh=zh,
            specs=specs,
            unit=unit,
            hs_code=hs,
            moq=moq,
            prices=[("USD", Decimal(usd)), ("EUR", Decimal(eur))],
        )
    _default_stage_tasks(demo)
    pipelines = {
        "default": Pipeline.objects.get(workspace=demo.workspace, is_default=True),
        "export": pipeline_create(
            actor=boss, name="新出口客户 New export customer", template="new_export_customer"
        ),
        "tender": pipeline_create(actor=boss, name="招投标 Tender", template="tender"),
    }
    close_reasons(demo.workspace, "lost")
    close_reasons(demo.workspace, "invalid")
    for spec in OPPORTUNITIES:
        _opportunity(demo, spec, products, pipelines)
    _one_stale(demo)


def _default_stage_tasks(demo: Demo) -> None:
    boss = demo.actor(data.BOSS[0])
    pipeline = Pipeline.objects.get(workspace=demo.workspace, is_default=True)
    for stage in pipeline.stages.all():
        for title, required in DEFAULT_TASKS.get(stage.key, []):
            stage_task_create(actor=boss, stage=stage, title=title, is_required=required)


def _opportunity(demo: Demo, spec: tuple, products: dict, pipelines: dict) -> None:
    fragment, owner, pipeline_key, path, lines, currency, (term, place), days, category, source = (
        spec
    )
    customer = Customer.objects.filter(workspace=demo.workspace, name__contains=fragment).first()
    if customer is None:
        return
    actor = demo.actor(owner)
    pipeline = pipelines[pipeline_key]
    first = pipeline.stages.filter(is_won=False, is_lost=False).first()
    opportunity = opportunity_create(
        actor=actor,
        customer=customer,
        name=" + ".join(products[sku].name_en for sku, _q in lines),
        pipeline_id=pipeline.pk,
        stage_id=first.pk if first else None,
        currency=currency,
        incoterm=term,
        named_place=place,
        expected_close_date=demo.today + dt.timedelta(days=days),
        forecast_category=category,
        source=source,
        owner_id=demo.users[owner].pk,
        lines=[{"product_id": products[sku].pk, "quantity": qty} for sku, qty in lines],
    )
    # Walk the stages as the rep did: tick the current stage's tasks, then move on.
    for step in path:
        current = Opportunity.objects.select_related("stage").get(pk=opportunity.pk)
        for task in current.stage.tasks.all():
            stage_task_set(actor=actor, opportunity_id=opportunity.pk, task_id=task.pk, done=True)
        if step in ("won", "lost", "invalid"):
            reason = close_reasons(demo.workspace, step)[0].pk if step != "won" else None
            opportunity_close(
                actor=actor,
                opportunity_id=opportunity.pk,
                outcome=step,
                reason_id=reason,
                competitor="Midea" if step == "lost" else "",
                note="Price 8% above the competitor's 价格高于竞争对手8%" if step == "lost" else "",
            )
            break
        later = pipeline.stages.filter(is_won=False, is_lost=False)
        later = later.filter(position__gt=current.stage.position)
        stage = later.filter(key=step).first() if step != "next" else later.first()
        if stage is not None:
            opportunity_move(actor=actor, opportunity_id=opportunity.pk, stage_id=stage.pk)
    # A deal is older than today: spread its history over the past weeks.
    opened = demo.ago(demo.rng.randint(20, 60))
    Opportunity.objects.filter(pk=opportunity.pk).update(created_at=opened)
    changes = list(StageChange.objects.filter(opportunity_id=opportunity.pk).order_by("id"))
    for n, change in enumerate(changes):
        StageChange.objects.filter(pk=change.pk).update(
            changed_at=opened + dt.timedelta(days=n * 6, hours=n)
        )


def _one_stale(demo: Demo) -> None:
    """The first open demo opportunity has had no activity for two months: the stale check flags
    it and reminds its owner."""
    opportunity = (
        Opportunity.objects.filter(workspace=demo.workspace, status="open").order_by("id").first()
    )
    if opportunity is None:
        return
    long_ago = demo.ago(60)
    Opportunity.objects.filter(pk=opportunity.pk).update(
        stage_entered_at=long_ago, last_activity_at=long_ago
    )
    opportunities_stale_check(workspace=demo.workspace, now=demo.now)
