"""Choices of tasks (下步事务): priority, status, the due kinds and the recurrence."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TaskPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", pgettext_lazy("priority", "Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("task status", "Open")
    DONE = "done", pgettext_lazy("task status", "Done")
    CANCELLED = "cancelled", pgettext_lazy("task status", "Cancelled")


class DueKind(models.TextChoices):
    """How the due time was given: an exact moment or one of the fuzzy choices (activities/fuzzy_due.py)."""

    EXACT = "exact", _("Exact time")
    LATER_TODAY = "later_today", _("Later today")
    TONIGHT = "tonight", _("Tonight")
    TOMORROW = "tomorrow", _("Tomorrow")
    THIS_WEEK = "this_week", _("This week")
    NEXT_WEEK = "next_week", _("Next week")
    NEXT_MONTH = "next_month", _("Next month")


class Recurrence(models.TextChoices):
    NONE = "", _("Does not repeat")
    DAILY = "daily", _("Every day")
    WEEKLY = "weekly", _("Every week")
    MONTHLY = "monthly", _("Every month")
