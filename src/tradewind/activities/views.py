"""The notifications page, the header bell (an htmx partial loaded after the page) and mark read."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tradewind.core.errors import NotFound
from tradewind.core.htmx import render_page
from tradewind.workspaces.decorators import member_required

from . import notifications


@member_required()
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    context = {
        "nav_active": "",
        "items": notifications.notifications_for(request.member, unread_only=unread_only),
        "unread_only": unread_only,
        "unread": notifications.unread_count(request.member),
    }
    return render_page(
        request, "activities/notifications.html", context, partial="notification-list"
    )


@member_required()
def notification_bell(request: HttpRequest) -> HttpResponse:
    """Loaded by htmx after the page: the pages themselves spend no query on the bell."""
    context = {"unread": notifications.unread_count(request.member)}
    return render_page(request, "activities/notifications_bell.html", context)


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
        row = notifications.notification_mark_read(member=request.member, notification_id=pk)
    except NotFound as exc:
        from django.http import Http404

        raise Http404(str(exc.message)) from exc
    if request.POST.get("open") and (target := _safe_next(request, row.url)):
        return redirect(target)
    return redirect("activities:notifications")


@require_POST
@member_required()
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notifications.notifications_mark_all_read(member=request.member)
    return redirect("activities:notifications")
