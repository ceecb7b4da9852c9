"""Import of customers and their contacts from CSV / XLSX / XLS / ODS (客户导入).

upload -> map + dry-run preview (whole file, nothing written) -> run -> result, error file, undo.
Synchronous: the preview and the run each stream the stored file in chunks of CHUNK rows inside the
request, each chunk of the run being one transaction (codes reserved in a block, one bulk INSERT of
customers, one of contacts). Files are capped at MAX_ROWS rows, which keeps a run within a request
on this hardware; leads keep the durable huey job for their larger files (docs/customers-360.md).

Rows are cleaned by the same capture rules as the form and the API (`clean_customer`,
`clean_contact`), so a row is refused with the same translated messages; duplicates are matched on
the exact normalised keys (company key, pinyin key, e-mail and web domains, E.164 phone, a contact's
e-mail and phone) with one query per key kind per chunk, and against earlier rows of the file: a
later row of the same company adds its contact to that customer instead of a second customer.
"""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core import spreadsheets
from tradewind.core.errors import Conflict, ErrorCode, NotFound, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.import_mappings import mapping_remember, mapping_remembered
from tradewind.workspaces.models import Membership
from tradewind.workspaces.numbering import sequence_next
from tradewind.workspaces.permissions import Perm

from .errors import CustomerListError
from .imports_fields import (
    FIELDS,
    auto_mapping,
)
from .imports_models import CustomerImport, CustomerImportMode, CustomerImportStatus
from .imports_rows import (
    Context,
    Outcome,
    _chunks,
    _context,
    _shown,
    _sort_chunk,
    _unreadable,
    read,
)
from .models import Contact, Customer

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000
SAMPLE_ROWS = 20
REPORT_LIMIT = 200


