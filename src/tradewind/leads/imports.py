"""Spreadsheet import of leads (线索导入): upload, map columns, dry run, run in the background, undo.

The file is streamed in chunks of CHUNK_SIZE rows; each chunk is cleaned row by row, deduplicated
with one query per key kind, given a block of codes under the numbering row lock, inserted with one
executemany, and committed together with the batch's progress. One audit row per batch (not per
lead) records the counts; every lead links to its batch. See docs/leads-import.md.
"""

from __future__ import annotations

import hashlib
import logging
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, ErrorCode, PermissionDenied, ServiceError
from tradewind.core.spreadsheets import SpreadsheetError, detect_kind, read_rows
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import ActorKind, AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.import_mappings import mapping_remember, mapping_remembered
from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm

from . import imports_rows as engine
from .imports_chunks import REPORT_LIMIT, Tally, dedupe_chunk, display
from .imports_cleaner import cleaned_chunks
from .imports_fields import FIELDS, auto_mapping
from .models import Lead
from .models_imports import ImportMode, ImportStatus, LeadImport

log = logging.getLogger(__name__)
MAX_BYTES = 100 * 1024 * 1024
SAMPLE_ROWS = 20
LEASE = timezone.timedelta(minutes=5)


class LeadImportError(StrEnum):
    BAD_FILE = "bad_file"
    EMPTY_FILE = "empty_file"
    TOO_LARGE = "too_large"
    BAD_MAPPING = "bad_mapping"
    NOT_EDITABLE = "import_not_editable"
    NOT_UNDOABLE = "import_not_undoable"


# --- reading the stored file -----------------------------------------------------------------------


def _refuse_unreadable() -> ServiceError:
    return ServiceError(
        LeadImportError.BAD_FILE,
        _("This file cannot be read. Upload a CSV, XLSX or XLS file."),
        fields={"file": [_("This file cannot be read. Upload a CSV, XLSX or XLS file.")]},
    )


# --- upload, mapping, dry run --------------------------------------------------------------------


@transaction.atomic
def lead_import_upload(
    *, actor: Actor, file: File, file_name: str, mode: str = ImportMode.SKIP_BAD_ROWS
) -> LeadImport:
    """Store the file, read its header row, count its rows and propose a mapping (a remembered one
    for the same headers, else auto-detected from Chinese and English header names)."""
    require(actor, Perm.LEAD_CREATE)
    if mode not in ImportMode.values:
        mode = ImportMode.SKIP_BAD_ROWS
    if (file.size or 0) > MAX_BYTES:
        raise ServiceError(
            LeadImportError.TOO_LARGE,
            _("The file is larger than %(mb)s MB. Split it into smaller files.")
            % {"mb": MAX_BYTES // (1024 * 1024)},
        )
    digest = hashlib.sha256()
    for piece in file.chunks():
        digest.update(piece)
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    try:
        kind = detect_kind(file_name, head)
    except SpreadsheetError as exc:
        raise _refuse_unreadable() from exc
    batch = LeadImport(
        workspace=actor.workspace,
        created_by_id=actor.user_id,
        file_name=Path(file_name).name[:200],
        file_sha256=digest.hexdigest(),
        file_kind=kind,
        mode=mode,
    )
    batch.file.save(f"{batch.file_sha256[:16]}.{kind}", file, save=False)
    try:
        rows = read_rows(batch.file.path, kind)
        header = next(rows, None)
        total = sum(1 for _row in rows)
    except SpreadsheetError as exc:
        batch.file.delete(save=False)
        raise _refuse_unreadable() from exc
    if header is None or total == 0:
        batch.file.delete(save=False)
        raise ServiceError(
            LeadImportError.EMPTY_FILE,
            _("The file has no rows below its header row."),
            fields={"file": [_("The file has no rows below its header row.")]},
        )
    batch.header_row = header[0]
    batch.headers = [engine._text(c) for c in header[1]]
    batch.total_rows = total
    remembered = mapping_remembered(actor.workspace, "leads", batch.headers)
    batch.mapping = remembered or auto_mapping(batch.headers)
    batch.save()
    return batch


def _check_mapping(batch: LeadImport, mapping: dict[str, str]) -> dict[str, str]:
    clean: dict[str, str] = {}
    problems: list[str] = []
    for index, name in mapping.items():
        if not name:
            continue
        if name not in FIELDS or not str(index).isdigit() or int(index) >= len(batch.headers):
            problems.append(_("Unknown column or field: %(name)s.") % {"name": name})
        elif name in clean.values():
            problems.append(
                _("%(field)s is mapped to more than one column.") % {"field": FIELDS[name][0]}
            )
        else:
            clean[str(int(index))] = name
    if not clean:
        problems.append(_("Map at least one column to a lead field."))
    if problems:
        raise ServiceError(
            LeadImportError.BAD_MAPPING,
            _("Please correct the column mapping."),
            fields={"mapping": problems},
        )
    return clean


def _editable(batch: LeadImport) -> None:
    if batch.status not in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED):
        raise Conflict(
            LeadImportError.NOT_EDITABLE, _("This import has already started; start a new one.")
        )


