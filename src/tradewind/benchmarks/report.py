"""The table on the terminal and the vendor's section of docs/performance.md."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
from pathlib import Path

import django
from django.db import connection

from .measure import Figure

START = "<!-- bench:{vendor}:start -->"
END = "<!-- bench:{vendor}:end -->"
VENDORS = (("sqlite", "SQLite"), ("postgresql", "PostgreSQL"))

HEADER = """# Performance

Measured by `make bench` (`bash bench/run.sh`, which runs `tradewind bench` once on SQLite and once
on PostgreSQL when one answers on 127.0.0.1:5432). Each section below is rewritten by the run on
that database; the text outside the marked sections is kept.

How the figures are taken: in-process `django.test.Client` requests through the whole middleware
stack, signed in as a sales manager whose data scope is the whole workspace; a few warm-up runs,
then N timed runs (`--repeat`, fewer for a figure whose runs would take more than ~25 s):
**p50** is the median and **p95** the nearest-rank 95th percentile, in milliseconds of server time
(no network). The **floor** is the bare benchmark view (`/_bench/floor/page/` or `/json/`) producing
a page of the same size through the same middleware and base template without touching the leads
table; **ratio** = p50 / floor p50, i.e. what the real page costs on top of the framework.
**queries** is the number of SQL statements of one request.

How the import and claims rows are taken (`benchmarks/measure_import.py`, `measure_claims.py`):
**Import** — a deterministic 100,000-row file (`benchmarks/import_file.py`: Chinese and Latin
companies, the phone forms `+86 138 0013 8000`, `0086-138…`, `(021) 6123-4567`, `13800138000`,
countries and sources in both languages, ~2% bad rows, ~3% repeats of existing leads and a few of
customers/contacts), written once as CSV (UTF-8 BOM) and XLSX and cached under the data directory.
Each run goes through the services: `lead_import_upload` → `lead_import_preview` (the **dry run**,
timed on its own, in the notes) → `lead_import_start` with the huey enqueue bypassed →
`lead_import_run` in a fresh child process (`python -m tradewind.benchmarks.import_child`), mode
"skip bad rows", with two temporary round-robin assignment rules when the workspace has none.
**p50/p95** are that run's wall time scaled to 100,000 rows; **rows/s** and the child's **peak
RSS** (`VmHWM`: Django, the app and the import) are in the notes. Then `lead_import_undo`, and the
batch, its files, its audit rows and the lead numbering are put back (PostgreSQL: `VACUUM`), so
the workspace ends as it began. The import **floor** is the same file cleaned and deduplicated by
the same engine (untimed), its good rows written by the import's own `write_rows` (sqlite3
`executemany` / PostgreSQL `COPY`, under a throwaway batch, so that on SQLite the FTS entries are
written in bulk as the import's are) in one transaction (timed: writes and commit), then deleted;
ratio = import time / floor time. `--import-runs` (default 3) runs per format; `--import-rows 0`
skips the import. The dedupe against customers and contacts runs on the generated customers and
contacts (a workspace built with `--leads-only` gets 300 customers and 600 contacts instead).
**Claims** — 32 temporary sales members and 1,000 fresh ownerless leads (holding cap and daily
limit raised for the run); 32 threads, each with its own database connection, walk their own
shuffled copy of the pool and call `leads.pool.lead_claim` on every lead not yet known taken; a
Conflict is a lost race (expected), any other exception an error. Then every lead must have one
owner and exactly one open claim by that owner. p50/p95 are one winning claim's latency; claims/s
is in the notes. All of it is deleted afterwards. On SQLite the row runs too, labelled: writers
are serialised there. `--no-claims` skips it.

**The other tables** (`benchmarks/generate_sales.py`, by the same bulk path as the leads:
sqlite3 `executemany` / PostgreSQL `COPY`, never the services). Per 1,000,000 leads, as the issue
asks: 200,000 customers (names, keys and owners from the lead vocabulary with another seed; 30%
buyers, whose life-cycle stage is signed or repeat), 400,000 contacts (two per customer, one
primary), a 200-product catalogue, 200,000 opportunities in the default pipeline (40% with 1–3
product lines and `amount_from_lines`, amounts in USD/EUR/CNY with base amounts at fixed rates, a
stage history: create, each move, close), 300,000 orders (1–3 lines, a 30/70 deposit/balance
payment plan, receipts for what is paid; each won opportunity becomes an order) and 5,000,000
follow-ups (60% on leads, 30% on customers, 10% on opportunities). Everything is spread over the
same three years as the leads. The newest opportunities (the last ~88 days) are open with
probability 0.375, all older ones closed (35% won, 50% lost, 15% invalid): 3% open, **6,000 open
cards** on the board at full scale. `--scale` scales every table; each group is reused when its
main table holds the expected rows and is rebuilt with every group after it otherwise
(`SALES_VERSION` in the bench meta file rebuilds them all); `--leads-only` skips the groups and
their figures.

