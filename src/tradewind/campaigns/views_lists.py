"""Marketing list and consent pages (Perm.CAMPAIGN_MANAGE)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tradewind.core.errors import ServiceError
from tradewind.core.forms import report_service_error
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import consent, lists
from .choices import RECORDABLE_SOURCES, ConsentStatus, ListSource
from .models import MarketingList
from .views import base, found

MANAGE = Perm.CAMPAIGN_MANAGE


def _list_form(request: HttpRequest, mlist: MarketingList | None) -> tuple[dict, dict]:
    values = {
        "name": request.POST.get("name", ""),
        "source": request.POST.get("source", ""),
        "saved_view": request.POST.get("saved_view_" + request.POST.get("source", ""), ""),
    }
    try:
        saved = lists.marketing_list_save(
            actor=request.actor,  # type: ignore[attr-defined]
            list_id=mlist.pk if mlist is not None else None,
            name=values["name"],
            source=values["source"],
            saved_view_id=int(values["saved_view"]) if values["saved_view"].isdigit() else None,
            version=int(request.POST["version"])
            if request.POST.get("version", "").isdigit()
            else None,
        )
    except ServiceError as exc:
        return values, exc.fields or {"__all__": [exc.message]}
    messages.success(request, _("List saved."))
    return {"saved": saved}, {}


def _list_context(request: HttpRequest, **more: Any) -> dict[str, Any]:
    member = request.member  # type: ignore[attr-defined]
    return base(
        request,
        "lists",
        sources=ListSource.choices,
        views=lists.views_for(member),
        **more,
    )


@member_required(MANAGE)
def list_index(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    values: dict = {"name": "", "source": "", "saved_view": ""}
    errors: dict = {}
    if request.method == "POST":
        values, errors = _list_form(request, None)
        if not errors:
            return redirect("campaigns:list_detail", values["saved"].pk)
    return render(
        request,
        "campaigns/lists.html",
        _list_context(request, lists_=list(lists.lists_for(member)), values=values, errors=errors),
        status=422 if errors else 200,
    )


@member_required(MANAGE)
def list_detail(request: HttpRequest, list_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    mlist = found(lists.list_get, member, list_id)
    values = {
        "name": mlist.name,
        "source": mlist.source,
        "saved_view": str(mlist.saved_view_id or ""),
    }
    errors: dict = {}
    if request.method == "POST":
        values, errors = _list_form(request, mlist)
        if not errors:
            return redirect("campaigns:list_detail", mlist.pk)
    resolved = lists.resolve(mlist)
    return render(
        request,
        "campaigns/list_detail.html",
        _list_context(
            request,
            mlist=mlist,
            values=values,
            errors=errors,
            counts=resolved.counts(),
            note=resolved.note,
            members=[(m, resolved.consent.get(m.email, "")) for m in resolved.members[:100]],
            addresses=list(mlist.addresses.order_by("id")[:500]),
            statuses=dict(ConsentStatus.choices),
        ),
        status=422 if errors else 200,
    )


@require_POST
@member_required(MANAGE)
def list_addresses(request: HttpRequest, list_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    mlist = found(lists.list_get, member, list_id)
    try:
        added = lists.marketing_list_add_addresses(
            actor=request.actor,  # type: ignore[attr-defined]
            mlist=mlist,
            text=request.POST.get("addresses", ""),
        )
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(
            request,
            ngettext("%(n)s address added.", "%(n)s addresses added.", added) % {"n": added},
        )
    return redirect("campaigns:list_detail", mlist.pk)


@require_POST
@member_required(MANAGE)
def list_address_remove(request: HttpRequest, list_id: int, address_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    mlist = found(lists.list_get, member, list_id)
    try:
        lists.marketing_list_remove_address(
            actor=request.actor,  # type: ignore[attr-defined]
            mlist=mlist,
            address_id=address_id,
        )
    except ServiceError as exc:
        report_service_error(request, exc)
    return redirect("campaigns:list_detail", mlist.pk)


@require_POST
@member_required(MANAGE)
def list_delete(request: HttpRequest, list_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    mlist = found(lists.list_get, member, list_id)
    try:
        lists.marketing_list_delete(actor=request.actor, mlist=mlist)  # type: ignore[attr-defined]
    except ServiceError as exc:
        report_service_error(request, exc)
        return redirect("campaigns:list_detail", mlist.pk)
    messages.success(request, _("List deleted."))
    return redirect("campaigns:lists")


# --- consent -------------------------------------------------------------------------------------


def _consent_context(request: HttpRequest, **more: Any) -> dict[str, Any]:
    member = request.member  # type: ignore[attr-defined]
    status = request.GET.get("status", "")
    q = request.GET.get("q", "")[:100]
    page = consent.consent_page(member, status=status, q=q, cursor=request.GET.get("cursor"))
    return base(
        request,
        "consent",
        page=page,
        status=status,
        q=q,
        statuses=ConsentStatus.choices,
        sources=[(s.value, s.label) for s in RECORDABLE_SOURCES],
        **more,
    )


@member_required(MANAGE)
def consent_index(request: HttpRequest) -> HttpResponse:
    values = {
        "email": "",
        "status": ConsentStatus.OPTED_IN,
        "source": "manual",
        "date": "",
        "note": "",
    }
    errors: dict = {}
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in values}
        try:
            consent.consent_record(
                actor=request.actor,  # type: ignore[attr-defined]
                email=values["email"],
                status=values["status"],
                source=values["source"],
                consented_at=consent.parse_date(values["date"], "date"),
                note=values["note"],
            )
        except ServiceError as exc:
            errors = exc.fields or {"__all__": [exc.message]}
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("campaigns:consent")
    return render(
        request,
        "campaigns/consent.html",
        _consent_context(request, values=values, errors=errors),
        status=422 if errors else 200,
    )


@require_POST
@member_required(MANAGE)
def consent_import(request: HttpRequest) -> HttpResponse:
    text = request.POST.get("addresses", "")
    upload = request.FILES.get("file")
    if upload is not None:
        raw = upload.read(2_000_000)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")
    try:
        counts = consent.consent_import(
            actor=request.actor,  # type: ignore[attr-defined]
            text=text,
            source=request.POST.get("source", "import"),
            overwrite=request.POST.get("overwrite") == "on",
        )
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(
            request,
            _(
                "%(recorded)s recorded, %(unchanged)s already opted in, %(kept)s kept as unsubscribed or bounced."
            )
            % {
                "recorded": counts["recorded"],
                "unchanged": counts["unchanged"],
                "kept": counts["kept_opted_out"],
            },
        )
    return redirect("campaigns:consent")


def _history(row: Any) -> list[tuple[Any, str, str]]:
    """Each audit row with its status change in words (both empty when the status stayed)."""
    names = dict(ConsentStatus.choices)
    found = []
    for event in consent.consent_history(row):
        old, new = (event.changes.get("status") or [None, None])[:2]
        found.append((event, str(names.get(old, "")), str(names.get(new, ""))))
    return found


@member_required(MANAGE)
def consent_detail(request: HttpRequest, consent_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    row = consent.consents_for(member).filter(pk=consent_id).first()
    if row is None:
        raise Http404
    return render(
        request,
        "campaigns/consent_detail.html",
        base(request, "consent", consent=row, history=_history(row)),
    )
