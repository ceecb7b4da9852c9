"""Opportunity pages: the list (keyset pages, filters, saved views, bulk, export: views_lists.py),
the create and edit form with product lines and team, the detail page with its stage bar, stage
task checklist, closing dialogs, reopen and stage history. Views parse, call a service, answer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from tradewind.core.errors import NotFound, PermissionDenied, ServiceError
from tradewind.core.htmx import render_page
from tradewind.customers.models import Contact, Customer
from tradewind.workspaces.custom_fields import definitions, rows_for
from tradewind.workspaces.custom_fields_query import custom_sorts, filter_inputs
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import active_members_of, history_for

from . import selectors
from .choices import OpportunityStatus, TeamRole
from .filters import OpportunityFilter, opportunity_list
from .forms import (
    CloseForm,
    OpportunityForm,
    initial_for,
    lines_for_form,
    members_for_form,
    parse_lines,
    parse_members,
)
from .models import CloseReason, Opportunity, Pipeline, StageChange, StageTaskCheck
from .views_lists import list_context

PAGE_SIZE = 50
STATUS_LABELS = dict(OpportunityStatus.choices)
CHANGE_LABELS = {
    "create": pgettext_lazy("stage change", "Created"),
    "move": pgettext_lazy("stage change", "Moved"),
    "close": pgettext_lazy("stage change", "Closed"),
    "reopen": pgettext_lazy("stage change", "Reopened"),
}
NAV = "opportunities"


def url_or_empty(name: str) -> str:
    """A page another app builds (the product search of the catalogue), when it exists."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


# --- list -----------------------------------------------------------------------------------------


@member_required(Perm.OPPORTUNITY_VIEW)
def opportunity_list_page(request: HttpRequest) -> HttpResponse:
    filters = OpportunityFilter.from_params(request.GET)
    page = opportunity_list(
        member=request.member, filters=filters, cursor=request.GET.get("cursor"), limit=PAGE_SIZE
    )
    context = {
        "nav_active": NAV,
        "tab": "list",
        "page": page,
        "filters": filters,
        "base_currency": request.workspace.base_currency,
        "can_create": request.member.has(Perm.OPPORTUNITY_CREATE),
        **list_context(request.member, filters, request.GET.get("view", "")),
    }
    defs = definitions(request.workspace, "opportunity")
    context["sorts"] = context["sorts"] + custom_sorts(request.workspace.pk, "opportunity", defs)
    context["custom_filter_inputs"] = filter_inputs(
        request.workspace.pk, "opportunity", filters.custom, defs
    )
    return render_page(
        request, "sales/opportunity_list.html", context, partial="opportunity-results"
    )


# --- create and edit ------------------------------------------------------------------------------


def _pipelines(member: Membership) -> list[Pipeline]:
    from .services import pipeline_default

    default = pipeline_default(member.workspace)
    pipelines = list(
        Pipeline.objects.filter(workspace_id=member.workspace_id)
        .filter(Q(is_active=True) | Q(pk=default.pk))
        .prefetch_related("stages")
        .order_by("-is_default", "position", "id")
    )
    return pipelines


def _customer_choices(member: Membership, selected: int | None) -> list[Customer]:
    qs = Customer.objects.visible_to(member)
    recent = list(qs.order_by("-updated_at", "-id")[:30])
    if selected and all(c.pk != selected for c in recent):
        chosen = qs.filter(pk=selected).first()
        if chosen is not None:
            recent.insert(0, chosen)
    return recent


def _visible_customer(member: Membership, pk: Any) -> Customer | None:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        return None
    return Customer.objects.visible_to(member).filter(pk=key).first()


def _contacts(customer: Customer | None) -> list[Contact]:
    if customer is None:
        return []
    return list(customer.contacts.order_by("-is_primary", "name", "id"))


