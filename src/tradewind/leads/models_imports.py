"""Spreadsheet import batches (导入批次) and the column mappings a workspace remembers.

A batch keeps the uploaded file, the chosen mapping and mode, its progress and counters, a capped
list of per-row errors and duplicates for the pages, and the full error file (CSV). Every lead it
creates links back through `Lead.import_batch`, so the batch can be undone and the lead's history
can say "created by import #N".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tradewind.workspaces.models import WorkspaceModel

from .models import Lead


class ImportMode(models.TextChoices):
    STOP_ON_ERROR = "stop_on_error", _("Stop on the first error — nothing is written")
    SKIP_BAD_ROWS = "skip_bad_rows", _("Skip bad rows — download them as an error file")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    PREVIEWED = "previewed", _("Previewed")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    UNDONE = "undone", _("Undone")


class LeadImport(WorkspaceModel):
    """One uploaded file and what became of it. Visible to its importer and, by data scope, to the
    importer's managers (the scope field is `created_by`; there is no pool of imports)."""

    AUDIT_TYPE = "lead_import"
    SCOPE_OWNER_FIELD = "created_by"
    POOL_VISIBLE = False

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=255)
    file_name = models.CharField(_("file"), max_length=200)
    file_sha256 = models.CharField(max_length=64)
    file_kind = models.CharField(max_length=8)
    header_row = models.PositiveIntegerField(default=1)
    headers = models.JSONField(default=list, blank=True)
    # {"0": "company_name", "3": "phone"}: column index -> lead field; unmapped columns are ignored.
    mapping = models.JSONField(default=dict, blank=True)
    mode = models.CharField(
        _("mode"), max_length=16, choices=ImportMode.choices, default=ImportMode.SKIP_BAD_ROWS
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicates skipped"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    undone_count = models.PositiveIntegerField(default=0)
    kept_count = models.PositiveIntegerField(default=0)
    # The dry run's result (sample rows, errors, duplicates, totals) and, after a run, the first
    # errors and duplicates; the complete list of bad rows is the error file.
    preview = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)
    error_file = models.FileField(upload_to="imports/errors/%Y/%m/", max_length=255, blank=True)
    failure = models.CharField(max_length=500, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lead import")
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="leadimport_ws_idx"),
            models.Index(fields=["status", "lease_until"], name="leadimport_lease_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status in (ImportStatus.DONE, ImportStatus.UNDONE) else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def is_active(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)


# The link from a lead to the batch that created it. Declared here, next to the batch, so the lead
# model file stays the leads issue's; Django treats it like any field declared on Lead.
Lead.add_to_class(
    "import_batch",
    models.ForeignKey(
        LeadImport,
        verbose_name=_("import batch"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="leads",
    ),
)
