"""What happens after the mail left: the mailing app's events tell which message was accepted by
the SMTP server (delivered), refused (bounced or failed) and which inbound mail answers one of
ours (a reply) or reports a delivery failure (a DSN bounce). A reply records a follow-up on the
record the recipient came from and raises a lead's score; `score_bonus` hands the leads app the
engagement points (kept on the recipient rows, so a rescore keeps them)."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tradewind.core.errors import ServiceError
from tradewind.mailing.models import EmailMessage
from tradewind.mailing.rendering import UI_LANGUAGE, workspace_language
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import ActorKind
from tradewind.workspaces.events import emit

from .choices import RecipientState
from .consent import consent_bounce
from .models import CampaignPolicy, CampaignRecipient
from .tracking import add_points

log = logging.getLogger(__name__)

# "rcpt: 550 …" (a refused recipient) or "550 …" (refused data): a permanent refusal.
BOUNCE_ERROR = re.compile(r"^(?:\S+@\S+: )?5\d\d\b")
DAEMON = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|bounce[s]?)@", re.I)
DSN_SUBJECT = re.compile(
    r"undeliver|delivery status notification|returned mail|delivery failure|failure notice|"
    r"退信|投递失败|未送达",
    re.I,
)
MESSAGE_ID = re.compile(r"<[^<>\s@]+@[^<>\s]+>")


def score_bonus(workspace_id: int, lead_ids: Sequence[int]) -> dict[int, int]:
    rows = (
        CampaignRecipient.objects.filter(
            workspace_id=workspace_id,
            target_type="lead",
            target_id__in=list(lead_ids),
            score_points__gt=0,
        )
        .values("target_id")
        .annotate(points=Sum("score_points"))
        .order_by()
    )
    return {int(r["target_id"]): int(r["points"]) for r in rows}


def _recipient(**filters: Any) -> CampaignRecipient | None:
    return (
        CampaignRecipient.objects.select_related("campaign", "campaign__workspace")
        .filter(**filters)
        .first()
    )


def on_email_sent(name: str, payload: dict[str, Any]) -> None:
    email_id = payload.get("email_id")
    if email_id:
        CampaignRecipient.objects.filter(
            email_message_id=email_id, state=RecipientState.QUEUED
        ).update(state=RecipientState.DELIVERED, delivered_at=timezone.now())


def mark_bounced(recipient: CampaignRecipient, detail: str) -> None:
    with transaction.atomic():
        CampaignRecipient.objects.filter(pk=recipient.pk).update(
            state=RecipientState.BOUNCED, bounced_at=timezone.now(), error=detail[:500]
        )
        consent_bounce(workspace_id=recipient.workspace_id, email=recipient.email, detail=detail)
        emit(
            "campaign.bounced",
            workspace_id=recipient.workspace_id,
            campaign_id=recipient.campaign_id,
            recipient_id=recipient.pk,
        )


def on_email_failed(name: str, payload: dict[str, Any]) -> None:
    email_id = payload.get("email_id")
    recipient = _recipient(email_message_id=email_id) if email_id else None
    if recipient is None:
        return
    error = (
        EmailMessage.objects.filter(pk=email_id or 0).values_list("error", flat=True).first() or ""
    )
    if BOUNCE_ERROR.match(error.strip()):
        mark_bounced(recipient, error)
    else:
        CampaignRecipient.objects.filter(pk=recipient.pk).update(
            state=RecipientState.FAILED, error=error[:500]
        )


def on_email_received(name: str, payload: dict[str, Any]) -> None:
    parent_id = payload.get("reply_to_email_id")
    if parent_id:
        recipient = _recipient(email_message_id=parent_id)
        if recipient is not None:
            reply = EmailMessage.objects.filter(pk=payload.get("email_id") or 0).first()
            if reply is not None and DAEMON.match(reply.from_address or ""):
                mark_bounced(recipient, reply.subject)
            else:
                record_reply(recipient, reply)
            return
    _maybe_dsn(payload)


def _maybe_dsn(payload: dict[str, Any]) -> None:
    """A delivery status notification names our Message-ID in its text (the returned headers);
    the recipient of that message bounced."""
    email = EmailMessage.objects.filter(pk=payload.get("email_id") or 0).first()
    if email is None:
        return
    if not (DAEMON.match(email.from_address or "") or DSN_SUBJECT.search(email.subject or "")):
        return
    ids = MESSAGE_ID.findall(f"{email.body_text}\n{email.body_html}")[:50]
    ours = [i for i in ids if i != email.message_id]
    if not ours:
        return
    recipient = _recipient(workspace_id=email.workspace_id, message_id__in=ours)
    if recipient is not None and recipient.state != RecipientState.BOUNCED:
        mark_bounced(recipient, email.subject or "DSN")


def record_reply(recipient: CampaignRecipient, reply: EmailMessage | None) -> None:
    """The first reply of a recipient: a follow-up on its lead (or its contact's customer), the
    reply points on the lead's score."""
    with transaction.atomic():
        first = CampaignRecipient.objects.filter(pk=recipient.pk, replied_at__isnull=True).update(
            replied_at=timezone.now()
        )
        if not first:
            return
        policy = CampaignPolicy.for_workspace(recipient.workspace_id)
        add_points(recipient, policy.reply_points)
        emit(
            "campaign.replied",
            workspace_id=recipient.workspace_id,
            campaign_id=recipient.campaign_id,
            recipient_id=recipient.pk,
            target_type=recipient.target_type,
            target_id=recipient.target_id,
        )
    try:
        with transaction.atomic():
            _followup(recipient, reply)
    except ServiceError as exc:  # a pool lead or customer has nobody to hold the follow-up
        log.info("no follow-up for the reply of recipient %s: %s", recipient.pk, exc.message)


def _followup(recipient: CampaignRecipient, reply: EmailMessage | None) -> None:
    from tradewind.activities.choices import Channel, FollowUpResult
    from tradewind.activities.services import followup_record
    from tradewind.customers.models import Contact
    from tradewind.leads.choices import OPEN_STATUSES
    from tradewind.leads.followups import lead_followup_record
    from tradewind.leads.models import Lead

    campaign = recipient.campaign
    actor = Actor.system(
        campaign.workspace, label=f"campaign: {campaign.name}"[:120], kind=ActorKind.AUTOMATION
    )
    subject = reply.subject if reply is not None else ""
    language = UI_LANGUAGE.get(workspace_language(campaign.workspace), "en")
    with translation.override(language):
        summary = _("Replied to the campaign “%(name)s”: %(subject)s") % {
            "name": campaign.name,
            "subject": subject,
        }
    summary = summary.strip()[:1000]
    feedback = (reply.body_text if reply is not None else "")[:2000]
    common: dict[str, Any] = {
        "channel": Channel.EMAIL,
        "summary": summary,
        "feedback": feedback,
        "result": FollowUpResult.RESPONDED,
    }
    if recipient.target_type == "lead" and recipient.target_id:
        lead = Lead.objects.filter(
            workspace_id=campaign.workspace_id, pk=recipient.target_id
        ).first()
        if lead is None:
            return
        if lead.status in OPEN_STATUSES:
            lead_followup_record(actor=actor, lead=lead, **common)
        else:
            followup_record(actor=actor, target=lead, **common)
    elif recipient.target_type == "contact" and recipient.target_id:
        contact = (
            Contact.objects.select_related("customer")
            .filter(workspace_id=campaign.workspace_id, pk=recipient.target_id)
            .first()
        )
        if contact is not None:
            common["summary"] = f"{contact.name}: {summary}"[:1000]
            followup_record(actor=actor, target=contact.customer, **common)
