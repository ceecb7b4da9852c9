"""The document settings page: letterhead, bank details, chop and contract clauses (the
DocumentProfile), and the workspace's list of payment terms. Perm.WORKSPACE_MANAGE."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import ServiceError
from tradewind.core.forms import report_service_error
from tradewind.core.uploads import image_response
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import selectors
from .settings_services import PROFILE_FIELDS, payment_term_save, profile_get, profile_update

EMPTY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@member_required(Perm.WORKSPACE_MANAGE)
def documents_settings(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    profile = profile_get(member.workspace)
    errors: dict = {}
    values = {name: getattr(profile, name) for name in PROFILE_FIELDS}
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in PROFILE_FIELDS}
        seen = request.POST.get("version", "")
        try:
            profile_update(
                actor=request.actor,  # type: ignore[attr-defined]
                fields=values,
                chop=request.FILES.get("chop"),
                remove_chop=request.POST.get("remove_chop") == "on",
                expected_version=int(seen) if seen.isdigit() else None,
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                report_service_error(request, exc)
            errors = exc.fields or {"__all__": [exc.message]}
        else:
            messages.success(request, _("Document settings saved."))
            return redirect("documents_settings:index")
    return render(
        request,
        "orders/settings_documents.html",
        {
            "tab": "documents",
            "profile": profile,
            "values": values,
            "errors": errors,
            "terms": selectors.payment_terms(member, active_only=False),
        },
    )


@member_required(Perm.WORKSPACE_MANAGE)
def chop_file(request: HttpRequest) -> HttpResponseBase:
    profile = profile_get(request.member.workspace)  # type: ignore[attr-defined]
    if not profile.chop:  # no chop yet: a transparent pixel, so the page's image never breaks
        return HttpResponse(EMPTY_PNG, content_type="image/png")
    return image_response(profile.chop)  # the type from the bytes, not the uploaded name


@require_POST
@member_required(Perm.WORKSPACE_MANAGE)
def payment_term_add(request: HttpRequest) -> HttpResponse:
    try:
        payment_term_save(
            actor=request.actor,  # type: ignore[attr-defined]
            label_en=request.POST.get("label_en", ""),
            label_zh=request.POST.get("label_zh", ""),
        )
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(request, _("Payment term added."))
    return redirect("documents_settings:index")


@require_POST
@member_required(Perm.WORKSPACE_MANAGE)
def payment_term_edit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        payment_term_save(
            actor=request.actor,  # type: ignore[attr-defined]
            term_id=pk,
            label_en=request.POST.get("label_en", ""),
            label_zh=request.POST.get("label_zh", ""),
            is_active=request.POST.get("is_active") == "on",
        )
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(request, _("Payment term saved."))
    return redirect("documents_settings:index")
