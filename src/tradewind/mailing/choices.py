"""Enumerations of the e-mail app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RecordType(models.TextChoices):
    """Which record a template is written for (decides the merge fields it may use)."""

    ANY = "any", _("Any record")
    LEAD = "lead", _("Lead")
    CONTACT = "contact", _("Contact")
    CUSTOMER = "customer", _("Customer")
    OPPORTUNITY = "opportunity", _("Opportunity")


class Language(models.TextChoices):
    EN = "en", "English"
    ZH = "zh", "中文"


class Security(models.TextChoices):
    STARTTLS = "starttls", "STARTTLS"
    SSL = "ssl", "SSL/TLS"
    NONE = "none", pgettext_lazy("connection security", "None (unencrypted)")


class Direction(models.TextChoices):
    OUT = "out", pgettext_lazy("e-mail", "Sent")
    IN = "in", pgettext_lazy("e-mail", "Received")


class EmailState(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("e-mail", "Queued")
    SENDING = "sending", pgettext_lazy("e-mail", "Sending")
    SENT = "sent", pgettext_lazy("e-mail", "Sent")
    FAILED = "failed", pgettext_lazy("e-mail", "Failed")
    RECEIVED = "received", pgettext_lazy("e-mail", "Received")
