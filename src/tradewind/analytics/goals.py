"""Goals (目标管理, seed 001): targets per month / quarter / year on a metric for the workspace,
its teams and its reps; the services that set them and the live actuals they are measured against.

Actuals are computed from the records, never stored, and only from what the reader sees
(`visible_to`): one grouped query per metric and period returns each owner's figure; team and
workspace figures are sums of those over the team tree (a team counts its sub-teams).

What each metric counts (period bounds are whole days in the workspace's time zone):
- won amount: won opportunities by `closed_at`, their `base_amount` (the workspace currency);
- payments received: receipts by `received_on`, each receipt's order-currency amount at its
  order's locked rate (`Order.fx_rate`), rounded per receipt to the base currency's minor unit —
  the same per-receipt base amounts the commission statement lists; owner: the order's customer's;
- new customers: customers by `created_at`;
- qualified leads: leads created in the period that are now qualified or converted;
- follow-ups: follow-ups by `happened_at`, counted for the one who logged them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tradewind.core.errors import NotFound, PermissionDenied, ServiceError
from tradewind.core.money import quantize
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb, DataScope
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Membership, Team
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.timezones import zone

from .models import Goal, GoalMetric, GoalPeriod, Stretch

ZERO = Decimal(0)
HUNDRED = Decimal(100)
MONEY_METRICS = frozenset({GoalMetric.WON_AMOUNT, GoalMetric.PAYMENTS_RECEIVED})
GOAL_FIELDS = ["metric", "period", "period_start", "team", "rep", "target", "stretch", "note"]


class GoalError(StrEnum):
    UNKNOWN_METRIC = "goal_unknown_metric"
    UNKNOWN_PERIOD = "goal_unknown_period"
    BAD_START = "goal_bad_start"
    BAD_TARGET = "goal_bad_target"
    BAD_STRETCH = "goal_bad_stretch"
    BAD_LEVEL = "goal_bad_level"
    OUT_OF_SCOPE = "goal_out_of_scope"


# ---------------------------------------------------------------------------------------------
# periods


def period_start_for(period: str, day: dt.date) -> dt.date:
    """The first day of the month, quarter or year holding `day`."""
    if period == GoalPeriod.YEAR:
        return dt.date(day.year, 1, 1)
    if period == GoalPeriod.QUARTER:
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return dt.date(day.year, day.month, 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_end(period: str, start: dt.date) -> dt.date:
    """The first day after the period (exclusive end)."""
    months = {GoalPeriod.YEAR: 12, GoalPeriod.QUARTER: 3}.get(period, 1)  # type: ignore[call-overload]
    return _add_months(start, months)


def period_shift(period: str, start: dt.date, steps: int) -> dt.date:
    months = {GoalPeriod.YEAR: 12, GoalPeriod.QUARTER: 3}.get(period, 1)  # type: ignore[call-overload]
    return _add_months(start, months * steps)


def period_label(period: str, start: dt.date) -> str:
    if period == GoalPeriod.YEAR:
        return f"{start.year}"
    if period == GoalPeriod.QUARTER:
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def parse_start(value: Any, period: str) -> dt.date | None:
    """A date, "YYYY-MM-DD", "YYYY-MM" or "YYYY" -> the start of the period holding it."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return period_start_for(period, value)
    text = str(value or "").strip()
    try:
        if len(text) == 4 and text.isdigit():
            day = dt.date(int(text), 1, 1)
        elif len(text) == 7:
            day = dt.date.fromisoformat(f"{text}-01")
        else:
            day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return period_start_for(period, day)


def _bounds(workspace: Any, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = zone(workspace.time_zone)
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end, dt.time.min, tzinfo=tz),
    )


# ---------------------------------------------------------------------------------------------
# actuals


