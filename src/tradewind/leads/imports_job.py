"""The import job's passes: check every row first (stop-on-error mode), then write chunk by chunk.

Each chunk is one transaction: dedupe queries, scores and assignment-rule decisions made in memory
for the rows about to be written, a block of codes, one executemany INSERT (COPY) carrying score,
grade and owner, the routing audit rows and events, and the batch's counters and lease. The
batch's single audit row is written with the final status.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.workspaces import audit
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.numbering import sequence_next

from . import imports_rows as engine
from .assignment import Routed, import_router, routing_record
from .assignment_engine import Decision, HeldLeads, RowFacts
from .imports import LEASE
from .imports_chunks import REPORT_LIMIT, Tally, dedupe_chunk, write_error_file
from .imports_cleaner import cleaned_chunks
from .imports_lookahead import with_lookups
from .models import Lead
from .models_imports import ImportMode, ImportStatus, LeadImport
from .scoring import RowScorer


def _progress(batch: LeadImport, phase: str, **counters: Any) -> None:
    now = timezone.now()
    LeadImport.objects.filter(pk=batch.pk).update(
        lease_until=now + LEASE, updated_at=now, report={"phase": phase}, **counters
    )


def run_batch(batch: LeadImport, actor: Actor) -> None:
    ctx = engine.RowContext.load(
        workspace=batch.workspace, headers=batch.headers, mapping=batch.mapping
    )
    resuming = batch.report.get("phase") == "writing"
    if batch.mode == ImportMode.STOP_ON_ERROR and not resuming and not _check_all(batch, ctx):
        return
    _write_all(batch, ctx, actor, resume=resuming)


def _check_all(batch: LeadImport, ctx: engine.RowContext) -> bool:
    """Stop-on-error mode, first pass: clean every row, write nothing. False (and the batch failed,
    with its error file) when any row is bad."""
    tally = Tally()
    bad: list[tuple[int, list[Any], str]] = []
    processed = 0
    for cleaned in cleaned_chunks(batch, ctx):
        cleaned.tally_into(tally)
        bad.extend(cleaned.bad)
        processed += cleaned.size
        _progress(batch, "checking", processed_rows=processed)
    if not tally.error_rows:
        LeadImport.objects.filter(pk=batch.pk).update(processed_rows=0)
        return True
    write_error_file(batch, bad)
    with transaction.atomic():
        LeadImport.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED,
            error_count=tally.error_rows,
            processed_rows=processed,
            finished_at=timezone.now(),
            lease_until=None,
            failure=_("%(n)s rows have errors, so nothing was written. Fix them and import again.")
            % {"n": tally.error_rows},
            report={"phase": "checked", "errors": tally.errors, "duplicates": []},
        )
        batch.refresh_from_db()
        _audit(batch, "import_failed")
    return False


def _write_all(batch: LeadImport, ctx: engine.RowContext, actor: Actor, *, resume: bool) -> None:
    skip = batch.processed_rows if resume else 0
    if not resume:
        LeadImport.objects.filter(pk=batch.pk).update(
            processed_rows=0, created_count=0, duplicate_count=0, error_count=0
        )
    last_pk = Lead.objects.filter(import_batch=batch).aggregate(m=Max("pk"))["m"] or 0
    tally = Tally()
    file_keys = engine.FileKeys()
    scorer = RowScorer(batch.workspace)
    held = HeldLeads()
    for cleaned, found in with_lookups(ctx, cleaned_chunks(batch, ctx, skip=skip)):
        errors_before, dups_before = tally.error_rows, tally.duplicate_rows
        cleaned.tally_into(tally)
        with transaction.atomic():
            good = dedupe_chunk(ctx, cleaned.rows, file_keys, tally, found)
            # Routed in the chunk's transaction: a resume skips committed rows, so routing done
            # after the commit would be lost for good if the worker or connection died in between.
            new = _insert(batch, good, last_pk, scorer, actor=actor, held=held)
            LeadImport.objects.filter(pk=batch.pk).update(
                processed_rows=F("processed_rows") + cleaned.size,
                created_count=F("created_count") + len(new),
                duplicate_count=F("duplicate_count") + tally.duplicate_rows - dups_before,
                error_count=F("error_count") + tally.error_rows - errors_before,
                lease_until=timezone.now() + LEASE,
                updated_at=timezone.now(),
                report={"phase": "writing"},
            )
        if new:
            last_pk = new[-1][0]
        write_error_file(batch, cleaned.bad)
    with transaction.atomic():
        LeadImport.objects.filter(pk=batch.pk).update(
            status=ImportStatus.DONE,
            finished_at=timezone.now(),
            lease_until=None,
            report={
                "phase": "done",
                "errors": tally.errors[:REPORT_LIMIT],
                "duplicates": tally.duplicates[:REPORT_LIMIT],
            },
        )
        batch.refresh_from_db()
        _audit(batch, "import")
        emit("lead_import.done", workspace_id=batch.workspace_id, import_id=batch.pk)


def _insert(
    batch: LeadImport,
    good: list[tuple[int, dict[str, Any]]],
    last_pk: int,
    scorer: RowScorer,
    *,
    actor: Actor,
    held: HeldLeads,
) -> list[tuple[int, str]]:
    """Score and route the chunk's good rows, write them, record the routing. Returns the new
    leads' (id, code) in row order. `held` carries the open-lead counts across the file's chunks.
    """
    if not good:
        return []
    rows = [values for _n, values in good]
    scores = [scorer.score(values) for values in rows]
    decisions: dict[int, Decision] = {}
    router = None
    if any(values.get("owner_id") is None for values in rows):
        router = import_router(workspace=batch.workspace, held=held)
    if router is not None and router.rules:
        for index, values in enumerate(rows):
            if values.get("owner_id") is None:
                decision = router.decide(RowFacts.of(values, scores[index][1]))
                if decision is not None:
                    decisions[index] = decision
                    values["owner_id"] = decision.owner_id
    codes = sequence_next(workspace=batch.workspace, kind="lead", count=len(good))
    engine.insert_rows(
        batch_id=batch.pk, workspace_id=batch.workspace_id, rows=rows, codes=codes, scores=scores
    )
    new = list(
        Lead.objects.filter(import_batch=batch, pk__gt=last_pk)
        .order_by("pk")
        .values_list("pk", "code")
    )
    if router is not None and decisions:
        ids = {code: pk for pk, code in new}
        routing_record(
            actor=actor,
            workspace=batch.workspace,
            router=router,
            outcomes=[
                Routed(
                    ids[codes[index]],
                    f"{codes[index]} {rows[index].get('company_name', '')}",
                    decision,
                    decision.owner_id,
                )
                for index, decision in decisions.items()
            ],
        )
    return new


def _audit(batch: LeadImport, action: str) -> None:
    """One audit row per batch, with its counts (not one per lead)."""
    from .imports import _import_actor

    audit.record(
        actor=_import_actor(batch),
        verb=AuditVerb.ACTION,
        action=action,
        target=batch,
        changes={
            "rows": [None, batch.total_rows],
            "created": [None, batch.created_count],
            "duplicates": [None, batch.duplicate_count],
            "errors": [None, batch.error_count],
        },
    )
