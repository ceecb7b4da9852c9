"""In-process figures: django.test.Client through the whole middleware stack, timed with
perf_counter; warm-up runs, then N repeats -> median and p95; SQL captured per request and
EXPLAINed; every page beside a floor view of the same size measured in the same run."""

from __future__ import annotations

import base64
import gc
import json
import math
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.test import Client

from tradewind.leads.filters import LeadFilter
from tradewind.leads.models import Lead

from .generate import CITIES, BenchWorld

LEAD_TABLE = Lead._meta.db_table
DEEP_AT = 0.9  # a "deep page" starts 90% of the way down the filtered list
FILTER_STATUS = "contacting"
SLOW_BUDGET_S = 25.0  # per figure: slow figures get fewer repeats (reported in the runs column)
MIN_RUNS = 7


@dataclass
class Target:
    p50_ms: float | None = None
    p95_ms: float | None = None
    text: str = ""

    def describe(self) -> str:
        if self.text:
            return self.text
        parts = []
        if self.p50_ms is not None:
            parts.append(f"p50 ≤ {self.p50_ms:g} ms")
        if self.p95_ms is not None:
            parts.append(f"p95 ≤ {self.p95_ms:g} ms")
        return ", ".join(parts) or "—"


@dataclass
class Plan:
    sql: str
    lines: list[str]
    flags: list[str]


@dataclass
class Figure:
    key: str
    label: str
    target: Target
    url: str = ""
    floor_url: str = ""
    p50: float | None = None
    p95: float | None = None
    runs: int = 0
    floor_p50: float | None = None
    queries: int | None = None
    status: str = ""
    notes: str = ""
    plans: list[Plan] = field(default_factory=list)
    built: bool = True
    fresh_connection: bool = False  # close the DB connection after each request, as served
    tables: tuple[str, ...] = ()  # tables whose SELECTs are EXPLAINed (default: leads)

    @property
    def ratio(self) -> float | None:
        if self.p50 is None or not self.floor_p50:
            return None
        return self.p50 / self.floor_p50

    def judge(self) -> None:
        if not self.built or self.p50 is None:
            return
        misses = []
        t = self.target
        if t.p50_ms is not None and self.p50 > t.p50_ms:
            misses.append((self.p50 / t.p50_ms, f"p50 +{self.p50 - t.p50_ms:.1f} ms"))
        if t.p95_ms is not None and self.p95 is not None and self.p95 > t.p95_ms:
            misses.append((self.p95 / t.p95_ms, f"p95 +{self.p95 - t.p95_ms:.1f} ms"))
        if t.p50_ms is None and t.p95_ms is None:
            self.status = "no target"
        elif misses:
            worst = max(misses)
            self.status = f"missed by {', '.join(m for _r, m in misses)} ({worst[0]:.1f}×)"
        else:
            self.status = "met"


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of 30 runs is the 29th fastest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