def metric_records(member: Membership, metric: str, start: dt.date, end: dt.date) -> QuerySet:
    """The records behind a metric in [start, end) that `member` sees, each with `who` (the user
    it counts for) and, for money metrics, `value` in the workspace's base currency."""
    from tradewind.activities.models import FollowUp
    from tradewind.customers.models import Customer
    from tradewind.leads.choices import LeadStatus
    from tradewind.leads.models import Lead
    from tradewind.orders.models_orders import Receipt
    from tradewind.sales.models import Opportunity

    ws = member.workspace
    lo, hi = _bounds(ws, start, end)
    if metric == GoalMetric.WON_AMOUNT:
        return (
            Opportunity.objects.visible_to(member)
            .filter(status="won", closed_at__gte=lo, closed_at__lt=hi)
            .annotate(who=F("owner_id"), value=F("base_amount"))
        )
    if metric == GoalMetric.PAYMENTS_RECEIVED:
        # No `value` in SQL: each receipt is rounded in Python (receipt_base), see money_total.
        return (
            Receipt.objects.visible_to(member)
            .filter(received_on__gte=start, received_on__lt=end)
            .annotate(who=F("order__customer__owner_id"), fx=F("order__fx_rate"))
        )
    if metric == GoalMetric.NEW_CUSTOMERS:
        return (
            Customer.objects.visible_to(member)
            .filter(created_at__gte=lo, created_at__lt=hi)
            .annotate(who=F("owner_id"))
        )
    if metric == GoalMetric.QUALIFIED_LEADS:
        return (
            Lead.objects.visible_to(member)
            .filter(
                created_at__gte=lo,
                created_at__lt=hi,
                status__in=[LeadStatus.QUALIFIED, LeadStatus.CONVERTED],
            )
            .annotate(who=F("owner_id"))
        )
    if metric == GoalMetric.FOLLOW_UPS:
        return (
            FollowUp.objects.visible_to(member)
            .filter(happened_at__gte=lo, happened_at__lt=hi)
            .annotate(who=F("owner_id"))
        )
    raise ValueError(metric)


def receipt_base(amount: Decimal, fx_rate: Decimal, currency: str) -> Decimal:
    """A receipt in the base currency: its amount in the order's currency × the order's locked
    rate, rounded half up to the base currency's minor unit — per receipt, so a statement's rows
    add up to the goal actual. Done with Decimal here, not in SQL: SQLite would multiply and
    round binary floats, and a half cent (10.05 × 0.5 = 5.025) would round down there and up on
    PostgreSQL."""
    return quantize(Decimal(amount) * Decimal(fx_rate), currency)


def receipt_values(qs: QuerySet, currency: str) -> list[tuple[int | None, Decimal]]:
    """(who, base amount) of every receipt of a metric_records queryset, in one query."""
    rows = qs.order_by().values_list("who", "amount_order_currency", "fx")
    return [(who, receipt_base(amount, fx, currency)) for who, amount, fx in rows]


def money_total(qs: QuerySet, metric: str, currency: str) -> tuple[int, Decimal]:
    """How many records and their total, exact on both engines (one query)."""
    if metric == GoalMetric.PAYMENTS_RECEIVED:
        values = receipt_values(qs, currency)
        return len(values), quantize(sum((v for _w, v in values), ZERO), currency)
    agg = qs.order_by().aggregate(n=Count("pk"), total=Sum("value"))
    return agg["n"], _clean(agg["total"], metric, currency)


def actuals_by_user(
    member: Membership, metric: str, start: dt.date, end: dt.date
) -> dict[int | None, Decimal]:
    """One grouped query: each owner's figure (None: records without an owner, e.g. the pool).
    Payments received: one query reading each receipt, summed here (receipt_base)."""
    qs = metric_records(member, metric, start, end).order_by()
    currency = member.workspace.base_currency
    if metric == GoalMetric.PAYMENTS_RECEIVED:
        sums: dict[int | None, Decimal] = {}
        for who, value in receipt_values(qs, currency):
            sums[who] = sums.get(who, ZERO) + value
        return {who: quantize(total, currency) for who, total in sums.items()}
    if metric in MONEY_METRICS:
        agg: Any = Sum("value")
    else:
        agg = Count("pk")
    out: dict[int | None, Decimal] = {}
    for row in qs.values("who").annotate(total=agg):
        out[row["who"]] = _clean(row["total"], metric, member.workspace.base_currency)
    return out


