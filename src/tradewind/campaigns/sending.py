"""Turning a campaign into messages: who sends, each recipient's text in their language with the
tracked links, the unsubscribe footer and the open pixel, handed to the mailing app's queue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from tradewind.core.errors import ServiceError
from tradewind.customers.models import Contact
from tradewind.leads.models import Lead
from tradewind.mailing.rendering import UI_LANGUAGE, pick_language, render_template
from tradewind.mailing.sending import email_queue
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import ActorKind
from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm

from .choices import ConsentStatus, RecipientState, SkipReason
from .models import Campaign, CampaignLink, CampaignRecipient
from .tracking import OPEN, UNSUBSCRIBE, absolute, make_token, rewrite

SKIP_FOR = {
    "": SkipReason.NO_CONSENT,
    ConsentStatus.UNSUBSCRIBED: SkipReason.UNSUBSCRIBED,
    ConsentStatus.BOUNCED: SkipReason.BOUNCED,
}


@dataclass
class Sender:
    actor: Actor
    member: Membership | None
    user: Any


def sender_for(campaign: Campaign) -> Sender:
    """The member who scheduled the campaign, acting as automation when the campaign goes out
    through their own account; otherwise the workspace acting for the campaign (its account)."""
    label = f"campaign: {campaign.name}"[:120]
    member = (
        Membership.objects.filter(
            workspace_id=campaign.workspace_id, user_id=campaign.created_by_id or 0, is_active=True
        )
        .select_related("user", "workspace", "team")
        .first()
    )
    personal = campaign.account is not None and campaign.account.owner_id is not None
    if personal and member is not None and member.has(Perm.EMAIL_SEND):
        actor = Actor(
            workspace=campaign.workspace, member=member, kind=ActorKind.AUTOMATION, label=label
        )
        return Sender(actor, member, member.user)
    actor = Actor.system(campaign.workspace, label=label, kind=ActorKind.AUTOMATION)
    return Sender(actor, None, member.user if member is not None else None)


def _records(recipients: list[CampaignRecipient], member: Membership | None) -> dict:
    """(type, id) -> the lead or contact, for those the sender may put mail on."""
    ids: dict[str, list[int]] = {"lead": [], "contact": []}
    for r in recipients:
        if r.target_type in ids and r.target_id is not None:
            ids[r.target_type].append(r.target_id)
    leads: Any = Lead.objects.filter(pk__in=ids["lead"])
    contacts: Any = Contact.objects.select_related("customer").filter(pk__in=ids["contact"])
    if member is not None:  # the mail lands on the records the sending member sees
        leads, contacts = leads.visible_to(member), contacts.visible_to(member)
    found: dict[tuple[str, int], Any] = {("lead", x.pk): x for x in leads}
    found.update({("contact", x.pk): x for x in contacts})
    return found


def footer(language: str, unsubscribe_url: str, workspace_name: str) -> tuple[str, str]:
    with translation.override(UI_LANGUAGE.get(language, "en")):
        reason = _("You receive this e-mail because you agreed to hear from %(name)s.") % {
            "name": workspace_name
        }
        label = _("Unsubscribe")
    text = f"\n\n--\n{reason}\n{label}: {unsubscribe_url}\n"
    html = (
        f'<hr><p style="font-size:12px;color:#666">{escape(reason)}<br>'
        f'<a href="{escape(unsubscribe_url)}">{escape(label)}</a></p>'
    )
    return text, html


def compose(
    campaign: Campaign,
    recipient: CampaignRecipient,
    record: Any,
    links: list[CampaignLink],
    sender_user: Any,
) -> dict[str, str]:
    template = campaign.template
    assert template is not None
    language = pick_language(template, record, workspace=campaign.workspace)
    rendered = render_template(
        template=template,
        record=record,
        language=language,
        sender=sender_user,
        extra={"recipient": {"name": recipient.name, "email": recipient.email}},
    )
    text, html = rewrite(rendered.text, rendered.html, recipient.pk, links)
    unsubscribe = absolute(UNSUBSCRIBE, make_token(UNSUBSCRIBE, recipient.pk))
    foot_text, foot_html = footer(rendered.language, unsubscribe, campaign.workspace.name)
    pixel = (
        f'<img src="{escape(absolute(OPEN, make_token(OPEN, recipient.pk)))}" width="1" '
        'height="1" alt="">'
    )
    if "</body>" in html:
        html = html.replace("</body>", foot_html + pixel + "</body>", 1)
    else:
        html = html + foot_html + pixel
    return {
        "subject": rendered.subject,
        "text": text + foot_text,
        "html": html,
        "language": rendered.language,
    }


def send_batch(campaign: Campaign, recipients: list[CampaignRecipient], consent: dict) -> dict:
    """Queue one message per consenting recipient; the others are skipped with the reason.
    Runs inside the batch job's transaction: a retried batch finds the rows already queued, and
    the mailing key (campaign + recipient) would give the first message back anyway."""
    sender = sender_for(campaign)
    records = _records(recipients, sender.member)
    links = list(campaign.links.order_by("position"))
    counts = {"queued": 0, "skipped": 0, "failed": 0}
    now = timezone.now()
    for r in recipients:
        status = consent.get(r.email, "")
        if status != ConsentStatus.OPTED_IN:
            r.state, r.skip_reason = (
                RecipientState.SKIPPED,
                SKIP_FOR.get(status, SkipReason.NO_CONSENT),
            )
            r.save(update_fields=["state", "skip_reason"])
            counts["skipped"] += 1
            continue
        record = records.get((r.target_type, r.target_id or 0))
        parts = compose(campaign, r, record, links, sender.user)
        try:
            with transaction.atomic():
                message = email_queue(
                    actor=sender.actor,
                    to=[r.email],
                    subject=parts["subject"],
                    body_text=parts["text"],
                    body_html=parts["html"],
                    target=record,
                    account_id=campaign.account_id,
                    template_id=campaign.template_id,
                    key=f"campaign:{campaign.pk}:{r.pk}",
                    language=parts["language"],
                )
        except ServiceError as exc:
            r.state, r.error = RecipientState.FAILED, str(exc.message)[:500]
            if exc.code == "email_recipient_unsubscribed":  # unsubscribed since the batch began
                r.state, r.skip_reason = RecipientState.SKIPPED, SkipReason.UNSUBSCRIBED
            r.save(update_fields=["state", "error", "skip_reason"])
            counts["skipped" if r.state == RecipientState.SKIPPED else "failed"] += 1
            continue
        r.state, r.email_message, r.message_id = RecipientState.QUEUED, message, message.message_id
        r.language, r.queued_at = parts["language"], now
        r.save(update_fields=["state", "email_message", "message_id", "language", "queued_at"])
        counts["queued"] += 1
    return counts