**Sales figures** (`benchmarks/measure_sales.py`), timed interleaved like the list figures:
the **board** (`board:index`, default pipeline, first view: one aggregate for every column header
and the first 30 cards of each open column; floor: the floor page with as many rows as cards); a
column's **"load more"** (the htmx request the board sends, page 2 and a page 90% down the largest
column; floor: an htmx-sized fragment of 30 cards, `/_bench/floor/fragment/`); the
**opportunities list page** and **JSON list** (no filter, status=open, a deep page at 90%); the
**reports** that exist when the bench runs (conversion review for the last generated month,
funnels over twelve months, follow-up activity, goals, RFM, the team dashboard; a page that does
not exist yet or fails is a row saying so). The **document** row renders the bilingual 20-line PI
(`benchmarks/document.py`, also `bench/document_render.py`) in process; its floor is WeasyPrint on
a bare HTML page holding the same text. EXPLAIN covers every SELECT of a figure on the large
tables; besides full scans and sorts, a SQLite plan that reads a large table through an index on
the workspace alone, with no LIMIT, is flagged ("reads every row of the workspace").

"""


def machine() -> dict[str, str]:
    info = {"cpus": str(os.cpu_count() or "?"), "cpu": platform.processor() or "?", "memory": "?"}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                kib = int(line.split()[1])
                info["memory"] = f"{kib / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    try:
        info["load"] = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        info["load"] = "?"
    return info


def database_version() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("show server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def _ms(value: float | None) -> str:
    return "—" if value is None else (f"{value:.1f}" if value < 1000 else f"{value:,.0f}")


def table_rows(figures: list[Figure]) -> list[list[str]]:
    rows = []
    for f in figures:
        ratio = f.ratio
        rows.append(
            [
                f.label,
                f.target.describe(),
                _ms(f.p50),
                _ms(f.p95),
                _ms(f.floor_p50),
                "—" if ratio is None else f"{ratio:.1f}×",
                "—" if f.queries is None else str(f.queries),
                f.status or "—",
                str(f.runs or "—"),
                f.notes,
            ]
        )
    return rows


COLUMNS = [
    "figure",
    "target",
    "p50 ms",
    "p95 ms",
    "floor p50 ms",
    "ratio",
    "queries",
    "status",
    "runs",
    "notes",
]


def terminal_table(figures: list[Figure]) -> str:
    rows = [COLUMNS, *table_rows(figures)]
    widths = [min(max(len(r[i]) for r in rows), 60) for i in range(len(COLUMNS))]
    out = []
    for n, row in enumerate(rows):
        out.append("  ".join(cell[:60].ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def _md(cell: str) -> str:
    return cell.replace("|", "\\|")


def markdown_section(
    *,
    vendor: str,
    title: str,
    scale: int,
    figures: list[Figure],
    generation: dict[str, object],
    serving: list[dict[str, object]] | None,
    extra: list[str],
    load_before: str,
) -> str:
    info = machine()
    lines = [
        START.format(vendor=vendor),
        f"## {title}",
        "",
        f"- **Date**: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- **Machine**: {info['cpus']} CPUs ({info['cpu']}), {info['memory']} RAM; "
        f"load average before / after the run: {load_before} → {info['load']} "
        "(the machine is shared; other work raises p95)",
        f"- **Database**: {database_version()}; Python {platform.python_version()}, "
        f"Django {django.get_version()}",
        f"- **Scale**: {scale:,} leads in one workspace (`bench`), ~58 members in 7 teams",
    ]
    if generation:
        lines.append(f"- **Generation**: {generation['text']}")
    lines += [
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---" for _ in COLUMNS) + "|",
    ]
    for row in table_rows(figures):
        lines.append("| " + " | ".join(_md(c) for c in row) + " |")
    if serving is not None:
        lines += ["", "### Serving (gunicorn, 2 workers, `tradewind serve --no-worker`)", ""]
        if not serving:
            lines.append("Not measured in this run.")
        for s in serving:
            lines.append(f"- {s['text']}")
    lines += ["", "### Query plans", ""]
    lines.append(
        "The statements on the large tables (leads, customers, contacts, opportunities and "
        "their lines and history, orders, plan items, receipts, follow-ups) behind each figure, as "
        + (
            "`EXPLAIN QUERY PLAN`."
            if vendor == "sqlite"
            else "`EXPLAIN (ANALYZE, BUFFERS)` (actual rows and timings of one run)."
        )
        + " ⚠ marks what makes the cost grow with the table."
    )
    seen: set[str] = set()
    for f in figures:
        for plan in f.plans:
            key = f.key + plan.sql
            if key in seen:
                continue
            seen.add(key)
            flags = "".join(f" ⚠ {flag}." for flag in plan.flags) or " no full scan."
            lines += ["", f"**{f.label}**:{flags}", "", "```", *plan.lines, "```"]
            sql = re.sub(r"\s+", " ", plan.sql)
            lines += ["", f"<details><summary>SQL</summary>\n\n```sql\n{sql}\n```\n</details>"]
    missed = [f for f in figures if f.status.startswith("missed")]
    lines += ["", "### What stands in the way", ""]
    if not missed:
        lines.append("Every built figure meets its target.")
    for f in missed:
        lines.append(f"- **{f.label}** ({f.status}): {why(f, vendor)}")
    for item in extra:
        lines.append(f"- {item}")
    lines += ["", END.format(vendor=vendor)]
    return "\n".join(lines)


def why(f: Figure, vendor: str) -> str:
    flags = {flag for plan in f.plans for flag in plan.flags}
    reasons = []
    if f.key.startswith("search"):
        reasons.append(
            "the search is served by "
            + (
                "FTS5 (trigram table for 3+ characters, character-pair table for 2) joined back "
                "to the leads"
                if vendor == "sqlite"
                else "pg_trgm GIN indexes (3+ characters) and a GIN index over character pairs "
                "(2 CJK characters)"
            )
            + "; see its plan above for what it reads"
        )
    if "deep" in f.key:
        reasons.append(
            "the keyset condition carries the redundant bound `created_at <= x` "
            "(`core.paging._after`), so the deep page seeks as page 1 does (compare its p50 with "
            "page 1 in the notes); what remains is the page's own cost"
        )
    if f.key.startswith("import"):
        if f.floor_p50:
            floor_rate = 100_000 / (f.floor_p50 / 1000)
            reasons.append(
                f"the floor itself, the database's bulk write of the same cleaned rows into this "
                f"table with its indexes{' and FTS entries' if vendor == 'sqlite' else ''}, runs at "
                f"{floor_rate:,.0f} rows/s"
                + (
                    ", below 15,000: no import that writes these rows can reach that rate here"
                    if floor_rate < 15_000
                    else ""
                )
            )
        reasons.append(
            "on top of the write, each row is cleaned in Python (~155 µs of CPU a row measured in "
            "session 5: pinyin of the company name 24%, phone parsing 17%, the company key 12%) and "
            "deduplicated against leads, customers and contacts (the dry run in the notes is both "
            "without the write)"
        )
    if f.key == "serving" and f.status.startswith("missed"):
        reasons.append(
            "a worker imports the whole app (Django, ~25 apps' models, views, the API's pydantic "
            "schemas) and pypinyin's phrase dictionary (~35 MB of it)"
        )
    if f.key.startswith(("opp_list", "opp_json")) and any("sorts" in x for x in flags):
        reasons.append(
            "the list is ordered newest first (`-created_at, -id`, `sales.filters.LIST_ORDER`) but "
            "`sales_opportunity` has no index in that order: the plan reads every opportunity of "
            "the workspace (or of the status) and sorts them to return 50; indexes "
            "(workspace, -created_at, -id) and (workspace, status, -created_at, -id) — one sales "
            "migration — let it read 50 rows in order, as the leads list does"
        )
    elif f.key.startswith("board") and any("sorts" in x for x in flags):
        reasons.append(
            "each column's cards are ordered by `Coalesce(expected_close_date, 9999-12-31), id` "
            "(`sales.board.column_page`): the plan sorts the column's open cards (bounded by the "
            "column, not the table) once per column, 4 columns per view; an index on (workspace, "
            "status, stage, expected_close_date, id) with empty dates stored as a far date would "
            "read 30 in order"
        )
    elif f.key.startswith("report"):
        walks = sorted({x for x in flags if "reads every row" in x or "FULL SCAN" in x})
        reasons.append(
            "the report aggregates in the database (one grouped query per block); "
            + (
                "these plans read whole workspace tables: " + "; ".join(walks)
                if walks
                else "see its plans above"
            )
        )
    elif f.key == "document_pi":
        reasons.append(
            f"WeasyPrint lays out the page with an embedded CJK font; the same text on a bare page "
            f"(the floor) takes {_ms(f.floor_p50)} ms, so most of the time is the PDF engine "
            "itself — render once when the document is issued and serve the stored file"
        )
    elif any("sorts" in x for x in flags):
        reasons.append("the plan sorts all matching rows instead of reading an index in order")
    if not reasons and f.ratio is not None and not flags:
        reasons.append(
            f"no plan reads more than the page needs (plans above); the time is Python: building "
            f"the page's model rows, the filter form's menus and the template, on top of the "
            f"framework's own {_ms(f.floor_p50)} ms (the floor; {f.ratio:.1f}× ratio)"
        )
    if not reasons:
        reasons.append("see the plan above")
    return "; ".join(reasons) + "."


def update_document(path: Path, vendor: str, section: str) -> None:
    text = path.read_text() if path.exists() else HEADER
    if not text.strip():
        text = HEADER
    for v, title in VENDORS:
        if START.format(vendor=v) not in text:
            text = (
                text.rstrip()
                + "\n\n"
                + "\n".join(
                    [
                        START.format(vendor=v),
                        f"## {title}",
                        "",
                        "Not run yet.",
                        "",
                        END.format(vendor=v),
                    ]
                )
                + "\n"
            )
    pattern = re.compile(
        re.escape(START.format(vendor=vendor)) + r".*?" + re.escape(END.format(vendor=vendor)),
        re.S,
    )
    text = pattern.sub(lambda _m: section, text, count=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
