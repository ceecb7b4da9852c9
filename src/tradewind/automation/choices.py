"""Choices of workflow rules: record types, triggers, operators, actions and run outcomes."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RecordType(models.TextChoices):
    LEAD = "lead", _("Lead")
    CUSTOMER = "customer", _("Customer")
    OPPORTUNITY = "opportunity", _("Opportunity")


class TriggerKind(models.TextChoices):
    CREATED = "created", _("Record created")
    UPDATED = "updated", _("Record updated (any field)")
    FIELD_CHANGED = "field_changed", _("A field changed")
    STATUS_CHANGED = "status_changed", _("Status or stage changed")
    TIME = "time", _("A time relative to a date field")


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    MONEY = "money", _("Money")
    CHOICE = "choice", _("Choice")
    LIST = "list", _("List")
    DATE = "date", _("Date")
    USER = "user", _("User")
    BOOLEAN = "boolean", _("Yes/no")


class Op(models.TextChoices):
    EQ = "eq", _("is")
    NE = "ne", _("is not")
    GT = "gt", _("is greater than")
    GTE = "gte", _("is at least")
    LT = "lt", _("is less than")
    LTE = "lte", _("is at most")
    CONTAINS = "contains", _("contains")
    EMPTY = "empty", _("is empty")
    NOT_EMPTY = "not_empty", _("is not empty")
    IN = "in", _("is one of")


class ActionType(models.TextChoices):
    CREATE_TASK = "create_task", _("Create a task")
    SEND_EMAIL = "send_email", _("Send an e-mail from a template")
    SET_FIELD = "set_field", _("Set a field")
    ASSIGN = "assign", _("Assign to a user")
    NOTIFY = "notify", _("Notify users")
    WEBHOOK = "webhook", _("Call a webhook")


class Recipient(models.TextChoices):
    """Who a task is for, or who is notified."""

    OWNER = "owner", _("The record's owner")
    MANAGER = "manager", _("The owner's manager")
    USER = "user", _("A chosen user")


class RunOutcome(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("rule run", "Queued")
    DONE = "done", pgettext_lazy("rule run", "Done")
    NOT_MET = "not_met", _("Conditions not met")
    FAILED = "failed", pgettext_lazy("rule run", "Failed")
    SKIPPED_LOOP = "skipped_loop", _("Skipped: loop")
    SKIPPED_RATE = "skipped_rate", _("Skipped: rate limit")
    SKIPPED = "skipped", _("Skipped")


FINAL_OUTCOMES = frozenset(RunOutcome.values) - {RunOutcome.QUEUED}
# Runs that ran their actions: what the per-rule hourly rate limit counts.
EXECUTED_OUTCOMES = (RunOutcome.DONE, RunOutcome.FAILED)