class Capture:
    """connection.execute_wrapper that records (sql, params) of every statement."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.calls.append((sql, params))
        return execute(sql, params, many, context)


def encode_cursor(values: list[object]) -> str:
    """The keyset cursor format of core.paging (base64 of the JSON sort key)."""
    try:
        from tradewind.core.paging import _encode

        return _encode(values)
    except ImportError:  # pragma: no cover - the private helper moved
        raw = json.dumps(values, default=str).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class Bench:
    def __init__(
        self,
        world: BenchWorld,
        *,
        repeat: int = 30,
        warmup: int = 3,
        log: Callable[[str], None] = print,
        explain_analyze: bool = True,
    ) -> None:
        self.world = world
        self.repeat = repeat
        self.warmup = warmup
        self.log = log
        self.explain_analyze = explain_analyze
        self.client = Client(HTTP_HOST="127.0.0.1")
        self.client.force_login(
            world.director.user, backend="django.contrib.auth.backends.ModelBackend"
        )
        self.secure = bool(getattr(settings, "SECURE_SSL_REDIRECT", False))
        # The first request of a session records it (UserSession): not a cost of any figure.
        self.client.get("/leads/", secure=self.secure)
        # As `tradewind serve` does before forking its workers (config/gunicorn.py): what start-up
        # built (modules, pypinyin's dictionaries, the URL conf) leaves the collector's view.
        # Without it every full collection walks that heap, ~0.3 s of a 50-row opportunities page
        # in this process, a cost the served pages do not pay.
        gc.collect()
        gc.freeze()
        self._floors: dict[str, float] = {}
        self.url_headers: dict[str, dict[str, str]] = {}  # e.g. htmx requests: {"HX-Request": …}

    # --- requests -----------------------------------------------------------------------------

    def get(self, url: str) -> object:
        response = self.client.get(url, secure=self.secure, headers=self.url_headers.get(url))
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response

    def time(self, url: str, *, fresh_connection: bool = False) -> list[float]:
        """Warm-up, then timed runs. fresh_connection: close the database connection after each
        request, as Django's request_finished does with CONN_MAX_AGE=0 (the test client skips it)."""

        def once() -> float:
            t0 = time.perf_counter()
            self.get(url)
            if fresh_connection:
                connection.close()
            return time.perf_counter() - t0

        for _ in range(self.warmup):
            once()
        one = once()
        runs = self.repeat
        if one * self.repeat > SLOW_BUDGET_S:
            runs = max(MIN_RUNS, int(SLOW_BUDGET_S / max(one, 1e-6)))
        return [one * 1000] + [once() * 1000 for _ in range(runs - 1)]

    def capture(self, url: str) -> list[tuple[str, object]]:
        cap = Capture()
        with connection.execute_wrapper(cap):
            self.get(url)
        return cap.calls

    def floor(self, url: str) -> float:
        if url not in self._floors:
            self._floors[url] = statistics.median(self.time(url))
        return self._floors[url]

    # --- plans ----------------------------------------------------------------------------------

    def explain(self, sql: str, params: object, tables: tuple[str, ...] = (LEAD_TABLE,)) -> Plan:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                rows = cursor.fetchall()
                depth: dict[int, int] = {0: 0}
                lines = []
                for node_id, parent, _unused, detail in rows:
                    depth[node_id] = depth.get(parent, 0) + 1
                    lines.append("  " * (depth[node_id] - 1) + detail)
            else:
                opts = "ANALYZE, BUFFERS" if self.explain_analyze else "COSTS"
                cursor.execute(f"EXPLAIN ({opts}) " + sql, params)
                lines = [r[0] for r in cursor.fetchall()]
        return Plan(sql=sql, lines=lines, flags=plan_flags(lines, sql, tables))

    def lead_plans(
        self, calls: list[tuple[str, object]], tables: tuple[str, ...] = (LEAD_TABLE,)
    ) -> list[Plan]:
        """EXPLAIN every SELECT of the request that reads one of `tables`."""
        plans = []
        for sql, params in calls:
            if any(t in sql for t in tables) and sql.lstrip().upper().startswith("SELECT"):
                plans.append(self.explain(sql, params, tables))
        return plans

    # --- one figure ---------------------------------------------------------------------------------

    def measure(self, fig: Figure) -> Figure:
        self.log(f"  {fig.label} …")
        calls = self.capture(fig.url)
        fig.queries = len(calls)
        fig.plans = self.lead_plans(calls, fig.tables or (LEAD_TABLE,))
        samples = self.time(fig.url, fresh_connection=fig.fresh_connection)
        fig.p50 = statistics.median(samples)
        fig.p95 = percentile(samples, 95)
        fig.runs = len(samples)
        if fig.floor_url:
            fig.floor_p50 = self.floor(fig.floor_url)
        fig.judge()
        self.log(
            f"    p50 {fig.p50:.1f} ms  p95 {fig.p95:.1f} ms  ({fig.runs} runs, {fig.queries} queries)"
        )
        return fig

    def measure_all(self, figures: list[Figure]) -> list[Figure]:
        """Plans and query counts first; then the timed runs interleaved round-robin over every
        figure and floor, so a change in the shared machine's load hits them all alike."""
        floors = sorted({f.floor_url for f in figures if f.floor_url})
        jobs: list[tuple[str, bool]] = [(u, False) for u in floors]
        jobs += [(f.url, f.fresh_connection) for f in figures]
        for fig in figures:
            calls = self.capture(fig.url)
            fig.queries = len(calls)
            fig.plans = self.lead_plans(calls, fig.tables or (LEAD_TABLE,))
        once = {job: self._once_fn(*job) for job in jobs}
        runs: dict[tuple[str, bool], int] = {}
        for job in jobs:
            for _ in range(self.warmup):
                once[job]()
            one = once[job]()
            runs[job] = self.repeat
            if one * self.repeat > SLOW_BUDGET_S:
                runs[job] = max(MIN_RUNS, int(SLOW_BUDGET_S / max(one, 1e-6)))
        samples: dict[tuple[str, bool], list[float]] = {job: [] for job in jobs}
        total = max(runs.values())
        self.log(f"  {len(jobs)} URLs, up to {total} interleaved rounds …")
        for r in range(total):
            for job in jobs:
                if r < runs[job]:
                    samples[job].append(once[job]() * 1000)
        for url in floors:
            self._floors[url] = statistics.median(samples[(url, False)])
        for fig in figures:
            got = samples[(fig.url, fig.fresh_connection)]
            fig.p50 = statistics.median(got)
            fig.p95 = percentile(got, 95)
            fig.runs = len(got)
            fig.floor_p50 = self._floors.get(fig.floor_url)
            fig.judge()
            self.log(
                f"  {fig.label}: p50 {fig.p50:.1f} ms  p95 {fig.p95:.1f} ms  "
                f"({fig.runs} runs, {fig.queries} queries) {fig.status}"
            )
        return figures

    def _once_fn(self, url: str, fresh_connection: bool) -> Callable[[], float]:
        def once() -> float:
            t0 = time.perf_counter()
            self.get(url)
            if fresh_connection:
                connection.close()
            return time.perf_counter() - t0

        return once


