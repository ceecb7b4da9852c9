"""The notifications page, the header bell (an htmx partial loaded after the page, its count
polled), the bell's dropdown (loaded when opened), mark read, and the personal preferences page."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import NotFound, ServiceError
from tradewind.core.htmx import render_page
from tradewind.workspaces.decorators import member_required

from . import notification_prefs, notifications
from .digests import DIGEST_HOUR
from .models_notifications import EmailMode

BELL_POLL_SECONDS = 60  # the count only: one indexed query per open page per minute
MENU_LIMIT = 8
HTMX_STOP_POLLING = 286  # htmx stops a poll that answers this


def _before(request: HttpRequest) -> int | None:
    value = request.GET.get("before", "")
    return int(value) if value.isdigit() else None


def _menu_requested(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and htmx.target == "notification-menu"


def _list_context(request: HttpRequest) -> dict[str, Any]:
    member = request.member  # type: ignore[attr-defined]
    menu = _menu_requested(request)
    unread_only = request.GET.get("unread") == "1" and not menu
    limit = MENU_LIMIT if menu else notifications.LIST_LIMIT
    items = notifications.notifications_for(
        member, unread_only=unread_only, limit=limit, before=None if menu else _before(request)
    )
    return {
        "nav_active": "",
        "items": items,
        "unread_only": unread_only,
        "unread": notifications.unread_count(member),
        # A full page means there may be older ones: the last id is the cursor.
        "older": items[-1].id if len(items) == limit and not menu else None,
        "before": _before(request),
    }


@member_required()
def notification_list(request: HttpRequest) -> HttpResponse:
    context = _list_context(request)
    if _menu_requested(request):
        return render_page(
            request, "activities/notifications.html", context, partial="notification-menu"
        )
    return render_page(
        request, "activities/notifications.html", context, partial="notification-list"
    )


def notification_bell(request: HttpRequest) -> HttpResponse:
    """Loaded by htmx after the page (pages spend no query on the bell); its count polls itself."""
    member = getattr(request, "member", None)
    if member is None:
        htmx = getattr(request, "htmx", None)
        if htmx:  # signed out meanwhile: stop polling instead of swapping a login page in
            return HttpResponse(status=HTMX_STOP_POLLING)
        return redirect_to_login(request.get_full_path())
    context = {"unread": notifications.unread_count(member), "poll_seconds": BELL_POLL_SECONDS}
    return render_page(
        request, "activities/notifications_bell.html", context, partial="notification-count"
    )


def _safe_next(request: HttpRequest, url: str) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


@require_POST
@member_required()
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        row = notifications.notification_mark_read(
            member=request.member,  # type: ignore[attr-defined]
            notification_id=pk,
        )
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    if request.POST.get("open") and (target := _safe_next(request, row.url)):
        return redirect(target)
    return redirect("activities:notifications")


@require_POST
@member_required()
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notifications.notifications_mark_all_read(member=request.member)  # type: ignore[attr-defined]
    if _menu_requested(request):
        response = render_page(
            request,
            "activities/notifications.html",
            _list_context(request),
            partial="notification-menu",
        )
        response["HX-Trigger"] = "notifications-changed"  # the bell's count refreshes itself
        return response
    target = _safe_next(request, request.POST.get("next", ""))
    return redirect(target or "activities:notifications")


# --- preferences ----------------------------------------------------------------------------------


def _posted_items(request: HttpRequest) -> list[dict[str, Any]]:
    """Only the kinds the page showed: a kind added since stays untouched (an unticked box and a
    missing one look the same)."""
    if request.POST.get("reset"):
        return [
            {"kind": kind, "in_app": d.in_app, "email": d.email}
            for kind in notifications.KINDS
            for d in [notification_prefs.default_choice(kind)]
        ]
    return [
        {
            "kind": kind,
            "in_app": request.POST.get(f"in_app:{kind}") == "on",
            "email": request.POST.get(f"email:{kind}", ""),
        }
        for kind in request.POST.getlist("kinds")
    ]


@member_required()
def notification_preferences(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    rows = notification_prefs.preferences_for(member)
    error: ServiceError | None = None
    if request.method == "POST":
        items = _posted_items(request)
        try:
            changed = notification_prefs.notification_preferences_set(
                actor=request.actor,  # type: ignore[attr-defined]
                items=items,
            )
        except ServiceError as exc:
            error = exc
            # Show what was posted, with the problems marked; nothing was saved.
            posted = {i["kind"]: i for i in items}
            rows = [
                dataclasses.replace(
                    r, in_app=posted[r.kind]["in_app"], email=str(posted[r.kind]["email"])
                )
                if r.kind in posted
                else r
                for r in rows
            ]
        else:
            if changed:
                messages.success(request, _("Notification preferences saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("activities:notification_preferences")
    problems = {k: [str(m) for m in v] for k, v in error.fields.items()} if error else {}
    context = {
        "nav_active": "settings",
        "tab": "notifications",
        "groups": [
            (area, label, [(row, problems.get(row.kind, [])) for row in group])
            for area, label, group in notification_prefs.grouped(rows)
        ],
        "email_modes": EmailMode.choices,
        "digest_hour": f"{DIGEST_HOUR:02d}:00",
        "error": error,
    }
    status = error.status if error else 200
    return render_page(request, "activities/notification_preferences.html", context, status=status)
