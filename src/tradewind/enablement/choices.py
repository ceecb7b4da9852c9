from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ItemKind(models.TextChoices):
    SCRIPT = "script", _("Talk script")
    FILE = "file", pgettext_lazy("library item", "File")
    REVIEW = "review", _("Deal review")


class Visibility(models.TextChoices):
    SHARED = "shared", _("Company-shared")
    PRIVATE = "private", _("Private")


class TagKind(models.TextChoices):
    PRODUCT = "product", _("Product")
    INDUSTRY = "industry", _("Industry")
    STAGE = "stage", _("Stage")
    OBJECTION = "objection", _("Objection")


class UsageAction(models.TextChoices):
    COPIED = "copied", _("Copied")
    SENT = "sent", pgettext_lazy("library usage", "Sent")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", pgettext_lazy("daily report", "Submitted")
