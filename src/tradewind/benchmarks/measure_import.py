"""The import figure: a 100,000-row CSV and XLSX lead import into the bench workspace through the
real service path, beside the database's raw insert of the same cleaned rows.

Each run: `lead_import_upload` -> `lead_import_preview` (the dry run, timed on its own) ->
`lead_import_start` with the huey enqueue bypassed -> `lead_import_run` in a child process
(`import_child`), whose wall time and peak RSS are the figure -> `lead_import_undo`, then the batch,
its files, its audit rows and the lead numbering are put back, so the workspace is as it was.

The floor: the same file cleaned and deduplicated by the same engine (untimed), its good rows
written by `imports_rows.write_rows` (sqlite3 `executemany` / PostgreSQL `COPY`) under a throwaway
batch, as the import writes them (on SQLite: FTS entries in bulk, migration 0017), in one
transaction (timed: the writes and the commit), then deleted.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from unittest import mock

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone

from tradewind.core import normalize
from tradewind.core.spreadsheets import read_rows, write_csv, write_xlsx
from tradewind.customers.models import Contact, Customer
from tradewind.leads import imports_rows as engine
from tradewind.leads.choices import LeadSource
from tradewind.leads.imports import (
    lead_import_preview,
    lead_import_start,
    lead_import_undo,
    lead_import_upload,
)
from tradewind.leads.imports_chunks import Tally, chunks, clean_chunk, dedupe_chunk
from tradewind.leads.imports_fields import auto_mapping
from tradewind.leads.models import Lead, LeadPolicy
from tradewind.leads.models_imports import ImportMode, ImportStatus, LeadImport
from tradewind.leads.models_webforms import AssignmentAction, AssignmentRule
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.models import AuditEvent, NumberSequence, Team

from . import import_file
from .generate import BenchWorld
from .measure import Bench, Figure, Target, percentile

IMPORT_ROWS = 100_000
IMPORT_RUNS = 3
CSV_ROWS_PER_S = 15_000
MAX_FLOOR_RATIO = 4.0
MAX_PEAK_MB = 400.0
BENCH_HOLDING_CAP = 1_000_000  # over any generated rep's open leads: the rules assign (Restore)
KNOWN_LEADS = 2_000  # existing leads the file repeats (~3% of its rows)
CUSTOMERS = 300  # customers (each with two contacts) added once when the workspace has none
FLOOR_CODE = "ZZI"  # codes of the floor's rows: after every real code, deleted by range


# --- the world the file is matched against -----------------------------------------------------


def known_leads(world: BenchWorld, k: int = KNOWN_LEADS) -> list[import_file.Known]:
    """k leads spread evenly over the workspace (ids are contiguous: generated in one pass)."""
    qs = Lead.objects.filter(workspace=world.workspace)
    first = qs.order_by("id").values_list("id", flat=True).first()
    if first is None:
        return []
    step = max(1, world.leads // k)
    ids = [first + i * step for i in range(k)]
    rows = (
        qs.filter(id__in=ids)
        .exclude(email="", phone="")
        .order_by("id")
        .values_list("company_name", "contact_name", "email", "phone_e164", "country")
    )
    return [import_file.Known(*row) for row in rows]


def ensure_customers(world: BenchWorld) -> list[import_file.Known]:
    """A few customers and contacts so the import's dedupe against them runs on real rows. Kept
    (the bench world has no customers of its own yet); small numbers: only the lookups matter."""
    ws = world.workspace
    if not Customer.objects.filter(workspace=ws).exists():
        rng = random.Random(import_file.SEED + 1)  # noqa: S311 - test data
        owners = [m.user_id for m in world.reps]
        now = timezone.now()
        customers = []
        for i in range(CUSTOMERS):
            row = import_file._new_row(rng, 900_000 + i)
            name, phone, email = row[0], row[2], row[3].strip().lower()
            try:
                e164 = normalize.normalize_phone(phone, ws.default_country)
            except ValueError:
                e164, phone = "", ""
            key = normalize.company_key(name)
            customers.append(
                Customer(
                    workspace=ws,
                    code=f"KHB{i + 1:05d}",
                    name=name,
                    phone=phone[:32],
                    phone_e164=e164,
                    email=email if "@" in email else "",
                    email_domain=normalize.email_domain(email) if "@" in email else "",
                    company_key=key,
                    company_pinyin=(key if key.isascii() else normalize.company_pinyin(name))[:400],
                    owner_id=owners[i % len(owners)],
                    created_at=now,
                    updated_at=now,
                )
            )
        with transaction.atomic():
            Customer.objects.bulk_create(customers)
            contacts = []
            for i, customer in enumerate(Customer.objects.filter(workspace=ws).order_by("id")):
                for j in range(2):
                    mobile = f"139{(i * 2 + j) * 7919 % 10**8:08d}"
                    contacts.append(
                        Contact(
                            workspace=ws,
                            customer=customer,
                            name=f"Contact {i}-{j}",
                            is_primary=j == 0,
                            email=f"buyer{i}.{j}@contact{i:04d}.example",
                            phone=mobile,
                            phone_e164="+86" + mobile,
                        )
                    )
            Contact.objects.bulk_create(contacts)
    known = [
        import_file.Known(name, "", "", phone, "CN")
        for name, phone in Customer.objects.filter(workspace=ws)
        .order_by("id")
        .values_list("name", "phone_e164")[:CUSTOMERS]
    ]
    known += [
        import_file.Known(company, person, email, "", "CN")
        for company, person, email in Contact.objects.filter(workspace=ws)
        .order_by("id")
        .values_list("customer__name", "name", "email")[:CUSTOMERS]
    ]
    return known


def import_files(world: BenchWorld, rows: int) -> dict[str, Path]:
    """The CSV (UTF-8 BOM) and XLSX of the bench file, written once per size and cached in the
    data directory (the XLSX takes a while to write)."""
    folder = Path(settings.DATA_DIR) / "bench-import"
    folder.mkdir(parents=True, exist_ok=True)
    leads = known_leads(world)
    customers = ensure_customers(world)
    stem = f"leads-{rows}-v{import_file.FILE_VERSION}-{connection.vendor}-{world.leads}"
    paths = {}
    for kind, writer in (("csv", write_csv), ("xlsx", write_xlsx)):
        path = folder / f"{stem}.{kind}"
        if not path.exists():
            partial = path.with_suffix(".partial")
            with partial.open("wb") as handle:
                writer(import_file.rows(rows, leads, customers), handle)
            partial.rename(path)
        paths[kind] = path
    return paths


# --- the state the bench must leave as it found it -------------------------------------------------


class Restore:
    """Marks taken before the figure, put back after it: the lead numbering, audit rows and import
    batches created since, temporary assignment rules and the holding cap they need."""

    def __init__(self, world: BenchWorld) -> None:
        self.ws = world.workspace
        self.sequences = list(
            NumberSequence.objects.filter(workspace=self.ws, kind="lead").values_list(
                "period", "last_value"
            )
        )
        self.audit_mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        self.import_mark = LeadImport.objects.order_by("-id").values_list("id", flat=True).first()
        self.rules: list[int] = []
        self.cap: int | None = None

    def add_rules(self, world: BenchWorld) -> str:
        """Round-robin rules for the file's ownerless rows, when the workspace has none: Chinese
        companies to one group, Alibaba RFQs to another; the rest stays in the pool."""
        if AssignmentRule.objects.filter(workspace=self.ws, is_active=True).exists():
            return "the workspace's own assignment rules"
        groups = list(
            Team.objects.filter(workspace=self.ws, name__startswith="Group ").order_by("id")[:2]
        )
        if len(groups) < 2:
            return "no assignment rules (no teams)"
        specs = [
            ("bench: China -> Group 1", {"country": ["CN", "HK"]}, groups[0]),
            ("bench: Alibaba RFQ -> Group 2", {"source": [LeadSource.ALIBABA_RFQ]}, groups[1]),
        ]
        for position, (name, conditions, team) in enumerate(specs):
            rule = AssignmentRule.objects.create(
                workspace=self.ws,
                name=name,
                position=position,
                conditions=conditions,
                action=AssignmentAction.ROUND_ROBIN,
                target_team=team,
            )
            self.rules.append(rule.pk)
        # The generated reps hold thousands of open leads each, far over the default cap of 300:
        # with it every rule would find nobody under the cap and route nothing, and the figure
        # would leave out the routing it claims. Raised for the figure, put back in finish().
        policy = LeadPolicy.for_workspace(self.ws)
        self.cap = policy.holding_cap
        LeadPolicy.objects.filter(pk=policy.pk).update(holding_cap=BENCH_HOLDING_CAP)
        return (
            "2 round-robin assignment rules (country CN/HK, source Alibaba RFQ), lead holding cap "
            f"raised from {self.cap:,} to {BENCH_HOLDING_CAP:,} for the figure so that they assign"
        )

    def batch_done(self, batch: LeadImport) -> None:
        """After the undo: the stored file and error file, then the batch row itself."""
        batch.refresh_from_db()
        for stored in (batch.file, batch.error_file):
            if stored:
                stored.delete(save=False)
        # Leads the undo kept (none, unless something touched them) go too: the bench owns them.
        Lead.objects.filter(import_batch=batch)._raw_delete(connection.alias)
        LeadImport.objects.filter(pk=batch.pk).delete()

    def finish(self) -> None:
        with transaction.atomic():
            AssignmentRule.objects.filter(pk__in=self.rules).delete()
            if self.cap is not None:
                LeadPolicy.objects.filter(workspace=self.ws).update(holding_cap=self.cap)
            for period, value in self.sequences:
                NumberSequence.objects.filter(workspace=self.ws, kind="lead", period=period).update(
                    last_value=value
                )
            AuditEvent.objects.filter(workspace=self.ws, id__gt=self.audit_mark or 0).delete()
            for batch in LeadImport.objects.filter(workspace=self.ws, id__gt=self.import_mark or 0):
                self.batch_done(batch)
        vacuum(analyze=True)


def vacuum(*, analyze: bool = False) -> float:
    """PostgreSQL: reclaim the 100,000 deleted rows so every run starts from the same table."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 0.0
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Lead._meta.db_table)
        cursor.execute(f"VACUUM {'(ANALYZE) ' if analyze else ''}{table}")
    return time.perf_counter() - t0