def _clean(value: Any, metric: str, currency: str) -> Decimal:
    number = Decimal(str(value)) if value is not None else ZERO
    if metric in MONEY_METRICS:
        return quantize(number, currency)
    return number


# ---------------------------------------------------------------------------------------------
# scope: which levels a member may read (and, with GOAL_MANAGE, set)


@dataclass
class Scope:
    everything: bool
    team_ids: set[int]
    user_ids: set[int]

    def covers_team(self, team_id: int) -> bool:
        return self.everything or team_id in self.team_ids

    def covers_user(self, user_id: int) -> bool:
        return self.everything or user_id in self.user_ids


@dataclass
class Tree:
    """The workspace's teams and who belongs where (two queries)."""

    teams: dict[int, Team]
    team_of: dict[int, int | None]  # user id -> team id
    names: dict[int, str]  # user id -> display name

    def users_in(self, team: Team) -> set[int]:
        ids = {t for t, row in self.teams.items() if row.path.startswith(team.path)}
        return {u for u, t in self.team_of.items() if t in ids}


def load_tree(workspace_id: int) -> Tree:
    teams = {t.pk: t for t in Team.objects.filter(workspace_id=workspace_id)}
    team_of: dict[int, int | None] = {}
    names: dict[int, str] = {}
    for m in Membership.objects.filter(workspace_id=workspace_id).select_related("user"):
        team_of[m.user_id] = m.team_id
        names[m.user_id] = m.user.display_name
    return Tree(teams=teams, team_of=team_of, names=names)


def scope_of(member: Membership, tree: Tree) -> Scope:
    if member.data_scope == DataScope.WORKSPACE:
        return Scope(True, set(tree.teams), set(tree.team_of))
    team_ids: set[int] = set()
    if member.team_id is not None and member.team_id in tree.teams:
        if member.data_scope == DataScope.TEAM:
            team_ids = {member.team_id}
        elif member.data_scope != DataScope.OWN:
            root = tree.teams[member.team_id].path
            team_ids = {t for t, row in tree.teams.items() if row.path.startswith(root)}
    users = {u for u, t in tree.team_of.items() if t in team_ids} | {member.user_id}
    return Scope(False, team_ids, users)


# ---------------------------------------------------------------------------------------------
# the completion dashboard and the decomposition


@dataclass
class GoalRow:
    goal: Goal | None
    level: str  # "workspace", "team", "rep"
    label: str
    team_id: int | None
    rep_id: int | None
    metric: str
    target: Decimal | None
    stretch: int
    actual: Decimal
    depth: int = 0
    children_target: Decimal | None = None  # decomposition: the children's targets summed
    children_missing: int = 0  # children without a goal
    children: list[GoalRow] = field(default_factory=list)

    @property
    def stretch_target(self) -> Decimal | None:
        return None if self.target is None else self.target * self.stretch

    @property
    def completion(self) -> Decimal | None:
        return _percent(self.actual, self.target)

    @property
    def stretch_completion(self) -> Decimal | None:
        return _percent(self.actual, self.stretch_target) if self.stretch > 1 else None

    @property
    def gap(self) -> Decimal | None:
        """Parent target minus its children's targets (None: nothing to compare)."""
        if self.target is None or self.children_target is None:
            return None
        return self.target - self.children_target

    @property
    def adds_up(self) -> bool:
        gap = self.gap
        return gap is None or (gap == 0 and self.children_missing == 0)

    @property
    def is_money(self) -> bool:
        return self.metric in MONEY_METRICS


def _percent(actual: Decimal, target: Decimal | None) -> Decimal | None:
    if not target:
        return None
    return (actual * HUNDRED / target).quantize(Decimal("0.1"))


def _level_actual(
    by_user: dict[int | None, Decimal], tree: Tree, team_id: int | None, rep_id: int | None
) -> Decimal:
    if rep_id is not None:
        return by_user.get(rep_id, ZERO)
    if team_id is not None:
        team = tree.teams.get(team_id)
        if team is None:
            return ZERO
        users = tree.users_in(team)
        return sum((v for u, v in by_user.items() if u in users), ZERO)
    return sum(by_user.values(), ZERO)


