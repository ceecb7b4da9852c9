"""Assignment pages: the ordered rules (settings), manual assign and "try the rules" on a lead."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import ServiceError
from tradewind.core.forms import report_service_error, save_form
from tradewind.core.htmx import render_page
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import active_members_of, teams_of

from . import assignment, assignment_rules, selectors
from .assignment_engine import CONDITION_KEYS, describe_conditions
from .models_webforms import AssignmentRule
from .webforms_forms import AssignmentRuleForm


def assignable_members(request: HttpRequest) -> list:
    """Active members who work leads: who may receive a lead by hand, by a rule or by a web form."""
    return [m for m in active_members_of(request.member) if m.has(Perm.LEAD_EDIT)]


def _rule_get(request: HttpRequest, pk: int) -> AssignmentRule:
    return get_object_or_404(AssignmentRule.objects.visible_to(request.member), pk=pk)


@member_required(Perm.WORKSPACE_MANAGE)
def rule_list(request: HttpRequest) -> HttpResponse:
    rules = list(
        AssignmentRule.objects.visible_to(request.member)
        .select_related("target_user", "target_team")
        .order_by("position", "id")
    )
    for rule in rules:
        rule.condition_list = describe_conditions(rule.conditions)
    return render(request, "leads/assignment/rules.html", {"nav_active": "leads", "rules": rules})


def _edit(request: HttpRequest, rule: AssignmentRule | None) -> HttpResponse:
    initial: dict = {"is_active": True}
    if rule is not None:
        initial = {
            "name": rule.name,
            "is_active": rule.is_active,
            "action": rule.action,
            "target_user": rule.target_user_id,
            "target_team": rule.target_team_id,
            **{k: rule.conditions.get(k, []) for k in CONDITION_KEYS},
        }
        initial["industry"] = ", ".join(rule.conditions.get("industry", []))
    form = AssignmentRuleForm(
        request.POST or None,
        owners=assignable_members(request),
        teams=teams_of(request.member),
        initial=initial,
    )
    saved = save_form(
        request,
        form,
        lambda: (
            assignment_rules.assignment_rule_create(actor=request.actor, **form.service_data())
            if rule is None
            else assignment_rules.assignment_rule_update(
                actor=request.actor, rule=rule, **form.service_data()
            )
        ),
        _("Saved."),
    )
    if saved is not None:
        return redirect("leads:assignment_rules")
    return render(
        request,
        "leads/assignment/rule_form.html",
        {"nav_active": "leads", "form": form, "rule": rule},
    )


@member_required(Perm.WORKSPACE_MANAGE)
def rule_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@member_required(Perm.WORKSPACE_MANAGE)
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, _rule_get(request, pk))


@require_POST
@member_required(Perm.WORKSPACE_MANAGE)
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule_get(request, pk)
    assignment_rules.assignment_rule_delete(actor=request.actor, rule=rule)
    messages.success(request, _("Rule “%(name)s” deleted.") % {"name": rule.name})
    return redirect("leads:assignment_rules")


@require_POST
@member_required(Perm.WORKSPACE_MANAGE)
def rule_move(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule_get(request, pk)
    assignment_rules.assignment_rule_move(
        actor=request.actor, rule=rule, up=request.POST.get("direction") != "down"
    )
    return redirect("leads:assignment_rules")


# --- on the lead page -----------------------------------------------------------------------------


def _panel(
    request: HttpRequest, lead: object, trial: object = None, tried: bool = False
) -> HttpResponse:
    context = {
        "nav_active": "leads",
        "lead": lead,
        "members": assignable_members(request),
        "trial": trial,
        "tried": tried,
    }
    return render_page(request, "leads/assignment/lead_panel.html", context, partial="assign-panel")


@member_required(Perm.LEAD_ASSIGN)
def lead_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the assign panel (the lead page loads it with htmx); POST: assign."""
    lead = selectors.lead_get(member=request.member, pk=pk)
    if request.method != "POST":
        return _panel(request, lead)
    raw = request.POST.get("owner", "")
    try:
        owner_id = int(raw) if raw else None
    except ValueError:
        owner_id = -1  # refused below as not eligible
    try:
        lead = assignment.lead_assign(
            actor=request.actor, lead=lead, owner_id=owner_id, note=request.POST.get("note", "")
        )
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        owner = lead.owner or _("lead pool")
        messages.success(
            request, _("Lead %(code)s assigned to %(owner)s.") % {"code": lead.code, "owner": owner}
        )
    if selectors.leads_visible(request.member).filter(pk=pk).exists():
        return redirect("leads:detail", pk=pk)
    return redirect("leads:list")


@member_required(Perm.LEAD_ASSIGN)
def lead_assignment_trial(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get(member=request.member, pk=pk)
    trial = assignment.assignment_trial(member=request.member, lead=lead)
    return _panel(request, lead, trial, tried=True)
