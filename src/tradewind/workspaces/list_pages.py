"""The page side of a list's tools, shared by every module's list (leads, customers): saving and
deleting a saved view, reporting a bulk action's result, sending an export file. Each module keeps
its own URL, permission, filter class and services; these only parse, call and answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any, Protocol

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from tradewind.core.bulk import BulkResult
from tradewind.core.errors import NotFound, ServiceError
from tradewind.core.forms import report_service_error

from . import saved_views


class ListFilter(Protocol):
    def querystring(self) -> str: ...


def list_url(name: str, query: str = "") -> str:
    return reverse(name) + (f"?{query}" if query else "")


def posted_filters(request: HttpRequest, parse: Callable[[QueryDict], Any]) -> Any:
    """The list's filters as the page posted them (a query string in the `query` field)."""
    return parse(QueryDict(request.POST.get("query", "").lstrip("?")))


def view_save(
    request: HttpRequest, *, module: str, list_name: str, parse: Callable[[QueryDict], Any]
) -> HttpResponse:
    # Re-parsed by the module's filter: a saved view keeps only filters that module knows.
    query = posted_filters(request, parse).querystring()
    try:
        view = saved_views.saved_view_create(
            actor=request.actor,  # type: ignore[attr-defined]
            module=module,
            name=request.POST.get("name", ""),
            query=query,
            shared=request.POST.get("shared") == "on",
        )
    except ServiceError as exc:
        report_service_error(request, exc)
        return redirect(list_url(list_name, query))
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(list_url(list_name, "&".join(p for p in (view.query, f"view={view.pk}") if p)))


def view_delete(request: HttpRequest, *, module: str, list_name: str, pk: int) -> HttpResponse:
    try:
        view = saved_views.saved_view_get(member=request.member, module=module, pk=pk)  # type: ignore[attr-defined]
    except NotFound:
        raise Http404 from None
    try:
        saved_views.saved_view_delete(actor=request.actor, view=view)  # type: ignore[attr-defined]
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect(list_name)


def bulk_answer(
    request: HttpRequest,
    *,
    run: Callable[[], BulkResult],
    back: str,
    done: Callable[[int], str],
    skipped: Callable[[int, str], str],
) -> HttpResponse:
    """Run a bulk action and tell what happened: how many done, and how many skipped for each
    reason. A refusal of the whole action (no selection, too many, no permission) is one message."""
    try:
        result = run()
    except ServiceError as exc:
        report_service_error(request, exc)
        return redirect(back)
    if result.done:
        messages.success(request, done(result.done))
    for reason, count in result.skipped.items():
        messages.warning(request, skipped(count, reason))
    return redirect(back)


def export_answer(
    request: HttpRequest, *, run: Callable[[], tuple[IO[bytes], str, str]], back: str
) -> HttpResponse:
    try:
        out, name, kind = run()
    except ServiceError as exc:
        report_service_error(request, exc)
        return redirect(back)
    return FileResponse(out, as_attachment=True, filename=name, content_type=kind)
