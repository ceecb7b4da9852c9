"""Campaign routes in the isolation walk: a campaign, a marketing list with a hand-added address
and a consent row of workspace A (workspace-wide objects of the members holding
Perm.CAMPAIGN_MANAGE: only the other workspace is an outsider; members without the permission get
403 for every id, tests/campaigns/test_access.py). The public links take a signed token: the
walker's number is no token and answers 404."""

from __future__ import annotations

ROUTES = {
    "campaigns:detail": "campaign",
    "campaigns:edit": "campaign",
    "campaigns:schedule": "campaign",
    "campaigns:cancel": "campaign",
    "campaigns:delete": "campaign",
    "campaigns:export": "campaign",
    "campaigns:list_detail": "marketing_list",
    "campaigns:list_addresses": "marketing_list",
    "campaigns:list_address_remove": "marketing_list",  # address_id gets the same pk
    "campaigns:list_delete": "marketing_list",
    "campaigns:consent_detail": "consent",
    "campaign_public:unsubscribe": "campaign",
    "campaign_public:click": "campaign",
    "campaign_public:open": "campaign",
}
API = {
    "campaign_id": "campaign",
    "marketing_list_id": "marketing_list",
    "list_address_id": "list_address",
    "consent_id": "consent",
}
WORKSPACE_WIDE = {"campaign_id", "marketing_list_id", "list_address_id", "consent_id"}


def objects(world) -> dict[str, object]:
    from tradewind.campaigns.models import Campaign, Consent, MarketingList, MarketingListAddress

    mlist, _new = MarketingList.objects.get_or_create(
        workspace=world.ws, name="ALPHA-EAST-SECRET list", defaults={"owner": world.rep.user}
    )
    address, _new = MarketingListAddress.objects.get_or_create(
        workspace=world.ws, mlist=mlist, email="x@east.test"
    )
    campaign, _new = Campaign.objects.get_or_create(
        workspace=world.ws, name="ALPHA-EAST-SECRET campaign", defaults={"mlist": mlist}
    )
    consent, _new = Consent.objects.get_or_create(
        workspace=world.ws,
        email="x@east.test",
        defaults={"status": "opted_in", "source": "manual"},
    )
    return {
        "campaign": campaign,
        "marketing_list": mlist,
        "list_address": address,
        "consent": consent,
    }


def state(world) -> tuple:
    from tradewind.campaigns.models import (
        Campaign,
        CampaignPolicy,
        CampaignRecipient,
        Consent,
        MarketingList,
        MarketingListAddress,
    )

    return (
        list(Campaign.objects.filter(workspace=world.ws).values_list("pk", "version", "status")),
        list(MarketingList.objects.filter(workspace=world.ws).values_list("pk", "version")),
        list(MarketingListAddress.objects.filter(workspace=world.ws).values_list("pk", "email")),
        list(Consent.objects.filter(workspace=world.ws).values_list("pk", "version", "status")),
        CampaignRecipient.objects.filter(workspace=world.ws).count(),
        list(CampaignPolicy.objects.filter(workspace=world.ws).values_list("version")),
    )
