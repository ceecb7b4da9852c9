"""Commission (提成) on payments received: rules per rep or team, optionally tiered by the rep's
completion of their monthly goal, and the monthly statement per rep.

A receipt counts for the owner of its order's customer (the same owner the payments-received goal
uses) in the month of `received_on`. Its base amount is its order-currency amount at the order's
locked rate, rounded to the base currency's minor unit; its commission is that base amount × the
rate, rounded the same way. A statement's totals are the sums of its rows, so it adds up exactly
to the receipts behind it.

Which rule applies to a rep in a month: an active rule valid in that month for the rep wins; else
the rule of the rep's team, else of the nearest parent team whose rule includes sub-teams; among
several, the one valid from the latest date. No rule: no commission (the statement says so)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import NotFound, ServiceError
from tradewind.core.money import quantize
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm

from .goals import (
    Tree,
    actuals_by_user,
    load_tree,
    metric_records,
    parse_start,
    period_end,
    receipt_base,
    scope_of,
)
from .models import CommissionRule, CommissionTier, Goal, GoalMetric, GoalPeriod

ZERO = Decimal(0)
HUNDRED = Decimal(100)
RULE_FIELDS = [
    "name",
    "rep",
    "team",
    "include_subteams",
    "rate",
    "goal_metric",
    "valid_from",
    "valid_to",
    "is_active",
    "note",
]


class CommissionError(StrEnum):
    NAME_REQUIRED = "commission_name_required"
    BAD_TARGET = "commission_bad_target"
    BAD_RATE = "commission_bad_rate"
    BAD_TIER = "commission_bad_tier"
    BAD_DATES = "commission_bad_dates"
    UNKNOWN_METRIC = "commission_unknown_metric"


# ---------------------------------------------------------------------------------------------
# rules


def _percent(value: Any, name: str, *, upper: Decimal = HUNDRED) -> Decimal:
    try:
        number = Decimal(str(value).replace("%", "").strip())
    except (InvalidOperation, ValueError):
        number = Decimal(-1)
    if not number.is_finite() or number < 0 or number > upper:
        raise ServiceError(
            CommissionError.BAD_RATE,
            _("Please correct the marked fields."),
            fields={name: [_("Enter a percentage between 0 and %(max)s.") % {"max": upper}]},
        )
    return number.quantize(Decimal("0.001"))


def _date(value: Any, name: str, *, required: bool) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text:
        if required:
            raise ServiceError(
                CommissionError.BAD_DATES,
                _("Please correct the marked fields."),
                fields={name: [_("This field is required.")]},
            )
        return None
    try:
        return dt.date.fromisoformat(text if len(text) != 7 else f"{text}-01")
    except ValueError:
        raise ServiceError(
            CommissionError.BAD_DATES,
            _("Please correct the marked fields."),
            fields={name: [_("Enter a valid date (YYYY-MM-DD).")]},
        ) from None


def _tiers(tiers: Any) -> list[tuple[Decimal, Decimal]]:
    out: list[tuple[Decimal, Decimal]] = []
    for i, tier in enumerate(tiers or []):
        if isinstance(tier, dict):
            low, rate = tier.get("from_completion"), tier.get("rate")
        else:
            low, rate = tier
        if str(low or "").strip() == "" and str(rate or "").strip() == "":
            continue  # an empty form row
        low_value = _percent(low, f"tiers.{i}.from_completion", upper=Decimal(10000))
        rate_value = _percent(rate, f"tiers.{i}.rate")
        out.append((low_value.quantize(Decimal("0.01")), rate_value))
    lows = [t[0] for t in out]
    if len(set(lows)) != len(lows):
        raise ServiceError(
            CommissionError.BAD_TIER,
            _("Please correct the marked fields."),
            fields={"tiers": [_("Two tiers start at the same completion.")]},
        )
    return sorted(out)


@transaction.atomic
def commission_rule_save(
    *,
    actor: Actor,
    rule_id: int | None = None,
    name: str = "",
    rep_id: Any = None,
    team_id: Any = None,
    include_subteams: bool = True,
    rate: Any = None,
    tiers: Any = None,
    goal_metric: str = GoalMetric.PAYMENTS_RECEIVED,
    valid_from: Any = None,
    valid_to: Any = None,
    is_active: bool = True,
    note: str = "",
) -> CommissionRule:
    """Create (no rule_id) or change a commission rule and replace its tiers."""
    rule = _rule_in_scope(actor, rule_id) if rule_id is not None else None
    require(actor, Perm.COMMISSION_MANAGE)
    name = str(name or "").strip()[:120]
    if not name:
        raise ServiceError(
            CommissionError.NAME_REQUIRED,
            _("Please correct the marked fields."),
            fields={"name": [_("This field is required.")]},
        )
    tree = load_tree(actor.workspace.pk)
    team = int(team_id) if str(team_id or "").isdigit() else None
    rep = int(rep_id) if str(rep_id or "").isdigit() else None
    if (team is None) == (rep is None):
        raise ServiceError(
            CommissionError.BAD_TARGET,
            _("Please correct the marked fields."),
            fields={"rep": [_("Choose one rep or one team.")]},
        )
    if team is not None and team not in tree.teams:
        raise NotFound(CommissionError.BAD_TARGET, _("Team not found."))
    if rep is not None and rep not in tree.team_of:
        raise NotFound(CommissionError.BAD_TARGET, _("Member not found."))
    rate_value = _percent(rate, "rate")
    tier_values = _tiers(tiers)
    if goal_metric not in GoalMetric.values:
        raise ServiceError(
            CommissionError.UNKNOWN_METRIC,
            _("Please correct the marked fields."),
            fields={"goal_metric": [_("Choose a metric.")]},
        )
    start = _date(valid_from, "valid_from", required=True)
    end = _date(valid_to, "valid_to", required=False)
    if start and end and end < start:
        raise ServiceError(
            CommissionError.BAD_DATES,
            _("Please correct the marked fields."),
            fields={"valid_to": [_("The end is before the start.")]},
        )
    values = {
        "name": name,
        "rep_id": rep,
        "team_id": team,
        "include_subteams": bool(include_subteams),
        "rate": rate_value,
        "goal_metric": goal_metric,
        "valid_from": start,
        "valid_to": end,
        "is_active": bool(is_active),
        "note": str(note or "").strip()[:300],
    }
    if rule is None:
        rule = CommissionRule.objects.create(
            workspace=actor.workspace, created_by_id=actor.user_id, **values
        )
        before: dict[str, Any] = {}
        verb = AuditVerb.CREATE
    else:
        before = audit.snapshot(rule, RULE_FIELDS) | {"tiers": _tier_text(rule)}
        for key, value in values.items():
            setattr(rule, key, value)
        rule.version += 1
        rule.updated_at = timezone.now()
        rule.save()
        verb = AuditVerb.UPDATE
    CommissionTier.objects.filter(rule=rule).delete()
    CommissionTier.objects.bulk_create(
        [CommissionTier(rule=rule, from_completion=low, rate=r) for low, r in tier_values]
    )
    after = audit.snapshot(rule, RULE_FIELDS) | {"tiers": _tier_text(rule)}
    changes = audit.diff(before, after)
    if changes or verb == AuditVerb.CREATE:
        audit.record(actor=actor, verb=verb, target=rule, changes=changes)
    emit("commission_rule.saved", workspace_id=rule.workspace_id, rule_id=rule.pk)
    return rule


def _rule_in_scope(actor: Actor, rule_id: int) -> CommissionRule:
    """A rule the actor may read (outside their scope: 404, like any record), row-locked."""
    member = actor.member
    ids = [r.pk for r in rules_visible(member)] if member is not None else [rule_id]
    rule = (
        CommissionRule.objects.select_for_update()
        .filter(workspace=actor.workspace, pk=rule_id, pk__in=ids)
        .first()
    )
    if rule is None:
        raise NotFound("not_found", _("Commission rule not found."))
    return rule


def _tier_text(rule: CommissionRule) -> str:
    return "; ".join(
        f"≥{t.from_completion}%: {t.rate}%"
        for t in CommissionTier.objects.filter(rule=rule).order_by("from_completion")
    )


@transaction.atomic
def commission_rule_delete(*, actor: Actor, rule_id: int) -> None:
    rule = _rule_in_scope(actor, rule_id)
    require(actor, Perm.COMMISSION_MANAGE)
    audit.record(
        actor=actor,
        verb=AuditVerb.DELETE,
        target=rule,
        changes={k: [v, None] for k, v in audit.snapshot(rule, RULE_FIELDS).items()},
    )
    pk = rule.pk
    rule.delete()
    emit("commission_rule.deleted", workspace_id=actor.workspace.pk, rule_id=pk)


def rules_visible(member: Membership) -> list[CommissionRule]:
    """Rules of the reps and teams inside the member's scope (owners: all), with their tiers."""
    tree = load_tree(member.workspace_id)
    scope = scope_of(member, tree)
    qs = CommissionRule.objects.filter(workspace_id=member.workspace_id)
    if not scope.everything:
        ancestors = {
            t
            for own in scope.team_ids | {tree.team_of.get(member.user_id)}
            if own in tree.teams
            for t, row in tree.teams.items()
            if tree.teams[own].path.startswith(row.path)
        }
        qs = qs.filter(Q(rep_id__in=scope.user_ids) | Q(team_id__in=scope.team_ids | ancestors))
    return list(qs.select_related("rep", "team").prefetch_related("tiers"))