@transaction.atomic
def lead_import_preview(
    *,
    actor: Actor,
    batch: LeadImport,
    mapping: dict[str, str] | None = None,
    remember: bool = False,
    mode: str | None = None,
) -> LeadImport:
    """Dry run over the whole file: nothing is written but the batch's preview. Keeps the first
    rows as they would be stored, the first errors (row, column, reason) and duplicates (with
    who owns the match), and totals over every row."""
    require(actor, Perm.LEAD_CREATE)
    batch = LeadImport.objects.select_for_update().get(pk=batch.pk, workspace=actor.workspace)
    _editable(batch)
    batch.mapping = _check_mapping(batch, batch.mapping if mapping is None else mapping)
    if mode in ImportMode.values:
        batch.mode = mode
    if remember:
        mapping_remember(actor=actor, kind="leads", batch=batch)
    ctx = engine.RowContext.load(
        workspace=actor.workspace, headers=batch.headers, mapping=batch.mapping
    )
    result = Tally()
    sample: list[dict[str, Any]] = []
    file_keys = engine.FileKeys()
    for cleaned in cleaned_chunks(batch, ctx):
        cleaned.tally_into(result)
        good = dedupe_chunk(ctx, cleaned.rows, file_keys, result)
        for number, values in good[: max(0, SAMPLE_ROWS - len(sample))]:
            sample.append({"row": number, **display(values, ctx)})
    earlier = (
        LeadImport.objects.filter(
            workspace=actor.workspace,
            file_sha256=batch.file_sha256,
            status__in=[ImportStatus.DONE, ImportStatus.RUNNING, ImportStatus.QUEUED],
        )
        .exclude(pk=batch.pk)
        .values_list("pk", flat=True)
        .first()
    )
    batch.preview = {
        "fields": [name for _i, name, _h in ctx.columns],
        "sample": sample,
        "errors": result.errors[:REPORT_LIMIT],
        "duplicates": result.duplicates[:REPORT_LIMIT],
        "totals": result.totals(batch.total_rows),
        "same_file_as": earlier,
    }
    batch.status = ImportStatus.PREVIEWED
    batch.updated_at = timezone.now()
    batch.save()
    return batch


# --- start, run, undo --------------------------------------------------------------------------


@transaction.atomic
def lead_import_start(*, actor: Actor, batch: LeadImport, mode: str | None = None) -> LeadImport:
    """Queue the run. It starts after this transaction commits (huey), so a rollback queues nothing."""
    require(actor, Perm.LEAD_CREATE)
    batch = LeadImport.objects.select_for_update().get(pk=batch.pk, workspace=actor.workspace)
    if batch.status != ImportStatus.PREVIEWED:
        if batch.status == ImportStatus.UPLOADED:
            raise Conflict(
                LeadImportError.NOT_EDITABLE, _("Check the preview before starting the import.")
            )
        _editable(batch)
    if mode in ImportMode.values:
        batch.mode = mode
    batch.status = ImportStatus.QUEUED
    batch.processed_rows = 0
    batch.updated_at = timezone.now()
    batch.save()
    _queue(batch.pk)
    return batch


def _queue(batch_id: int) -> None:
    from .tasks_imports import run_lead_import

    transaction.on_commit(lambda: run_lead_import(batch_id))


def _import_actor(batch: LeadImport) -> Actor:
    member = (
        Membership.objects.select_related("workspace", "user")
        .filter(workspace_id=batch.workspace_id, user_id=batch.created_by_id)
        .first()
    )
    return Actor(
        workspace=batch.workspace,
        member=member,
        kind=ActorKind.IMPORT,
        label=_("import #%(id)s") % {"id": batch.pk},
    )


def lead_import_run(*, import_id: int) -> LeadImport | None:
    """The background job. Takes the batch with a lease (so a second worker or the sweeper's
    re-queue cannot run it twice at once), resumes after the rows already committed, and commits
    progress with every chunk."""
    now = timezone.now()
    claimed = LeadImport.objects.filter(
        Q(status=ImportStatus.QUEUED) | Q(status=ImportStatus.RUNNING, lease_until__lt=now),
        pk=import_id,
    ).update(status=ImportStatus.RUNNING, lease_until=now + LEASE, started_at=now)
    if not claimed:
        return None
    batch = LeadImport.objects.select_related("workspace").get(pk=import_id)
    actor = _import_actor(batch)
    try:
        if actor.member is None or not actor.member.has(Perm.LEAD_CREATE):
            raise PermissionDenied(
                ErrorCode.PERMISSION_DENIED, _("You do not have permission to do this.")
            )
        from .imports_job import run_batch

        # Reports and the error file speak the importer's language.
        language = getattr(actor.user, "language", "") or settings.LANGUAGE_CODE
        with translation.override(language):
            run_batch(batch, actor)
    except Exception as exc:
        if _connection_lost(exc):
            # Like a killed worker, not a failed file: the committed chunks stand and the sweeper
            # resumes after them, whereas _fail would leave a half-written batch nobody resumes.
            log.warning("lead import %s lost its database connection; it will resume", import_id)
            _release_lease(import_id)
            return None
        log.exception("lead import %s failed", import_id)
        _fail(batch, actor, exc)
    return LeadImport.objects.get(pk=import_id)


