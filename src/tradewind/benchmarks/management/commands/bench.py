"""`tradewind bench`: build (or reuse) the bench workspace at scale, measure, write the figures."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from tradewind.benchmarks import generate, report
from tradewind.benchmarks.measure import Bench, Figure, Target, not_built, run_all
from tradewind.leads.models import Lead


class Command(BaseCommand):
    help = (
        "Scale benchmark: a deterministic bench workspace with N leads, then every figure of "
        "docs/performance.md (median and p95, floors, query counts, plans). Needs TRADEWIND_BENCH=1."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--scale", type=int, default=int(os.environ.get("SCALE", 1_000_000)))
        parser.add_argument("--repeat", type=int, default=30, help="timed runs per figure")
        parser.add_argument("--warmup", type=int, default=3)
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="never generate: measure the existing bench workspace whatever its size",
        )
        parser.add_argument(
            "--regenerate", action="store_true", help="rebuild the leads even if the size is right"
        )
        parser.add_argument("--method", choices=["raw", "orm"], default="raw",
                            help="insert path: executemany/COPY (raw) or bulk_create (orm)")  # fmt: skip
        parser.add_argument("--out", default="docs/performance.md")
        parser.add_argument("--no-doc", action="store_true", help="print only")
        parser.add_argument("--serve", action="store_true",
                            help="also load gunicorn (tradewind serve --no-worker, 2 workers)")  # fmt: skip
        parser.add_argument("--serve-seconds", type=int, default=15)
        parser.add_argument("--generate-only", action="store_true")
        parser.add_argument("--import-rows", type=int, default=100_000,
                            help="rows of the import figure's file (0: skip the import figures)")  # fmt: skip
        parser.add_argument("--import-runs", type=int, default=3,
                            help="imports per format (each: upload, dry run, run, undo)")  # fmt: skip
        parser.add_argument("--no-claims", action="store_true",
                            help="skip the concurrent pool-claim figure")  # fmt: skip
        parser.add_argument("--leads-only", action="store_true",
                            help="neither generate nor measure the sales tables (customers, "
                                 "opportunities, orders, follow-ups)")  # fmt: skip
        parser.add_argument("--pdf-runs", type=int, default=10,
                            help="timed renders of the bilingual PI (0: skip the document figure)")  # fmt: skip

    def log(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        if not getattr(settings, "BENCH_ROUTES", False):
            raise CommandError(
                "The floor views are not mounted: set TRADEWIND_BENCH=1 in the environment before "
                "Django starts (`TRADEWIND_BENCH=1 tradewind bench …`, or `make bench`)."
            )
        vendor = connection.vendor
        title = dict(report.VENDORS).get(vendor, vendor)
        load_before = report.machine()["load"]
        self.log(f"Database: {report.database_version()} ({connection.settings_dict['NAME']})")
        call_command("migrate", interactive=False, verbosity=0)
        if not settings.DEBUG and not getattr(settings, "TESTING", False):
            call_command("collectstatic", interactive=False, verbosity=0)

        world = self.build(opts)
        generation = self.generation_text(world, opts)
        if opts["generate_only"]:
            return

        self.log(f"Measuring ({opts['repeat']} runs per figure, {opts['warmup']} warm-up) …")
        bench = Bench(world, repeat=opts["repeat"], warmup=opts["warmup"], log=self.log)
        results = run_all(
            bench,
            import_rows=opts["import_rows"],
            import_runs=opts["import_runs"],
            claims=not opts["no_claims"],
        )
        figures: list[Figure] = results["figures"]  # type: ignore[assignment]
        if not opts["leads_only"]:
            from tradewind.benchmarks.measure_sales import sales_figures

            figures += sales_figures(bench, pdf_runs=opts["pdf_runs"])
        insert = self.insert_paths(world)
        extras = [
            Figure(
                key="insert_paths",
                label="Bulk insert paths into leads (20,000 rows each, rolled back)",
                target=Target(text="— (reference for the import floor)"),
                status="reference",
                notes=str(insert["text"]),
            ),
            *not_built(sales=not opts["leads_only"]),
        ]
        serving = None
        if opts["serve"]:
            from tradewind.benchmarks.serving import measure_serving

            cookie = f"{settings.SESSION_COOKIE_NAME}={bench.client.cookies[settings.SESSION_COOKIE_NAME].value}"
            list_fig = next(f for f in figures if f.key == "list_status")
            detail_fig = next(f for f in figures if f.key == "detail")
            connection.close()  # let gunicorn's workers have the database to themselves
            try:
                serving = measure_serving(
                    {
                        "leads list page": list_fig.url,
                        "floor for the list (bare view, 50 rows)": "/_bench/floor/page/?limit=50",
                        "lead detail page": detail_fig.url,
                        "floor for the detail (bare view, 1 row)": "/_bench/floor/page/?limit=1",
                    },
                    cookie,
                    seconds=opts["serve_seconds"],
                    log=self.log,
                )
            except Exception as exc:
                self.log(self.style.WARNING(f"  serving not measured: {exc}"))
                serving = []
        serving_fig = serving_figure(serving)
        all_figures = [*figures, *extras, serving_fig]
        self.log("")
        self.log(report.terminal_table(all_figures))
        for f in figures:
            for plan in f.plans:
                if plan.flags:
                    self.log(f"  ⚠ {f.label}: {'; '.join(plan.flags)}")
        if opts["no_doc"]:
            return
        section = report.markdown_section(
            vendor=vendor,
            title=title,
            scale=world.leads,
            figures=all_figures,
            generation={"text": generation},
            serving=serving,
            extra=[],
            load_before=load_before,
        )
        out = Path(opts["out"])
        if not out.is_absolute():
            out = Path(settings.PROJECT_DIR) / out
        report.update_document(out, vendor, section)
        self.log(self.style.SUCCESS(f"Wrote the {title} section of {out}"))

    # --- generation ---------------------------------------------------------------------------

    def meta_path(self) -> Path:
        name = Path(str(connection.settings_dict["NAME"])).name
        return Path(settings.DATA_DIR) / f"bench-meta-{connection.vendor}-{name}.json"

    def build(self, opts: dict) -> generate.BenchWorld:
        scale = opts["scale"]
        if opts["reuse"]:
            ws, director, owner, reps = generate._people(generate.SLUG)
            world = generate.BenchWorld(ws, director, owner, reps, generate.lead_count(ws))
            if not world.leads:
                raise CommandError("--reuse: the bench workspace has no leads yet.")
            self.log(f"Reusing the bench workspace as it is: {world.leads:,} leads.")
            return world
        started = time.perf_counter()
        last = [started, 0]

        def progress(n: int) -> None:
            now = time.perf_counter()
            if n - last[1] >= 100_000 or n == scale:
                rate = (n - last[1]) / max(now - last[0], 1e-9)
                self.log(f"  {n:>10,} leads  ({rate:,.0f} rows/s)")
                last[0], last[1] = now, n

        try:
            meta = json.loads(self.meta_path().read_text())
        except (OSError, ValueError):
            meta = {}
        stale = bool(meta) and meta.get("version") != generate.GENERATOR_VERSION
        if stale:
            self.log("The bench data come from an older generator: rebuilding.")
        world = generate.ensure(
            scale, regenerate=opts["regenerate"] or stale, method=opts["method"], progress=progress
        )
        if world.generated:
            s = world.stats
            self.log(
                f"Generated {world.leads:,} leads in {s['insert_s']:.1f} s "
                f"({s['rows_per_s']:,.0f} rows/s, {s['method']}); people {s['people_s']:.1f} s, "
                f"ANALYZE {s['analyze_s']:.1f} s; total {time.perf_counter() - started:.1f} s"
            )
            meta = {
                "version": generate.GENERATOR_VERSION,
                "scale": world.leads,
                "date": dt.datetime.now(dt.UTC).isoformat(timespec="minutes"),
                **s,
            }
            self.meta_path().write_text(json.dumps(meta, indent=1))
        else:
            self.log(f"Reusing the bench workspace: {world.leads:,} leads already there.")
        if not opts["leads_only"]:
            self.build_sales(world, scale, opts)
        return world

    def build_sales(self, world: generate.BenchWorld, scale: int, opts: dict) -> None:
        """Customers, contacts, opportunities, orders and follow-ups for the same scale; a group
        of the right size is reused, an older generator's (meta `sales_version`) rebuilt."""
        from tradewind.benchmarks import generate_sales

        last: dict[str, float] = {}

        def progress(label: str, n: int) -> None:
            if n - last.get(label, 0) >= 250_000 or label not in last:
                self.log(f"  {n:>10,} {label}")
                last[label] = n

        try:
            meta = json.loads(self.meta_path().read_text())
        except (OSError, ValueError):
            meta = {}
        stale = meta.get("sales_version") != generate_sales.SALES_VERSION
        t0 = time.perf_counter()
        stats = generate_sales.ensure_sales(
            world,
            scale,
            rebuild=opts["regenerate"] or (stale and bool(meta.get("sales_version"))),
            leads_rebuilt=world.generated,
            progress=progress,
        )
        meta["sales_version"] = generate_sales.SALES_VERSION
        if not stats.rebuilt:
            self.log("Reusing the sales tables: " + ", ".join(
                f"{n:,} {k}" for k, n in stats.counts.items()))  # fmt: skip
            self.meta_path().write_text(json.dumps(meta, indent=1))
            return
        elapsed = time.perf_counter() - t0
        rows = stats.total_rows
        self.log(
            f"Generated {', '.join(f'{n:,} {k}' for k, n in stats.counts.items())} in "
            f"{elapsed:.1f} s ({rows / max(elapsed, 1e-9):,.0f} rows/s); rebuilt: "
            f"{', '.join(stats.rebuilt)}"
        )
        meta.update(
            {
                "sales_scale": scale,
                "sales_counts": stats.counts,
                "sales_seconds": {k: round(v, 1) for k, v in stats.seconds.items()},
                "sales_s": elapsed,
                "sales_date": dt.datetime.now(dt.UTC).isoformat(timespec="minutes"),
            }
        )
        self.meta_path().write_text(json.dumps(meta, indent=1))

    def generation_text(self, world: generate.BenchWorld, opts: dict) -> str:
        try:
            meta = json.loads(self.meta_path().read_text())
        except (OSError, ValueError):
            meta = {}
        if not meta or meta.get("scale") != world.leads:
            return "reused an existing bench workspace (generation not timed in this run)"
        when = "in this run" if world.generated else f"on {meta['date']} (reused since)"
        return (
            f"{meta['scale']:,} leads in {meta['insert_s']:.1f} s = **{meta['rows_per_s']:,.0f} "
            f"rows/s** ({'sqlite3 executemany' if connection.vendor == 'sqlite' else 'COPY'} "
            f"via `{meta['method']}` path, batches of {generate.BATCH:,}, created order) {when}; "
            f"people and teams through the services {meta['people_s']:.1f} s; "
            f"ANALYZE {meta['analyze_s']:.1f} s"
        ) + self.sales_text(meta)

    def sales_text(self, meta: dict) -> str:
        counts = meta.get("sales_counts")
        if not counts:
            return ""
        rows = sum(counts.values())
        seconds = meta.get("sales_seconds", {})
        per = ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items())
        return (
            f". Sales tables ({', '.join(f'{n:,} {k}' for k, n in counts.items())}): "
            f"{rows:,} rows in {meta['sales_s']:.1f} s = **{rows / max(meta['sales_s'], 1e-9):,.0f} "
            f"rows/s** by the same bulk path ({per}), on {meta['sales_date']}"
        )

    # --- import floor ----------------------------------------------------------------------------

    def insert_paths(self, world: generate.BenchWorld, n: int = 20_000) -> dict[str, object]:
        """The same rows three ways, each rolled back: raw into a bare copy of the table (the
        floor), raw into the real table with its indexes, and Django bulk_create."""
        self.log(f"Insert paths ({n:,} rows each, rolled back) …")
        batches = list(generate.lead_rows(n, [m.user_id for m in world.reps], seed=7))
        for batch in batches:
            for row in batch:
                row["code"] = "ZZ" + str(row["code"])  # no clash with the bench codes
        fields = generate._columns()
        defaults = {
            f.attname: f.get_db_prep_save(f.get_default(), connection)
            for f in fields
            if f.attname != "workspace_id"
        }
        rows = [generate._db_rows(b, world.workspace.pk, fields, defaults) for b in batches]
        cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        marks = ", ".join(["?" if connection.vendor == "sqlite" else "%s"] * len(fields))
        result: dict[str, float] = {}

        def timed(name: str, fn) -> None:  # type: ignore[no-untyped-def]
            try:
                with transaction.atomic():
                    t0 = time.perf_counter()
                    fn()
                    result[name] = n / (time.perf_counter() - t0)
                    transaction.set_rollback(True)
            except Exception as exc:
                self.log(self.style.WARNING(f"  {name}: {exc}"))

        def raw(table: str) -> None:
            with connection.cursor() as cursor:
                if connection.vendor == "sqlite":
                    sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608
                    for chunk in rows:
                        sqlite3.Cursor.executemany(cursor.cursor, sql, chunk)
                else:
                    with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                        for chunk in rows:
                            for row in chunk:
                                copy.write_row(row)

        def bare() -> None:
            with connection.cursor() as cursor:
                if connection.vendor == "sqlite":
                    cursor.execute(
                        "CREATE TEMP TABLE bench_floor AS SELECT * FROM leads_lead WHERE 0"
                    )
                else:
                    cursor.execute(
                        "CREATE TEMP TABLE bench_floor (LIKE leads_lead INCLUDING DEFAULTS "
                        "INCLUDING IDENTITY)"
                    )
            raw("bench_floor")

        def orm() -> None:
            objs = [
                Lead(workspace_id=world.workspace.pk, **generate.known(row))
                for b in batches
                for row in b
            ]
            Lead.objects.bulk_create(objs, batch_size=generate.BATCH)

        timed("floor", bare)
        timed("raw", lambda: raw(connection.ops.quote_name(Lead._meta.db_table)))
        timed("orm", orm)
        kind = "sqlite3 executemany" if connection.vendor == "sqlite" else "COPY"
        text = (
            f"floor ({kind} into a bare copy of the table): {result.get('floor', 0):,.0f} rows/s; "
            f"{kind} into leads with its indexes: {result.get('raw', 0):,.0f} rows/s; "
            f"Django bulk_create: {result.get('orm', 0):,.0f} rows/s ({n:,} rows each, "
            f"at {world.leads:,} existing)"
        )
        self.log("  " + text)
        return {"text": text, **result}


