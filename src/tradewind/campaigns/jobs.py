"""The campaign's durable jobs. `campaigns.start` (due at the scheduled time) resolves the list
into recipient rows numbered in batches and queues batch 0; `campaigns.batch` queues the mail of
one batch and queues the next one `batch_minutes` later — the throttle. Both are atomic jobs: a
worker killed mid-batch rolls the batch back and the retry does it once (each message also has
the idempotency key campaign + recipient in the mailing queue)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tradewind.workspaces import audit
from tradewind.workspaces.choices import ActorKind, AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.jobs import job_enqueue, job_type
from tradewind.workspaces.models_jobs import Job

from .choices import CampaignStatus, RecipientState
from .consent import consent_map
from .lists import resolve
from .models import Campaign, CampaignLink, CampaignRecipient
from .sending import send_batch
from .tracking import find_links

BATCH_JOB = "campaigns.batch"


def _campaign(job: Job) -> Campaign | None:
    return (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("workspace", "template", "mlist", "account")
        .filter(pk=int((job.payload or {}).get("campaign_id", 0)))
        .first()
    )


def _finish(campaign: Campaign, status: str = CampaignStatus.SENT, error: str = "") -> None:
    now = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(
        status=status, finished_at=now, updated_at=now, error=error[:500]
    )
    emit("campaign.finished", workspace_id=campaign.workspace_id, campaign_id=campaign.pk)


def _queue_batch(campaign: Campaign, number: int, at: dt.datetime | None = None) -> None:
    job_enqueue(
        kind=BATCH_JOB,
        payload={"campaign_id": campaign.pk, "batch": number},
        workspace=campaign.workspace,
        key=f"campaign:{campaign.pk}:batch:{number}",
        run_after=at,
    )


@job_type("campaigns.start", label=_("Start an e-mail campaign"), lease_seconds=900)
def start_job(job: Job) -> dict[str, Any]:
    campaign = _campaign(job)
    if campaign is None:
        return {"skipped": "gone"}
    if campaign.status != CampaignStatus.SCHEDULED or campaign.version != int(
        (job.payload or {}).get("version", 0)
    ):
        return {"skipped": campaign.status}  # cancelled or scheduled again meanwhile
    if campaign.template is None or campaign.mlist is None:
        _finish(campaign, CampaignStatus.FAILED, "the template or the list was deleted")
        return {"state": "failed"}
    resolved = resolve(campaign.mlist)
    template = campaign.template
    urls = find_links(template.body_en, template.body_zh)
    CampaignLink.objects.filter(campaign=campaign).delete()
    CampaignLink.objects.bulk_create(
        [CampaignLink(campaign=campaign, position=i, url=u) for i, u in enumerate(urls, 1)]
    )
    size = max(campaign.batch_size, 1)
    CampaignRecipient.objects.bulk_create(
        [
            CampaignRecipient(
                workspace_id=campaign.workspace_id,
                campaign=campaign,
                email=m.email,
                name=m.name[:200],
                target_type=m.target_type,
                target_id=m.target_id,
                batch=i // size,
            )
            for i, m in enumerate(resolved.members)
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    count = len(resolved.members)
    batches = (count + size - 1) // size
    now = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(
        status=CampaignStatus.SENDING, started_at=now, batches=batches, updated_at=now
    )
    audit.record(
        actor=_system(campaign),
        verb=AuditVerb.TRANSITION,
        action="campaign_started",
        target=campaign,
        changes={
            "status": [CampaignStatus.SCHEDULED, CampaignStatus.SENDING],
            "recipients": [None, count],
            **resolved.counts(),
        },
    )
    if batches == 0:
        _finish(campaign)
    else:
        _queue_batch(campaign, 0)
    return {"recipients": count, "batches": batches}


def _system(campaign: Campaign) -> Any:
    from tradewind.workspaces.actors import Actor

    return Actor.system(
        campaign.workspace, label=f"campaign: {campaign.name}"[:120], kind=ActorKind.AUTOMATION
    )


@job_type(BATCH_JOB, label=_("Send a batch of an e-mail campaign"), lease_seconds=900)
def batch_job(job: Job) -> dict[str, Any]:
    campaign = _campaign(job)
    number = int((job.payload or {}).get("batch", 0))
    if campaign is None:
        return {"skipped": "gone"}
    if campaign.status != CampaignStatus.SENDING:
        return {"skipped": campaign.status}
    recipients = list(
        campaign.recipients.filter(batch=number, state=RecipientState.PENDING).order_by("id")
    )
    # Consent is read now, at send time: an unsubscribe a minute ago counts.
    counts = send_batch(
        campaign, recipients, consent_map(campaign.workspace_id, [r.email for r in recipients])
    )
    if number + 1 < campaign.batches:
        _queue_batch(
            campaign, number + 1, timezone.now() + dt.timedelta(minutes=campaign.batch_minutes)
        )
    else:
        _finish(campaign)
    return {"batch": number, **counts}
