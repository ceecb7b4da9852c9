"""Customer import batches (客户导入批次), the link from a customer to its batch, and the indexes the
customer list's sorts need.

A batch keeps the uploaded file, the mapping and mode, the dry run's preview, the counters, the
error file; every customer it creates links back through `Customer.import_batch` so it can be
undone. Kept apart from `LeadImport` (customers may not import leads, DESIGN.md); the shape is the
same so both read alike (docs/customers-360.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tradewind.workspaces.models import WorkspaceModel

from .models import Customer


class CustomerImportMode(models.TextChoices):
    STOP_ON_ERROR = "stop_on_error", _("Stop on the first error — nothing is written")
    SKIP_BAD_ROWS = "skip_bad_rows", _("Skip bad rows — download them as an error file")


class CustomerImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    PREVIEWED = "previewed", _("Previewed")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    UNDONE = "undone", _("Undone")


class CustomerImport(WorkspaceModel):
    """One uploaded file of customers and contacts. Visible to its importer and, by data scope, to
    the importer's managers; no pool."""

    AUDIT_TYPE = "customer_import"
    SCOPE_OWNER_FIELD = "created_by"
    POOL_VISIBLE = False

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(upload_to="imports/customers/%Y/%m/", max_length=255)
    file_name = models.CharField(_("file"), max_length=200)
    file_sha256 = models.CharField(max_length=64)
    file_kind = models.CharField(max_length=8)
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)  # {"0": "name", "3": "contact_email"}
    mode = models.CharField(
        _("mode"),
        max_length=16,
        choices=CustomerImportMode.choices,
        default=CustomerImportMode.SKIP_BAD_ROWS,
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CustomerImportStatus.choices,
        default=CustomerImportStatus.UPLOADED,
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    contact_count = models.PositiveIntegerField(_("contacts"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicates skipped"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    undone_count = models.PositiveIntegerField(default=0)
    kept_count = models.PositiveIntegerField(default=0)
    preview = models.JSONField(default=dict, blank=True)
    error_file = models.FileField(
        upload_to="imports/customers/errors/%Y/%m/", max_length=255, blank=True
    )
    failure = models.CharField(max_length=500, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("customer import")
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="custimport_ws_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"


Customer.add_to_class(
    "import_batch",
    models.ForeignKey(
        CustomerImport,
        verbose_name=_("import batch"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="customers",
    ),
)

# The list's keyset sorts (customers/filters.py SORTS). Declared from here, like the field above, so
# the customer model's file stays the customer record's; migration 0004 creates them.
LIST_INDEXES = [
    models.Index(fields=["workspace", "name", "id"], name="customer_ws_name_idx"),
    models.Index(fields=["workspace", "-updated_at", "-id"], name="customer_ws_updated_idx"),
    models.Index(fields=["workspace", "next_followup_at", "id"], name="customer_ws_due_idx"),
]
_known = {index.name for index in Customer._meta.indexes}
Customer._meta.indexes = [
    *Customer._meta.indexes,
    *(index for index in LIST_INDEXES if index.name not in _known),
]
