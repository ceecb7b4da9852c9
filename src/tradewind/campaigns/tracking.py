"""Signed links in campaign mail: unsubscribe, tracked clicks, the open pixel, and the
List-Unsubscribe headers (RFC 2369 / RFC 8058 one-click).

A token is "<recipient id>-<link position>" signed with SECRET_KEY (a salt per purpose). It never
expires: an unsubscribe link in a two-year-old mail still works. A click redirects only to the
URL stored for the campaign at that position — the request names a position, never a URL — so
the redirect cannot be turned into an open redirect.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tradewind.workspaces.events import emit

from .models import CampaignLink, CampaignPolicy, CampaignRecipient

URL = re.compile(r"https?://[^\s<>\"'()\[\]{}]+", re.I)
TRAILING = ".,;:!?。，；：！？"
LINKS_MAX = 20

UNSUBSCRIBE, CLICK, OPEN = "unsubscribe", "click", "open"


def _signer(purpose: str) -> signing.Signer:
    return signing.Signer(salt=f"tradewind.campaigns.{purpose}", sep=".")


def make_token(purpose: str, recipient_id: int, position: int = 0) -> str:
    return _signer(purpose).sign(f"{recipient_id}-{position}")


def read_token(purpose: str, token: str) -> tuple[int, int] | None:
    try:
        value = _signer(purpose).unsign(str(token)[:200])
    except signing.BadSignature:
        return None
    rid, _sep, position = value.partition("-")
    if not rid.isdigit() or not position.isdigit():
        return None
    return int(rid), int(position)


def absolute(name: str, token: str) -> str:
    return settings.BASE_URL.rstrip("/") + reverse(f"campaign_public:{name}", args=[token])


def find_links(*texts: str) -> list[str]:
    """The distinct web addresses in the template, in order of appearance (at most 20)."""
    found: list[str] = []
    for text in texts:
        for match in URL.finditer(text or ""):
            url = match.group(0).rstrip(TRAILING)
            if url not in found and len(url) <= 2000:
                found.append(url)
    return found[:LINKS_MAX]


def rewrite(text: str, html: str, recipient_id: int, links: list[CampaignLink]) -> tuple[str, str]:
    """Each campaign link in the text part becomes its tracked address; in the HTML part it
    becomes an anchor to the tracked address showing the original one."""
    if not links:
        return text, html
    by_url = {link.url: link for link in links}
    ordered = sorted(by_url, key=len, reverse=True)  # the longest first: no prefix wins
    plain = re.compile("|".join(re.escape(u) for u in ordered))
    escaped = re.compile("|".join(re.escape(str(escape(u))) for u in ordered))
    by_escaped = {str(escape(u)): by_url[u] for u in ordered}

    def tracked(link: CampaignLink) -> str:
        return absolute(CLICK, make_token(CLICK, recipient_id, link.position))

    text = plain.sub(lambda m: tracked(by_url[m.group(0)]), text)
    html = escaped.sub(
        lambda m: f'<a href="{escape(tracked(by_escaped[m.group(0)]))}">{m.group(0)}</a>', html
    )
    return text, html


def list_unsubscribe_headers(email: Any) -> dict[str, str]:
    """The mailing app's header source: campaign mail gets the one-click unsubscribe headers."""
    if not str(getattr(email, "key", "")).startswith("campaign:"):
        return {}
    rid = (
        CampaignRecipient.objects.filter(email_message_id=email.pk)
        .values_list("pk", flat=True)
        .first()
    )
    if rid is None:
        return {}
    return {
        "List-Unsubscribe": f"<{absolute(UNSUBSCRIBE, make_token(UNSUBSCRIBE, rid))}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


# --- what the person did ------------------------------------------------------------------------


def recipient_for(purpose: str, token: str) -> tuple[CampaignRecipient, int] | None:
    found = read_token(purpose, token)
    if found is None:
        return None
    recipient = CampaignRecipient.objects.select_related("campaign").filter(pk=found[0]).first()
    return (recipient, found[1]) if recipient is not None else None


@transaction.atomic
def record_open(recipient: CampaignRecipient) -> None:
    CampaignRecipient.objects.filter(pk=recipient.pk, opened_at__isnull=True).update(
        opened_at=timezone.now()
    )


def add_points(recipient: CampaignRecipient, points: int) -> None:
    """Engagement points for the lead the recipient came from; its score is recomputed (leads
    adds them through its score bonus, so a later rescore keeps them)."""
    if recipient.target_type != "lead" or recipient.target_id is None or points <= 0:
        return
    from tradewind.leads.scoring import score_leads

    CampaignRecipient.objects.filter(pk=recipient.pk).update(
        score_points=F("score_points") + points
    )
    score_leads(workspace=recipient.campaign.workspace, lead_ids=[recipient.target_id])


@transaction.atomic
def record_click(recipient: CampaignRecipient, position: int) -> str | None:
    """The URL to redirect to (None: no such link). The first click of a recipient raises the
    lead's score; a click also counts as opened."""
    url = (
        CampaignLink.objects.filter(campaign_id=recipient.campaign_id, position=position)
        .values_list("url", flat=True)
        .first()
    )
    if url is None:
        return None
    now = timezone.now()
    CampaignRecipient.objects.filter(pk=recipient.pk, opened_at__isnull=True).update(opened_at=now)
    first = CampaignRecipient.objects.filter(pk=recipient.pk, clicked_at__isnull=True).update(
        clicked_at=now
    )
    if first:
        policy = CampaignPolicy.for_workspace(recipient.workspace_id)
        add_points(recipient, policy.click_points)
        emit(
            "campaign.clicked",
            workspace_id=recipient.workspace_id,
            campaign_id=recipient.campaign_id,
            recipient_id=recipient.pk,
            target_type=recipient.target_type,
            target_id=recipient.target_id,
        )
    return url


@transaction.atomic
def record_unsubscribe(recipient: CampaignRecipient) -> None:
    from .consent import consent_unsubscribe

    consent_unsubscribe(
        workspace_id=recipient.workspace_id,
        email=recipient.email,
        label=f"unsubscribe link ({recipient.campaign.name})"[:120],
    )
    CampaignRecipient.objects.filter(pk=recipient.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now()
    )
