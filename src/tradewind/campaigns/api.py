"""Campaigns over the API (/api/v1/campaigns): campaigns (schedule, cancel, report, recipients),
marketing lists (counts, hand-added addresses), consent (record, import, history), the engagement
points. Every operation needs Perm.CAMPAIGN_MANAGE (403 first, then 404 outside the workspace)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from tradewind.core.api import ERRORS
from tradewind.core.errors import ErrorCode, NotFound
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import consent, lists, report, services
from .api_schemas import (
    CampaignIn,
    CampaignOut,
    CampaignRecipientOut,
    CampaignReportOut,
    CampaignScheduleIn,
    CampaignSettingsIO,
    ConsentDetailOut,
    ConsentImportIn,
    ConsentImportOut,
    ConsentIn,
    ConsentOut,
    ConsentPageOut,
    ListAddressesIn,
    ListAddressesOut,
    ListAddressOut,
    MarketingListCountsOut,
    MarketingListIn,
    MarketingListOut,
)
from .models import Campaign, CampaignPolicy, Consent, MarketingList

router = Router(tags=["campaigns"])


def _member(request: HttpRequest) -> Any:
    require(request.actor, Perm.CAMPAIGN_MANAGE)  # type: ignore[attr-defined]
    return request.member  # type: ignore[attr-defined]


def _campaign_out(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.pk,
        "name": c.name,
        "status": c.status,
        "template_id": c.template_id,
        "list_id": c.mlist_id,
        "account_id": c.account_id,
        "batch_size": c.batch_size,
        "batch_minutes": c.batch_minutes,
        "scheduled_at": c.scheduled_at,
        "started_at": c.started_at,
        "finished_at": c.finished_at,
        "error": c.error,
        "version": c.version,
        "created_at": c.created_at,
    }


def _list_out(m: MarketingList) -> dict[str, Any]:
    return {
        "id": m.pk,
        "name": m.name,
        "source": m.source,
        "saved_view_id": m.saved_view_id,
        "owner_id": m.owner_id,
        "version": m.version,
        "created_at": m.created_at,
    }


def _consent_out(c: Consent) -> dict[str, Any]:
    return {
        "id": c.pk,
        "email": c.email,
        "status": c.status,
        "source": c.source,
        "consented_at": c.consented_at,
        "note": c.note,
        "recorded_by_id": c.recorded_by_id,
        "version": c.version,
    }


# --- engagement points and consent (fixed paths before the ids) -----------------------------------


@router.get("/settings", response={200: CampaignSettingsIO, **ERRORS})
def campaign_settings_get(request: HttpRequest) -> Any:
    member = _member(request)
    return CampaignPolicy.for_workspace(member.workspace_id)


@router.put("/settings", response={200: CampaignSettingsIO, **ERRORS})
def campaign_settings_put(request: HttpRequest, payload: CampaignSettingsIO) -> Any:
    _member(request)
    return services.campaign_policy_save(
        actor=request.actor,  # type: ignore[attr-defined]
        click_points=payload.click_points,
        reply_points=payload.reply_points,
    )


@router.get("/consent", response={200: ConsentPageOut, **ERRORS})
def consent_list(
    request: HttpRequest,
    status: str = "",
    q: str = "",
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),  # type: ignore[type-arg]
) -> Any:
    member = _member(request)
    page = consent.consent_page(member, status=status, q=q, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/consent", response={200: ConsentOut, **ERRORS})
def consent_record(request: HttpRequest, payload: ConsentIn) -> Consent:
    _member(request)
    return consent.consent_record(
        actor=request.actor,  # type: ignore[attr-defined]
        email=payload.email,
        status=payload.status,
        source=payload.source,
        consented_at=payload.date,
        note=payload.note,
    )


@router.post("/consent/import", response={200: ConsentImportOut, **ERRORS})
def consent_import(request: HttpRequest, payload: ConsentImportIn) -> dict[str, int]:
    _member(request)
    return consent.consent_import(
        actor=request.actor,  # type: ignore[attr-defined]
        text="\n".join(str(a).replace("\n", " ") for a in payload.addresses),
        source=payload.source,
        overwrite=payload.overwrite,
    )


@router.get("/consent/{consent_id}", response={200: ConsentDetailOut, **ERRORS})
def consent_get(request: HttpRequest, consent_id: int) -> dict[str, Any]:
    member = _member(request)
    row = consent.consents_for(member).filter(pk=consent_id).first()
    if row is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    return {
        **_consent_out(row),
        "history": [
            {
                "at": e.created_at,
                "actor": e.actor_label or e.actor_kind,
                "verb": e.verb,
                "changes": e.changes,
            }
            for e in consent.consent_history(row)
        ],
    }


# --- marketing lists ------------------------------------------------------------------------------


@router.get("/lists", response={200: list[MarketingListOut], **ERRORS})
def marketing_lists(request: HttpRequest) -> list[dict[str, Any]]:
    member = _member(request)
    return [_list_out(m) for m in lists.lists_for(member)[:500]]


@router.post("/lists", response={201: MarketingListOut, **ERRORS})
def marketing_list_create(request: HttpRequest, payload: MarketingListIn) -> Status:
    _member(request)
    mlist = lists.marketing_list_save(
        actor=request.actor,  # type: ignore[attr-defined]
        name=payload.name,
        source=payload.source,
        saved_view_id=payload.saved_view_id,
    )
    return Status(201, _list_out(mlist))


@router.get("/lists/{marketing_list_id}", response={200: MarketingListOut, **ERRORS})
def marketing_list_get(request: HttpRequest, marketing_list_id: int) -> dict[str, Any]:
    return _list_out(lists.list_get(_member(request), marketing_list_id))


@router.put("/lists/{marketing_list_id}", response={200: MarketingListOut, **ERRORS})
def marketing_list_update(
    request: HttpRequest, marketing_list_id: int, payload: MarketingListIn
) -> dict[str, Any]:
    mlist = lists.list_get(_member(request), marketing_list_id)
    saved = lists.marketing_list_save(
        actor=request.actor,  # type: ignore[attr-defined]
        list_id=mlist.pk,
        name=payload.name,
        source=payload.source,
        saved_view_id=payload.saved_view_id,
        version=payload.version,
    )
    return _list_out(saved)


@router.delete("/lists/{marketing_list_id}", response={204: None, **ERRORS})
def marketing_list_delete(request: HttpRequest, marketing_list_id: int) -> Status:
    mlist = lists.list_get(_member(request), marketing_list_id)
    lists.marketing_list_delete(actor=request.actor, mlist=mlist)  # type: ignore[attr-defined]
    return Status(204, None)


@router.get(
    "/lists/{marketing_list_id}/counts",
    response={200: MarketingListCountsOut, **ERRORS},
    summary="Who the list reaches now: totals by consent, duplicates dropped",
)
def marketing_list_counts(request: HttpRequest, marketing_list_id: int) -> dict[str, Any]:
    resolved = lists.resolve(lists.list_get(_member(request), marketing_list_id))
    return {**resolved.counts(), "note": str(resolved.note)}


@router.get("/lists/{marketing_list_id}/addresses", response={200: list[ListAddressOut], **ERRORS})
def marketing_list_addresses(request: HttpRequest, marketing_list_id: int) -> Any:
    mlist = lists.list_get(_member(request), marketing_list_id)
    return list(mlist.addresses.order_by("id")[:5000])


@router.post("/lists/{marketing_list_id}/addresses", response={200: ListAddressesOut, **ERRORS})
def marketing_list_add(
    request: HttpRequest, marketing_list_id: int, payload: ListAddressesIn
) -> dict[str, int]:
    mlist = lists.list_get(_member(request), marketing_list_id)
    added = lists.marketing_list_add_addresses(
        actor=request.actor,  # type: ignore[attr-defined]
        mlist=mlist,
        text="\n".join(str(a).replace("\n", " ") for a in payload.addresses),
    )
    return {"added": added}


@router.delete(
    "/lists/{marketing_list_id}/addresses/{list_address_id}", response={204: None, **ERRORS}
)
def marketing_list_remove(
    request: HttpRequest, marketing_list_id: int, list_address_id: int
) -> Status:
    mlist = lists.list_get(_member(request), marketing_list_id)
    lists.marketing_list_remove_address(
        actor=request.actor,  # type: ignore[attr-defined]
        mlist=mlist,
        address_id=list_address_id,
    )
    return Status(204, None)


# --- campaigns -----------------------------------------------------------------------------------


@router.get("", response={200: list[CampaignOut], **ERRORS})
def campaign_list(request: HttpRequest) -> list[dict[str, Any]]:
    member = _member(request)
    return [_campaign_out(c) for c in services.campaigns_for(member).order_by("-id")[:200]]


def _save(request: HttpRequest, payload: CampaignIn, campaign_id: int | None) -> Campaign:
    return services.campaign_save(
        actor=request.actor,  # type: ignore[attr-defined]
        campaign_id=campaign_id,
        name=payload.name,
        template_id=payload.template_id,
        list_id=payload.list_id,
        account_id=payload.account_id,
        batch_size=payload.batch_size,
        batch_minutes=payload.batch_minutes,
        version=payload.version,
    )


@router.post("", response={201: CampaignOut, **ERRORS})
def campaign_create(request: HttpRequest, payload: CampaignIn) -> Status:
    _member(request)
    return Status(201, _campaign_out(_save(request, payload, None)))


@router.get("/{campaign_id}", response={200: CampaignOut, **ERRORS})
def campaign_get(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    return _campaign_out(services.campaign_get(_member(request), campaign_id))


@router.put("/{campaign_id}", response={200: CampaignOut, **ERRORS})
def campaign_update(request: HttpRequest, campaign_id: int, payload: CampaignIn) -> dict[str, Any]:
    campaign = services.campaign_get(_member(request), campaign_id)
    return _campaign_out(_save(request, payload, campaign.pk))


@router.delete("/{campaign_id}", response={204: None, **ERRORS})
def campaign_delete(request: HttpRequest, campaign_id: int) -> Status:
    campaign = services.campaign_get(_member(request), campaign_id)
    services.campaign_delete(actor=request.actor, campaign=campaign)  # type: ignore[attr-defined]
    return Status(204, None)


@router.post("/{campaign_id}/schedule", response={200: CampaignOut, **ERRORS})
def campaign_schedule(
    request: HttpRequest, campaign_id: int, payload: CampaignScheduleIn
) -> dict[str, Any]:
    campaign = services.campaign_get(_member(request), campaign_id)
    scheduled = services.campaign_schedule(
        actor=request.actor,  # type: ignore[attr-defined]
        campaign=campaign,
        send_at=payload.send_at,
    )
    scheduled.refresh_from_db()
    return _campaign_out(scheduled)


@router.post("/{campaign_id}/cancel", response={200: CampaignOut, **ERRORS})
def campaign_cancel(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    campaign = services.campaign_get(_member(request), campaign_id)
    return _campaign_out(
        services.campaign_cancel(actor=request.actor, campaign=campaign)  # type: ignore[attr-defined]
    )


@router.get("/{campaign_id}/report", response={200: CampaignReportOut, **ERRORS})
def campaign_report(request: HttpRequest, campaign_id: int) -> dict[str, int]:
    return report.campaign_report(services.campaign_get(_member(request), campaign_id))


@router.get("/{campaign_id}/recipients", response={200: list[CampaignRecipientOut], **ERRORS})
def campaign_recipients(
    request: HttpRequest,
    campaign_id: int,
    after_id: int = 0,
    limit: int = Query(200, ge=1, le=1000),  # type: ignore[type-arg]
) -> Any:
    campaign = services.campaign_get(_member(request), campaign_id)
    return list(campaign.recipients.filter(pk__gt=after_id).order_by("id")[:limit])