def rule_for(
    rules: list[CommissionRule], tree: Tree, user_id: int, month: dt.date
) -> CommissionRule | None:
    """The rule that applies to one rep in one month (see the module's note)."""
    end = period_end(GoalPeriod.MONTH, month)

    def valid(r: CommissionRule) -> bool:
        return r.is_active and r.valid_from < end and (r.valid_to is None or r.valid_to >= month)

    own = [r for r in rules if valid(r) and r.rep_id == user_id]
    if own:
        return max(own, key=lambda r: (r.valid_from, r.pk))
    team_id = tree.team_of.get(user_id)
    if team_id is None or team_id not in tree.teams:
        return None
    path = tree.teams[team_id].path
    best: tuple[int, dt.date, int] | None = None
    chosen = None
    for r in rules:
        if not valid(r) or r.team_id is None or r.team_id not in tree.teams:
            continue
        team_path = tree.teams[r.team_id].path
        if r.team_id != team_id and not (r.include_subteams and path.startswith(team_path)):
            continue
        key = (len(team_path), r.valid_from, r.pk)
        if best is None or key > best:
            best, chosen = key, r
    return chosen


def rate_for(rule: CommissionRule, completion: Decimal | None) -> Decimal:
    tiers = sorted(rule.tiers.all(), key=lambda t: t.from_completion)
    if not tiers or completion is None:
        return rule.rate
    rate = None
    for tier in tiers:
        if completion >= tier.from_completion:
            rate = tier.rate
    return rate if rate is not None else rule.rate


