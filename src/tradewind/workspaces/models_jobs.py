"""Durable work (jobs) and idempotent API calls: rows that outlive a worker or a request.

A Job is a unit of background work with state and a lease (workspaces/jobs.py runs them): a worker
killed mid-job leaves a row whose lease runs out, and the next worker runs it again. An
IdempotencyRecord remembers the answer to a creating API call made with an `Idempotency-Key`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    DEAD = "dead", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Job(models.Model):
    workspace = models.ForeignKey(
        "workspaces.Workspace", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=64)
    payload = models.JSONField(default=dict, blank=True)
    # With a key, (kind, key) is unique: enqueueing the same work twice gives the first job back.
    key = models.CharField(max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=JobState.choices, default=JobState.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(default=5)
    run_after = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "run_after"], name="job_due_idx"),
            models.Index(fields=["workspace", "-id"], name="job_workspace_idx"),
            # The job log's state filter and its counts per state (workspaces/jobs_selectors.py).
            models.Index(fields=["workspace", "state", "-id"], name="job_ws_state_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key"], condition=~models.Q(key=""), name="job_kind_key_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.state}"


class IdempotencyRecord(models.Model):
    """The stored answer of a creating API call sent with an Idempotency-Key header. Keyed per
    caller (token or user) so two callers' keys never collide; kept for a day."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    caller = models.CharField(max_length=64)  # "token:<id>" or "user:<id>"
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    body_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True, blank=True)  # null while in flight
    response_body = models.BinaryField(blank=True, default=b"")
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "caller", "key"], name="idempotency_caller_key_uniq"
            )
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.caller} {self.key}"


class ScheduleRun(models.Model):
    """One run of a periodic schedule (workspaces/schedules.py) for one workspace, or for all
    (workspace null): what the admin's schedules page shows."""

    schedule = models.CharField(max_length=64)
    workspace = models.ForeignKey(
        "workspaces.Workspace", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(default=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["schedule", "workspace", "-started_at"], name="schedule_run_idx")
        ]

    def __str__(self) -> str:
        return f"{self.schedule} {self.started_at:%Y-%m-%d %H:%M}"
