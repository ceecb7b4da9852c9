"""A small fixed dataset for the conversion review, funnels and activity reports (March 2024 in
the workspace's zone, Asia/Shanghai, plus a lead in February and one in April). Rows are written
directly (the services stamp "now"; reports need past dates). The expected tables in the tests
are computed by hand from the comments here."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from tradewind.activities.models import FollowUp, Task
from tradewind.customers.models import Customer
from tradewind.customers.models_qualification import CustomerNode
from tradewind.customers.qualification import nodes_of
from tradewind.leads.models import Lead
from tradewind.orders.models_orders import Order
from tradewind.sales.models import CloseReason, Opportunity, StageChange
from tradewind.sales.services import pipeline_default

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2024, 3, 20, 12, 0, tzinfo=TZ)  # "now" of the activity tests


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, minute, tzinfo=TZ)


@dataclass
class Data:
    leads: dict[str, Lead]
    customers: dict[str, Customer]
    opps: dict[str, Opportunity]
    pipeline: object
    stages: dict[str, object]


def build(world) -> Data:
    ws = world.ws
    rep, rep2, west = world.rep.user, world.rep2.user, world.other_rep.user
    n = iter(range(1, 1000))

    def customer(name: str, owner, stage: str = "potential") -> Customer:
        return Customer.objects.create(
            workspace=ws, code=f"CT{next(n)}", name=name, owner=owner, stage=stage
        )

    c1 = customer("C1 Machinery", rep, "signed")
    c2 = customer("C2 Web", rep2, "signed")
    c3 = customer("C3 Feb", rep, "signed")
    c4 = customer("C4 West", west)

    def lead(key: str, owner, created: dt.datetime, **kw) -> Lead:
        return Lead.objects.create(
            workspace=ws,
            code=f"T{key}",
            company_name=f"{key} Co",
            owner=owner,
            created_at=created,
            updated_at=created,
            **kw,
        )

    leads = {
        # trade show, A, converted -> C1 (first order 03-21: cycle 20 days), contacted after 2 h
        "L1": lead("L1", rep, at(3, 1), source="trade_show", grade="A", industry="Machinery",
                   country="DE", status="converted", converted_customer=c1,
                   first_contacted_at=at(3, 1, 12)),
        # trade show, A, invalid (no budget), first contact after 48 h: SLA late
        "L2": lead("L2", rep, at(3, 2), source="trade_show", grade="A", status="invalid",
                   invalid_reason="no_budget", first_contacted_at=at(3, 4)),
        # web form, B, converted -> C2 (no order; won opportunity closed 03-15: cycle 10 days)
        "L3": lead("L3", rep2, at(3, 5), source="web_form", grade="B", status="converted",
                   converted_customer=c2, first_contacted_at=at(3, 5, 11)),
        "L4": lead("L4", rep2, at(3, 10), source="web_form", grade="B", status="contacting",
                   first_contacted_at=at(3, 11)),
        "L5": lead("L5", west, at(3, 15), source="alibaba_rfq", grade="C", status="invalid",
                   invalid_reason="no_budget"),
        # A, new, never contacted: SLA late and an open breach
        "L6": lead("L6", west, at(3, 18), source="alibaba_rfq", grade="A", status="new"),
        # the pool, qualified, created 23:30 on the last day of March (local)
        "L7": lead("L7", None, at(3, 31, 23, 30), source="other", status="qualified"),
        # 00:30 on April 1st local (still March 31 in UTC): outside March
        "L8": lead("L8", rep, at(4, 1, 0, 30), source="trade_show", grade="C", status="invalid",
                   invalid_reason="competitor_cheaper"),
        "L9": lead("L9", rep, at(2, 10), source="trade_show", grade="A", status="converted",
                   converted_customer=c3),
    }  # fmt: skip

    Order.objects.create(
        workspace=ws, code="SO1", customer=c1, order_date=dt.date(2024, 3, 21), currency="USD",
        base_currency="CNY", fx_rate=Decimal("7.1"), fx_date=dt.date(2024, 3, 21),
        created_at=at(3, 21), updated_at=at(3, 21),
    )  # fmt: skip
    # A cancelled, earlier order does not count.
    Order.objects.create(
        workspace=ws, code="SO0", customer=c1, order_date=dt.date(2024, 3, 3), currency="USD",
        base_currency="CNY", fx_rate=Decimal("7.1"), fx_date=dt.date(2024, 3, 3),
        status="cancelled", created_at=at(3, 3), updated_at=at(3, 3),
    )  # fmt: skip

    pipeline = pipeline_default(ws)
    stages = {s.key: s for s in pipeline.stages.all()}
    price = CloseReason.objects.create(workspace=ws, kind="lost", label="Price too high")
    day = dt.timedelta(days=1)

    def opp(key: str, owner, customer: Customer, created: dt.datetime, path: list, **kw):
        """path: [(stage key, days spent before leaving it)...]; the last entry is where it is."""
        last_key = path[-1][0]
        o = Opportunity.objects.create(
            workspace=ws, code=key, name=key, customer=customer, pipeline=pipeline,
            stage=stages[last_key], owner=owner, created_at=created, updated_at=created, **kw,
        )  # fmt: skip
        StageChange.objects.create(
            workspace=ws, opportunity=o, kind="create", to_stage=stages[path[0][0]],
            to_status="open", changed_at=created,
        )  # fmt: skip
        when = created
        for (frm, days), (to, _next) in itertools.pairwise(path):
            when = when + days * day
            StageChange.objects.create(
                workspace=ws, opportunity=o, kind="move", from_stage=stages[frm],
                to_stage=stages[to], to_status="open", changed_at=when,
                seconds_in_from_stage=days * 86400,
            )  # fmt: skip
        return o

    opps = {
        "O_lost1": opp("O_lost1", rep, c1, at(3, 2),
                       [("initial_contact", 2), ("needs_confirmed", 2), ("quotation", 1), ("lost", 0)],
                       status="lost", closed_at=at(3, 10), close_reason=price),
        "O_lost2": opp("O_lost2", west, c4, at(3, 2), [("initial_contact", 4), ("lost", 0)],
                       status="lost", closed_at=at(3, 12), close_reason=price),
        "O_lost3": opp("O_lost3", rep2, c2, at(3, 2),
                       [("initial_contact", 1), ("needs_confirmed", 4), ("quotation", 2),
                        ("negotiation", 3), ("lost", 0)],
                       status="lost", closed_at=at(3, 20)),
        "O_won": opp("O_won", rep2, c2, at(3, 2),
                     [("initial_contact", 3), ("needs_confirmed", 1), ("quotation", 6),
                      ("negotiation", 2), ("won", 0)],
                     status="won", closed_at=at(3, 15, 12)),
        "O_open": opp("O_open", rep, c1, at(3, 2),
                      [("initial_contact", 5), ("needs_confirmed", 0)]),
    }  # fmt: skip

    nodes = {node.key: node for node in nodes_of(ws)}

    def tick(c: Customer, key: str, day_: dt.date) -> None:
        CustomerNode.objects.create(workspace=ws, customer=c, node=nodes[key], reached_on=day_)

    tick(c1, "inquiry", dt.date(2024, 3, 2))
    tick(c1, "needs_obtained", dt.date(2024, 3, 5))
    tick(c1, "price_discussed", dt.date(2024, 3, 10))
    tick(c2, "inquiry", dt.date(2024, 3, 3))
    tick(c4, "inquiry", dt.date(2024, 3, 4))
    tick(c4, "needs_obtained", dt.date(2024, 3, 6))
    tick(c3, "inquiry", dt.date(2024, 2, 20))

    def followup(owner, when, channel, result, lead_key) -> None:
        FollowUp.objects.create(
            workspace=ws, target_type="lead", target_id=leads[lead_key].pk, owner=owner,
            happened_at=when, channel=channel, summary="s", result=result,
            created_at=when, updated_at=when,
        )  # fmt: skip

    followup(rep, at(3, 1, 12), "phone", "responded", "L1")
    followup(rep, at(3, 4), "email", "no_response", "L2")
    followup(rep2, at(3, 5, 11), "phone", "interested", "L3")
    followup(rep2, at(3, 11), "wechat", "other", "L4")
    followup(west, at(3, 16), "email", "no_response", "L5")
    followup(rep, at(4, 1, 10), "whatsapp", "meeting_booked", "L1")

    def task(assignee, due: dt.datetime, status: str = "open", done_at=None) -> None:
        Task.objects.create(
            workspace=ws, title=f"task {next(n)}", assignee=assignee, created_by=assignee,
            due_kind="exact", due_start=due, due_end=due, status=status, done_at=done_at,
        )  # fmt: skip

    task(rep, at(3, 5), "done", at(3, 4))  # on time
    task(rep, at(3, 6), "done", at(3, 8))  # late
    task(rep2, at(3, 10))  # overdue at NOW
    task(west, at(3, 12), "cancelled")
    task(rep, at(3, 31))  # not due yet at NOW
    return Data(leads, {"C1": c1, "C2": c2, "C3": c3, "C4": c4}, opps, pipeline, stages)
