"""Campaign pages (Perm.CAMPAIGN_MANAGE): the campaigns, one campaign (preview, send or schedule,
cancel, report), the form; thin: parse, call services and selectors, render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import NotFound, ServiceError
from tradewind.core.forms import report_service_error
from tradewind.mailing.selectors import templates_for
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import lists, report, services
from .choices import EDITABLE_STATUSES, CampaignStatus
from .models import Campaign, CampaignPolicy
from .preview import campaign_preview

MANAGE = Perm.CAMPAIGN_MANAGE
T = TypeVar("T")
FORM_FIELDS = ("name", "template", "list", "account", "batch_size", "batch_minutes")


def found(getter: Callable[..., T], *args: Any) -> T:
    """A service getter's 404 (outside the workspace, no such id) as the page's 404."""
    try:
        return getter(*args)
    except NotFound:
        raise Http404 from None


def base(request: HttpRequest, tab: str, **more: Any) -> dict[str, Any]:
    return {"nav_active": "campaigns", "tab": tab, **more}


@member_required(MANAGE)
def campaign_list(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    campaigns = list(services.campaigns_for(member).order_by("-id")[:200])
    policy = CampaignPolicy.for_workspace(member.workspace_id)
    return render(
        request,
        "campaigns/list.html",
        base(request, "campaigns", campaigns=campaigns, policy=policy),
    )


def _form_context(
    request: HttpRequest, campaign: Campaign | None, values: dict, errors: dict
) -> dict:
    member = request.member  # type: ignore[attr-defined]
    return base(
        request,
        "campaigns",
        campaign=campaign,
        values=values,
        errors=errors,
        templates=templates_for(member, active_only=True),
        lists=list(lists.lists_for(member)),
        accounts=list(services.accounts_for(request.actor)),  # type: ignore[attr-defined]
    )


def _edit(request: HttpRequest, campaign: Campaign | None) -> HttpResponse:
    values: dict[str, Any] = {"batch_size": 50, "batch_minutes": 1}
    if campaign is not None:
        values = {
            "name": campaign.name,
            "template": campaign.template_id,
            "list": campaign.mlist_id,
            "account": campaign.account_id,
            "batch_size": campaign.batch_size,
            "batch_minutes": campaign.batch_minutes,
        }
    errors: dict = {}
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in FORM_FIELDS}
        seen = request.POST.get("version", "")
        try:
            saved = services.campaign_save(
                actor=request.actor,  # type: ignore[attr-defined]
                campaign_id=campaign.pk if campaign is not None else None,
                name=values["name"],
                template_id=int(values["template"]) if values["template"].isdigit() else None,
                list_id=int(values["list"]) if values["list"].isdigit() else None,
                account_id=int(values["account"]) if values["account"].isdigit() else None,
                batch_size=values["batch_size"],
                batch_minutes=values["batch_minutes"],
                version=int(seen) if seen.isdigit() else None,
            )
        except ServiceError as exc:
            errors = exc.fields or {"__all__": [exc.message]}
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("campaigns:detail", saved.pk)
    for key in ("template", "list", "account"):
        values[key] = str(values.get(key) or "")
    status = 422 if errors else 200
    return render(
        request,
        "campaigns/form.html",
        _form_context(request, campaign, values, errors),
        status=status,
    )


@member_required(MANAGE)
def campaign_new(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@member_required(MANAGE)
def campaign_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    return _edit(request, found(services.campaign_get, member, campaign_id))


def _report_rows(campaign: Campaign) -> list[tuple[str, str, int]]:
    figures, names = report.campaign_report(campaign), report.labels()
    return [(key, names[key], figures[key]) for key in report.FIGURES]


@member_required(MANAGE)
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    campaign = found(services.campaign_get, member, campaign_id)
    editable = campaign.status in EDITABLE_STATUSES
    context = base(
        request,
        "campaigns",
        campaign=campaign,
        editable=editable,
        report_rows=_report_rows(campaign),
        recipients=list(campaign.recipients.order_by("id")[:100]),
        may_cancel=campaign.status in (CampaignStatus.SCHEDULED, CampaignStatus.SENDING),
        may_delete=campaign.status in (CampaignStatus.DRAFT, CampaignStatus.CANCELLED)
        and not campaign.recipients.exists(),
        may_send=member.has(Perm.EMAIL_SEND),
        preview=campaign_preview(campaign) if editable else None,
        now_local=timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    )
    return render(request, "campaigns/detail.html", context)


def _send_at(value: str) -> dt.datetime | None:
    if not value.strip():
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip()[:16])
    except ValueError:
        raise ServiceError(
            "campaign_invalid",
            _("Enter a date and time (YYYY-MM-DD HH:MM)."),
            fields={"send_at": [_("Enter a date and time (YYYY-MM-DD HH:MM).")]},
        ) from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@require_POST
@member_required(MANAGE)
def campaign_schedule(request: HttpRequest, campaign_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    campaign = found(services.campaign_get, member, campaign_id)
    try:
        when = (
            _send_at(request.POST.get("send_at", ""))
            if request.POST.get("when") == "later"
            else None
        )
        services.campaign_schedule(
            actor=request.actor,  # type: ignore[attr-defined]
            campaign=campaign,
            send_at=when,
        )
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        if when is None:
            messages.success(request, _("The campaign is being sent."))
        else:
            messages.success(request, _("The campaign is scheduled."))
    return redirect("campaigns:detail", campaign.pk)


@require_POST
@member_required(MANAGE)
def campaign_cancel(request: HttpRequest, campaign_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    campaign = found(services.campaign_get, member, campaign_id)
    try:
        services.campaign_cancel(actor=request.actor, campaign=campaign)  # type: ignore[attr-defined]
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(request, _("The campaign is cancelled: no further batch goes out."))
    return redirect("campaigns:detail", campaign.pk)


@require_POST
@member_required(MANAGE)
def campaign_delete(request: HttpRequest, campaign_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    campaign = found(services.campaign_get, member, campaign_id)
    try:
        services.campaign_delete(actor=request.actor, campaign=campaign)  # type: ignore[attr-defined]
    except ServiceError as exc:
        report_service_error(request, exc)
        return redirect("campaigns:detail", campaign.pk)
    messages.success(request, _("Campaign deleted."))
    return redirect("campaigns:list")


@member_required(MANAGE)
def campaign_export(request: HttpRequest, campaign_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    campaign = found(services.campaign_get, member, campaign_id)
    content = report.report_xlsx(campaign, report.campaign_report(campaign))
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}.xlsx"'
    return response


@require_POST
@member_required(MANAGE)
def settings_save(request: HttpRequest) -> HttpResponse:
    try:
        services.campaign_policy_save(
            actor=request.actor,  # type: ignore[attr-defined]
            click_points=request.POST.get("click_points", ""),
            reply_points=request.POST.get("reply_points", ""),
        )
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect("campaigns:list")
