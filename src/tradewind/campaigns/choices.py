"""Enumerations of the campaigns app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentStatus(models.TextChoices):
    OPTED_IN = "opted_in", _("Opted in")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    BOUNCED = "bounced", _("Bounced")


class ConsentSource(models.TextChoices):
    FORM = "form", _("Web form")
    IMPORT = "import", _("Imported list")
    MANUAL = "manual", _("Recorded by hand")
    DOUBLE_OPT_IN = "double_opt_in", _("Double opt-in")
    TRADE_SHOW = "trade_show", _("Trade show")
    UNSUBSCRIBE_LINK = "unsubscribe_link", _("Unsubscribe link")
    BOUNCE = "bounce", _("Bounce")


# What a person may record: the last two are written by the system only.
RECORDABLE_SOURCES = (
    ConsentSource.FORM,
    ConsentSource.IMPORT,
    ConsentSource.MANUAL,
    ConsentSource.DOUBLE_OPT_IN,
    ConsentSource.TRADE_SHOW,
)


class ListSource(models.TextChoices):
    NONE = "", _("Only the addresses added by hand")
    LEADS = "leads", _("A saved view of leads")
    CUSTOMERS = "customers", _("The contacts of a saved view of customers")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("All sent")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed")


EDITABLE_STATUSES = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED)


class RecipientState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    QUEUED = "queued", _("Queued")
    DELIVERED = "delivered", _("Delivered")
    BOUNCED = "bounced", _("Bounced")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent")


class SkipReason(models.TextChoices):
    NO_CONSENT = "no_consent", _("No consent recorded")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    BOUNCED = "bounced", _("Address bounced before")
    CANCELLED = "cancelled", _("Campaign cancelled")
    REFUSED = "refused", _("Refused by the mail service")
