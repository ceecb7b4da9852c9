"""The "Suggested from the library" panel of leads, customers and opportunities; deal reviews
(new from a closed opportunity, edit); the monthly review; "items sent before won deals"."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tradewind.activities.targets import target_url
from tradewind.core.errors import NotFound, ServiceError
from tradewind.core.forms import report_service_error
from tradewind.core.htmx import render_page
from tradewind.sales.choices import OpportunityStatus
from tradewind.sales.models_products import Product
from tradewind.workspaces.daily_jobs import day_start
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.timezones import workspace_today

from . import access, reviews, sending, suggestions
from . import library_selectors as sel
from .choices import TagKind
from .models import LibraryItem
from .tags import stage_choices


@member_required()
def suggest_panel(request: HttpRequest, target_type: str, target_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    typed = request.GET.get("objection", "").strip()[:500]
    try:
        ctx = suggestions.record_context(member, target_type, target_id, objection=typed or None)
    except NotFound:
        raise Http404 from None
    review = None
    can_review = False
    if target_type == "opportunity":
        review = reviews.review_of(member, ctx.record)
        can_review = (
            ctx.record.status in reviews.CLOSED and review is None and member.has(access.REVIEW)
        )
    return render(
        request,
        "enablement/library/_suggest_panel.html",
        {
            "ctx": ctx,
            "items": suggestions.suggest(member, ctx),
            "typed": typed,
            "panel_url": reverse("enablement:suggest_panel", args=[target_type, target_id]),
            "record_url": target_url(ctx.record),
            "can_use": access.can_add(member),
            "email": sending.email_available(),
            "review": review,
            "can_review": can_review,
            "is_closed": target_type == "opportunity"
            and ctx.record.status != OpportunityStatus.OPEN,
        },
    )


# --- reviews -------------------------------------------------------------------------------------


def _review_page(
    request: HttpRequest,
    *,
    opportunity: Any,
    item: LibraryItem | None,
    values: dict[str, Any],
    errors: dict[str, list[Any]] | None = None,
    message: str = "",
    status: int = 200,
) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    chosen = [int(p) for p in values.get("products", []) if str(p).isdigit()]
    return render(
        request,
        "enablement/reviews/form.html",
        {
            "nav_active": "library",
            "opportunity": opportunity,
            "item": item,
            "values": values,
            "errors": errors or {},
            "message": message,
            "products": list(
                Product.objects.filter(workspace_id=member.workspace_id, pk__in=chosen).order_by(
                    "sku"
                )
            )
            + list(
                Product.objects.filter(workspace_id=member.workspace_id, is_active=True)
                .exclude(pk__in=chosen)
                .order_by("sku")[:300]
            ),
            "stage_choices": stage_choices(),
        },
        status=status,
    )


def _posted(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    return {
        "title": post.get("title", ""),
        "worked": post.get("worked", ""),
        "failed": post.get("failed", ""),
        "profile": post.get("profile", ""),
        "industries": post.get("industries", ""),
        "stages": post.get("stages", ""),
        "objections": post.get("objections", ""),
        "products": post.getlist("products"),
    }


def _tag_text(values: list[Any]) -> str:
    return ", ".join(str(v) for v in values)


@member_required(access.REVIEW)
def review_new(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    try:
        opportunity = reviews.opportunity_for_review(member, opportunity_id)
    except NotFound:
        raise Http404 from None
    existing = reviews.review_of(member, opportunity)
    if existing is not None:
        return redirect("enablement:review_edit", pk=existing.pk)
    if request.method == "POST":
        values = _posted(request)
        try:
            item = reviews.review_create(
                actor=request.actor,  # type: ignore[attr-defined]
                opportunity_id=opportunity.pk,
                **values,
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                report_service_error(request, exc)
            return _review_page(
                request,
                opportunity=opportunity,
                item=None,
                values=values,
                errors=exc.fields,
                message=str(exc.message),
                status=exc.status,
            )
        messages.success(request, _("The review is in the library."))
        return redirect("enablement:item_detail", pk=item.pk)
    if opportunity.status not in reviews.CLOSED:
        messages.error(request, _("Only a won or lost opportunity can be reviewed."))
        return redirect("sales:opportunity_detail", pk=opportunity.pk)
    defaults = reviews.review_defaults(opportunity)
    from .tags import stage_label

    values = {
        "title": defaults["title"],
        "worked": "",
        "failed": "",
        "profile": "",
        "industries": _tag_text(defaults["industries"]),
        "stages": _tag_text([stage_label(s) for s in defaults["stages"]]),
        "objections": _tag_text(defaults["objections"]),
        "products": [str(p) for p in defaults["products"]],
    }
    return _review_page(request, opportunity=opportunity, item=None, values=values)


@member_required(access.REVIEW)
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    try:
        item = reviews.review_get(member, pk)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        values = _posted(request)
        version = request.POST.get("version", "")
        try:
            item = reviews.review_update(
                actor=request.actor,  # type: ignore[attr-defined]
                review_id=item.pk,
                expected_version=int(version) if version.isdigit() else None,
                **values,
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                report_service_error(request, exc)
            return _review_page(
                request,
                opportunity=item.opportunity,
                item=item,
                values=values,
                errors=exc.fields,
                message=str(exc.message),
                status=exc.status,
            )
        messages.success(request, _("Saved."))
        return redirect("enablement:item_detail", pk=item.pk)
    if not access.can_change_item(member, item):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    tags = sel.tags_by_kind(item)
    values = {
        "title": item.title,
        "worked": item.worked,
        "failed": item.failed,
        "profile": item.profile,
        "industries": _tag_text([t.value for t in tags.get(TagKind.INDUSTRY, [])]),
        "stages": _tag_text([t.value for t in tags.get(TagKind.STAGE, [])]),
        "objections": _tag_text([t.value for t in tags.get(TagKind.OBJECTION, [])]),
        "products": [t.key for t in tags.get(TagKind.PRODUCT, [])],
    }
    return _review_page(request, opportunity=item.opportunity, item=item, values=values)


@member_required()
def monthly_review(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    month = reviews.parse_month(request.GET.get("month"), workspace_today(member.workspace))
    review = reviews.monthly_review(member, month)
    label = f"{month:%Y-%m}"
    return render_page(
        request,
        "enablement/reviews/monthly.html",
        {
            "nav_active": "reports",
            "review": review,
            "month": label,
            "prev": f"{reviews.month_shift(month, -1):%Y-%m}",
            "next": f"{reviews.month_shift(month, 1):%Y-%m}",
            "conversion_url": reverse("analytics:conversion") + f"?month={label}",
        },
        partial="report",
    )


def _day(request: HttpRequest, name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.GET.get(name, "")[:10])
    except ValueError:
        return None


@member_required()
def usage_report(request: HttpRequest) -> HttpResponse:
    """Items used on opportunities before they closed, won deals first (deals closed between
    `start` and `end`, whole days in the workspace's zone)."""
    member = request.member  # type: ignore[attr-defined]
    start, end = _day(request, "start"), _day(request, "end")
    lo = day_start(start, member.workspace) if start else None
    hi = day_start(end + dt.timedelta(days=1), member.workspace) if end else None
    rows = sel.won_report(member, start=lo, end=hi)
    return render(
        request,
        "enablement/library/usage_report.html",
        {
            "nav_active": "reports",
            "rows": rows,
            "start": start,
            "end": end,
            "currency": member.workspace.base_currency,
        },
    )