# ---------------------------------------------------------------------------------------------
# statements


@dataclass
class StatementRow:
    receipt_id: int
    received_on: dt.date
    order_id: int
    order_code: str
    customer_id: int
    customer: str
    amount: Decimal
    currency: str
    rate_to_order: Decimal
    amount_order: Decimal
    order_currency: str
    order_fx_rate: Decimal
    base_amount: Decimal
    commission: Decimal


@dataclass
class Statement:
    rep_id: int
    rep: str
    month: dt.date
    currency: str
    rule: CommissionRule | None
    goal_target: Decimal | None
    goal_actual: Decimal | None
    completion: Decimal | None
    rate: Decimal
    rows: list[StatementRow] = field(default_factory=list)

    @property
    def base_total(self) -> Decimal:
        return sum((r.base_amount for r in self.rows), ZERO)

    @property
    def commission_total(self) -> Decimal:
        return sum((r.commission for r in self.rows), ZERO)


def month_of(value: Any) -> dt.date | None:
    return parse_start(value, GoalPeriod.MONTH)


def statements(member: Membership, month: dt.date, *, rep_id: int | None = None) -> list[Statement]:
    """The month's statements of the reps in the member's scope (or of one rep): every receipt
    behind them listed. A fixed number of queries whatever the number of reps and receipts."""
    tree = load_tree(member.workspace_id)
    scope = scope_of(member, tree)
    reps = sorted(
        (u for u in tree.team_of if scope.covers_user(u)),
        key=lambda u: tree.names.get(u, "").lower(),
    )
    if rep_id is not None:
        if rep_id not in reps:
            raise NotFound("not_found", _("Member not found."))
        reps = [rep_id]
    currency = member.workspace.base_currency
    end = period_end(GoalPeriod.MONTH, month)
    receipts = (
        metric_records(member, GoalMetric.PAYMENTS_RECEIVED, month, end)
        .filter(order__customer__owner_id__in=reps)
        .select_related("order", "order__customer")
        .order_by("received_on", "id")
    )
    by_rep: dict[int, list[StatementRow]] = {u: [] for u in reps}
    rules = rules_visible(member)
    chosen = {u: rule_for(rules, tree, u, month) for u in reps}
    metrics = {r.goal_metric for r in chosen.values() if r is not None and r.tiers.all()}
    goals = {
        (g.rep_id, g.metric): g.target
        for g in Goal.objects.filter(
            workspace_id=member.workspace_id,
            period=GoalPeriod.MONTH,
            period_start=month,
            rep_id__in=reps,
            metric__in=metrics,
        )
    }
    actuals = {m: actuals_by_user(member, m, month, end) for m in metrics}
    receipt_list = list(receipts)
    rates: dict[int, tuple[Decimal | None, Decimal | None, Decimal | None, Decimal]] = {}
    for u in reps:
        rule = chosen[u]
        if rule is None:
            rates[u] = (None, None, None, ZERO)
            continue
        target = goals.get((u, rule.goal_metric))
        actual = (
            actuals.get(rule.goal_metric, {}).get(u, ZERO) if rule.goal_metric in actuals else None
        )
        pct = (
            (actual * HUNDRED / target).quantize(Decimal("0.01"))
            if target and actual is not None
            else None
        )
        rates[u] = (target, actual, pct, rate_for(rule, pct))
    for r in receipt_list:
        who = r.who
        if who not in by_rep:
            continue
        base = receipt_base(r.amount_order_currency, r.order.fx_rate, currency)
        rate = rates[who][3]
        by_rep[who].append(
            StatementRow(
                receipt_id=r.pk,
                received_on=r.received_on,
                order_id=r.order_id,
                order_code=r.order.code,
                customer_id=r.order.customer_id,
                customer=r.order.customer.name,
                amount=r.amount,
                currency=r.currency,
                rate_to_order=r.rate,
                amount_order=r.amount_order_currency,
                order_currency=r.order.currency,
                order_fx_rate=r.order.fx_rate,
                base_amount=base,
                commission=quantize(base * rate / HUNDRED, currency),
            )
        )
    return [
        Statement(
            rep_id=u,
            rep=tree.names.get(u, str(u)),
            month=month,
            currency=currency,
            rule=chosen[u],
            goal_target=rates[u][0],
            goal_actual=rates[u][1],
            completion=rates[u][2],
            rate=rates[u][3],
            rows=by_rep[u],
        )
        for u in reps
    ]


STATEMENT_HEADER = [
    "rep",
    "month",
    "received_on",
    "order",
    "customer",
    "amount",
    "currency",
    "rate_to_order_currency",
    "amount_order_currency",
    "order_currency",
    "order_fx_rate",
    "base_amount",
    "base_currency",
    "commission_rate_percent",
    "commission",
]


def statement_rows(items: list[Statement]) -> list[list[Any]]:
    """The spreadsheet: one row per receipt, then one total row per rep."""
    out: list[list[Any]] = [list(STATEMENT_HEADER)]
    for s in items:
        label = f"{s.month:%Y-%m}"
        for r in s.rows:
            out.append(
                [
                    s.rep,
                    label,
                    r.received_on,
                    r.order_code,
                    r.customer,
                    r.amount,
                    r.currency,
                    r.rate_to_order,
                    r.amount_order,
                    r.order_currency,
                    r.order_fx_rate,
                    r.base_amount,
                    s.currency,
                    s.rate,
                    r.commission,
                ]
            )
        out.append(
            [
                s.rep,
                label,
                None,
                _("Total"),
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                s.base_total,
                s.currency,
                s.rate,
                s.commission_total,
            ]
        )
    return out
