"""The figures of a daily report (销售日报): what a rep did on a workspace-local day and what is
planned for the next, read from the records.

`figures_for` reads the day (one query per section, each capped at SECTION_LIMIT rows listed):
- follow-ups the rep logged that day, counted by channel;
- new leads: leads created that day that the rep owns;
- stage moves: opportunity moves and closings the rep made that day;
- quotes the rep prepared or sent that day;
- payments: receipts dated that day on the orders of the rep's customers, summed per currency;
- tomorrow's plan: the rep's open tasks due by the end of the next day (overdue ones flagged)
  and the rep's open leads and customers whose next follow-up is due by then.

Stages are stored by key (a built-in stage) or name and shown translated by `for_display`, so a
frozen report reads right in either language.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Q

from tradewind.activities.models import FollowUp, Task
from tradewind.activities.targets import target_refs
from tradewind.activities.task_choices import TaskStatus
from tradewind.customers.models import Customer
from tradewind.customers.pool_choices import CustomerStage
from tradewind.leads.choices import OPEN_STATUSES
from tradewind.leads.models import Lead
from tradewind.orders.models import Quote
from tradewind.orders.models_orders import Receipt
from tradewind.sales.choices import StageChangeKind
from tradewind.sales.models import StageChange
from tradewind.workspaces.daily_jobs import day_bounds
from tradewind.workspaces.models import Membership

SECTION_LIMIT = 100
TEXT_CUT = 200


def cut(text: str | None) -> str:
    text = (text or "").strip()
    return text if len(text) <= TEXT_CUT else text[: TEXT_CUT - 1] + "…"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def figures_for(rep: Membership, day: dt.date) -> dict[str, Any]:
    """The day's figures and the next day's plan of one rep, as plain JSON (see module doc)."""
    ws = rep.workspace
    uid = rep.user_id
    lo, hi = day_bounds(ws, day)
    next_lo, next_hi = day_bounds(ws, day + dt.timedelta(days=1))

    followups = list(
        FollowUp.objects.filter(workspace=ws, owner_id=uid, happened_at__gte=lo, happened_at__lt=hi)
        .order_by("happened_at", "id")
        .values(
            "id",
            "target_type",
            "target_id",
            "happened_at",
            "channel",
            "summary",
            "feedback",
            "result",
        )[: SECTION_LIMIT + 1]
    )
    by_channel = Counter(
        FollowUp.objects.filter(workspace=ws, owner_id=uid, happened_at__gte=lo, happened_at__lt=hi)
        .values_list("channel", flat=True)
        .order_by()
    )
    refs = target_refs(rep, [(f["target_type"], f["target_id"]) for f in followups])

    leads = list(
        Lead.objects.filter(workspace=ws, owner_id=uid, created_at__gte=lo, created_at__lt=hi)
        .order_by("created_at", "id")
        .values("id", "code", "company_name", "source", "grade")[: SECTION_LIMIT + 1]
    )
    moves = list(
        StageChange.objects.filter(
            workspace=ws,
            changed_by_id=uid,
            changed_at__gte=lo,
            changed_at__lt=hi,
            kind__in=[StageChangeKind.MOVE, StageChangeKind.CLOSE],
        )
        .select_related("opportunity", "from_stage", "to_stage")
        .order_by("changed_at", "id")[: SECTION_LIMIT + 1]
    )
    quotes = list(
        Quote.objects.filter(workspace=ws, created_by_id=uid)
        .filter(Q(created_at__gte=lo, created_at__lt=hi) | Q(sent_at__gte=lo, sent_at__lt=hi))
        .select_related("customer")
        .order_by("created_at", "id")[: SECTION_LIMIT + 1]
    )
    receipts = list(
        Receipt.objects.filter(workspace=ws, order__customer__owner_id=uid, received_on=day)
        .select_related("order", "order__customer")
        .order_by("id")[: SECTION_LIMIT + 1]
    )
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for r in receipts:
        totals[r.currency] += r.amount

    tasks = list(
        Task.objects.filter(
            workspace=ws, assignee_id=uid, status=TaskStatus.OPEN, due_start__lt=next_hi
        )
        .order_by("due_end", "id")
        .values("id", "title", "due_kind", "due_start", "due_end", "target_type", "target_id")[
            : SECTION_LIMIT + 1
        ]
    )
    task_refs = target_refs(rep, [(t["target_type"], t["target_id"]) for t in tasks])
    due_leads = list(
        Lead.objects.filter(
            workspace=ws, owner_id=uid, status__in=OPEN_STATUSES, next_due_at__lt=next_hi
        )
        .order_by("next_due_at", "id")
        .values("id", "code", "company_name", "next_due_at")[:SECTION_LIMIT]
    )
    due_customers = list(
        Customer.objects.filter(workspace=ws, owner_id=uid, next_followup_at__lt=next_hi)
        .exclude(stage__in=[CustomerStage.LOST, CustomerStage.INVALID])
        .order_by("next_followup_at", "id")
        .values("id", "code", "name", "next_followup_at")[:SECTION_LIMIT]
    )
    due = [
        {
            "type": "lead",
            "id": row["id"],
            "label": f"{row['code']} {row['company_name']}",
            "due": _iso(row["next_due_at"]),
            "overdue": row["next_due_at"] < next_lo,
        }
        for row in due_leads
    ] + [
        {
            "type": "customer",
            "id": row["id"],
            "label": f"{row['code']} {row['name']}",
            "due": _iso(row["next_followup_at"]),
            "overdue": row["next_followup_at"] < next_lo,
        }
        for row in due_customers
    ]
    due.sort(key=lambda d: d["due"] or "")

    def ref_of(refs_: dict, target_type: str, target_id: Any) -> dict[str, Any]:
        ref = refs_.get((target_type, target_id))
        return {"type": target_type, "id": target_id, "label": ref.text if ref else ""}

    return {
        "day": day.isoformat(),
        "followups": {
            "count": sum(by_channel.values()),
            "by_channel": dict(sorted(by_channel.items())),
            "items": [
                {
                    "id": f["id"],
                    "at": _iso(f["happened_at"]),
                    "channel": f["channel"],
                    "result": f["result"],
                    "summary": cut(f["summary"]),
                    "feedback": cut(f["feedback"]),
                    "record": ref_of(refs, f["target_type"], f["target_id"]),
                }
                for f in followups[:SECTION_LIMIT]
            ],
            "more": len(followups) > SECTION_LIMIT,
        },
        "new_leads": {
            "count": Lead.objects.filter(
                workspace=ws, owner_id=uid, created_at__gte=lo, created_at__lt=hi
            ).count()
            if len(leads) > SECTION_LIMIT
            else len(leads),
            "items": [
                {
                    "id": lead["id"],
                    "label": f"{lead['code']} {lead['company_name']}",
                    "source": lead["source"],
                    "grade": lead["grade"],
                }
                for lead in leads[:SECTION_LIMIT]
            ],
        },
        "stage_moves": {
            "count": len(moves[:SECTION_LIMIT]),
            "items": [
                {
                    "opportunity_id": m.opportunity_id,
                    "label": f"{m.opportunity.code} {m.opportunity.name}",
                    "kind": m.kind,
                    # A built-in stage by its key (shown translated when read), else its name.
                    "from": (m.from_stage.key or m.from_stage.name) if m.from_stage else "",
                    "to": m.to_stage.key or m.to_stage.name,
                    "status": m.to_status,
                    "at": _iso(m.changed_at),
                }
                for m in moves[:SECTION_LIMIT]
            ],
            "more": len(moves) > SECTION_LIMIT,
        },
        "quotes": {
            "count": len(quotes[:SECTION_LIMIT]),
            "items": [
                {
                    "id": q.pk,
                    "label": f"{q.code} {q.customer.name}",
                    "status": q.status,
                    "total": f"{q.total:f}",
                    "currency": q.currency,
                    "sent": q.sent_at is not None and lo <= q.sent_at < hi,
                }
                for q in quotes[:SECTION_LIMIT]
            ],
            "more": len(quotes) > SECTION_LIMIT,
        },
        "payments": {
            "count": len(receipts[:SECTION_LIMIT]),
            "totals": {c: f"{v:f}" for c, v in sorted(totals.items())},
            "items": [
                {
                    "id": r.pk,
                    "order_id": r.order_id,
                    "label": f"{r.order.code} {r.order.customer.name}",
                    "amount": f"{r.amount:f}",
                    "currency": r.currency,
                }
                for r in receipts[:SECTION_LIMIT]
            ],
            "more": len(receipts) > SECTION_LIMIT,
        },
        "plan": {
            "tasks": [
                {
                    "id": t["id"],
                    "title": t["title"],
                    "due": _iso(t["due_end"]),
                    "overdue": t["due_end"] < next_lo,
                    "record": ref_of(task_refs, t["target_type"], t["target_id"])
                    if t["target_type"]
                    else None,
                }
                for t in tasks[:SECTION_LIMIT]
            ],
            "followups_due": due[:SECTION_LIMIT],
        },
    }


def for_display(figures: dict[str, Any]) -> dict[str, Any]:
    """The stored figures with what is stored as a key (stages, statuses) in the reader's
    language."""
    from tradewind.sales.choices import OpportunityStatus

    from .tags import stage_label

    out = dict(figures)
    moves = dict(out.get("stage_moves") or {})
    statuses = dict(OpportunityStatus.choices)
    moves["items"] = [
        {
            **m,
            "from": stage_label(m.get("from", "")) if m.get("from") else "",
            "to": stage_label(m.get("to", "")),
            "status": str(statuses.get(m.get("status", ""), m.get("status", ""))),
        }
        for m in moves.get("items", [])
    ]
    out["stage_moves"] = moves
    return out
