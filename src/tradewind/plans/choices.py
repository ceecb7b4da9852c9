"""Choices of step plans (SFA 步骤方案, seed 001): what a plan applies to, how a step is timed,
who carries it out, what it does, how it advances, and the states of a run and of its steps."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AppliesTo(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    OPPORTUNITY = "opportunity", _("Opportunity")


class OffsetFrom(models.TextChoices):
    START = "start", _("the plan start")
    PREVIOUS = "previous", _("the previous step's completion")


class Executor(models.TextChoices):
    OWNER = "owner", _("Record owner")
    USER = "user", _("A chosen user")
    MANAGER = "manager", _("The owner's manager")
    CREATOR = "creator", _("Whoever started the plan")


class StepAction(models.TextChoices):
    TASK = "task", _("Create a task for the executor")
    EMAIL = "email", _("Send an e-mail from a template")
    NOTIFY = "notify", _("Notify the executor")


class Advance(models.TextChoices):
    TIME = "time", _("By time: done when its time comes")
    EVENT = "event", _("By event: waits for something to happen")


class StepEvent(models.TextChoices):
    TASK_DONE = "task_done", _("Its task is completed")
    FOLLOWUP = "followup", _("A follow-up is recorded on the record")
    OPPORTUNITY_STAGE = "opportunity_stage", _("The opportunity reaches a stage")
    CUSTOMER_STAGE = "customer_stage", _("The customer reaches a life-cycle stage")


class RunState(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("plan run", "Active")
    PAUSED = "paused", pgettext_lazy("plan run", "Paused")
    COMPLETED = "completed", pgettext_lazy("plan run", "Completed")
    STOPPED = "stopped", pgettext_lazy("plan run", "Stopped")


RUNNING_STATES = (RunState.ACTIVE, RunState.PAUSED)


class StepState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("plan step", "Not yet")
    ACTIVE = "active", pgettext_lazy("plan step", "Current")
    DONE = "done", pgettext_lazy("plan step", "Done")
    CANCELLED = "cancelled", pgettext_lazy("plan step", "Cancelled")
