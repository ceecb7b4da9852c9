from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.forms import initial_from, save_form
from tradewind.core.htmx import render_page
from tradewind.workspaces import saved_views
from tradewind.workspaces.custom_fields import definitions, rows_for
from tradewind.workspaces.custom_fields_query import custom_sorts, filter_inputs
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import active_member_choices, active_members_of, history_for

from . import bulk, selectors, services
from .choices import INVALID_REASON_LABELS, CompanySize, LeadGrade, LeadSource, LeadStatus
from .filters import SORTS, Due, LeadFilter
from .forms import LeadForm
from .list_rows import rows_html
from .presets import active_preset, preset_links

PAGE_SIZE = 50


@member_required(Perm.LEAD_VIEW)
def lead_list(request: HttpRequest) -> HttpResponse:
    filters = LeadFilter.from_params(request.GET)
    page = selectors.lead_list(
        member=request.member, filters=filters, cursor=request.GET.get("cursor"), limit=PAGE_SIZE
    )
    member = request.member
    members = active_member_choices(member) if member.has(Perm.LEAD_ASSIGN) else []
    custom_defs = definitions(request.workspace, "lead")
    views = list(saved_views.saved_views_for(member, "leads"))
    current_view = request.GET.get("view", "")
    context = {
        "nav_active": "leads",
        "page": page,
        "rows_html": rows_html(
            page.items, can_bulk=member.has(Perm.LEAD_EDIT), show_due=bool(filters.due)
        ),
        "filters": filters,
        "query": filters.querystring(),
        "statuses": LeadStatus.choices,
        "sources": LeadSource.choices,
        "grades": LeadGrade.choices,
        "sizes": CompanySize.choices,
        "due_choices": Due.CHOICES,
        "sorts": [(key, label) for key, (_order, label) in SORTS.items()]
        + custom_sorts(request.workspace.pk, "lead", custom_defs),
        "custom_filter_inputs": filter_inputs(
            request.workspace.pk, "lead", filters.custom, custom_defs
        ),
        "presets": preset_links(),
        "active_preset": active_preset(filters.params()),
        "saved_views": views,
        "current_view": next((v for v in views if str(v.pk) == current_view), None),
        "can_create": member.has(Perm.LEAD_CREATE),
        "can_bulk": member.has(Perm.LEAD_EDIT),
        "can_assign": member.has(Perm.LEAD_ASSIGN),
        "can_delete": member.has(Perm.LEAD_DELETE),
        "bulk_actions": bulk.ACTIONS,
        "bulk_max": bulk.BULK_MAX,
        "owner_options": _member_options(members, filters.owner),
        "assign_options": _member_options(members, ""),
    }
    return render_page(request, "leads/list.html", context, partial="lead-results")


def _member_options(members: list[tuple[int, str]], selected: str) -> SafeString:
    """The members a manager may pick, as <option>s: joined in Python, since a template loop over
    every member (twice on the list page) cost more than the rest of the filters together."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (user_id, " selected" if str(user_id) == selected else "", name)
            for user_id, name in members
        ),
    )


@member_required(Perm.LEAD_CREATE)
def lead_create(request: HttpRequest) -> HttpResponse:
    form = LeadForm(
        request.POST or None,
        owners=active_members_of(request.member),
        by_rules=True,
        initial={"owner": request.member.user_id},
        workspace=request.workspace,
    )
    duplicates = None
    try:
        lead = save_form(
            request,
            form,
            lambda: services.lead_create(
                actor=request.actor,
                allow_duplicates=form.cleaned_data["confirm_duplicate"],
                **form.service_data(),
            ),
            lambda created: _("Lead %(code)s created.") % {"code": created.code},
            let_through=(services.DuplicateFound,),
        )
    except services.DuplicateFound as exc:
        duplicates = exc.matches
    else:
        if lead is not None:
            if "save_add" in request.POST:
                return redirect("leads:create")
            return redirect("leads:detail", pk=lead.pk)
    return render(
        request,
        "leads/form.html",
        {"nav_active": "leads", "form": form, "lead": None, "duplicates": duplicates},
    )


@member_required(Perm.LEAD_VIEW)
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get(member=request.member, pk=pk)
    context = {
        "nav_active": "leads",
        "lead": lead,
        "history": history_for(
            target=lead,
            user_fields=("owner",),
            value_labels={"invalid_reason": INVALID_REASON_LABELS},
        ),
        "can_edit": request.member.has(Perm.LEAD_EDIT),
        "can_delete": request.member.has(Perm.LEAD_DELETE),
        "custom_rows": rows_for(definitions(request.workspace, "lead"), lead.custom),
    }
    return render_page(request, "leads/detail.html", context, partial="history")


@member_required(Perm.LEAD_EDIT)
def lead_edit(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get(member=request.member, pk=pk)
    form = LeadForm(
        request.POST or None,
        owners=active_members_of(request.member),
        initial=initial_from(lead, LeadForm),
        workspace=request.workspace,
        custom=lead.custom,
    )
    saved = save_form(
        request,
        form,
        lambda: services.lead_update(
            actor=request.actor,
            lead=lead,
            version=form.cleaned_data["version"],
            **_kept_owner(request, form.service_data()),
        ),
        _("Saved."),
    )
    if saved is not None:
        return redirect("leads:detail", pk=lead.pk)
    return render(request, "leads/form.html", {"nav_active": "leads", "form": form, "lead": lead})


def _kept_owner(request: HttpRequest, data: dict) -> dict:
    """Without lead.assign the edit form keeps the owner (the service would refuse a change)."""
    if not request.member.has(Perm.LEAD_ASSIGN):  # type: ignore[attr-defined]
        data.pop("owner", None)
    return data


@require_POST
@member_required(Perm.LEAD_DELETE)
def lead_delete(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get(member=request.member, pk=pk)
    services.lead_delete(actor=request.actor, lead=lead)
    messages.success(request, _("Lead %(code)s deleted.") % {"code": lead.code})
    return redirect("leads:list")
