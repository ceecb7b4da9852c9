"""The kanban board page (销售管道): columns per open stage with totals, cards loaded in pages,
drag and drop or a "Move to…" menu that call the same services as the opportunity form
(sales/moves.py, sales/closing.py), so a refusal says exactly what the form says.

GET board:index answers the full page, or with htmx and `stage` one column (without `cursor`) or
the next page of its cards (with `cursor`). The move and close endpoints answer JSON to the board's
script (Accept: application/json) and redirect back with a message otherwise (no script)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import ServiceError
from tradewind.workspaces.choices import DataScope
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import active_members_of, teams_of

from . import board as board_read
from .closing import close_reasons, opportunity_close, reason_label
from .models import Opportunity
from .moves import opportunity_move

TEMPLATE = "sales/board/index.html"


_int = board_read.int_or_none


def _board_query(board: board_read.Board) -> str:
    """The board's state as a query string: pipeline + filters (links, column reloads)."""
    return urlencode({"pipeline": board.pipeline.pk, **board.filters.params()})


def _context(member: Membership, board: board_read.Board) -> dict[str, Any]:
    wide = member.data_scope != DataScope.OWN
    return {
        "nav_active": "opportunities",
        "board": board,
        "query": _board_query(board),
        "filter_query": board.filters.querystring(),
        "filters": board.filters,
        "can_edit": member.has(Perm.OPPORTUNITY_EDIT),
        "can_rates": member.has(Perm.RATES_MANAGE),
        "owners": active_members_of(member) if wide else [],
        "teams": teams_of(member) if wide else [],
    }


@member_required(Perm.OPPORTUNITY_VIEW)
def board_index(request: HttpRequest) -> HttpResponse:
    member = request.member
    stage_id = _int(request.GET.get("stage"))
    if stage_id is not None and request.htmx:
        cursor = request.GET.get("cursor") or None
        board, column, page = board_read.board_column(
            member=member, params=request.GET, stage_id=stage_id, cursor=cursor
        )
        if column is None:
            return HttpResponse(status=404)
        context = _context(member, board) | {"column": column, "page": page}
        return render(request, f"{TEMPLATE}#{'cards' if cursor else 'column'}", context)
    board = board_read.board_load(member=member, params=request.GET)
    context = _context(member, board)
    if request.htmx and request.htmx.target == "board" and not request.htmx.boosted:
        return render(request, f"{TEMPLATE}#board", context)
    context["lost_reasons"] = (
        [(r.pk, reason_label(r)) for r in close_reasons(member.workspace, "lost")]
        if context["can_edit"]
        else []
    )
    context["board_texts"] = {
        "failed": _("The change could not be saved. Please try again."),
        "stale": _(
            "Someone changed this opportunity meanwhile: the columns were reloaded. "
            "Please check and try again."
        ),
        "close": _("Close"),
    }
    return render(request, TEMPLATE, context)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _posted_params(request: HttpRequest) -> QueryDict:
    """The board's pipeline and filters the script posts along (`query`), to redraw the headers."""
    return QueryDict(str(request.POST.get("query", ""))[:2000])


def _board_url(params: QueryDict) -> str:
    query = params.urlencode()
    return reverse("board:index") + (f"?{query}" if query else "")


def _changed(request: HttpRequest, opportunity_id: int) -> dict[str, Any]:
    """After a move or a close: the card as it is now (if still open) and every column header."""
    member = request.member
    board = board_read.board_load(member=member, params=_posted_params(request), cards=False)
    context = _context(member, board)
    headers = {
        str(column.stage.pk): render_to_string(
            f"{TEMPLATE}#column-head", context | {"column": column}, request=request
        )
        for column in board.columns
    }
    summary = render_to_string(f"{TEMPLATE}#summary", context, request=request)
    card_html = ""
    card = (
        Opportunity.objects.visible_to(member)
        .filter(pk=opportunity_id, status="open", pipeline_id=board.pipeline.pk)
        .select_related("customer", "owner", "stage")
        .first()
    )
    if card is not None:
        board_read.decorate(card, stage=card.stage, today=board.today)
        card_html = render_to_string(f"{TEMPLATE}#card", context | {"card": card}, request=request)
    return {"card": card_html, "headers": headers, "summary": summary}


def _refusal(request: HttpRequest, error: ServiceError) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"ok": False, **error.as_dict()}, status=error.status)
    messages.error(request, str(error.message))
    return redirect(_board_url(_posted_params(request)))


@require_POST
@member_required(Perm.OPPORTUNITY_EDIT)
def board_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Drag and drop or "Move to…": opportunity_move with the card's version."""
    opportunity = get_object_or_404(Opportunity.objects.visible_to(request.member), pk=pk)
    stage_id = _int(request.POST.get("stage"))
    if stage_id is None:
        return _refusal(request, ServiceError("invalid", _("Choose a stage to move to.")))
    try:
        result = opportunity_move(
            actor=request.actor,
            opportunity_id=opportunity.pk,
            stage_id=stage_id,
            expected_version=_int(request.POST.get("version")),
        )
    except ServiceError as error:
        return _refusal(request, error)
    moved = result.opportunity
    message = _("%(code)s moved to %(stage)s.") % {"code": moved.code, "stage": moved.stage.label}
    warnings = [str(w) for w in result.warnings]
    if _wants_json(request):
        return JsonResponse(
            {"ok": True, "message": message, "warnings": warnings, **_changed(request, moved.pk)}
        )
    messages.success(request, message)
    for warning in warnings:
        messages.warning(request, warning)
    return redirect(_board_url(_posted_params(request)))


@require_POST
@member_required(Perm.OPPORTUNITY_EDIT)
def board_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Dropped on Won (after a confirm) or Lost (after the dialog): opportunity_close."""
    opportunity = get_object_or_404(Opportunity.objects.visible_to(request.member), pk=pk)
    outcome = str(request.POST.get("outcome", ""))
    if outcome not in ("won", "lost"):
        return _refusal(request, ServiceError("invalid", _("Choose won or lost.")))
    try:
        closed = opportunity_close(
            actor=request.actor,
            opportunity_id=opportunity.pk,
            outcome=outcome,
            reason_id=_int(request.POST.get("reason")),
            competitor=str(request.POST.get("competitor", ""))[:200],
            note=str(request.POST.get("note", ""))[:5000],
            expected_version=_int(request.POST.get("version")),
        )
    except ServiceError as error:
        return _refusal(request, error)
    if outcome == "won":
        message = _("%(code)s closed as won.") % {"code": closed.code}
    else:
        message = _("%(code)s closed as lost.") % {"code": closed.code}
    if _wants_json(request):
        return JsonResponse(
            {"ok": True, "message": message, "warnings": [], **_changed(request, closed.pk)}
        )
    messages.success(request, message)
    return redirect(_board_url(_posted_params(request)))