@transaction.atomic
def customer_import_upload(*, actor: Actor, name: str, data: bytes) -> CustomerImport:
    """Store the file, read its header row, count its rows and propose a mapping."""
    require(actor, Perm.CUSTOMER_CREATE)
    if len(data) > MAX_BYTES:
        message = _("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // 1024 // 1024}
        raise ServiceError(CustomerListError.FILE_TOO_LARGE, message, fields={"file": [message]})
    try:
        kind = spreadsheets.detect_kind(name, data[:8])
    except spreadsheets.SpreadsheetError:
        raise _unreadable() from None
    batch = CustomerImport(
        workspace=actor.workspace,
        created_by_id=actor.user_id,
        file_name=name[:200],
        file_sha256=hashlib.sha256(data).hexdigest(),
        file_kind=kind,
    )
    batch.file.save(re.sub(r"[^\w.-]", "_", name)[-80:] or "import", ContentFile(data), save=False)
    headers: list[str] | None = None
    total = 0
    for _number, cells in read(batch.file.path, kind):
        if headers is None:
            headers = [str(c or "").strip() for c in cells]
            continue
        total += 1
    if not headers:
        raise _unreadable()
    if total > MAX_ROWS:
        message = _("At most %(max)s rows per file. Split the file and try again.") % {
            "max": f"{MAX_ROWS:,}"
        }
        raise ServiceError(CustomerListError.TOO_MANY, message, fields={"file": [message]})
    batch.headers = headers
    batch.total_rows = total
    batch.mapping = mapping_remembered(actor.workspace, "customers", headers) or auto_mapping(
        headers
    )
    batch.save()
    audit.record_create(actor=actor, target=batch, fields=["file_name", "total_rows"])
    return batch


def check_mapping(headers: list[str], mapping: dict[str, str]) -> dict[str, str]:
    clean: dict[str, str] = {}
    for index, name in mapping.items():
        if not name:
            continue
        if name not in FIELDS or not str(index).isdigit() or int(index) >= len(headers):
            message = _("This mapping names a column or a field that does not exist.")
            raise ServiceError(CustomerListError.BAD_MAPPING, message)
        if name in clean.values():
            message = _("Each field can be taken by one column only.")
            raise ServiceError(CustomerListError.BAD_MAPPING, message)
        clean[str(index)] = name
    if "name" not in clean.values():
        message = _("Choose the column that holds the company name.")
        raise ServiceError(
            CustomerListError.NAME_NOT_MAPPED, message, fields={"mapping": [message]}
        )
    return clean


# --- preview, run, undo ----------------------------------------------------------------------------


def _editable(batch: CustomerImport) -> None:
    if batch.status not in (CustomerImportStatus.UPLOADED, CustomerImportStatus.PREVIEWED):
        message = _("This import has already run.")
        raise Conflict(CustomerListError.NOT_PREVIEWED, message)


@transaction.atomic
def customer_import_preview(
    *,
    actor: Actor,
    batch: CustomerImport,
    mapping: dict[str, str],
    mode: str = "",
    remember: bool = False,
) -> CustomerImport:
    """A dry run over the whole file: sample rows, errors, duplicates and totals. Nothing written
    but the batch's preview and, when asked, the remembered mapping for files with these headers."""
    require(actor, Perm.CUSTOMER_CREATE)
    _editable(batch)
    batch.mapping = check_mapping(batch.headers, mapping)
    if remember:
        mapping_remember(actor=actor, kind="customers", batch=batch)
    if mode:
        batch.mode = mode if mode in CustomerImportMode.values else batch.mode
    ctx = _context(batch, actor)
    seen: dict[tuple[str, str], int] = {}
    sample: list[dict[str, str]] = []
    totals = {"good": 0, "contacts": 0, "errors": 0, "duplicates": 0}
    errors: list[dict[str, Any]] = []
    duplicates: list[dict[str, Any]] = []
    for chunk in _chunks(batch):
        out = _sort_chunk(ctx, chunk, seen)
        for _n, customer, contact in out.good:
            if len(sample) < SAMPLE_ROWS:
                sample.append(_shown(customer, contact))
        totals["good"] += len(out.good)
        totals["contacts"] += sum(1 for g in out.good if g[2]) + len(out.extra_contacts)
        totals["errors"] += len(out.bad)
        totals["duplicates"] += len(out.duplicates)
        errors += out.errors[: REPORT_LIMIT - len(errors)]
        duplicates += out.duplicates[: REPORT_LIMIT - len(duplicates)]
    again = (
        CustomerImport.objects.filter(
            workspace=batch.workspace,
            file_sha256=batch.file_sha256,
            status=CustomerImportStatus.DONE,
        )
        .exclude(pk=batch.pk)
        .exists()
    )
    batch.preview = {
        "sample": sample,
        "errors": errors,
        "duplicates": duplicates,
        "totals": totals,
        "imported_before": again,
    }
    batch.status = CustomerImportStatus.PREVIEWED
    batch.save()
    return batch


def customer_import_run(*, actor: Actor, batch: CustomerImport) -> CustomerImport:
    """Write the rows, all or nothing (one transaction). Stop mode refuses a file whose dry run
    found errors, before anything is written."""
    require(actor, Perm.CUSTOMER_CREATE)
    if batch.status != CustomerImportStatus.PREVIEWED:
        message = _("Preview the import before running it.")
        raise Conflict(CustomerListError.NOT_PREVIEWED, message)
    if batch.mode == CustomerImportMode.STOP_ON_ERROR and batch.preview["totals"]["errors"]:
        message = _(
            "Some rows have errors and this import stops on the first error: nothing was written. "
            "Fix the rows, or choose to skip bad rows."
        )
        raise ServiceError(CustomerListError.ROWS_HAVE_ERRORS, message)
    ctx = _context(batch, actor)
    seen: dict[tuple[str, str], int] = {}
    row_customer: dict[int, int] = {}
    bad: list[tuple[int, list[Any], str]] = []
    counts = {"created": 0, "contacts": 0, "duplicates": 0, "errors": 0}
    # One transaction for the whole file (at most MAX_ROWS rows): the import runs inside the
    # request, with no job to resume it, so a lost connection or a crash must leave nothing.
    with transaction.atomic():
        for chunk in _chunks(batch):
            out = _sort_chunk(ctx, chunk, seen)
            _write(ctx, out, row_customer, counts)
            bad += out.bad
            counts["errors"] += len(out.bad)
            counts["duplicates"] += len(out.duplicates)
        _error_file(batch, bad)
        batch.status = CustomerImportStatus.DONE
        batch.created_count = counts["created"]
        batch.contact_count = counts["contacts"]
        batch.duplicate_count = counts["duplicates"]
        batch.error_count = counts["errors"]
        batch.finished_at = timezone.now()
        batch.save()
        audit.record(
            actor=actor,
            verb=AuditVerb.ACTION,
            action="import",
            target=batch,
            changes={k: [0, v] for k, v in counts.items()},
        )
    emit("customer_import.done", workspace_id=batch.workspace_id, import_id=batch.pk, **counts)
    return batch


def _write(ctx: Context, out: Outcome, row_customer: dict[int, int], counts: dict) -> None:
    batch = ctx.batch
    now = timezone.now()
    codes = (
        sequence_next(workspace=batch.workspace, kind="customer", count=len(out.good))
        if out.good
        else []
    )
    created = Customer.objects.bulk_create(
        [
            Customer(
                workspace=batch.workspace,
                code=code,
                created_at=now,
                updated_at=now,
                import_batch=batch,
                **customer,
            )
            for code, (_n, customer, _c) in zip(codes, out.good, strict=True)
        ]
    )
    contacts = []
    for row, customer in zip(out.good, created, strict=True):
        row_customer[row[0]] = customer.pk
        if row[2]:
            contacts.append(Contact(customer_id=customer.pk, is_primary=True, **row[2]))
    for _number, first_row, contact in out.extra_contacts:
        if first_row in row_customer:
            contacts.append(Contact(customer_id=row_customer[first_row], **contact))
    for contact in contacts:
        contact.workspace = batch.workspace
        contact.created_at = contact.updated_at = now
    Contact.objects.bulk_create(contacts)
    counts["created"] += len(created)
    counts["contacts"] += len(contacts)


def _error_file(batch: CustomerImport, bad: list[tuple[int, list[Any], str]]) -> None:
    """The bad rows as they were, plus an "error" column: a UTF-8 CSV that re-imports once fixed."""
    if not bad:
        return
    width = len(batch.headers)
    rows: list[list[Any]] = [[*batch.headers, _("error")]]
    for number, cells, reason in bad:
        label = _("Row %(row)s") % {"row": number}
        rows.append([*([*cells] + [None] * width)[:width], f"{label} · {reason}"])
    buffer = io.BytesIO()
    spreadsheets.write_csv(rows, buffer)
    batch.error_file.save(
        f"customer-import-{batch.pk}-errors.csv", ContentFile(buffer.getvalue()), save=False
    )


def can_undo(member: Membership, batch: CustomerImport) -> bool:
    return batch.status == CustomerImportStatus.DONE and (
        batch.created_by_id == member.user_id or member.has(Perm.CUSTOMER_ASSIGN)
    )


@transaction.atomic
def customer_import_undo(*, actor: Actor, batch: CustomerImport) -> CustomerImport:
    """Delete the batch's customers nobody has changed since (their updated_at is not later than
    the batch's end); those worked on are kept and counted."""
    require(actor, Perm.CUSTOMER_CREATE)
    assert actor.member is not None
    if batch.created_by_id != actor.user_id and not actor.member.has(Perm.CUSTOMER_ASSIGN):
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    if batch.status != CustomerImportStatus.DONE:
        message = _("Only a finished import can be undone.")
        raise Conflict(CustomerListError.NOT_UNDOABLE, message)
    mine = Customer.objects.filter(workspace=batch.workspace, import_batch=batch)
    untouched = mine.filter(updated_at__lte=batch.finished_at).filter(
        ~Q(pk__in=_with_opportunities(batch))
    )
    ids = list(untouched.values_list("id", flat=True))
    kept = mine.count() - len(ids)
    Customer.objects.filter(pk__in=ids).delete()
    batch.status = CustomerImportStatus.UNDONE
    batch.undone_count = len(ids)
    batch.kept_count = kept
    batch.save()
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="import_undone",
        target=batch,
        changes={"undone": [0, len(ids)], "kept": [0, kept]},
    )
    emit("customer_import.undone", workspace_id=batch.workspace_id, import_id=batch.pk, ids=ids)
    return batch


def _with_opportunities(batch: CustomerImport) -> Any:
    from django.apps import apps

    opportunity = apps.get_model("sales", "Opportunity")
    return opportunity.objects.filter(customer__import_batch=batch).values("customer_id")
