"""Permission e-mail marketing (seed 000, 许可邮件营销): consent per address, marketing lists built
from saved views, campaigns sent in throttled batches through the mailing app, and one row per
recipient that the report counts.

Every row belongs to a workspace and is workspace-wide (SCOPE_OWNER_FIELD = None): campaigns are
run by the members holding Perm.CAMPAIGN_MANAGE; which leads and contacts a list reaches is
decided by the list owner's visibility at send time (lists.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tradewind.workspaces.models import WorkspaceModel

from .choices import (
    CampaignStatus,
    ConsentSource,
    ConsentStatus,
    ListSource,
    RecipientState,
    SkipReason,
)

__all__ = [
    "Campaign",
    "CampaignLink",
    "CampaignPolicy",
    "CampaignRecipient",
    "Consent",
    "MarketingList",
    "MarketingListAddress",
]


class Consent(WorkspaceModel):
    """What one address (normalised, lower case) said about marketing mail, and since when. The
    history of changes is the audit trail of this row."""

    AUDIT_TYPE = "consent"
    SCOPE_OWNER_FIELD = None

    email = models.CharField(_("e-mail"), max_length=254)
    status = models.CharField(_("status"), max_length=16, choices=ConsentStatus.choices)
    source = models.CharField(_("source"), max_length=20, choices=ConsentSource.choices)
    consented_at = models.DateTimeField(_("date"), default=timezone.now)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("consent")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "email"], name="consent_unique_email")
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "-id"], name="consent_ws_status_idx")
        ]

    def __str__(self) -> str:
        return self.email


class MarketingList(WorkspaceModel):
    """A saved view of leads (or of customers: their contacts), resolved at send time with the
    owner's visibility, plus addresses added by hand."""

    AUDIT_TYPE = "marketing_list"
    SCOPE_OWNER_FIELD = None

    name = models.CharField(_("name"), max_length=120)
    source = models.CharField(
        _("built from"), max_length=16, choices=ListSource.choices, blank=True, default=""
    )
    saved_view = models.ForeignKey(
        "workspaces.SavedView",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("saved view"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )

    class Meta:
        verbose_name = _("marketing list")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="marketinglist_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class MarketingListAddress(models.Model):
    """An address added to a list by hand (a trade-show card, a subscriber)."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    mlist = models.ForeignKey(MarketingList, on_delete=models.CASCADE, related_name="addresses")
    email = models.CharField(_("e-mail"), max_length=254)
    name = models.CharField(_("name"), max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mlist", "email"], name="listaddress_unique_email")
        ]

    def __str__(self) -> str:
        return self.email


class CampaignPolicy(models.Model):
    """Per workspace: what engagement adds to a lead's score (once per campaign and recipient)."""

    workspace = models.OneToOneField(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    click_points = models.IntegerField(_("points for a click"), default=5)
    reply_points = models.IntegerField(_("points for a reply"), default=10)
    version = models.PositiveIntegerField(default=1)

    AUDIT_TYPE = "campaign_policy"

    def __str__(self) -> str:
        return str(_("Campaign settings"))

    @classmethod
    def for_workspace(cls, workspace_id: int) -> CampaignPolicy:
        policy = cls.objects.filter(workspace_id=workspace_id).first()
        return policy or cls(workspace_id=workspace_id)


class Campaign(WorkspaceModel):
    AUDIT_TYPE = "campaign"
    SCOPE_OWNER_FIELD = None

    name = models.CharField(_("name"), max_length=120)
    template = models.ForeignKey(
        "mailing.EmailTemplate",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("template"),
    )
    mlist = models.ForeignKey(
        MarketingList,
        null=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("list"),
    )
    account = models.ForeignKey(
        "mailing.MailAccount",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("mail account"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    batch_size = models.PositiveIntegerField(_("messages per batch"), default=50)
    batch_minutes = models.PositiveIntegerField(_("minutes between batches"), default=1)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    batches = models.PositiveIntegerField(default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("campaign")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="campaign_unique_name")
        ]
        indexes = [models.Index(fields=["workspace", "-id"], name="campaign_ws_idx")]

    def __str__(self) -> str:
        return self.name


class CampaignLink(models.Model):
    """A web address found in the template when the campaign started: a tracked click redirects
    only to one of these (never to an address taken from the request)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="links")
    position = models.PositiveIntegerField()
    url = models.URLField(max_length=2000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "position"], name="campaignlink_unique")
        ]

    def __str__(self) -> str:
        return self.url


class CampaignRecipient(models.Model):
    """One address of one campaign: who (the lead or contact it came from), which batch, what
    happened to the message and what the person did with it."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    email = models.CharField(_("e-mail"), max_length=254)
    name = models.CharField(_("name"), max_length=200, blank=True)
    target_type = models.CharField(max_length=32, blank=True)  # lead, contact or ""
    target_id = models.BigIntegerField(null=True, blank=True)
    batch = models.PositiveIntegerField(default=0)
    state = models.CharField(
        _("state"), max_length=10, choices=RecipientState.choices, default=RecipientState.PENDING
    )
    skip_reason = models.CharField(max_length=16, choices=SkipReason.choices, blank=True)
    error = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=8, blank=True)
    email_message = models.ForeignKey(
        "mailing.EmailMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message_id = models.CharField(max_length=300, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # Lead score points this recipient's engagement earned (kept, so a rescore keeps them).
    score_points = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "email"], name="recipient_unique_email")
        ]
        indexes = [
            models.Index(fields=["campaign", "batch", "state"], name="recipient_batch_idx"),
            models.Index(fields=["email_message"], name="recipient_message_idx"),
            models.Index(
                fields=["workspace", "target_type", "target_id"],
                condition=Q(score_points__gt=0),
                name="recipient_scored_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.email