def visible_goals(member: Membership, tree: Tree | None = None) -> QuerySet[Goal]:
    """The goals of the levels inside the member's scope (a workspace goal: workspace scope)."""
    tree = tree or load_tree(member.workspace_id)
    scope = scope_of(member, tree)
    qs = Goal.objects.filter(workspace_id=member.workspace_id)
    if scope.everything:
        return qs
    return qs.filter(Q(team_id__in=scope.team_ids) | Q(rep_id__in=scope.user_ids))


def completion(
    member: Membership, *, period: str, start: dt.date, metric: str = ""
) -> list[GoalRow]:
    """Every visible goal of one period (optionally one metric) with its live actual: the
    workspace first, then teams by tree order, then reps by name. One query per metric used."""
    tree = load_tree(member.workspace_id)
    goals = list(
        visible_goals(member, tree)
        .filter(period=period, period_start=start, **({"metric": metric} if metric else {}))
        .select_related("team", "rep")
    )
    end = period_end(period, start)
    cache: dict[str, dict[int | None, Decimal]] = {}
    rows = []
    for g in goals:
        if g.metric not in cache:
            cache[g.metric] = actuals_by_user(member, g.metric, start, end)
        rows.append(_row(g, tree, cache[g.metric]))
    order = {m: i for i, m in enumerate(GoalMetric.values)}
    rows.sort(key=lambda r: (order.get(r.metric, 99), _level_key(r, tree)))
    return rows


def _level_key(row: GoalRow, tree: Tree) -> tuple[int, str]:
    if row.level == "workspace":
        return (0, "")
    if row.level == "team" and row.team_id in tree.teams:
        return (1, tree.teams[row.team_id].path)
    return (2, row.label.lower())


def _row(goal: Goal, tree: Tree, by_user: dict[int | None, Decimal]) -> GoalRow:
    if goal.rep_id is not None:
        level, label = "rep", tree.names.get(goal.rep_id, str(goal.rep_id))
    elif goal.team_id is not None:
        team = tree.teams.get(goal.team_id)
        level, label = "team", team.name if team else str(goal.team_id)
    else:
        level, label = "workspace", str(gettext_lazy("Whole workspace"))
    return GoalRow(
        goal=goal,
        level=level,
        label=label,
        team_id=goal.team_id,
        rep_id=goal.rep_id,
        metric=goal.metric,
        target=goal.target,
        stretch=goal.stretch,
        actual=_level_actual(by_user, tree, goal.team_id, goal.rep_id),
    )


def decomposition(member: Membership, *, metric: str, period: str, start: dt.date) -> list[GoalRow]:
    """The goal tree of one metric and period: workspace -> teams -> sub-teams -> reps, each node
    with its target, actual and the sum of its children's targets, flagged where they differ.
    Returns the visible roots (the workspace for workspace scope, else the member's top team or
    the member alone)."""
    tree = load_tree(member.workspace_id)
    scope = scope_of(member, tree)
    goals = {
        (g.team_id, g.rep_id): g
        for g in visible_goals(member, tree).filter(
            metric=metric, period=period, period_start=start
        )
    }
    by_user = actuals_by_user(member, metric, start, period_end(period, start))
    children_of: dict[int | None, list[Team]] = defaultdict(list)
    for t in sorted(tree.teams.values(), key=lambda t: t.path):
        children_of[t.parent_id].append(t)
    members_of: dict[int | None, list[int]] = defaultdict(list)
    for u, tid in sorted(tree.team_of.items(), key=lambda kv: tree.names.get(kv[0], "").lower()):
        members_of[tid].append(u)

    def node(team_id: int | None, rep_id: int | None, depth: int) -> GoalRow:
        g = goals.get((team_id, rep_id))
        if rep_id is not None:
            level, label = "rep", tree.names.get(rep_id, str(rep_id))
        elif team_id is not None:
            level, label = "team", tree.teams[team_id].name
        else:
            level, label = "workspace", str(gettext_lazy("Whole workspace"))
        row = GoalRow(
            goal=g,
            level=level,
            label=label,
            team_id=team_id,
            rep_id=rep_id,
            metric=metric,
            target=g.target if g else None,
            stretch=g.stretch if g else Stretch.NONE,
            actual=_level_actual(by_user, tree, team_id, rep_id),
            depth=depth,
        )
        if rep_id is None:
            kids = [node(t.pk, None, depth + 1) for t in children_of[team_id]]
            # the workspace (team_id None): top teams and the members without a team
            kids += [node(None, u, depth + 1) for u in members_of[team_id]]
            row.children = kids
            targets = [k.target for k in kids if k.target is not None]
            row.children_target = sum(targets, ZERO) if targets else None
            row.children_missing = sum(1 for k in kids if k.target is None)
        return row

    if scope.everything:
        return [node(None, None, 0)]
    roots = [t for t in scope.team_ids if tree.teams[t].parent_id not in scope.team_ids]
    if roots:
        return [node(t, None, 0) for t in sorted(roots, key=lambda t: tree.teams[t].path)]
    return [node(None, member.user_id, 0)]


