"""Workflow rule pages under settings/automation/: the list, the form builder, the test panel and
the run log. Every page needs AUTOMATION_MANAGE; a rule of another workspace is 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import NotFound, PermissionDenied, ServiceError
from tradewind.core.htmx import render_page
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import selectors, services
from .builder import Builder, from_post, from_rule
from .catalogue import fields_for
from .choices import ActionType, Op, Recipient, RecordType, RunOutcome, TriggerKind
from .describe import describe_trigger
from .models import WorkflowRule
from .rules_engine import rule_test

TAB = "rules"


def _rule(request: HttpRequest, pk: int) -> WorkflowRule:
    try:
        return selectors.rule_get(request.member, pk)  # type: ignore[attr-defined]
    except NotFound:
        raise Http404 from None


@member_required(Perm.AUTOMATION_MANAGE)
def rule_list(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    rules = selectors.rules_list(member)
    catalogues: dict[str, Any] = {}
    labels: dict[str, dict[str, dict[str, str]]] = {}
    for rule in rules:
        kind = rule.record_type
        if kind not in catalogues:
            catalogues[kind], labels[kind] = fields_for(member.workspace, kind), {}
        rule.trigger_text = describe_trigger(rule, catalogues[kind], labels[kind])  # type: ignore[attr-defined]
    return render(
        request,
        "automation/rules.html",
        {"tab": TAB, "rules": rules, "record_types": dict(RecordType.choices)},
    )


def _form_context(builder: Builder, rule: WorkflowRule | None) -> dict[str, Any]:
    return {
        "tab": TAB,
        "rule": rule,
        "b": builder,
        "record_types": RecordType.choices,
        "triggers": TriggerKind.choices,
        "action_types": ActionType.choices,
        "recipients": Recipient.choices,
    }


def _form(request: HttpRequest, rule: WorkflowRule | None) -> HttpResponse:
    workspace = request.member.workspace  # type: ignore[attr-defined]
    if request.method != "POST":
        builder = from_rule(workspace, rule)
        return render(request, "automation/rule_form.html", _form_context(builder, rule))
    builder = from_post(workspace, request.POST)
    op = request.POST.get("op", "save")
    if op != "save":
        builder.apply(op)
        return render_page(
            request,
            "automation/rule_form.html",
            _form_context(builder, rule),
            partial="rule-builder",
        )
    try:
        if rule is None:
            saved = services.workflow_rule_create(
                actor=request.actor,  # type: ignore[attr-defined]
                **builder.definition(),
            )
        else:
            version = request.POST.get("version", "")
            saved = services.workflow_rule_update(
                actor=request.actor,  # type: ignore[attr-defined]
                rule_id=rule.pk,
                version=int(version) if version.isdigit() else None,
                **builder.definition(),
            )
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc.message)) from None
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        builder.place_errors(exc.fields)
        context = {**_form_context(builder, rule), "error": exc.message}
        return render(request, "automation/rule_form.html", context)
    messages.success(request, _("Rule “%(name)s” saved.") % {"name": saved.name})
    return redirect("automation:rule_edit", saved.pk)


@member_required(Perm.AUTOMATION_MANAGE)
def rule_create(request: HttpRequest) -> HttpResponse:
    return _form(request, None)


@member_required(Perm.AUTOMATION_MANAGE)
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _form(request, _rule(request, pk))


@require_POST
@member_required(Perm.AUTOMATION_MANAGE)
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    services.workflow_rule_set_active(
        actor=request.actor,  # type: ignore[attr-defined]
        rule_id=rule.pk,
        active=not rule.is_active,
    )
    if rule.is_active:
        messages.success(request, _("Rule “%(name)s” switched off.") % {"name": rule.name})
    else:
        messages.success(request, _("Rule “%(name)s” switched on.") % {"name": rule.name})
    return redirect("automation:rules")


@member_required(Perm.AUTOMATION_MANAGE)
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: ask; POST: delete the rule and its run log."""
    rule = _rule(request, pk)
    if request.method == "POST":
        services.workflow_rule_delete(actor=request.actor, rule_id=rule.pk)  # type: ignore[attr-defined]
        messages.success(request, _("Rule “%(name)s” deleted.") % {"name": rule.name})
        return redirect("automation:rules")
    return render(request, "automation/rule_delete.html", {"tab": TAB, "rule": rule})


@member_required(Perm.AUTOMATION_MANAGE)
def rule_test_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick a record (code or name) and see what the rule would do to it. Reads only."""
    member = request.member  # type: ignore[attr-defined]
    rule = _rule(request, pk)
    query = request.GET.get("q", "").strip()
    record_id = request.GET.get("record", "")
    candidates: list[Any] = []
    result = None
    if record_id:
        try:
            record = selectors.record_for_test(member, rule.record_type, record_id)
        except NotFound:
            raise Http404 from None
        result = rule_test(rule=rule, record=record)
    elif query:
        candidates = selectors.records_find(member, rule.record_type, query)
        if len(candidates) == 1:
            result = rule_test(rule=rule, record=candidates[0])
    context = {
        "tab": TAB,
        "rule": rule,
        "q": query,
        "candidates": candidates,
        "result": result,
        "searched": bool(query or record_id),
        **_labels(rule),
    }
    return render_page(request, "automation/rule_test.html", context, partial="rule-test")


def _labels(rule: WorkflowRule) -> dict[str, Any]:
    fields = fields_for(rule.workspace, rule.record_type)
    return {
        "field_labels": {k: str(s.label) for k, s in fields.items()},
        "op_labels": dict(Op.choices),
        "action_labels": dict(ActionType.choices),
        "outcome_labels": dict(RunOutcome.choices),
    }


@member_required(Perm.AUTOMATION_MANAGE)
def rule_runs(request: HttpRequest, pk: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    rule = _rule(request, pk)
    outcome = request.GET.get("outcome", "")
    outcome = outcome if outcome in RunOutcome.values else ""
    page = selectors.runs_page(
        member, rule, cursor=request.GET.get("cursor") or None, limit=50, outcome=outcome
    )
    context = {
        "tab": TAB,
        "rule": rule,
        "page": page,
        "outcome": outcome,
        "outcomes": RunOutcome.choices,
        "base_url": reverse("automation:rule_runs", args=[rule.pk]),
        **_labels(rule),
    }
    return render_page(request, "automation/rule_runs.html", context, partial="rule-runs")