def _place_error(form: OpportunityForm, exc: ServiceError, extra: dict[str, list]) -> None:
    """A service refusal on the form: field messages on their fields, line and team messages in
    their sections, the rest at the top (with the service's message when nothing else is said).
    A refused permission (handing the opportunity to someone else without OPPORTUNITY_ASSIGN) is
    said on the owner field: the page itself was allowed."""
    if isinstance(exc, PermissionDenied):
        form.add_error("owner" if "owner" in form.fields else None, exc.message)
        return
    if isinstance(exc, NotFound):
        raise Http404(str(exc.message))
    for name, field_messages in exc.fields.items():
        root = name.split(".")[0].split("[")[0]
        target = {"owner_id": "owner", "contact_id": "contact", "stage_id": "stage"}.get(root, root)
        if root in ("lines", "line"):
            parts = name.split(".")
            for message in field_messages:
                if len(parts) > 1 and parts[1].isdigit():
                    message = _("Line %(n)s: %(message)s") % {
                        "n": int(parts[1]) + 1,
                        "message": message,
                    }
                extra["lines"].append(str(message))
        elif root in ("member_roles", "members", "member"):
            extra["members"].extend(str(m) for m in field_messages)
        else:
            for message in field_messages:
                form.add_error(target if target in form.fields else None, message)
    if not exc.fields or extra["lines"] or extra["members"]:
        # The service's own message on top: the whole refusal, or a pointer to the sections.
        form.add_error(None, exc.message)


def _form_context(
    request: HttpRequest,
    form: OpportunityForm,
    opportunity: Opportunity | None,
    customer: Customer | None,
    extra: dict[str, list],
) -> dict[str, Any]:
    posted = request.POST if request.method == "POST" else None
    return {
        "nav_active": NAV,
        "form": form,
        "opportunity": opportunity,
        "customer": customer,
        "lines": lines_for_form(opportunity, posted),
        "members": members_for_form(opportunity, posted),
        "owners": active_members_of(request.member),
        "team_roles": TeamRole.choices,
        "line_errors": extra["lines"],
        "member_errors": extra["members"],
        "products_url": url_or_empty("products:search"),
        "customer_search_url": reverse("sales:customer_search"),
        "contacts_url": reverse("sales:contact_options"),
        "amount_from_lines": bool(opportunity and opportunity.amount_from_lines),
    }


@member_required(Perm.OPPORTUNITY_CREATE)
def opportunity_create(request: HttpRequest) -> HttpResponse:
    member = request.member
    source = request.POST if request.method == "POST" else request.GET
    customer = _visible_customer(member, source.get("customer"))
    pipelines = _pipelines(member)
    default = pipelines[0] if pipelines else None
    first_open = (
        next((s for s in default.stages.all() if not s.is_closed), None) if default else None
    )
    form = OpportunityForm(
        request.POST or None,
        owners=active_members_of(member),
        customers=_customer_choices(member, customer.pk if customer else None),
        contacts=_contacts(customer),
        pipelines=pipelines,
        workspace=request.workspace,
        initial={
            "customer": customer.pk if customer else None,
            "owner": member.user_id,
            "pipeline": default.pk if default else None,
            "stage": first_open.pk if first_open else None,
            "currency": request.workspace.base_currency,
        },
    )
    extra: dict[str, list] = {"lines": [], "members": []}
    if request.method == "POST" and form.is_valid():
        if customer is None:
            form.add_error("customer", _("Choose a customer you can see."))
        else:
            created = _create(request, form, customer, extra)
            if created is not None:
                messages.success(
                    request, _("Opportunity %(code)s created.") % {"code": created.code}
                )
                return redirect("sales:opportunity_detail", pk=created.pk)
    return render(
        request,
        "sales/opportunity_form.html",
        _form_context(request, form, None, customer, extra),
    )


def _contact_of(form: OpportunityForm, customer: Customer) -> tuple[bool, Contact | None]:
    contact_id = form.cleaned_data.get("contact")
    if not contact_id:
        return True, None
    contact = Contact.objects.filter(customer=customer, pk=contact_id).first()
    if contact is None:
        form.add_error("contact", _("The contact must belong to the opportunity’s customer."))
        return False, None
    return True, contact