def flatten(rows: Iterable[GoalRow]) -> list[GoalRow]:
    out: list[GoalRow] = []
    for r in rows:
        out.append(r)
        out.extend(flatten(r.children))
    return out


# ---------------------------------------------------------------------------------------------
# services


def _target(value: Any, metric: str) -> Decimal:
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        number = Decimal(-1)
    if not number.is_finite() or number < 0 or number >= Decimal("1e15"):
        raise ServiceError(
            GoalError.BAD_TARGET,
            _("Please correct the marked fields."),
            fields={"target": [_("Enter a target of zero or more.")]},
        )
    if metric not in MONEY_METRICS and number != number.to_integral_value():
        raise ServiceError(
            GoalError.BAD_TARGET,
            _("Please correct the marked fields."),
            fields={"target": [_("This metric counts records: enter a whole number.")]},
        )
    return number.quantize(Decimal("0.01"))


def _check_level(actor: Actor, team_id: Any, rep_id: Any) -> tuple[int | None, int | None]:
    member = actor.member
    tree = load_tree(actor.workspace.pk)
    scope = scope_of(member, tree) if member is not None else Scope(True, set(), set())
    team = int(team_id) if str(team_id or "").isdigit() else None
    rep = int(rep_id) if str(rep_id or "").isdigit() else None
    if team is not None and rep is not None:
        raise ServiceError(
            GoalError.BAD_LEVEL,
            _("A goal is for the workspace, one team or one rep, not both."),
            fields={"team": [_("Choose a team or a rep, not both.")]},
        )
    if team is not None and team not in tree.teams:
        raise NotFound(GoalError.BAD_LEVEL, _("Team not found."))
    if rep is not None and rep not in tree.team_of:
        raise NotFound(GoalError.BAD_LEVEL, _("Member not found."))
    allowed = (
        scope.everything
        if team is None and rep is None
        else scope.covers_team(team)
        if team is not None
        else scope.covers_user(rep)  # type: ignore[arg-type]
    )
    if not allowed:
        raise PermissionDenied(
            GoalError.OUT_OF_SCOPE, _("You may only set goals inside your own data scope.")
        )
    return team, rep


