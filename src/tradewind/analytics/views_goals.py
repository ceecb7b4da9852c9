"""Goal pages: the completion dashboard, the decomposition tree, the goal form, the records behind
a figure; commission: the month's statements, one rep's statement, the rules. Thin: parse, call
goals.py / commission.py, render."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import ServiceError
from tradewind.core.forms import report_service_error
from tradewind.core.spreadsheets import write_xlsx
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.timezones import effective_zone, workspace_today, zone

from . import commission, goals
from .models import CommissionRule, GoalMetric, GoalPeriod, Stretch

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECORDS_LIMIT = 500


def _xlsx(rows: list[list[Any]], name: str, title: str) -> FileResponse:
    out = io.BytesIO()
    write_xlsx(rows, out, title=title)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX)


def _period_params(request: HttpRequest) -> tuple[str, dt.date, str]:
    member = request.member  # type: ignore[attr-defined]
    period = request.GET.get("period", "")
    if period not in GoalPeriod.values:
        period = GoalPeriod.MONTH
    start = goals.parse_start(request.GET.get("start", ""), period) or goals.period_start_for(
        period, workspace_today(member.workspace)
    )
    metric = request.GET.get("metric", "")
    if metric not in GoalMetric.values:
        metric = ""
    return period, start, metric


def _query(**params: Any) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _records_url(row: goals.GoalRow, period: str, start: dt.date) -> str:
    return (
        reverse("analytics:goal_records")
        + "?"
        + _query(
            metric=row.metric,
            period=period,
            start=start.isoformat(),
            team=row.team_id,
            rep=row.rep_id,
        )
    )


def _row_dict(row: goals.GoalRow, period: str, start: dt.date) -> dict[str, Any]:
    return {
        "row": row,
        "url": _records_url(row, period, start),
        "bar": min(float(row.completion or 0), 100.0),
    }


def _nav(period: str, start: dt.date) -> dict[str, Any]:
    return {
        "label": goals.period_label(period, start),
        "prev": goals.period_shift(period, start, -1).isoformat(),
        "next": goals.period_shift(period, start, 1).isoformat(),
    }


@member_required()
def goals_page(request: HttpRequest) -> HttpResponseBase:
    member = request.member  # type: ignore[attr-defined]
    period, start, metric = _period_params(request)
    if request.GET.get("format") == "xlsx":
        return _goals_export(request, period, start, metric)
    rows = goals.completion(member, period=period, start=start, metric=metric)
    items = [_row_dict(r, period, start) for r in rows]
    chart = {
        "labels": [f"{r.label} · {r.goal.get_metric_display()}" for r in rows if r.goal],
        "completion": [str(r.completion or 0) for r in rows],
        "target_label": _("Target"),
        "completion_label": _("Completion %"),
    }
    return render(
        request,
        "analytics/goals/index.html",
        {
            "nav_active": "reports",
            "period": period,
            "start": start,
            "metric": metric,
            "periods": GoalPeriod.choices,
            "metrics": GoalMetric.choices,
            "items": items,
            "chart": chart,
            "nav": _nav(period, start),
            "currency": member.workspace.base_currency,
            "can_manage": member.has(Perm.GOAL_MANAGE),
            "query": _query(period=period, start=start.isoformat(), metric=metric),
        },
    )


def _goals_export(request: HttpRequest, period: str, start: dt.date, metric: str) -> FileResponse:
    member = request.member  # type: ignore[attr-defined]
    rows = goals.completion(member, period=period, start=start, metric=metric)
    data: list[list[Any]] = [
        [
            "period",
            "metric",
            "level",
            "name",
            "target",
            "stretch",
            "stretch_target",
            "actual",
            "completion_percent",
            "currency",
        ]
    ]
    for r in rows:
        data.append(
            [
                goals.period_label(period, start),
                r.metric,
                r.level,
                r.label,
                r.target,
                r.stretch,
                r.stretch_target,
                r.actual,
                r.completion,
                member.workspace.base_currency if r.is_money else "",
            ]
        )
    return _xlsx(data, f"goals-{goals.period_label(period, start)}.xlsx", "goals")


@member_required()
def goal_tree(request: HttpRequest) -> HttpResponseBase:
    member = request.member  # type: ignore[attr-defined]
    period, start, metric = _period_params(request)
    metric = metric or GoalMetric.WON_AMOUNT
    roots = goals.decomposition(member, metric=metric, period=period, start=start)
    rows = goals.flatten(roots)
    if request.GET.get("format") == "xlsx":
        data: list[list[Any]] = [
            ["level", "name", "depth", "target", "children_target", "gap", "actual", "completion"]
        ]
        for r in rows:
            data.append(
                [
                    r.level,
                    r.label,
                    r.depth,
                    r.target,
                    r.children_target,
                    r.gap,
                    r.actual,
                    r.completion,
                ]
            )
        return _xlsx(data, f"goal-tree-{metric}-{goals.period_label(period, start)}.xlsx", "tree")
    return render(
        request,
        "analytics/goals/tree.html",
        {
            "nav_active": "reports",
            "period": period,
            "start": start,
            "metric": metric,
            "metric_label": GoalMetric(metric).label,
            "periods": GoalPeriod.choices,
            "metrics": GoalMetric.choices,
            "items": [_row_dict(r, period, start) for r in rows],
            "mismatches": sum(1 for r in rows if not r.adds_up),
            "nav": _nav(period, start),
            "is_money": metric in goals.MONEY_METRICS,
            "currency": member.workspace.base_currency,
            "can_manage": member.has(Perm.GOAL_MANAGE),
            "query": _query(period=period, start=start.isoformat(), metric=metric),
        },
    )


def _goal_or_404(member: Any, pk: int) -> Any:
    try:
        return goals.goal_get(member, pk)
    except ServiceError:
        raise Http404 from None


def _levels(member: Any) -> tuple[list[Any], list[tuple[int, str]], bool]:
    tree = goals.load_tree(member.workspace_id)
    scope = goals.scope_of(member, tree)
    teams = [
        t for t in sorted(tree.teams.values(), key=lambda t: t.path) if scope.covers_team(t.pk)
    ]
    reps = sorted(
        ((u, n) for u, n in tree.names.items() if scope.covers_user(u)),
        key=lambda kv: kv[1].lower(),
    )
    return teams, reps, scope.everything


@member_required(Perm.GOAL_MANAGE)
def goal_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    goal = _goal_or_404(member, pk) if pk is not None else None
    period, start, metric = _period_params(request)
    values: dict[str, Any] = {
        "metric": metric or GoalMetric.WON_AMOUNT,
        "period": period,
        "period_start": start.isoformat(),
        "team": request.GET.get("team", ""),
        "rep": request.GET.get("rep", ""),
        "target": "",
        "stretch": str(Stretch.NONE),
        "note": "",
    }
    if goal is not None:
        values = {
            "metric": goal.metric,
            "period": goal.period,
            "period_start": goal.period_start.isoformat(),
            "team": str(goal.team_id or ""),
            "rep": str(goal.rep_id or ""),
            "target": f"{goal.target:f}",
            "stretch": str(goal.stretch),
            "note": goal.note,
        }
    errors: dict[str, Any] = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        level = request.POST.get("level", "")
        try:
            saved = goals.goal_set(
                actor=request.actor,  # type: ignore[attr-defined]
                metric=values["metric"],
                period=values["period"],
                period_start=values["period_start"],
                target=values["target"],
                team_id=values["team"] if level == "team" else None,
                rep_id=values["rep"] if level == "rep" else None,
                stretch=values["stretch"],
                note=values["note"],
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                report_service_error(request, exc)
            errors = exc.fields or {"__all__": [exc.message]}
        else:
            messages.success(request, _("Goal saved."))
            return redirect(
                reverse("analytics:goals")
                + "?"
                + _query(period=saved.period, start=saved.period_start.isoformat())
            )
    teams, reps, everything = _levels(member)
    form_period = values["period"] if values["period"] in GoalPeriod.values else period
    form_start = goals.parse_start(values["period_start"], form_period) or start
    team_id = int(values["team"]) if str(values["team"]).isdigit() else None
    rep_id = int(values["rep"]) if str(values["rep"]).isdigit() else None
    form_metric = (
        values["metric"] if values["metric"] in GoalMetric.values else GoalMetric.WON_AMOUNT
    )
    base = goals.baseline(
        member,
        metric=form_metric,
        period=form_period,
        start=form_start,
        team_id=team_id,
        rep_id=None if team_id else rep_id,
    )
    suggestions = [
        {"key": key, "value": value, "x2": value * 2, "x4": value * 4}
        for key, value in base.items()
    ]
    level = "rep" if values["rep"] else "team" if values["team"] else "workspace"
    return render(
        request,
        "analytics/goals/form.html",
        {
            "nav_active": "reports",
            "goal": goal,
            "values": values,
            "level": request.POST.get("level", level) if request.method == "POST" else level,
            "errors": errors,
            "teams": teams,
            "reps": reps,
            "may_workspace": everything,
            "periods": GoalPeriod.choices,
            "metrics": GoalMetric.choices,
            "stretches": Stretch.choices,
            "suggestions": suggestions,
            "currency": member.workspace.base_currency,
        },
    )


@require_POST
@member_required(Perm.GOAL_MANAGE)
def goal_delete(request: HttpRequest, pk: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    goal = _goal_or_404(member, pk)
    back = (
        reverse("analytics:goals")
        + "?"
        + _query(period=goal.period, start=goal.period_start.isoformat())
    )
    try:
        goals.goal_delete(actor=request.actor, goal_id=pk)  # type: ignore[attr-defined]
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(request, _("Goal deleted."))
    return redirect(back)


@member_required()
def goal_records(request: HttpRequest) -> HttpResponse:
    """The records behind one figure: the same rows the actual is computed from."""
    member = request.member  # type: ignore[attr-defined]
    period, start, metric = _period_params(request)
    metric = metric or GoalMetric.WON_AMOUNT
    end = goals.period_end(period, start)
    tree = goals.load_tree(member.workspace_id)
    scope = goals.scope_of(member, tree)
    qs = goals.metric_records(member, metric, start, end)
    team_id, rep_id = request.GET.get("team", ""), request.GET.get("rep", "")
    label = _("Whole workspace")
    list_params: dict[str, Any] = {}
    if rep_id.isdigit():
        if not scope.covers_user(int(rep_id)):
            raise Http404
        qs = qs.filter(who=int(rep_id))
        label = tree.names.get(int(rep_id), rep_id)
        list_params["owner"] = rep_id
    elif team_id.isdigit():
        team = tree.teams.get(int(team_id))
        if team is None or not scope.covers_team(team.pk):
            raise Http404
        qs = qs.filter(who__in=tree.users_in(team))
        label = team.name
        list_params["team"] = team_id
    currency = member.workspace.base_currency
    if metric in goals.MONEY_METRICS:
        count, total = goals.money_total(qs, metric, currency)
    else:
        count = qs.order_by().count()
        total = Decimal(count)
    records = list(_records_page(qs, metric)[:RECORDS_LIMIT])
    if metric == GoalMetric.PAYMENTS_RECEIVED:
        for r in records:
            r.value = goals.receipt_base(r.amount_order_currency, r.fx, currency)
    return render(
        request,
        "analytics/goals/records.html",
        {
            "nav_active": "reports",
            "period": period,
            "start": start,
            "end": end - dt.timedelta(days=1),
            "metric": metric,
            "metric_label": GoalMetric(metric).label,
            "label": label,
            "records": records,
            "count": count,
            "total": total,
            "limit": RECORDS_LIMIT,
            "is_money": metric in goals.MONEY_METRICS,
            "currency": member.workspace.base_currency,
            "list_url": _list_url(metric, start, end, list_params, member),
            "period_label": goals.period_label(period, start),
        },
    )


def _records_page(qs: Any, metric: str) -> Any:
    if metric == GoalMetric.WON_AMOUNT:
        return qs.select_related("customer", "owner").order_by("-closed_at", "-id")
    if metric == GoalMetric.PAYMENTS_RECEIVED:
        return qs.select_related("order", "order__customer").order_by("-received_on", "-id")
    if metric == GoalMetric.FOLLOW_UPS:
        return qs.select_related("owner").order_by("-happened_at", "-id")
    return qs.select_related("owner").order_by("-created_at", "-id")


def _list_url(
    metric: str, start: dt.date, end: dt.date, params: dict[str, Any], member: Any
) -> str:
    """The matching module list, where its filters can express the same set. Goals count in the
    workspace's days; the opportunity list takes `tz=workspace` for that, the lead and customer
    lists read days in the reader's zone only, so for a reader with a zone of their own (another
    day boundary) those two links are left out rather than list other rows."""
    last = (end - dt.timedelta(days=1)).isoformat()
    ws = member.workspace
    own_days = effective_zone(ws, member.user).key != zone(ws.time_zone).key
    if metric in (GoalMetric.NEW_CUSTOMERS, GoalMetric.QUALIFIED_LEADS) and own_days:
        return ""
    if metric == GoalMetric.NEW_CUSTOMERS and "team" not in params:
        return (
            reverse("customers:list")
            + "?"
            + _query(created_from=start.isoformat(), created_to=last, owner=params.get("owner"))
        )
    if metric == GoalMetric.WON_AMOUNT:
        closed = {"closed_from": start.isoformat(), "closed_to": last, "tz": "workspace"}
        return reverse("sales:list") + "?" + _query(status="won", **closed, **params)
    if metric == GoalMetric.PAYMENTS_RECEIVED:
        return reverse("orders:receipts")
    if metric == GoalMetric.QUALIFIED_LEADS:
        return (
            reverse("leads:list")
            + "?"
            + _query(created_from=start.isoformat(), created_to=last, reached="qualified", **params)
        )
    return ""


# ---------------------------------------------------------------------------------------------
# commission


def _month(request: HttpRequest) -> dt.date:
    member = request.member  # type: ignore[attr-defined]
    return commission.month_of(request.GET.get("month", "")) or goals.period_start_for(
        GoalPeriod.MONTH, workspace_today(member.workspace)
    )


@member_required()
def commission_page(request: HttpRequest) -> HttpResponseBase:
    member = request.member  # type: ignore[attr-defined]
    month = _month(request)
    items = commission.statements(member, month)
    if request.GET.get("format") == "xlsx":
        return _xlsx(
            commission.statement_rows(items), f"commission-{month:%Y-%m}.xlsx", "commission"
        )
    return render(
        request,
        "analytics/goals/commission.html",
        {
            "nav_active": "reports",
            "month": month,
            "items": items,
            "nav": _nav(GoalPeriod.MONTH, month),
            "currency": member.workspace.base_currency,
            "base_total": sum((s.base_total for s in items), Decimal(0)),
            "commission_total": sum((s.commission_total for s in items), Decimal(0)),
            "can_manage": member.has(Perm.COMMISSION_MANAGE),
        },
    )


@member_required()
def statement_page(request: HttpRequest, user_id: int) -> HttpResponseBase:
    member = request.member  # type: ignore[attr-defined]
    month = _month(request)
    try:
        (item,) = commission.statements(member, month, rep_id=user_id)
    except ServiceError:
        raise Http404 from None
    if request.GET.get("format") == "xlsx":
        return _xlsx(
            commission.statement_rows([item]),
            f"commission-{month:%Y-%m}-{user_id}.xlsx",
            "statement",
        )
    return render(
        request,
        "analytics/goals/statement.html",
        {
            "nav_active": "reports",
            "month": month,
            "s": item,
            "nav": _nav(GoalPeriod.MONTH, month),
        },
    )


@member_required()
def rules_page(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    return render(
        request,
        "analytics/goals/rules.html",
        {
            "nav_active": "reports",
            "rules": commission.rules_visible(member),
            "can_manage": member.has(Perm.COMMISSION_MANAGE),
        },
    )


@member_required(Perm.COMMISSION_MANAGE)
def rule_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    rule = None
    if pk is not None:
        rule = CommissionRule.objects.filter(workspace_id=member.workspace_id, pk=pk).first()
        if rule is None:
            raise Http404
    today = workspace_today(member.workspace)
    values: dict[str, Any] = {
        "name": "",
        "target": "rep",
        "rep": "",
        "team": "",
        "include_subteams": True,
        "rate": "",
        "goal_metric": GoalMetric.PAYMENTS_RECEIVED,
        "valid_from": today.replace(day=1).isoformat(),
        "valid_to": "",
        "is_active": True,
        "note": "",
    }
    tiers: list[tuple[str, str]] = []
    if rule is not None:
        values = {
            "name": rule.name,
            "target": "team" if rule.team_id else "rep",
            "rep": str(rule.rep_id or ""),
            "team": str(rule.team_id or ""),
            "include_subteams": rule.include_subteams,
            "rate": f"{rule.rate.normalize():f}",
            "goal_metric": rule.goal_metric,
            "valid_from": rule.valid_from.isoformat(),
            "valid_to": rule.valid_to.isoformat() if rule.valid_to else "",
            "is_active": rule.is_active,
            "note": rule.note,
        }
        tiers = [
            (f"{t.from_completion.normalize():f}", f"{t.rate.normalize():f}")
            for t in rule.tiers.all()
        ]
    errors: dict[str, Any] = {}
    if request.method == "POST":
        post = request.POST
        values = {k: post.get(k, values[k]) for k in values}
        values["include_subteams"] = post.get("include_subteams") == "on"
        values["is_active"] = post.get("is_active") == "on"
        tiers = list(zip(post.getlist("tier_from"), post.getlist("tier_rate"), strict=False))
        try:
            commission.commission_rule_save(
                actor=request.actor,  # type: ignore[attr-defined]
                rule_id=rule.pk if rule else None,
                name=values["name"],
                rep_id=values["rep"] if values["target"] == "rep" else None,
                team_id=values["team"] if values["target"] == "team" else None,
                include_subteams=values["include_subteams"],
                rate=values["rate"],
                tiers=tiers,
                goal_metric=values["goal_metric"],
                valid_from=values["valid_from"],
                valid_to=values["valid_to"],
                is_active=values["is_active"],
                note=values["note"],
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                report_service_error(request, exc)
            errors = exc.fields or {"__all__": [exc.message]}
        else:
            messages.success(request, _("Commission rule saved."))
            return redirect("analytics:commission_rules")
    teams, reps, _everything = _levels(member)
    while len(tiers) < 4:
        tiers.append(("", ""))
    return render(
        request,
        "analytics/goals/rule_form.html",
        {
            "nav_active": "reports",
            "rule": rule,
            "values": values,
            "tiers": tiers,
            "errors": errors,
            "teams": teams,
            "reps": reps,
            "metrics": GoalMetric.choices,
        },
    )


@require_POST
@member_required(Perm.COMMISSION_MANAGE)
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        commission.commission_rule_delete(actor=request.actor, rule_id=pk)  # type: ignore[attr-defined]
    except ServiceError as exc:
        if exc.status == 404:
            raise Http404 from None
        report_service_error(request, exc)
    else:
        messages.success(request, _("Commission rule deleted."))
    return redirect("analytics:commission_rules")