def _create(
    request: HttpRequest, form: OpportunityForm, customer: Customer, extra: dict[str, list]
) -> Opportunity | None:
    from . import services

    ok, contact = _contact_of(form, customer)
    if not ok:
        return None
    data = form.service_data()
    data.pop("contact", None)
    data.pop("version", None)
    lines = parse_lines(request.POST)
    try:
        return services.opportunity_create(
            actor=request.actor,
            customer=customer,
            contact=contact,
            amount=None if lines else form.cleaned_data.get("amount"),
            lines=lines or None,
            member_roles=parse_members(request.POST),
            **data,
        )
    except ServiceError as exc:
        _place_error(form, exc, extra)
        return None


@member_required(Perm.OPPORTUNITY_EDIT)
def opportunity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = request.member
    opportunity = selectors.opportunity_get(member=member, pk=pk)
    form = OpportunityForm(
        request.POST or None,
        editing=True,
        owners=active_members_of(member),
        contacts=_contacts(opportunity.customer),
        workspace=request.workspace,
        initial=initial_for(opportunity),
        custom=opportunity.custom,
    )
    if not member.has(Perm.OPPORTUNITY_ASSIGN):
        form.fields["owner"].disabled = True
    extra: dict[str, list] = {"lines": [], "members": []}
    if request.method == "POST" and form.is_valid():
        saved = _update(request, form, opportunity, extra)
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("sales:opportunity_detail", pk=opportunity.pk)
    return render(
        request,
        "sales/opportunity_form.html",
        _form_context(request, form, opportunity, opportunity.customer, extra),
    )


def _update(
    request: HttpRequest, form: OpportunityForm, opportunity: Opportunity, extra: dict[str, list]
) -> Opportunity | None:
    from . import services

    ok, contact = _contact_of(form, opportunity.customer)
    if not ok:
        return None
    changes = form.service_data()
    changes.pop("version", None)
    changes["contact"] = contact
    if form.fields["owner"].disabled:
        changes.pop("owner_id", None)
    lines = parse_lines(request.POST)
    if lines:
        changes["lines"] = lines
    else:
        if opportunity.amount_from_lines:
            changes["lines"] = []
        changes["amount"] = form.cleaned_data.get("amount")
    changes["member_roles"] = parse_members(request.POST)
    try:
        return services.opportunity_update(
            actor=request.actor,
            opportunity=opportunity,
            expected_version=form.cleaned_data.get("version"),
            **changes,
        )
    except ServiceError as exc:
        _place_error(form, exc, extra)
        return None


@member_required(Perm.OPPORTUNITY_CREATE)
def customer_search(request: HttpRequest) -> JsonResponse:
    """The customer picker's options: visible customers by name or code (at most 20)."""
    q = request.GET.get("q", "").strip()[:100]
    qs = Customer.objects.visible_to(request.member)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(name_alt__icontains=q) | Q(code__icontains=q))
    rows = qs.order_by("name", "id")[:20]
    return JsonResponse({"results": [{"id": c.pk, "text": f"{c.code} {c.name}"} for c in rows]})


@member_required(Perm.OPPORTUNITY_VIEW)
def contact_options(request: HttpRequest) -> JsonResponse:
    """The contacts of a visible customer, for the form's contact pickers."""
    customer = _visible_customer(request.member, request.GET.get("customer"))
    contacts = _contacts(customer)
    return JsonResponse(
        {
            "results": [
                {"id": c.pk, "text": c.name + (f" · {c.title}" if c.title else "")}
                for c in contacts
            ]
        }
    )


# --- detail ---------------------------------------------------------------------------------------


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return ""
    days, rest = divmod(int(seconds), 86400)
    hours = rest // 3600
    if days:
        return _("%(days)sd %(hours)sh") % {"days": days, "hours": hours}
    minutes = (rest % 3600) // 60
    return _("%(hours)sh %(minutes)sm") % {"hours": hours, "minutes": minutes}


def stage_history(opportunity: Opportunity) -> list[dict[str, Any]]:
    rows = (
        StageChange.objects.filter(opportunity=opportunity)
        .select_related("from_stage", "to_stage", "changed_by")
        .order_by("-changed_at", "-id")
    )
    return [
        {
            "change": c,
            "status": STATUS_LABELS.get(c.to_status, ""),
            "kind": CHANGE_LABELS.get(c.kind, c.kind),
            "time_in_stage": _duration(c.seconds_in_from_stage),
        }
        for c in rows
    ]