@transaction.atomic
def goal_set(
    *,
    actor: Actor,
    metric: str,
    period: str,
    period_start: Any,
    target: Any,
    team_id: Any = None,
    rep_id: Any = None,
    stretch: Any = Stretch.NONE,
    note: str = "",
) -> Goal:
    """Create or change the goal of one level, metric and period (the key is unique)."""
    require(actor, Perm.GOAL_MANAGE)
    if metric not in GoalMetric.values:
        raise ServiceError(
            GoalError.UNKNOWN_METRIC,
            _("Please correct the marked fields."),
            fields={"metric": [_("Choose a metric.")]},
        )
    if period not in GoalPeriod.values:
        raise ServiceError(
            GoalError.UNKNOWN_PERIOD,
            _("Please correct the marked fields."),
            fields={"period": [_("Choose month, quarter or year.")]},
        )
    start = parse_start(period_start, period)
    if start is None:
        raise ServiceError(
            GoalError.BAD_START,
            _("Please correct the marked fields."),
            fields={"period_start": [_("Enter a valid date (YYYY-MM-DD).")]},
        )
    value = _target(target, metric)
    try:
        factor = int(stretch)
    except (TypeError, ValueError):
        factor = 0
    if factor not in Stretch.values:
        raise ServiceError(
            GoalError.BAD_STRETCH,
            _("Please correct the marked fields."),
            fields={"stretch": [_("Choose no stretch, 2× or 4×.")]},
        )
    team, rep = _check_level(actor, team_id, rep_id)
    note = str(note or "").strip()[:300]
    existing = (
        Goal.objects.select_for_update()
        .filter(
            workspace=actor.workspace,
            metric=metric,
            period=period,
            period_start=start,
            team_id=team,
            rep_id=rep,
        )
        .first()
    )
    now = timezone.now()
    if existing is None:
        try:
            with transaction.atomic():
                goal = Goal.objects.create(
                    workspace=actor.workspace,
                    metric=metric,
                    period=period,
                    period_start=start,
                    team_id=team,
                    rep_id=rep,
                    target=value,
                    stretch=factor,
                    note=note,
                    created_by_id=actor.user_id,
                )
        except IntegrityError:  # a concurrent create of the same key: change that one instead
            existing = Goal.objects.select_for_update().get(
                workspace=actor.workspace,
                metric=metric,
                period=period,
                period_start=start,
                team_id=team,
                rep_id=rep,
            )
        else:
            audit.record(
                actor=actor,
                verb=AuditVerb.CREATE,
                target=goal,
                changes={k: [None, v] for k, v in audit.snapshot(goal, GOAL_FIELDS).items()},
            )
            emit("goal.saved", workspace_id=goal.workspace_id, goal_id=goal.pk, created=True)
            return goal
    goal = existing
    before = audit.snapshot(goal, GOAL_FIELDS)
    goal.target, goal.stretch, goal.note = value, factor, note
    changes = audit.diff(before, audit.snapshot(goal, GOAL_FIELDS))
    if changes:
        goal.version += 1
        goal.updated_at = now
        goal.save(update_fields=["target", "stretch", "note", "version", "updated_at"])
        audit.record(actor=actor, verb=AuditVerb.UPDATE, target=goal, changes=changes)
        emit("goal.saved", workspace_id=goal.workspace_id, goal_id=goal.pk, created=False)
    return goal


def goal_get(member: Membership, goal_id: int) -> Goal:
    goal = visible_goals(member).filter(pk=goal_id).first()
    if goal is None:
        raise NotFound("not_found", _("Goal not found."))
    return goal


@transaction.atomic
def goal_delete(*, actor: Actor, goal_id: int) -> None:
    if actor.member is not None:
        goal = goal_get(actor.member, goal_id)
    else:
        goal = Goal.objects.filter(workspace=actor.workspace, pk=goal_id).first()  # type: ignore[assignment]
        if goal is None:
            raise NotFound("not_found", _("Goal not found."))
    require(actor, Perm.GOAL_MANAGE)
    audit.record(
        actor=actor,
        verb=AuditVerb.DELETE,
        target=goal,
        changes={k: [v, None] for k, v in audit.snapshot(goal, GOAL_FIELDS).items()},
    )
    pk = goal.pk
    goal.delete()
    emit("goal.deleted", workspace_id=actor.workspace.pk, goal_id=pk)


def baseline(
    member: Membership,
    *,
    metric: str,
    period: str,
    start: dt.date,
    team_id: int | None = None,
    rep_id: int | None = None,
) -> dict[str, Decimal]:
    """What the level achieved in the previous period and the same period a year earlier — the
    starting points of the 2×/4× method (two grouped queries)."""
    tree = load_tree(member.workspace_id)
    out = {}
    previous = period_shift(period, start, -1)
    last_year = dt.date(start.year - 1, start.month, 1)
    for key, s in (("previous", previous), ("last_year", last_year)):
        by_user = actuals_by_user(member, metric, s, period_end(period, s))
        out[key] = _level_actual(by_user, tree, team_id, rep_id)
    return out
