"""What a campaign would do if sent now: the list's counts and the first consenting recipient's
message, rendered as it would go out (links shown as tracked, a sample unsubscribe link)."""

from __future__ import annotations

from typing import Any

from tradewind.customers.models import Contact
from tradewind.leads.models import Lead

from .choices import ConsentStatus
from .lists import resolve
from .models import Campaign, CampaignLink, CampaignRecipient
from .sending import compose, sender_for
from .tracking import find_links


def campaign_preview(campaign: Campaign) -> dict[str, Any]:
    if campaign.mlist is None or campaign.template is None:
        return {"counts": None, "note": "", "sample": None}
    resolved = resolve(campaign.mlist)
    sample = None
    first = next(
        (m for m in resolved.members if resolved.consent.get(m.email) == ConsentStatus.OPTED_IN),
        None,
    )
    if first is not None:
        record: Any = None
        if first.target_type == "lead":
            record = Lead.objects.filter(pk=first.target_id or 0).first()
        elif first.target_type == "contact":
            record = (
                Contact.objects.select_related("customer").filter(pk=first.target_id or 0).first()
            )
        fake = CampaignRecipient(pk=0, campaign=campaign, email=first.email, name=first.name)
        urls = find_links(campaign.template.body_en, campaign.template.body_zh)
        links = [CampaignLink(campaign=campaign, position=i, url=u) for i, u in enumerate(urls, 1)]
        parts = compose(campaign, fake, record, links, sender_for(campaign).user)
        sample = {"to": first.email, **parts}
    return {"counts": resolved.counts(), "note": resolved.note, "sample": sample}