def plan_flags(lines: list[str], sql: str, tables: tuple[str, ...] = (LEAD_TABLE,)) -> list[str]:
    """Name what makes a plan's cost grow with the table: full scans, sorts, filtered walks."""
    flags = []
    text = "\n".join(lines)
    for name in tables:
        what = "leads" if name == LEAD_TABLE else name
        table = re.escape(name)
        if re.search(rf"^\s*SCAN {table}\b(?! USING)", text, re.M) or re.search(
            rf"Seq Scan on {table}\b", text
        ):
            flags.append(f"FULL SCAN of {what}")
        elif re.search(rf"^\s*SCAN {table}\b.* USING", text, re.M):
            flags.append(f"full index scan of {what} (no range on workspace)")
    if "USE TEMP B-TREE FOR ORDER BY" in text or re.search(r"^\s*->\s*Sort\b|^Sort\b", text, re.M):
        flags.append("sorts all matching rows (no index order)")
    removed = [int(n) for n in re.findall(r"Rows Removed by Filter: (\d+)", text)]
    if removed and max(removed) > 1000:
        flags.append(f"walks the index and discards {max(removed):,} rows by filter")
    if connection.vendor == "sqlite" and " LIMIT " not in sql.upper():
        for what in workspace_walks(lines, tables):
            flags.append(f"reads every row of the workspace in {what} (no range beyond workspace)")
    if (
        connection.vendor == "sqlite"
        and re.search(r'"created_at" < .* OR .*"created_at" = ', sql)
        and not re.search(r"created_at<", text)
    ):
        flags.append(
            "the keyset condition does not bound the index range: a deep page walks every row "
            "before the cursor"
        )
    # With an FTS table in the plan the LIKE only rechecks its candidates (leads/search.py).
    if (
        connection.vendor == "sqlite"
        and " LIKE " in sql.upper()
        and "SEARCH" in text
        and "VIRTUAL TABLE" not in text
    ):
        flags.append("LIKE '%…%' is tested row by row while walking the index (no text index)")
    return flags


# Our index names start with a short form of their table (models' Meta.indexes).
INDEX_PREFIXES = {
    "lead_": "leads_lead",
    "customer_": "customers_customer",
    "contact_": "customers_contact",
    "opp_": "sales_opportunity",
    "stage_change_": "sales_stagechange",
    "order_": "orders_order",
    "plan_item_": "orders_paymentplanitem",
    "receipt_": "orders_receipt",
    "followup_": "activities_followup",
}


def workspace_walks(lines: list[str], tables: tuple[str, ...]) -> list[str]:
    """SQLite plan lines that read a large table through an index on the workspace alone (every
    row of the workspace), named by table; aliases (U0) are resolved from the index name."""
    out = []
    for line in lines:
        m = re.match(r"\s*SEARCH (\S+) USING (?:COVERING )?INDEX (\S+) \((.*)\)\s*$", line)
        if not m or m.group(3) not in ("workspace_id=?", "ANY(workspace_id)"):
            continue
        table, index = m.group(1), m.group(2)
        if table not in tables:
            table = next((t for t in tables if index.startswith(t + "_")), "") or next(
                (t for p, t in INDEX_PREFIXES.items() if index.startswith(p) and t in tables), ""
            )
        if table and table not in out:
            out.append(table)
    return out


# --- the figures ----------------------------------------------------------------------------------


