"""Web-to-lead forms, what visitors sent through them, and the ordered assignment rules (migration 0009).

See docs/leads-webforms-assignment.md for the choices behind these tables.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tradewind.workspaces.models import WorkspaceModel

from .choices import LeadSource


def new_form_key() -> str:
    """Random and unguessable: 24 URL-safe characters (144 bits)."""
    return secrets.token_urlsafe(18)


class WebForm(WorkspaceModel):
    """A public form that turns visitors' submissions into leads; its key is the URL /f/<key>/."""

    AUDIT_TYPE = "webform"
    SCOPE_OWNER_FIELD = None  # workspace configuration: pages and API ask for WORKSPACE_MANAGE

    name = models.CharField(_("name"), max_length=120)
    key = models.CharField(max_length=40, unique=True, default=new_form_key, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    fields = models.JSONField(_("fields shown"), default=list)
    source = models.CharField(
        _("source"), max_length=24, choices=LeadSource.choices, default=LeadSource.WEB_FORM
    )
    source_detail = models.CharField(_("source detail"), max_length=200, blank=True)
    allowed_origins = models.JSONField(_("allowed sites"), default=list, blank=True)
    daily_budget = models.PositiveIntegerField(_("most leads per day"), default=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner of new leads"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    thank_you_en = models.TextField(_("thank-you text (English)"), blank=True)
    thank_you_zh = models.TextField(_("thank-you text (Chinese)"), blank=True)
    redirect_url = models.URLField(_("redirect after sending"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("web form")
        indexes = [models.Index(fields=["workspace", "name"], name="webform_ws_name_idx")]

    def __str__(self) -> str:
        return self.name


class SubmissionState(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    OVERFLOW = "overflow", _("Over the daily budget")
    SPAM = "spam", _("Spam")
    REJECTED = "rejected", _("Rejected")


class WebFormSubmission(models.Model):
    """One POST to a web form, kept whatever happened to it: overflow is processed later, not lost."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    form = models.ForeignKey(WebForm, on_delete=models.CASCADE, related_name="submissions")
    received_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=SubmissionState.choices)
    payload = models.JSONField(default=dict)
    lang = models.CharField(max_length=10, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    origin = models.CharField(max_length=200, blank=True)
    # When the lead was made: the daily budget counts these per day (live and overflow alike).
    accepted_at = models.DateTimeField(null=True, blank=True)
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    duplicate_of = models.JSONField(default=list, blank=True)  # codes of the likely duplicates
    errors = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["form", "state", "received_at"], name="webformsub_state_idx"),
            models.Index(fields=["form", "accepted_at"], name="webformsub_accepted_idx"),
            models.Index(fields=["form", "-received_at", "-id"], name="webformsub_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"submission {self.pk} to form {self.form_id} ({self.state})"


class AssignmentAction(models.TextChoices):
    USER = "user", _("A named member")
    ROUND_ROBIN = "round_robin", _("Round-robin within a team")
    LEAST_LOADED = "least_loaded", _("Fewest open leads in a team")
    POOL = "pool", _("The lead pool")


class AssignmentRule(WorkspaceModel):
    """Ordered per workspace; on capture the first active rule whose conditions all match decides."""

    AUDIT_TYPE = "assignment_rule"
    SCOPE_OWNER_FIELD = None

    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(default=0)
    # {"source": [...], "country": [...], "industry": [...], "company_size": [...], "grade": [...]}
    # An absent or empty list matches anything; "industry" matches when the lead's industry
    # contains one of the words (case-insensitive).
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AssignmentAction.choices)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target_team = models.ForeignKey(
        "workspaces.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Round-robin cursor: the user id that got the last lead; moved under a row lock.
    last_user_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("assignment rule")
        indexes = [models.Index(fields=["workspace", "position", "id"], name="assignrule_pos_idx")]

    def __str__(self) -> str:
        return self.name
