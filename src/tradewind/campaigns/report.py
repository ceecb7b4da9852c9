"""The per-campaign report: one grouped query over the recipient rows plus one for the leads that
became qualified after the campaign started; the same figures for the page, the API and the
XLSX export."""

from __future__ import annotations

import io
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from tradewind.workspaces.models import AuditEvent

from .choices import RecipientState, SkipReason
from .models import Campaign, CampaignRecipient

FIGURES = (
    "recipients",
    "sent",
    "delivered",
    "bounced",
    "failed",
    "opened",
    "clicked",
    "replied",
    "unsubscribed",
    "skipped_no_consent",
    "skipped_unsubscribed",
    "skipped_bounced",
    "skipped_other",
    "leads_qualified",
)


def labels() -> dict[str, str]:
    return {
        "recipients": _("Recipients"),
        "sent": _("Sent (handed to the mail queue)"),
        "delivered": _("Delivered (accepted by the mail server)"),
        "bounced": _("Bounced"),
        "failed": _("Failed"),
        "opened": _("Opened (where images load)"),
        "clicked": _("Clicked"),
        "replied": _("Replied"),
        "unsubscribed": _("Unsubscribed"),
        "skipped_no_consent": _("Not sent: no consent"),
        "skipped_unsubscribed": _("Not sent: unsubscribed"),
        "skipped_bounced": _("Not sent: bounced before"),
        "skipped_other": _("Not sent: other reasons"),
        "leads_qualified": _("Leads qualified afterwards"),
    }


def campaign_report(campaign: Campaign) -> dict[str, int]:
    skipped = Q(state=RecipientState.SKIPPED)
    figures = CampaignRecipient.objects.filter(campaign=campaign).aggregate(
        recipients=Count("id"),
        sent=Count("id", filter=Q(queued_at__isnull=False)),
        delivered=Count("id", filter=Q(delivered_at__isnull=False)),
        bounced=Count("id", filter=Q(bounced_at__isnull=False)),
        failed=Count("id", filter=Q(state=RecipientState.FAILED)),
        opened=Count("id", filter=Q(opened_at__isnull=False)),
        clicked=Count("id", filter=Q(clicked_at__isnull=False)),
        replied=Count("id", filter=Q(replied_at__isnull=False)),
        unsubscribed=Count("id", filter=Q(unsubscribed_at__isnull=False)),
        skipped_no_consent=Count("id", filter=skipped & Q(skip_reason=SkipReason.NO_CONSENT)),
        skipped_unsubscribed=Count("id", filter=skipped & Q(skip_reason=SkipReason.UNSUBSCRIBED)),
        skipped_bounced=Count("id", filter=skipped & Q(skip_reason=SkipReason.BOUNCED)),
        skipped_other=Count(
            "id",
            filter=skipped
            & ~Q(
                skip_reason__in=[
                    SkipReason.NO_CONSENT,
                    SkipReason.UNSUBSCRIBED,
                    SkipReason.BOUNCED,
                ]
            ),
        ),
    )
    figures["leads_qualified"] = _qualified(campaign)
    return {k: int(figures.get(k) or 0) for k in FIGURES}


def _qualified(campaign: Campaign) -> int:
    """Leads among the recipients that moved to "qualified" after the campaign started (the
    status change in the audit trail), each counted once."""
    if campaign.started_at is None:
        return 0
    leads = CampaignRecipient.objects.filter(
        campaign=campaign, target_type="lead", queued_at__isnull=False
    ).values("target_id")
    return (
        AuditEvent.objects.filter(
            workspace_id=campaign.workspace_id,
            target_type="lead",
            target_id__in=leads,
            verb="transition",
            created_at__gte=campaign.started_at,
            changes__status__1="qualified",
        )
        .values("target_id")
        .distinct()
        .count()
    )


def report_xlsx(campaign: Campaign, figures: dict[str, int]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet: Any = book.active
    sheet.title = _("Report")[:31]
    sheet.append([_("Campaign"), campaign.name])
    sheet.append([_("Started"), campaign.started_at.isoformat() if campaign.started_at else ""])
    sheet.append([])
    names = labels()
    for key in FIGURES:
        sheet.append([names[key], figures[key]])
    sheet.column_dimensions["A"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
