"""The figures over the sales tables (generate_sales.py): the kanban board's first view and a
column's "load more" page, the opportunities list page and JSON list, the bilingual PI rendered to
PDF, and the analytics reports that exist when the bench runs (a report whose page is not there yet
is a row saying so, never an error). Same method as measure.py: in-process requests through the
whole middleware stack, median and p95, a floor of the same size, query counts, EXPLAIN."""

from __future__ import annotations

import statistics
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import NoReverseMatch, reverse

from tradewind.activities.models import FollowUp
from tradewind.customers.models import Contact, Customer
from tradewind.leads.models import Lead
from tradewind.orders.models_orders import Order, OrderLine, PaymentPlanItem, Receipt
from tradewind.sales import board as board_read
from tradewind.sales.filters import LIST_ORDER
from tradewind.sales.models import Opportunity, OpportunityLine, StageChange

from .generate import ANCHOR
from .measure import DEEP_AT, Bench, Figure, Target, encode_cursor, percentile

OPP_TABLE = Opportunity._meta.db_table
# The tables that grow with the data: a plan reading one of them whole is flagged.
LARGE_TABLES = tuple(
    m._meta.db_table
    for m in (
        Lead,
        Customer,
        Contact,
        Opportunity,
        OpportunityLine,
        StageChange,
        Order,
        OrderLine,
        PaymentPlanItem,
        Receipt,
        FollowUp,
    )
)
BOARD_TARGET = Target(150, None)
PAGE_TARGET = Target(25, 60)  # as the leads list
JSON_TARGET = Target(20, None)
REPORT_TARGET = Target(1000, None)
PDF_TARGET = Target(500, None, "well under a second (p50 ≤ 500 ms)")
HTMX = {"HX-Request": "true"}

# The analytics pages the issue names: (key, label, URL name, query). Resolved when the bench runs;
# a name that does not resolve yet becomes a "not built yet" row. The month is the last whole
# month of the generated data (it ends at generate.ANCHOR).
LAST_MONTH = (ANCHOR.replace(day=1) - ANCHOR.resolution).strftime("%Y-%m")
YEAR = {"start": f"{int(LAST_MONTH[:4]) - 1}{LAST_MONTH[4:]}-01", "end": f"{LAST_MONTH}-28"}
REPORTS: list[tuple[str, str, tuple[str, ...], dict[str, str]]] = [
    ("report_conversion", f"Report: lead conversion review, one month ({LAST_MONTH})",
     ("analytics:conversion",), {"month": LAST_MONTH}),
    ("report_funnels", "Report: lead and stage funnels, twelve months",
     ("analytics:funnels",), YEAR),
    ("report_activity", f"Report: follow-up activity, one month ({LAST_MONTH})",
     ("analytics:activity",), {"month": LAST_MONTH}),
    ("report_goals", "Report: goal completion", ("analytics:goals",), {}),
    ("report_rfm", "Report: RFM over the orders", ("analytics:rfm", "analytics:customers_rfm",
                                                  "analytics:rfm_report"), {}),
    ("report_dashboard", "Report: manager (team) dashboard", ("analytics:dashboard_manager",), {}),
]  # fmt: skip


def _url(names: tuple[str, ...]) -> str | None:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def _deep_opportunity_cursor(bench: Bench, **filters: object) -> tuple[str, int]:
    """A keyset cursor DEEP_AT of the way down the opportunities list (newest first)."""
    qs = Opportunity.objects.filter(workspace=bench.world.workspace, **filters).order_by(
        *LIST_ORDER
    )
    total = qs.count()
    at = int(total * DEEP_AT)
    created, pk = next(iter(qs.values_list("created_at", "id")[at : at + 1]))
    return encode_cursor([created.isoformat(), pk]), total


