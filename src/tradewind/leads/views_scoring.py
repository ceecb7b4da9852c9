"""Score panel on the lead (breakdown, suggested grade, hand grade) and the scoring settings page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import NotFound, ServiceError
from tradewind.core.forms import add_service_error, report_service_error
from tradewind.core.htmx import render_page
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import scoring, scoring_rules, selectors
from .choices import LeadGrade
from .models import Lead, LeadPolicy
from .models_scoring import ScoringRule
from .recycling import recycle_days
from .scoring_forms import ScoringPolicyForm, ScoringRuleForm

PANEL = "score-panel"


def _panel_context(request: HttpRequest, lead: Lead, error: str = "") -> dict:
    policy = LeadPolicy.for_workspace(request.member.workspace)
    lines = scoring.score_breakdown(lead, scoring.active_rules(request.member.workspace, policy))
    total = scoring.total(lines)
    return {
        "nav_active": "leads",
        "lead": lead,
        "lines": lines,
        "total": total,
        "suggested": scoring.suggested_grade(total, policy),
        "policy": policy,
        "grades": LeadGrade.choices,
        "can_grade": request.member.has(Perm.LEAD_EDIT),
        "can_manage": request.member.has(Perm.WORKSPACE_MANAGE),
        "error": error,
    }


@member_required(Perm.LEAD_VIEW)
def lead_score(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get(member=request.member, pk=pk)
    return render_page(
        request, "leads/scoring/score.html", _panel_context(request, lead), partial=PANEL
    )


@require_POST
@member_required(Perm.LEAD_EDIT)
def lead_grade(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get(member=request.member, pk=pk)
    error = ""
    try:
        version = request.POST.get("version")
        lead = scoring.lead_grade_set(
            actor=request.actor,
            lead=lead,
            grade=request.POST.get("grade", ""),
            version=int(version) if version and version.isdigit() else None,
        )
    except ServiceError as exc:
        if not getattr(request, "htmx", None):
            report_service_error(request, exc)
            return redirect("leads:detail", pk=pk)
        if exc.status in (403, 404):
            report_service_error(request, exc)
        error = str(exc.message)
    if getattr(request, "htmx", None):
        return render(
            request, f"leads/scoring/score.html#{PANEL}", _panel_context(request, lead, error)
        )
    messages.success(request, _("Grade saved."))
    return redirect("leads:detail", pk=pk)


# --- settings -------------------------------------------------------------------------------------


def _policy_initial(policy: LeadPolicy) -> dict:
    days = recycle_days(policy)
    return {
        "grade_a_min": policy.grade_a_min,
        "grade_b_min": policy.grade_b_min,
        "auto_grade": policy.auto_grade,
        "recycle_A": days.get("A", 0),
        "recycle_B": days.get("B", 0),
        "recycle_C": days.get("C", 0),
        "recycle_none": days.get("", 0),
    }


def _place_policy_error(form: ScoringPolicyForm, exc: ServiceError) -> None:
    for name, msgs in exc.fields.items():
        field = name if name in form.fields else None
        for message in msgs:
            form.add_error(field, message)
    if not exc.fields:
        form.add_error(None, exc.message)


@member_required(Perm.WORKSPACE_MANAGE)
def scoring_settings(request: HttpRequest) -> HttpResponse:
    ws = request.member.workspace
    policy = LeadPolicy.for_workspace(ws)
    scoring.active_rules(ws, policy)  # seeds the defaults on first use
    which = request.POST.get("form") if request.method == "POST" else None
    policy_form = ScoringPolicyForm(
        request.POST if which == "policy" else None, initial=_policy_initial(policy)
    )
    rule_form = ScoringRuleForm(request.POST if which == "rule" else None, prefix="new")
    if which == "policy" and policy_form.is_valid():
        try:
            scoring_rules.lead_policy_scoring_update(
                actor=request.actor, **policy_form.service_data()
            )
        except ServiceError as exc:
            _place_policy_error(policy_form, exc)
        else:
            messages.success(request, _("Saved. Scores are being recomputed."))
            return redirect("leads:scoring_settings")
    if which == "rule" and rule_form.is_valid():
        try:
            scoring_rules.scoring_rule_create(actor=request.actor, **rule_form.cleaned_data)
        except ServiceError as exc:
            add_service_error(rule_form, exc)
        else:
            messages.success(request, _("Rule added. Scores are being recomputed."))
            return redirect("leads:scoring_settings")
    context = {
        "nav_active": "leads",
        "rules": ScoringRule.objects.filter(workspace=ws),
        "policy_form": policy_form,
        "rule_form": rule_form,
        "base_currency": ws.base_currency,
    }
    status = 422 if which and (policy_form.errors or rule_form.errors) else 200
    return render(request, "leads/scoring/settings.html", context, status=status)


def _rule(request: HttpRequest, pk: int) -> ScoringRule:
    try:
        return scoring_rules.rule_get(actor=request.actor, pk=pk)
    except NotFound as exc:
        raise Http404 from exc


@member_required(Perm.WORKSPACE_MANAGE)
def scoring_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    initial = {f: getattr(rule, f) for f in ScoringRuleForm.base_fields}
    form = ScoringRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            scoring_rules.scoring_rule_update(actor=request.actor, rule=rule, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved. Scores are being recomputed."))
            return redirect("leads:scoring_settings")
    status = 422 if form.errors else 200
    return render(
        request,
        "leads/scoring/rule_form.html",
        {"nav_active": "leads", "form": form, "rule": rule},
        status=status,
    )


@require_POST
@member_required(Perm.WORKSPACE_MANAGE)
def scoring_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    try:
        scoring_rules.scoring_rule_delete(actor=request.actor, rule=rule)
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(request, _("Rule deleted. Scores are being recomputed."))
    return redirect("leads:scoring_settings")


@member_required(Perm.WORKSPACE_MANAGE)
def scoring_rescore(request: HttpRequest) -> HttpResponse:
    """POST queues the rescore; GET (a typed or reloaded URL) just shows the settings page."""
    if request.method != "POST":
        return redirect("leads:scoring_settings")
    from .tasks import rescore_workspace

    rescore_workspace(request.member.workspace_id)
    messages.success(request, _("All leads are being rescored in the background."))
    return redirect("leads:scoring_settings")
