"""Goals and commission API under /api/v1/reports: goals with live actuals, the decomposition
tree, setting and deleting goals, commission rules and monthly statements.

Money travels as strings with the base currency's minor digits. Payload fields all have
defaults, so a foreign id answers 404 from the service rather than 422 from the schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS

from . import commission, goals
from .models import GoalMetric, GoalPeriod

router = Router(tags=["reports"])


def _s(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


class GoalIn(Schema):
    metric: str = Field("", description="won_amount, payments_received, new_customers, …")
    period: str = Field("month", description="month, quarter or year")
    period_start: str = Field("", description="Any day of the period (YYYY-MM-DD or YYYY-MM)")
    team_id: int | None = Field(None, description="A team's goal (or rep_id, or neither)")
    rep_id: int | None = Field(None, description="A rep's goal (a user id)")
    target: str = Field("", description="Amount in the base currency, or a count")
    stretch: int = Field(1, description="1, 2 or 4")
    note: str = ""


class GoalOut(Schema):
    id: int | None
    metric: str
    period: str
    period_start: dt.date
    level: str
    name: str
    team_id: int | None
    rep_id: int | None
    target: str | None
    stretch: int
    stretch_target: str | None
    actual: str
    completion: str | None
    children_target: str | None = None
    gap: str | None = None
    adds_up: bool = True
    depth: int = 0


class TierIn(Schema):
    from_completion: str = ""
    rate: str = ""


class RuleIn(Schema):
    name: str = ""
    rep_id: int | None = None
    team_id: int | None = None
    include_subteams: bool = True
    rate: str = Field("", description="Percent of each receipt's base amount")
    tiers: list[TierIn] = Field(default_factory=list)
    goal_metric: str = GoalMetric.PAYMENTS_RECEIVED
    valid_from: str = ""
    valid_to: str = ""
    is_active: bool = True
    note: str = ""


class TierOut(Schema):
    from_completion: str
    rate: str


class RuleOut(Schema):
    id: int
    name: str
    rep_id: int | None
    team_id: int | None
    include_subteams: bool
    rate: str
    tiers: list[TierOut]
    goal_metric: str
    valid_from: dt.date
    valid_to: dt.date | None
    is_active: bool
    note: str


class StatementRowOut(Schema):
    receipt_id: int
    received_on: dt.date
    order_id: int
    order_code: str
    customer_id: int
    amount: str
    currency: str
    amount_order_currency: str
    order_fx_rate: str
    base_amount: str
    commission: str


class StatementOut(Schema):
    rep_id: int
    rep: str
    month: dt.date
    currency: str
    rule_id: int | None
    goal_target: str | None
    goal_actual: str | None
    completion: str | None
    rate: str
    base_total: str
    commission_total: str
    rows: list[StatementRowOut]


def _period(period: str, start: str, member: Any) -> tuple[str, dt.date]:
    from tradewind.workspaces.timezones import workspace_today

    p = period if period in GoalPeriod.values else GoalPeriod.MONTH
    s = goals.parse_start(start, p) or goals.period_start_for(p, workspace_today(member.workspace))
    return p, s


def _goal_out(r: goals.GoalRow, period: str, start: dt.date) -> dict[str, Any]:
    return {
        "id": r.goal.pk if r.goal else None,
        "metric": r.metric,
        "period": period,
        "period_start": start,
        "level": r.level,
        "name": r.label,
        "team_id": r.team_id,
        "rep_id": r.rep_id,
        "target": _s(r.target),
        "stretch": r.stretch,
        "stretch_target": _s(r.stretch_target),
        "actual": _s(r.actual),
        "completion": _s(r.completion),
        "children_target": _s(r.children_target),
        "gap": _s(r.gap),
        "adds_up": r.adds_up,
        "depth": r.depth,
    }


@router.get("/goals", response={200: list[GoalOut], **READ_ERRORS})
def goals_api(
    request: HttpRequest, period: str = "month", start: str = "", metric: str = ""
) -> list[dict[str, Any]]:
    member = request.member  # type: ignore[attr-defined]
    p, s = _period(period, start, member)
    m = metric if metric in GoalMetric.values else ""
    return [_goal_out(r, p, s) for r in goals.completion(member, period=p, start=s, metric=m)]


@router.get("/goals/tree", response={200: list[GoalOut], **READ_ERRORS})
def goal_tree_api(
    request: HttpRequest,
    metric: str = GoalMetric.WON_AMOUNT,
    period: str = "month",
    start: str = "",
) -> list[dict[str, Any]]:
    member = request.member  # type: ignore[attr-defined]
    p, s = _period(period, start, member)
    m = metric if metric in GoalMetric.values else GoalMetric.WON_AMOUNT
    roots = goals.decomposition(member, metric=m, period=p, start=s)
    return [_goal_out(r, p, s) for r in goals.flatten(roots)]


@router.post("/goals", response={200: GoalOut, **ERRORS})
def goal_set_api(request: HttpRequest, payload: GoalIn) -> dict[str, Any]:
    member = request.member  # type: ignore[attr-defined]
    goal = goals.goal_set(
        actor=request.actor,  # type: ignore[attr-defined]
        metric=payload.metric,
        period=payload.period,
        period_start=payload.period_start,
        target=payload.target,
        team_id=payload.team_id,
        rep_id=payload.rep_id,
        stretch=payload.stretch,
        note=payload.note,
    )
    row = next(
        r
        for r in goals.completion(
            member, period=goal.period, start=goal.period_start, metric=goal.metric
        )
        if r.goal is not None and r.goal.pk == goal.pk
    )
    return _goal_out(row, goal.period, goal.period_start)


@router.delete("/goals/{goal_id}", response={204: None, **ERRORS})
def goal_delete_api(request: HttpRequest, goal_id: int) -> Status:
    goals.goal_delete(actor=request.actor, goal_id=goal_id)  # type: ignore[attr-defined]
    return Status(204, None)


def _rule_out(rule: Any) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "name": rule.name,
        "rep_id": rule.rep_id,
        "team_id": rule.team_id,
        "include_subteams": rule.include_subteams,
        "rate": f"{rule.rate:f}",
        "tiers": [
            {"from_completion": f"{t.from_completion:f}", "rate": f"{t.rate:f}"}
            for t in rule.tiers.all()
        ],
        "goal_metric": rule.goal_metric,
        "valid_from": rule.valid_from,
        "valid_to": rule.valid_to,
        "is_active": rule.is_active,
        "note": rule.note,
    }


@router.get("/commission/rules", response={200: list[RuleOut], **READ_ERRORS})
def rules_api(request: HttpRequest) -> list[dict[str, Any]]:
    return [_rule_out(r) for r in commission.rules_visible(request.member)]  # type: ignore[attr-defined]


def _save_rule(request: HttpRequest, payload: RuleIn, rule_id: int | None) -> dict[str, Any]:
    rule = commission.commission_rule_save(
        actor=request.actor,  # type: ignore[attr-defined]
        rule_id=rule_id,
        name=payload.name,
        rep_id=payload.rep_id,
        team_id=payload.team_id,
        include_subteams=payload.include_subteams,
        rate=payload.rate,
        tiers=[t.dict() for t in payload.tiers],
        goal_metric=payload.goal_metric,
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
        is_active=payload.is_active,
        note=payload.note,
    )
    return _rule_out(rule)


@router.post("/commission/rules", response={201: RuleOut, **ERRORS})
def rule_create_api(request: HttpRequest, payload: RuleIn) -> Status:
    return Status(201, _save_rule(request, payload, None))


@router.put("/commission/rules/{rule_id}", response={200: RuleOut, **ERRORS})
def rule_update_api(request: HttpRequest, rule_id: int, payload: RuleIn) -> dict[str, Any]:
    return _save_rule(request, payload, rule_id)


@router.delete("/commission/rules/{rule_id}", response={204: None, **ERRORS})
def rule_delete_api(request: HttpRequest, rule_id: int) -> Status:
    commission.commission_rule_delete(actor=request.actor, rule_id=rule_id)  # type: ignore[attr-defined]
    return Status(204, None)


def _statement_out(s: commission.Statement) -> dict[str, Any]:
    return {
        "rep_id": s.rep_id,
        "rep": s.rep,
        "month": s.month,
        "currency": s.currency,
        "rule_id": s.rule.pk if s.rule else None,
        "goal_target": _s(s.goal_target),
        "goal_actual": _s(s.goal_actual),
        "completion": _s(s.completion),
        "rate": f"{s.rate:f}",
        "base_total": f"{s.base_total:f}",
        "commission_total": f"{s.commission_total:f}",
        "rows": [
            {
                "receipt_id": r.receipt_id,
                "received_on": r.received_on,
                "order_id": r.order_id,
                "order_code": r.order_code,
                "customer_id": r.customer_id,
                "amount": f"{r.amount:f}",
                "currency": r.currency,
                "amount_order_currency": f"{r.amount_order:f}",
                "order_fx_rate": f"{r.order_fx_rate:f}",
                "base_amount": f"{r.base_amount:f}",
                "commission": f"{r.commission:f}",
            }
            for r in s.rows
        ],
    }


def _month(member: Any, month: str) -> dt.date:
    return _period(GoalPeriod.MONTH, month, member)[1]


@router.get("/commission/statements", response={200: list[StatementOut], **READ_ERRORS})
def statements_api(request: HttpRequest, month: str = "") -> list[dict[str, Any]]:
    member = request.member  # type: ignore[attr-defined]
    return [_statement_out(s) for s in commission.statements(member, _month(member, month))]


@router.get("/commission/statements/{rep_user_id}", response={200: StatementOut, **READ_ERRORS})
def statement_api(request: HttpRequest, rep_user_id: int, month: str = "") -> dict[str, Any]:
    member = request.member  # type: ignore[attr-defined]
    (item,) = commission.statements(member, _month(member, month), rep_id=rep_user_id)
    return _statement_out(item)