# --- one import -----------------------------------------------------------------------------------


def run_child(import_id: int) -> dict[str, Any]:
    """lead_import_run in a fresh process (the worker's part), with its wall time and peak RSS."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tradewind.benchmarks.import_child", str(import_id)],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line.removeprefix("BENCH-RESULT "))
    raise RuntimeError(f"import child failed ({done.returncode}): {done.stderr[-2000:]}")


def import_once(actor: Actor, path: Path, restore: Restore) -> dict[str, Any]:
    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    with path.open("rb") as handle:
        batch = lead_import_upload(
            actor=actor, file=File(handle), file_name=path.name, mode=ImportMode.SKIP_BAD_ROWS
        )
    out["upload_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    batch = lead_import_preview(actor=actor, batch=batch)
    out["preview_s"] = time.perf_counter() - t0
    out["preview"] = batch.preview["totals"]
    with mock.patch("tradewind.leads.imports._queue"):  # no huey: the child process runs it
        batch = lead_import_start(actor=actor, batch=batch)
    child = run_child(batch.pk)
    batch.refresh_from_db()
    if batch.status != ImportStatus.DONE:
        raise RuntimeError(f"import {batch.pk} ended {batch.status}: {batch.failure}")
    out.update(
        run_s=child["seconds"],
        peak_mb=child["peak_mb"],
        cleaner_peak_mb=child.get("cleaner_peak_mb", 0.0),
        baseline_mb=child["baseline_mb"],
        rows=batch.total_rows,
        created=batch.created_count,
        duplicates=batch.duplicate_count,
        errors=batch.error_count,
        owned=Lead.objects.filter(import_batch=batch, owner__isnull=False).count(),
    )
    t0 = time.perf_counter()
    batch = lead_import_undo(actor=actor, batch=batch)
    out["undo_s"] = time.perf_counter() - t0
    out["undone"] = batch.undone_count
    restore.batch_done(batch)
    out["vacuum_s"] = vacuum()
    return out


# --- the floor --------------------------------------------------------------------------------------


def floor_params(
    rows: list[dict[str, Any]], first: int, workspace_id: int, batch_id: int | None = None
) -> list[list[Any]]:
    """The values insert_rows() writes for these rows (the import's own builder, no scorer)."""
    codes = [f"{FLOOR_CODE}{n:08d}" for n in range(first, first + len(rows))]
    return engine.insert_params(
        batch_id=batch_id, workspace_id=workspace_id, rows=rows, codes=codes
    )


def delete_floor_rows(workspace_id: int) -> None:
    with transaction.atomic():
        Lead.objects.filter(
            workspace_id=workspace_id, code__gte=FLOOR_CODE, code__lt=FLOOR_CODE[:-1] + "J"
        )._raw_delete(connection.alias)


def floor_once(world: BenchWorld, path: Path) -> dict[str, Any]:
    """Clean and dedupe the file with the import engine (untimed), write the good rows raw in one
    transaction (timed: the writes and the commit), then delete them."""
    ws = world.workspace
    rows = read_rows(path, "csv")
    _number, header = next(rows)
    headers = [engine._text(c) for c in header]
    ctx = engine.RowContext.load(workspace=ws, headers=headers, mapping=auto_mapping(headers))
    tally, file_keys = Tally(), engine.FileKeys()
    spent, written = 0.0, 0
    delete_floor_rows(ws.pk)
    atomic = transaction.atomic()
    atomic.__enter__()
    try:
        # The rows carry a (throwaway) batch like the import's, so they take its write path:
        # on SQLite the FTS entries in bulk after each chunk (engine.write_rows, migration 0017).
        batch = LeadImport.objects.create(
            workspace=ws,
            created_by=world.director.user,
            file=str(path),
            file_name="bench floor",
            file_sha256="0" * 64,
            file_kind="csv",
        )
        for chunk in chunks(rows, engine.CHUNK_SIZE):
            good = dedupe_chunk(ctx, clean_chunk(ctx, chunk, tally), file_keys, tally)
            params = floor_params([v for _n, v in good], written, ws.pk, batch.pk)
            t0 = time.perf_counter()
            engine.write_rows(params)
            spent += time.perf_counter() - t0
            written += len(params)
    except BaseException as exc:
        atomic.__exit__(type(exc), exc, exc.__traceback__)
        raise
    t0 = time.perf_counter()
    atomic.__exit__(None, None, None)
    spent += time.perf_counter() - t0
    delete_floor_rows(ws.pk)
    LeadImport.objects.filter(pk=batch.pk).delete()
    vacuum()
    return {"insert_s": spent, "rows": written}


# --- the figures ----------------------------------------------------------------------------------


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def import_figures(
    bench: Bench, *, rows: int = IMPORT_ROWS, runs: int = IMPORT_RUNS
) -> list[Figure]:
    world = bench.world
    actor = Actor.for_member(world.director)
    bench.log(f"Import: {rows:,}-row files …")
    t0 = time.perf_counter()
    paths = import_files(world, rows)
    bench.log(f"  files ready in {time.perf_counter() - t0:.1f} s ({paths['csv'].parent})")
    restore = Restore(world)
    results: dict[str, list[dict[str, Any]]] = {"csv": [], "xlsx": [], "floor": []}
    try:
        rules = restore.add_rules(world)
        for r in range(runs):
            for kind in ("csv", "xlsx"):
                got = import_once(actor, paths[kind], restore)
                results[kind].append(got)
                bench.log(
                    f"  {kind} run {r + 1}: {got['run_s']:.1f} s ({got['rows'] / got['run_s']:,.0f} "
                    f"rows/s), dry run {got['preview_s']:.1f} s, peak {got['peak_mb']:.0f} MB "
                    f"(cleaner {got['cleaner_peak_mb']:.0f} MB), "
                    f"created {got['created']:,}, duplicates {got['duplicates']:,}, "
                    f"errors {got['errors']:,}; undo {got['undo_s']:.1f} s"
                )
            floor = floor_once(world, paths["csv"])
            results["floor"].append(floor)
            bench.log(f"  floor run {r + 1}: {floor['rows']:,} rows in {floor['insert_s']:.2f} s")
    finally:
        restore.finish()
    return _figures(results, rows, rules)


def _figures(results: dict[str, list[dict[str, Any]]], rows: int, rules: str) -> list[Figure]:
    per_100k = 100_000 / rows
    floor_ms = _median(results["floor"], "insert_s") * 1000 * per_100k
    floor_rows = results["floor"][0]["rows"]
    kind_floor = "sqlite3 executemany" if connection.vendor == "sqlite" else "COPY"
    figures = []
    for kind in ("csv", "xlsx"):
        got = results[kind]
        times = [g["run_s"] * 1000 * per_100k for g in got]
        first = got[0]
        rate = rows / _median(got, "run_s")
        peak = max(g["peak_mb"] for g in got)
        cleaner_peak = max(g.get("cleaner_peak_mb", 0.0) for g in got)
        target = (
            f"≥ {CSV_ROWS_PER_S:,} rows/s, ≤ {MAX_FLOOR_RATIO:g}× floor, peak ≤ {MAX_PEAK_MB:g} MB"
            if kind == "csv"
            else f"≤ {MAX_FLOOR_RATIO:g}× floor, peak ≤ {MAX_PEAK_MB:g} MB"
        )
        fig = Figure(
            key=f"import_{kind}",
            label=f"Lead import, {rows:,}-row {kind.upper()} (skip bad rows), time per 100k rows",
            target=Target(text=target),
            p50=statistics.median(times),
            p95=percentile(times, 95),
            runs=len(times),
            floor_p50=floor_ms,
        )
        misses = []
        if kind == "csv" and rate < CSV_ROWS_PER_S:
            misses.append(f"{rate:,.0f} rows/s ({CSV_ROWS_PER_S / rate:.1f}× short)")
        if fig.ratio is not None and fig.ratio > MAX_FLOOR_RATIO:
            misses.append(f"{fig.ratio:.1f}× floor (target ≤ {MAX_FLOOR_RATIO:g}×)")
        for name, mb in (("peak", peak), ("cleaner peak", cleaner_peak)):
            if mb > MAX_PEAK_MB:
                misses.append(f"{name} {mb:.0f} MB (+{mb - MAX_PEAK_MB:.0f} MB)")
        fig.status = "missed: " + "; ".join(misses) if misses else "met"
        fig.notes = (
            f"**{rate:,.0f} rows/s**; peak RSS {peak:.0f} MB (worker process; "
            f"{first['baseline_mb']:.0f} MB before the run), {cleaner_peak:.0f} MB (the cleaning "
            f"process it forks, counting the pages they share); created {first['created']:,}, "
            f"duplicates {first['duplicates']:,}, errors {first['errors']:,}; "
            f"dry run (preview) {_median(got, 'preview_s'):.1f} s = "
            f"{rows / _median(got, 'preview_s'):,.0f} rows/s; upload {_median(got, 'upload_s'):.1f} s; "
            f"undo {_median(got, 'undo_s'):.1f} s; {first['owned']:,} leads routed or owned; "
            f"{rules}; floor: {kind_floor} of the same {floor_rows:,} cleaned rows into leads"
        )
        figures.append(fig)
    return figures