def board_state(bench: Bench) -> dict[str, object]:
    """The default pipeline's board as the director sees it: the biggest column, its second page
    and a page DEEP_AT of the way down it."""
    member = bench.world.director
    board = board_read.board_load(member=member, params=QueryDict(), cards=False)
    columns = sorted(board.columns, key=lambda c: -c.totals.count)
    biggest = columns[0]
    qs = board_read.board_queryset(member, board.pipeline, board.stages, board.filters)
    first = board_read.column_page(qs, biggest.stage, cursor=None, today=board.today)
    # Walk to DEEP_AT of the column by pages (a cursor is opaque: follow it).
    deep = first.next_cursor
    pages = max(1, int(biggest.totals.count * DEEP_AT) // board_read.PAGE_SIZE)
    cursor = first.next_cursor
    for _ in range(pages - 1):
        if not cursor:
            break
        deep = cursor
        cursor = board_read.column_page(
            qs, biggest.stage, cursor=cursor, today=board.today
        ).next_cursor
    return {
        "pipeline": board.pipeline.pk,
        "open": board.summary.count,
        "columns": [(c.stage.label, c.totals.count) for c in board.columns],
        "stage": biggest.stage.pk,
        "stage_label": biggest.stage.label,
        "stage_count": biggest.totals.count,
        "second": first.next_cursor,
        "deep": deep,
    }


def sales_figures(bench: Bench, *, pdf_runs: int = 10) -> list[Figure]:
    """Every figure over the sales tables, timed together (interleaved), then the document."""
    figures: list[Figure] = []
    ws = bench.world.workspace
    if not Opportunity.objects.filter(workspace=ws).exists():
        bench.log("  no opportunities in the bench workspace: sales figures skipped")
        return []
    board_url = reverse("board:index")
    list_url = reverse("sales:list")
    api_url = "/api/v1/opportunities"
    n_cols = 0

    def add(key: str, label: str, url: str, floor: str, target: Target, notes: str = "",
            tables: tuple[str, ...] = LARGE_TABLES, htmx: bool = False) -> Figure:  # fmt: skip
        if htmx:
            bench.url_headers[url] = HTMX
        fig = Figure(key=key, label=label, target=target, url=url, floor_url=floor, notes=notes,
                     tables=tables)  # fmt: skip
        figures.append(fig)
        return fig

    state = board_state(bench)
    n_cols = len(state["columns"])  # type: ignore[arg-type]
    cards = board_read.PAGE_SIZE * n_cols
    cols = ", ".join(f"{label} {n:,}" for label, n in state["columns"])  # type: ignore[union-attr]
    add("board", f"Board (kanban), first view: {state['open']:,} open opportunities, "
        f"{n_cols} columns × {board_read.PAGE_SIZE} cards", board_url,
        f"/_bench/floor/page/?limit={cards}", BOARD_TARGET, f"columns: {cols}")  # fmt: skip
    column = {"pipeline": state["pipeline"], "stage": state["stage"]}
    if state["second"]:
        add("board_more", f"Board column “load more” (htmx), page 2 of {state['stage_label']} "
            f"({state['stage_count']:,} cards)",
            f"{board_url}?{urlencode({**column, 'cursor': state['second']})}",
            f"/_bench/floor/fragment/?limit={board_read.PAGE_SIZE}", BOARD_TARGET,
            htmx=True)  # fmt: skip
    if state["deep"] and state["deep"] != state["second"]:
        add("board_more_deep", f"Board column “load more” (htmx), deep page ({DEEP_AT:.0%}) of "
            f"{state['stage_label']}",
            f"{board_url}?{urlencode({**column, 'cursor': state['deep']})}",
            f"/_bench/floor/fragment/?limit={board_read.PAGE_SIZE}", BOARD_TARGET,
            htmx=True)  # fmt: skip

    page_floor = "/_bench/floor/page/?limit=50"
    json_floor = "/_bench/floor/json/?limit=50"
    total = Opportunity.objects.filter(workspace=ws).count()
    open_n = Opportunity.objects.filter(workspace=ws, status="open").count()
    deep_all, _n = _deep_opportunity_cursor(bench)
    add("opp_list", "Opportunities list page, 50 rows, no filter (newest first), page 1",
        list_url, page_floor, PAGE_TARGET, f"{total:,} opportunities")  # fmt: skip
    add("opp_list_open", "Opportunities list page, 50 rows, status=open, page 1",
        f"{list_url}?status=open", page_floor, PAGE_TARGET, f"{open_n:,} match")  # fmt: skip
    add("opp_list_deep", f"Opportunities list page, no filter, deep page ({DEEP_AT:.0%})",
        f"{list_url}?{urlencode({'cursor': deep_all})}", page_floor, PAGE_TARGET)  # fmt: skip
    add("opp_json", "Opportunities JSON list, limit 50, no filter, page 1",
        f"{api_url}?limit=50", json_floor, JSON_TARGET)  # fmt: skip
    add("opp_json_open", "Opportunities JSON list, limit 50, status=open, page 1",
        f"{api_url}?status=open&limit=50", json_floor, JSON_TARGET)  # fmt: skip
    add("opp_json_deep", f"Opportunities JSON list, limit 50, deep ({DEEP_AT:.0%})",
        f"{api_url}?{urlencode({'limit': 50, 'cursor': deep_all})}", json_floor,
        JSON_TARGET)  # fmt: skip

    missing: list[Figure] = []
    for key, label, names, query in REPORTS:
        url = _url(names)
        if url is None:
            missing.append(Figure(key=key, label=label, target=REPORT_TARGET, built=False,
                                  status="not built yet",
                                  notes=f"no page named {' / '.join(names)} when the bench ran"))  # fmt: skip
            continue
        full = f"{url}?{urlencode(query)}" if query else url
        try:
            bench.get(full)
        except Exception as exc:  # a report being written right now may fail: say so, go on
            missing.append(Figure(key=key, label=label, target=REPORT_TARGET, url=full,
                                  built=False, status="not measured",
                                  notes=f"GET {full} failed: {exc}"[:300]))  # fmt: skip
            continue
        add(key, label, full, page_floor, REPORT_TARGET)

    bench.log(f"Timing {len(figures)} sales figures …")
    bench.measure_all(figures)
    _relative(figures, "opp_list_deep", "opp_list")
    _relative(figures, "opp_json_deep", "opp_json")
    _relative(figures, "board_more_deep", "board_more")
    figures.append(query_counts(bench, list_url, api_url, board_url, column, state))
    figures += missing
    if pdf_runs:
        figures.append(document_figure(bench, pdf_runs))
    return figures


def _relative(figures: list[Figure], deep_key: str, base_key: str) -> None:
    by = {f.key: f for f in figures}
    deep, base = by.get(deep_key), by.get(base_key)
    if deep and base and deep.p50 and base.p50:
        deep.notes = f"{deep.p50 / base.p50:.2f}× page 1"
        if deep.p50 > base.p50 * 1.5 and deep.status == "met":
            deep.status = f"missed: {deep.p50 / base.p50:.1f}× page 1 (target: as fast)"


def query_counts(
    bench: Bench, list_url: str, api_url: str, board_url: str, column: dict, state: dict
) -> Figure:
    """SQL statements per request: the list at page 1 and deep, JSON at limits 10…200, the board
    and its column pages. Each must not grow with the page size or the depth."""
    deep, _n = _deep_opportunity_cursor(bench)
    counts = {
        "page p1": len(bench.capture(list_url)),
        "page deep": len(bench.capture(f"{list_url}?{urlencode({'cursor': deep})}")),
        "page open": len(bench.capture(f"{list_url}?status=open")),
    }
    for limit in (10, 50, 200):
        counts[f"JSON limit {limit}"] = len(bench.capture(f"{api_url}?limit={limit}"))
    counts["JSON deep"] = len(bench.capture(f"{api_url}?{urlencode({'cursor': deep})}"))
    counts["board"] = len(bench.capture(board_url))
    for name in ("second", "deep"):
        if state.get(name):
            url = f"{board_url}?{urlencode({**column, 'cursor': state[name]})}"
            bench.url_headers[url] = HTMX
            counts[f"board column {name}"] = len(bench.capture(url))
    groups = [
        {v for k, v in counts.items() if k.startswith("page")},
        {v for k, v in counts.items() if k.startswith("JSON")},
        {v for k, v in counts.items() if k.startswith("board column")},
    ]
    constant = all(len(g) <= 1 for g in groups)
    small = max(counts.values()) <= 20
    return Figure(
        key="opp_queries",
        label="SQL queries per request: opportunities list (p1, deep, open), JSON limit 10…200, "
        "board and its column pages",
        target=Target(text="constant, small"),
        status="met" if constant and small else "missed",
        notes="; ".join(f"{k}: {v}" for k, v in counts.items()),
        queries=max(counts.values()),
    )


def document_figure(bench: Bench, runs: int) -> Figure:
    fig = Figure(
        key="document_pi",
        label="Document: bilingual PI (20 lines) rendered to PDF (WeasyPrint)",
        target=PDF_TARGET,
    )
    bench.log("  Document render …")
    try:
        from .document import time_renders

        result = time_renders(min(runs, bench.repeat))
    except Exception as exc:  # WeasyPrint's system libraries missing: a row that says so
        fig.built = False
        fig.status = "not measured"
        fig.notes = f"PDF rendering unavailable: {exc}"[:300]
        return fig
    samples = result["samples"]
    fig.p50 = statistics.median(samples)
    fig.p95 = percentile(samples, 95)
    fig.runs = len(samples)
    fig.floor_p50 = result["floor_p50"]
    fig.judge()
    fig.notes = (
        f"cold (fonts loaded) {result['cold_ms']:,.0f} ms; {result['bytes']:,} bytes; floor: "
        "WeasyPrint on a bare page of the same text"
    )
    bench.log(f"    p50 {fig.p50:.0f} ms  p95 {fig.p95:.0f} ms  floor {fig.floor_p50:.0f} ms")
    return fig