def checklist(opportunity: Opportunity) -> list[dict[str, Any]]:
    """The current stage's tasks with whether each is ticked on this opportunity."""
    tasks = list(opportunity.stage.tasks.all())
    done = {
        c.task_id: c
        for c in StageTaskCheck.objects.filter(
            opportunity=opportunity, task_id__in=[t.pk for t in tasks]
        ).select_related("done_by")
    }
    return [{"task": t, "check": done.get(t.pk)} for t in tasks]


def _close_reasons(request: HttpRequest) -> dict[str, list]:
    from .closing import close_reasons, reason_label

    return {
        kind: [
            {"pk": r.pk, "label": reason_label(r)} for r in close_reasons(request.workspace, kind)
        ]
        for kind in ("lost", "invalid")
    }


def detail_context(request: HttpRequest, opportunity: Opportunity) -> dict[str, Any]:
    from .closing import reason_label

    member = request.member
    customer_visible = (
        member.has(Perm.CUSTOMER_VIEW)
        and Customer.objects.visible_to(member).filter(pk=opportunity.customer_id).exists()
    )
    is_open = opportunity.status == OpportunityStatus.OPEN
    can_edit = member.has(Perm.OPPORTUNITY_EDIT)
    stages = list(opportunity.pipeline.stages.all())
    return {
        "nav_active": NAV,
        "opportunity": opportunity,
        "customer_visible": customer_visible,
        "is_open": is_open,
        "contacts": list(opportunity.contacts.order_by("name", "id")),
        "members": list(opportunity.members.select_related("user").order_by("added_at", "id")),
        "lines": list(opportunity.lines.select_related("product")),
        "stages": stages,
        "checklist": checklist(opportunity),
        "stage_history": stage_history(opportunity),
        "reasons": _close_reasons(request) if can_edit and is_open else {},
        "close_reason_label": reason_label(opportunity.close_reason),
        "base_currency": request.workspace.base_currency,
        "can_edit": can_edit,
        "can_reopen": member.has(Perm.OPPORTUNITY_REOPEN),
        "can_delete": member.has(Perm.OPPORTUNITY_DELETE),
        "custom_rows": rows_for(definitions(request.workspace, "opportunity"), opportunity.custom),
        "history": history_for(
            target=opportunity,
            user_fields=("owner", "closed_by"),
            value_labels=_value_labels(opportunity, stages),
        ),
    }


def _value_labels(opportunity: Opportunity, stages: list) -> dict[str, dict[Any, Any]]:
    """The audit stores ids of related rows; the history shows their names."""
    from .closing import reason_label

    reasons = CloseReason.objects.filter(workspace_id=opportunity.workspace_id)
    return {
        "stage": {s.pk: s.label for s in stages},
        "pipeline": {opportunity.pipeline_id: opportunity.pipeline.name},
        "customer": {opportunity.customer_id: str(opportunity.customer)},
        "contact": {c.pk: c.name for c in opportunity.customer.contacts.all()},
        "close_reason": {r.pk: reason_label(r) for r in reasons},
    }


@member_required(Perm.OPPORTUNITY_VIEW)
def opportunity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = selectors.opportunity_get(member=request.member, pk=pk)
    return render_page(
        request,
        "sales/opportunity_detail.html",
        detail_context(request, opportunity),
        partial="checklist",
    )


def _flash(request: HttpRequest, exc: ServiceError) -> None:
    """A refusal of a posted action: 403/404 stay HTTP answers; the service's message (which lists
    missing stage tasks, for instance) and any field messages become translated flash messages."""
    if isinstance(exc, PermissionDenied):
        raise DjangoPermissionDenied(str(exc.message))
    if isinstance(exc, NotFound):
        raise Http404(str(exc.message))
    messages.error(request, exc.message)
    if exc.code == "stage_tasks_missing":
        return
    for field_messages in exc.fields.values():
        for message in field_messages:
            if str(message) != str(exc.message):
                messages.error(request, message)


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _int(value: Any) -> int | None:
    return int(value) if str(value or "").isdigit() else None