def _deep_cursor(world: BenchWorld, **filters: object) -> tuple[str, int]:
    qs = Lead.objects.filter(workspace=world.workspace, **filters).order_by("-created_at", "-id")
    total = qs.count()
    row = qs.values_list("created_at", "id")[int(total * DEEP_AT) : int(total * DEEP_AT) + 1]
    created, pk = next(iter(row))
    return encode_cursor([created.isoformat(), pk]), total


def search_terms(world: BenchWorld) -> list[tuple[str, str, str]]:
    """(key, label, term), picked from rows in the middle of the table: the search box's real job."""
    qs = Lead.objects.filter(workspace=world.workspace).order_by("id")
    first = qs.values_list("id", flat=True).first() or 0
    middle = qs.filter(id__gte=first + world.leads // 2)
    chinese = None
    for name in middle.filter(company_name__endswith="有限公司").values_list(
        "company_name", flat=True
    )[:50]:
        city = next((c for c in CITIES if name.startswith(c)), None)
        if city and len(city) == 2:
            chinese = (city, name[2:4], name[2:6])
            break
    latin = middle.filter(company_name__regex=r"^[A-Za-z]").values_list("company_name", flat=True)
    latin_word = (latin.first() or "Nordwind").split()[0].lower()
    phone = middle.exclude(phone="").values_list("phone", flat=True).first() or "+8613800000000"
    email = middle.exclude(email="").values_list("email", flat=True).first() or "x@example.com"
    city, brand, brand_industry = chinese or ("宁波", "海天", "海天电器")
    return [
        ("search_zh2_city", f"2-char Chinese fragment, common (city “{city}”)", city),
        ("search_zh2_brand", f"2-char Chinese fragment, rare (brand “{brand}”)", brand),
        ("search_zh4", f"4-char Chinese fragment (“{brand_industry}”)", brand_industry),
        ("search_latin", f"Latin word (“{latin_word}”)", latin_word),
        ("search_phone", f"phone digits (“{phone[-8:]}”)", phone[-8:]),
        ("search_email", f"e-mail (“{email}”)", email),
    ]


def not_built(*, sales: bool = True) -> list[Figure]:
    """Rows for what the benchmark does not measure (yet). sales: the board, the opportunity
    lists, the document and the reports are measured (measure_sales.py)."""
    rows = [
        ("customers", "Customers / contacts list at scale", "as leads list (proposed)"),
        ("orders", "Orders list", "as leads list (proposed)"),
        ("followups", "Follow-ups timeline", "p95 ≤ 60 ms (proposed)"),
    ]  # fmt: skip
    if not sales:
        rows += [
            ("opportunities", "Opportunity board (pipeline stages)", "p50 ≤ 150 ms"),
            ("reports", "Reports / dashboards", "p50 ≤ 1 s"),
        ]  # fmt: skip
    return [
        Figure(key=k, label=label, target=Target(text=t), status="not built yet", built=False)
        for k, label, t in rows
    ]


def run_all(
    bench: Bench,
    *,
    import_rows: int | None = None,
    import_runs: int = 3,
    claims: bool = True,
) -> dict[str, object]:
    """Every built figure. import_rows: size of the import file (0 skips the import figures);
    claims: the concurrent pool-claim figure. Both change rows and put them back (measure_import,
    measure_claims), so they run after the pages."""
    world = bench.world
    figures: list[Figure] = []
    q = urlencode
    status = {"status": FILTER_STATUS}
    deep_status, status_total = _deep_cursor(world, status=FILTER_STATUS)
    deep_all, _total = _deep_cursor(world)
    page_floor = "/_bench/floor/page/?limit=50"
    json_floor = "/_bench/floor/json/?limit=50"
    page_target = Target(25, 60)
    json_target = Target(20, None)
    search_target = Target(None, 100)

    def add(
        key: str, label: str, url: str, floor: str, target: Target, notes: str = "", **kw: object
    ) -> Figure:
        fig = Figure(
            key=key, label=label, target=target, url=url, floor_url=floor, notes=notes, **kw
        )
        figures.append(fig)
        return fig

    p1 = add("list_status", f"Leads list page, 50 rows, status={FILTER_STATUS}, page 1",
             f"/leads/?{q(status)}", page_floor, page_target,
             f"{status_total:,} leads match the filter")  # fmt: skip
    if connection.vendor == "sqlite" and not connection.settings_dict.get("CONN_MAX_AGE"):
        add("list_status_fresh",
            f"Leads list page, status={FILTER_STATUS}, new SQLite connection per request",
            f"/leads/?{q(status)}", page_floor, page_target,
            "as served: CONN_MAX_AGE=0 reopens the file and reruns the PRAGMAs each request",
            fresh_connection=True)  # fmt: skip
    p1_all = add("list_all", "Leads list page, 50 rows, no filter, page 1", "/leads/", page_floor,
                 page_target)  # fmt: skip
    add("list_pool", "Leads list page, 50 rows, owner=none (pool), page 1", "/leads/?owner=none",
        page_floor, page_target)  # fmt: skip
    deep = add("list_status_deep", f"Leads list page, status={FILTER_STATUS}, deep page (90%)",
               f"/leads/?{q({**status, 'cursor': deep_status})}", page_floor, page_target)  # fmt: skip
    deep_nf = add("list_all_deep", "Leads list page, no filter, deep page (90%)",
                  f"/leads/?{q({'cursor': deep_all})}", page_floor, page_target)  # fmt: skip
    j1 = add("json_status", f"Leads JSON list, limit 50, status={FILTER_STATUS}, page 1",
             f"/api/v1/leads?{q({**status, 'limit': 50})}", json_floor, json_target)  # fmt: skip
    jd = add("json_status_deep", f"Leads JSON list, limit 50, status={FILTER_STATUS}, deep (90%)",
             f"/api/v1/leads?{q({**status, 'limit': 50, 'cursor': deep_status})}", json_floor,
             json_target)  # fmt: skip
    for key, label, term in search_terms(world):
        matches = (
            LeadFilter(q=term)
            .apply(Lead.objects.filter(workspace=world.workspace), user_id=None)
            .count()
        )
        add(key, f"Keyword search, list page: {label}", f"/leads/?{q({'q': term})}", page_floor,
            search_target, f"{matches:,} matches")  # fmt: skip
    lead_id = (
        Lead.objects.filter(workspace=world.workspace)
        .order_by("id")
        .values_list("id", flat=True)[world.leads // 3 : world.leads // 3 + 1]
    )
    add("detail", "Lead detail page", f"/leads/{next(iter(lead_id))}/",
        "/_bench/floor/page/?limit=1", Target(text="— (none stated)"))  # fmt: skip

    bench.log(f"Timing {len(figures)} figures …")
    bench.measure_all(figures)
    for fig, base in ((deep, p1), (deep_nf, p1_all), (jd, j1)):
        if fig.p50 and base.p50:
            fig.notes = f"{fig.p50 / base.p50:.2f}× page 1"
            if fig.p50 > base.p50 * 1.5 and fig.status == "met":
                fig.status = f"missed: {fig.p50 / base.p50:.1f}× page 1 (target: as fast)"

    bench.log("Query counts …")
    counts = {
        "page p1": len(bench.capture(f"/leads/?{q(status)}")),
        "page deep": len(bench.capture(deep.url)),
        "page search": len(bench.capture(f"/leads/?{q({'q': 'x'})}")),
    }
    for limit in (10, 50, 100, 200):
        counts[f"JSON limit {limit}"] = len(
            bench.capture(f"/api/v1/leads?{q({**status, 'limit': limit})}")
        )
    counts["JSON deep"] = len(bench.capture(jd.url))
    page_counts = {v for k, v in counts.items() if k.startswith("page")}
    json_counts = {v for k, v in counts.items() if k.startswith("JSON")}
    constant = len(page_counts) == 1 and len(json_counts) == 1
    qfig = Figure(
        key="queries",
        label="SQL queries per list request (page 1 vs deep, JSON limit 10…200)",
        target=Target(text="constant, small"),
        status="met" if constant and max(page_counts | json_counts) <= 8 else "missed",
        notes="; ".join(f"{k}: {v}" for k, v in counts.items()),
        queries=max(page_counts | json_counts),
    )
    figures.append(qfig)
    figures += write_figures(bench, import_rows=import_rows, import_runs=import_runs, claims=claims)
    return {"figures": figures, "counts": counts}


def write_figures(
    bench: Bench, *, import_rows: int | None, import_runs: int, claims: bool
) -> list[Figure]:
    from .measure_claims import claims_figure
    from .measure_import import IMPORT_ROWS, import_figures

    out: list[Figure] = []
    rows = IMPORT_ROWS if import_rows is None else import_rows
    if rows:
        out += import_figures(bench, rows=rows, runs=max(1, min(import_runs, bench.repeat)))
    if claims:
        out.append(claims_figure(bench))
    return out