# A worker's memory is judged by its PSS: its private pages plus its share of the pages it shares
# with the master and the other worker (gunicorn --preload). RSS counts every shared page in full in
# each worker, so the sum of RSS over-counts what the workers take; both are reported.
WORKER_MEMORY_LIMIT_MB = 150


def serving_figure(serving: list[dict[str, object]] | None) -> Figure:
    fig = Figure(
        key="serving",
        label="Serving: list + detail through gunicorn, 2 workers, concurrency 16",
        target=Target(text="req/s and p99 beside the floor; worker memory ≤ 150 MB"),
        built=bool(serving),
        status="measured, see below" if serving else "not measured",
    )
    if not serving:
        return fig
    fig.notes = "; ".join(
        f"{s['name']}: {s['rps']:.0f} req/s, p99 {s['p99']:.0f} ms" for s in serving
    )
    memory = serving[-1]["memory"]  # after the last run, i.e. after every page was served
    worst_pss = max(m["pss"] for m in memory) * 1.048576  # type: ignore[attr-defined]
    worst_rss = max(m["rss"] for m in memory) * 1.048576  # type: ignore[attr-defined]
    figures = f"worker PSS {worst_pss:.0f} MB, RSS {worst_rss:.0f} MB (largest worker)"
    if worst_pss <= WORKER_MEMORY_LIMIT_MB:
        fig.status = f"met: {figures}"
    else:
        fig.status = f"missed: {figures}; PSS over by {worst_pss - WORKER_MEMORY_LIMIT_MB:.0f} MB"
    return fig