@require_POST
@member_required(Perm.OPPORTUNITY_EDIT)
def opportunity_move(request: HttpRequest, pk: int) -> HttpResponse:
    from .moves import opportunity_move as move

    opportunity = selectors.opportunity_get(member=request.member, pk=pk)
    stage_id = _int(request.POST.get("stage"))
    try:
        result = move(
            actor=request.actor,
            opportunity_id=opportunity.pk,
            stage_id=stage_id or 0,
            expected_version=_version(request),
        )
    except ServiceError as exc:
        _flash(request, exc)
    else:
        if result.warnings:
            messages.warning(
                request,
                _("Moved, but these stage tasks are not done: %(tasks)s")
                % {"tasks": "; ".join(str(w) for w in result.warnings)},
            )
        elif result.opportunity.stage_id != opportunity.stage_id:
            messages.success(
                request,
                _("Moved to %(stage)s.") % {"stage": result.opportunity.stage.label},
            )
    return redirect("sales:opportunity_detail", pk=opportunity.pk)


@require_POST
@member_required(Perm.OPPORTUNITY_EDIT)
def opportunity_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick or untick one task of the current stage; htmx swaps only the checklist."""
    from .moves import stage_task_set

    opportunity = selectors.opportunity_get(member=request.member, pk=pk)
    task_id = _int(request.POST.get("task"))
    try:
        opportunity = stage_task_set(
            actor=request.actor,
            opportunity_id=opportunity.pk,
            task_id=task_id or 0,
            done=request.POST.get("done") == "1",
        )
    except ServiceError as exc:
        _flash(request, exc)
    if getattr(request, "htmx", None):
        opportunity = selectors.opportunity_get(member=request.member, pk=pk)
        return render(
            request,
            "sales/opportunity_detail.html#checklist",
            detail_context(request, opportunity),
        )
    return redirect("sales:opportunity_detail", pk=pk)


@require_POST
@member_required(Perm.OPPORTUNITY_EDIT)
def opportunity_close(request: HttpRequest, pk: int) -> HttpResponse:
    from .closing import opportunity_close as close

    opportunity = selectors.opportunity_get(member=request.member, pk=pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how the opportunity ends: won, lost or invalid."))
        return redirect("sales:opportunity_detail", pk=pk)
    data = form.cleaned_data
    try:
        closed = close(
            actor=request.actor,
            opportunity_id=opportunity.pk,
            outcome=data["outcome"],
            reason_id=data.get("reason"),
            competitor=data.get("competitor") or "",
            note=data.get("note") or "",
            expected_version=data.get("version"),
        )
    except ServiceError as exc:
        _flash(request, exc)
    else:
        messages.success(
            request,
            _("%(code)s closed: %(status)s.")
            % {"code": closed.code, "status": closed.get_status_display()},
        )
    return redirect("sales:opportunity_detail", pk=pk)


@require_POST
@member_required(Perm.OPPORTUNITY_REOPEN)
def opportunity_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    from .closing import opportunity_reopen as reopen

    opportunity = selectors.opportunity_get(member=request.member, pk=pk)
    try:
        reopened = reopen(
            actor=request.actor,
            opportunity_id=opportunity.pk,
            stage_id=_int(request.POST.get("stage")),
        )
    except ServiceError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("Reopened in %(stage)s.") % {"stage": reopened.stage.label})
    return redirect("sales:opportunity_detail", pk=pk)


@require_POST
@member_required(Perm.OPPORTUNITY_DELETE)
def opportunity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    from .services import opportunity_delete as delete

    opportunity = get_object_or_404(Opportunity.objects.visible_to(request.member), pk=pk)
    try:
        delete(actor=request.actor, opportunity=opportunity)
    except ServiceError as exc:
        _flash(request, exc)
        return redirect("sales:opportunity_detail", pk=pk)
    messages.success(request, _("Opportunity %(code)s deleted.") % {"code": opportunity.code})
    return redirect("sales:list")