# SQLSTATE class 08 (connection exception) and the server shutting down (57P01-57P03).
_LOST_STATES = ("08", "57P01", "57P02", "57P03")


def _connection_lost(exc: Exception) -> bool:
    """Whether the database connection itself went away (server restarted, backend terminated,
    network cut), as opposed to an error in the work. Only PostgreSQL has a connection to lose; a
    psycopg OperationalError without an SQLSTATE comes from the client library, i.e. the socket."""
    if connection.vendor != "postgresql" or not isinstance(exc, (OperationalError, InterfaceError)):
        return False
    state = getattr(exc.__cause__, "sqlstate", None) or ""
    return not state or state.startswith(_LOST_STATES)


def _release_lease(import_id: int) -> None:
    """Let the next sweep resume the batch now rather than after the lease. Best effort: with the
    database still away, the lease simply runs out."""
    if not connection.in_atomic_block:
        connection.close()  # a broken connection is not reopened by itself outside a request
    try:
        LeadImport.objects.filter(pk=import_id, status=ImportStatus.RUNNING).update(
            lease_until=timezone.now()
        )
    except DatabaseError:
        log.warning("lead import %s: the database is still away; the lease will run out", import_id)


@transaction.atomic
def _fail(batch: LeadImport, actor: Actor, exc: Exception) -> None:
    undone = 0
    if batch.mode == ImportMode.STOP_ON_ERROR:
        # "Nothing written" holds even when the database fails half-way through the writing pass.
        undone, _detail = Lead.objects.filter(import_batch=batch).delete()
    message = (
        str(exc.message) if isinstance(exc, ServiceError) else _("The import stopped unexpectedly.")
    )
    LeadImport.objects.filter(pk=batch.pk).update(
        status=ImportStatus.FAILED,
        failure=message[:500],
        finished_at=timezone.now(),
        lease_until=None,
        created_count=0 if undone else Lead.objects.filter(import_batch=batch).count(),
    )
    batch.refresh_from_db()
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="import_failed",
        target=batch,
        changes={"created": [None, batch.created_count], "failure": [None, batch.failure]},
    )


@transaction.atomic
def lead_import_undo(*, actor: Actor, batch: LeadImport) -> LeadImport:
    """Delete the batch's leads nobody has touched since the import finished. A lead that was
    edited, claimed, assigned, followed up or moved on since then is kept (and counted)."""
    require(actor, Perm.LEAD_CREATE)
    batch = LeadImport.objects.select_for_update().get(pk=batch.pk, workspace=actor.workspace)
    if batch.created_by_id != actor.user_id and not (
        actor.member is not None and actor.member.has(Perm.LEAD_ASSIGN)
    ):
        raise PermissionDenied(
            ErrorCode.PERMISSION_DENIED,
            _("Only the person who imported the file or a manager can undo it."),
        )
    if batch.status not in (ImportStatus.DONE, ImportStatus.FAILED) or not batch.created_count:
        raise Conflict(LeadImportError.NOT_UNDOABLE, _("This import has nothing to undo."))
    leads = Lead.objects.filter(workspace=actor.workspace, import_batch=batch)
    untouched = leads.filter(updated_at__lte=batch.finished_at)
    ids = list(untouched.values_list("pk", flat=True))
    Lead.objects.filter(pk__in=ids).delete()
    kept = leads.count()
    batch.status = ImportStatus.UNDONE
    batch.undone_count, batch.kept_count = len(ids), kept
    batch.updated_at = timezone.now()
    batch.save()
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="import_undone",
        target=batch,
        changes={"deleted": [None, len(ids)], "kept": [None, kept]},
    )
    emit("lead_import.undone", workspace_id=actor.workspace.pk, import_id=batch.pk, lead_ids=ids)
    return batch


def lead_import_sweep() -> int:
    """Re-queue batches whose worker died (running with an expired lease). Returns how many."""
    stale = list(
        LeadImport.objects.filter(
            status=ImportStatus.RUNNING, lease_until__lt=timezone.now()
        ).values_list("pk", flat=True)
    )
    from .tasks_imports import run_lead_import

    for pk in stale:
        run_lead_import(pk)
    return len(stale)
