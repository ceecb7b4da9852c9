"""The bench workspace's other tables, by the same bulk path as the leads (sqlite3 `executemany` /
PostgreSQL `COPY`, never the services): customers and contacts, a small product catalogue,
opportunities over the default pipeline (lines for a share, base amounts, stage history), orders
with lines, payment plans and receipts, and follow-ups on leads, customers and opportunities.

Sizes follow the lead scale (issue #9 at 1,000,000 leads: 200,000 customers, 400,000 contacts,
200,000 opportunities, 300,000 orders, 5,000,000 follow-ups). Every group is deterministic (its
own seed) and reusable: a group whose main table already holds the expected rows is kept, a
missing or wrong-sized group is rebuilt together with every group after it (they point into it).

Opportunities are spread over the three years before `ANCHOR`; the newest ones (the last 8 % of the
span by default) are open with probability `OPEN_IN_RECENT`, all older ones are closed (won / lost /
invalid), so `OPEN_SHARE` (3 %) are open: 6,000 open cards on the board at full scale."""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, models, transaction

from tradewind.activities.models import FollowUp
from tradewind.customers.models import Contact, Customer
from tradewind.leads.models import Lead
from tradewind.orders.models_orders import Order, OrderLine, PaymentPlanItem, Receipt
from tradewind.sales.models import (
    CloseReason,
    Opportunity,
    OpportunityLine,
    Pipeline,
    Product,
    ProductPrice,
    Stage,
    StageChange,
)
from tradewind.workspaces.models import NumberSequence, Workspace

from . import generate
from .generate import ANCHOR, BATCH, COMMIT_EVERY, SPAN, BenchWorld

SALES_VERSION = 1  # bump when the rows change: a reused bench rebuilds these groups
SEED = generate.SEED + 100

# Per 1,000,000 leads (the figures); scaled linearly, at least a handful each.
PER_MILLION = {
    "customers": 200_000,
    "contacts": 400_000,  # two per customer
    "opportunities": 200_000,
    "orders": 300_000,
    "followups": 5_000_000,
}
PRODUCTS = 200
OPEN_SHARE = 0.03  # of all opportunities: 6,000 open cards on the board at full scale
OPEN_IN_RECENT = 0.375  # the newest 8% of the span (~88 days) are open with this probability
LINE_SHARE = 0.4  # opportunities whose amount comes from product lines
BUYER_SHARE = 0.3  # customers that place orders
RATES = {"USD": Decimal("7.1"), "EUR": Decimal("7.8"), "CNY": Decimal(1)}
CURRENCY_WEIGHTS = {"USD": 70, "EUR": 20, "CNY": 10}
OPEN_STAGE_WEIGHTS = (35, 30, 20, 15)  # initial contact … negotiation
CLOSED_WEIGHTS = {"won": 35, "lost": 50, "invalid": 15}
LOST_REASONS = ("Price too high", "Lead time too long", "Chose a competitor", "No budget")
INVALID_REASONS = ("Duplicate", "Not a real buyer")
FOLLOWUP_TARGETS = {"lead": 60, "customer": 30, "opportunity": 10}
CHANNEL_WEIGHTS = {
    "email": 35, "whatsapp": 20, "wechat": 15, "phone": 15, "video": 5, "meeting": 5, "visit": 3,
    "other": 2,
}  # fmt: skip
RESULT_WEIGHTS = {
    "responded": 35, "no_response": 30, "interested": 15, "not_interested": 8,
    "meeting_booked": 5, "other": 7,
}  # fmt: skip
SUMMARIES = (
    "Sent the updated price list and catalogue",
    "发了新报价，客户说下周回复",
    "Asked for samples, courier booked",
    "确认了包装和唛头要求",
    "Discussed lead time for the next container",
    "客户对交期有疑问，已解释",
    "Follow-up on the deposit payment",
    "Video call with the buyer's QC team",
)
NEXT_ACTIONS = ("Send samples", "报价", "Confirm PI", "催定金", "Book a call", "")
TITLES = ("Purchasing Manager", "Buyer", "CEO", "采购经理", "Sourcing Director", "Owner", "")
PORTS = ("Hamburg", "Rotterdam", "Los Angeles", "Dubai", "Santos", "Felixstowe", "Sydney")
INCOTERMS = ("FOB", "CIF", "EXW", "CFR", "DAP", "")
OPP_SOURCES = ("rfq", "inquiry", "exhibition", "referral", "reorder", "converted_lead", "other")
GROUPS = ("customers", "products", "opportunities", "orders", "followups")


def sizes(scale: int) -> dict[str, int]:
    """Row counts of each table for `scale` leads (the issue's ratios, rounded)."""
    out = {k: max(10, round(v * scale / 1_000_000)) for k, v in PER_MILLION.items()}
    out["contacts"] = out["customers"] * 2
    return out


@dataclass
class SalesStats:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    rebuilt: list[str] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())


# --- the bulk path -------------------------------------------------------------------------------


def _converter(f: models.Field) -> Callable[[Any], Any]:
    """Python value -> what the driver takes (once per column, not per value)."""
    if isinstance(f, models.DateTimeField):
        adapt = generate._datetime_adapter()
        return lambda v: None if v is None else adapt(v)
    if isinstance(f, models.DateField) and connection.vendor == "sqlite":
        return lambda v: None if v is None else v.isoformat()
    if isinstance(f, models.JSONField):
        return lambda v: json.dumps(v, ensure_ascii=False)
    if isinstance(f, models.DecimalField) and connection.vendor == "sqlite":
        return lambda v: None if v is None else str(v)
    return lambda v: v


def bulk_insert(
    model: type[models.Model],
    columns: Sequence[str],
    batches: Iterable[list[tuple]],
    progress: Callable[[str, int], None] | None = None,
) -> int:
    """Insert rows given as tuples in `columns` order (attnames). Every other concrete column
    gets its Python default; a column with only a database default is left to the database."""
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    given = [by_name[c] for c in columns]
    extra = [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key
        and f.attname not in columns
        and not hasattr(f.get_default(), "resolve_expression")
    ]
    conv = [_converter(f) for f in given]
    fixed = tuple(_converter(f)(f.get_default()) for f in extra)
    fields = given + extra
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    label = model._meta.model_name or "rows"
    total = pending = 0
    atomic = transaction.atomic()
    atomic.__enter__()
    try:
        for batch in batches:
            rows = [tuple(c(v) for c, v in zip(conv, row, strict=True)) + fixed for row in batch]
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                elif connection.vendor == "sqlite":
                    marks = ", ".join("?" * len(fields))
                    sqlite3.Cursor.executemany(
                        cursor.cursor,
                        f"INSERT INTO {table} ({cols}) VALUES ({marks})",  # noqa: S608 - model names
                        rows,
                    )
                else:  # pragma: no cover - other backends
                    marks = ", ".join(["%s"] * len(fields))
                    cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)  # noqa: S608
            total += len(rows)
            pending += len(rows)
            if progress:
                progress(label, total)
            if pending >= COMMIT_EVERY:
                atomic.__exit__(None, None, None)
                atomic = transaction.atomic()
                atomic.__enter__()
                pending = 0
    except BaseException as exc:
        atomic.__exit__(type(exc), exc, exc.__traceback__)
        raise
    atomic.__exit__(None, None, None)
    return total


def chunks(rows: Iterable[tuple], size: int = BATCH) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def ids_of(qs: models.QuerySet) -> list[int]:
    return list(qs.order_by("id").values_list("id", flat=True))


def _weighted(rng: random.Random, weights: dict[str, int]) -> Callable[[], str]:
    keys, cum = list(weights), []
    acc = 0
    for w in weights.values():
        acc += w
        cum.append(acc)
    import bisect

    def pick() -> str:
        return keys[bisect.bisect_right(cum, rng.random() * acc)]

    return pick


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


class _Codes:
    """Yearly codes as numbering.py writes them (prefix + local year + 6 digits)."""

    def __init__(self, prefix: str, zone: Any) -> None:
        self.prefix, self.zone, self.seq = prefix, zone, {}  # type: ignore[var-annotated]

    def next(self, when: dt.datetime) -> str:
        year = when.astimezone(self.zone).year
        self.seq[year] = self.seq.get(year, 0) + 1
        return f"{self.prefix}{year}{self.seq[year]:06d}"

    def bump(self, workspace: Workspace, kind: str) -> None:
        for year, last in self.seq.items():
            NumberSequence.objects.update_or_create(
                workspace=workspace, kind=kind, period=str(year), defaults={"last_value": last}
            )


def _zone(workspace: Workspace) -> Any:
    import zoneinfo

    return zoneinfo.ZoneInfo(workspace.time_zone or "UTC")


# --- groups ----------------------------------------------------------------------------------------


def gen_customers(world: BenchWorld, n: int, progress: Callable) -> dict[str, int]:
    """Customers from the lead vocabulary (another seed), two contacts each."""
    ws = world.workspace
    owners = [m.user_id for m in world.reps]
    rng = random.Random(SEED + 1)  # noqa: S311 - test data
    codes = _Codes("KH", _zone(ws))
    types = ["importer", "wholesaler", "retailer", "brand", "trader", "end_user", "agent"]
    size_values = ["1-10", "11-50", "51-200", "201-1000", "1000+"]
    buyers = set(rng.sample(range(n), round(n * BUYER_SHARE)))
    cols = (
        "workspace_id", "code", "name", "country", "city", "type", "size", "industry",
        "website", "email", "phone", "rating", "source", "tags", "owner_id", "last_contact_at",
        "phone_e164", "email_domain", "web_domain", "company_key", "company_pinyin", "stage",
        "stage_manual", "stage_reason", "targeted", "created_at", "updated_at", "version",
    )  # fmt: skip
    contacts_plan: list[tuple[str, str, str, str]] = []

    def rows() -> Iterator[tuple]:
        i = 0
        for batch in generate.lead_rows(n, owners, seed=SEED + 1, tz=ws.time_zone):
            for lead in batch:
                created = lead["created_at"]
                stage = "signed" if i in buyers else "potential"
                if i in buyers and rng.random() < 0.6:
                    stage = "repeat"
                elif i not in buyers and rng.random() < 0.05:
                    stage = "lost"
                contacts_plan.append(
                    (
                        str(lead["contact_name"] or "Buyer"),
                        str(lead["email"]),
                        str(lead["phone"]),
                        str(lead["phone_e164"]),
                    )
                )
                yield (
                    ws.pk, codes.next(created), lead["company_name"], lead["country"], "",
                    rng.choice(types), rng.choice(size_values), "", lead["website"],
                    lead["email"], lead["phone"], rng.choice((None, 3, 4, 5)), lead["source"], [],
                    lead["owner_id"], created + dt.timedelta(days=rng.randrange(0, 60)),
                    lead["phone_e164"], lead["email_domain"], lead["web_domain"],
                    lead["company_key"], lead["company_pinyin"][:400], stage, False, "", False,
                    created, created, 1,
                )  # fmt: skip
                i += 1

    done = bulk_insert(Customer, cols, chunks(rows()), progress)
    with transaction.atomic():
        codes.bump(ws, "customer")
    customer_ids = ids_of(Customer.objects.filter(workspace=ws))
    created = dict(Customer.objects.filter(workspace=ws).values_list("id", "created_at"))
    roles = ["decision_maker", "buyer", "influencer", "user", ""]
    ccols = (
        "workspace_id", "customer_id", "name", "title", "decision_role", "is_primary", "phone",
        "email", "whatsapp", "wechat", "linkedin", "notes", "phone_e164", "created_at",
        "updated_at", "version",
    )  # fmt: skip

    def contact_rows() -> Iterator[tuple]:
        crng = random.Random(SEED + 2)  # noqa: S311 - test data
        for cid, (name, email, phone, e164) in zip(customer_ids, contacts_plan, strict=True):
            at = created[cid]
            yield (ws.pk, cid, name, crng.choice(TITLES), crng.choice(roles), True, phone, email,
                   phone if crng.random() < 0.3 else "", "", "", "", e164, at, at, 1)  # fmt: skip
            second = f"{crng.choice(generate.FIRST)} {crng.choice(generate.LAST)}"
            digits = f"+86139{crng.randrange(10**8):08d}"
            mail = f"{second.split()[0].lower()}{crng.randrange(1, 9999)}@buyer{cid}.example"
            yield (ws.pk, cid, second, crng.choice(TITLES), crng.choice(roles), False, digits,
                   mail, "", "", "", "", digits, at, at, 1)  # fmt: skip

    contacts = bulk_insert(Contact, ccols, chunks(contact_rows()), progress)
    return {"customers": done, "contacts": contacts}


def gen_products(world: BenchWorld) -> dict[str, int]:
    ws = world.workspace
    rng = random.Random(SEED + 3)  # noqa: S311 - test data
    now = ANCHOR - SPAN
    with transaction.atomic():
        Product.objects.bulk_create(
            Product(
                workspace=ws,
                sku=f"BX-{i:04d}",
                name_en=f"{rng.choice(generate.EN_INDUSTRIES)} item {i}",
                name_zh=f"{rng.choice(generate.INDUSTRIES)}产品{i}",
                unit=rng.choice(("pcs", "sets", "cartons", "kg")),
                hs_code=f"94{rng.randrange(10**8):08d}",
                created_at=now,
                updated_at=now,
            )
            for i in range(PRODUCTS)
        )
        products = list(Product.objects.filter(workspace=ws).order_by("id"))
        ProductPrice.objects.bulk_create(
            ProductPrice(product=p, currency="USD", unit_price=_money(rng.uniform(0.5, 80)))
            for p in products
        )
    return {"products": len(products)}


def _close_reasons(ws: Workspace) -> dict[str, list[int]]:
    for kind, labels in (("lost", LOST_REASONS), ("invalid", INVALID_REASONS)):
        for pos, label in enumerate(labels):
            CloseReason.objects.get_or_create(
                workspace=ws, kind=kind, label=label, defaults={"position": pos}
            )
    out: dict[str, list[int]] = {"lost": [], "invalid": []}
    for pk, kind in CloseReason.objects.filter(workspace=ws, is_active=True).values_list(
        "pk", "kind"
    ):
        out.setdefault(kind, []).append(pk)
    return out


def default_pipeline(ws: Workspace) -> tuple[Pipeline, list[Stage]]:
    from tradewind.sales.services import pipeline_default

    pipeline = pipeline_default(ws)
    return pipeline, list(Stage.objects.filter(pipeline=pipeline).order_by("position", "id"))


def gen_opportunities(
    world: BenchWorld, n: int, progress: Callable, open_share: float = OPEN_SHARE
) -> dict[str, int]:
    ws = world.workspace
    rng = random.Random(SEED + 4)  # noqa: S311 - test data
    pipeline, stages = default_pipeline(ws)
    open_stages = [s for s in stages if not s.is_closed]
    won = next(s for s in stages if s.is_won)
    lost = next(s for s in stages if s.is_lost)
    with transaction.atomic():
        reasons = _close_reasons(ws)
    customers = list(
        Customer.objects.filter(workspace=ws).order_by("id").values_list("id", "owner_id")
    )
    primary = dict(
        Contact.objects.filter(workspace=ws, is_primary=True).values_list("customer_id", "id")
    )
    products = list(
        Product.objects.filter(workspace=ws).order_by("id").values_list("id", flat=True)
    )
    reps = [m.user_id for m in world.reps]
    codes = _Codes("SJ", _zone(ws))
    currency = _weighted(rng, CURRENCY_WEIGHTS)
    outcome = _weighted(rng, CLOSED_WEIGHTS)
    start = ANCHOR - SPAN
    step = SPAN / max(n, 1)
    # The newest opportunities may be open: a window wide enough for `open_share` of them all.
    recent_from = n * (1 - min(1.0, open_share / OPEN_IN_RECENT))
    cols = (
        "workspace_id", "code", "name", "customer_id", "contact_id", "pipeline_id", "stage_id",
        "amount", "currency", "expected_close_date", "need", "status", "owner_id", "custom",
        "source", "incoterm", "named_place", "amount_from_lines", "base_amount", "fx_rate",
        "fx_date", "probability", "competitors", "next_step", "forecast_category",
        "stage_entered_at", "last_activity_at", "stale_since", "closed_at", "closed_by_id",
        "close_reason_id", "close_competitor", "close_note", "created_at", "updated_at",
        "version",
    )  # fmt: skip
    # What the lines and the stage history need, in insertion order.
    plan: list[tuple[int, dt.datetime, str, list[int], dt.datetime | None, int | None, Any]] = []

    def rows() -> Iterator[tuple]:
        for i in range(n):
            created = start + step * (i + rng.random())
            cust_id, cust_owner = customers[rng.randrange(len(customers))]
            owner = cust_owner or reps[rng.randrange(len(reps))]
            cur = currency()
            status = "open" if i >= recent_from and rng.random() < OPEN_IN_RECENT else outcome()
            reached = rng.choices(range(len(open_stages)), OPEN_STAGE_WEIGHTS)[0]
            stage = open_stages[reached]
            path = [s.pk for s in open_stages[: reached + 1]]
            closed_at = reason = None
            if status != "open":
                closed_at = created + dt.timedelta(days=rng.randrange(7, 120))
                if status == "won":
                    stage = won
                    path = [s.pk for s in open_stages] + [won.pk]
                elif status == "lost":
                    stage = lost
                    path.append(lost.pk)
                    reason = rng.choice(reasons["lost"])
                else:
                    reason = rng.choice(reasons["invalid"])
            n_lines = rng.choice((1, 2, 3)) if rng.random() < LINE_SHARE else 0
            lines = []
            if n_lines:
                for _ in range(n_lines):
                    qty = rng.choice((100, 200, 500, 1000, 2000, 5000))
                    price = _money(rng.uniform(0.8, 40))
                    lines.append((products[rng.randrange(len(products))], qty, price))
                amount = sum((Decimal(q) * p for _pid, q, p in lines), Decimal(0))
            else:
                amount = _money(rng.uniform(2_000, 200_000))
            amount = amount.quantize(Decimal("0.01"))
            rate = RATES[cur]
            base = (amount * rate).quantize(Decimal("0.01"))
            close_date = (created + dt.timedelta(days=rng.randrange(20, 150))).date()
            entered = created + dt.timedelta(days=rng.randrange(0, 20) * (len(path) - 1))
            if closed_at is not None:
                entered = closed_at
            now = closed_at or entered
            stale = None
            if status == "open" and rng.random() < 0.1:
                stale = ANCHOR - dt.timedelta(days=rng.randrange(1, 20))
            plan.append((len(plan), created, status, path, closed_at, owner, lines))
            yield (
                ws.pk, codes.next(created),
                f"{rng.choice(generate.EN_INDUSTRIES)} order {i % 997}", cust_id,
                primary.get(cust_id), pipeline.pk, stage.pk, amount, cur, close_date, "", status,
                owner, {}, rng.choice(OPP_SOURCES), rng.choice(INCOTERMS), rng.choice(PORTS),
                bool(n_lines), base, rate, created.date(),
                rng.choice((50, 80)) if rng.random() < 0.05 else None, "", "", "pipeline",
                entered, now, stale, closed_at, owner if closed_at else None, reason, "", "",
                created, now, 1,
            )  # fmt: skip

    done = bulk_insert(Opportunity, cols, chunks(rows()), progress)
    with transaction.atomic():
        codes.bump(ws, "opportunity")
    opp_ids = ids_of(Opportunity.objects.filter(workspace=ws))
    lcols = ("opportunity_id", "position", "product_id", "description", "quantity", "unit",
             "unit_price", "discount_percent", "specs_note", "amount")  # fmt: skip

    def line_rows() -> Iterator[tuple]:
        for (_i, _c, _s, _p, _closed, _o, lines), oid in zip(plan, opp_ids, strict=True):
            for pos, (pid, qty, price) in enumerate(lines):
                yield (oid, pos, pid, "", Decimal(qty), "pcs", price, Decimal(0), "",
                       (Decimal(qty) * price).quantize(Decimal("0.01")))  # fmt: skip

    n_lines = bulk_insert(OpportunityLine, lcols, chunks(line_rows()), progress)
    scols = ("workspace_id", "opportunity_id", "kind", "from_stage_id", "to_stage_id",
             "from_status", "to_status", "changed_by_id", "changed_at", "seconds_in_from_stage")  # fmt: skip

    def change_rows() -> Iterator[tuple]:
        srng = random.Random(SEED + 5)  # noqa: S311 - test data
        for (_i, created, status, path, closed_at, owner, _l), oid in zip(
            plan, opp_ids, strict=True
        ):
            at = created
            yield (ws.pk, oid, "create", None, path[0], "", "open", owner, at, None)
            steps = path[1:]
            for k, to in enumerate(steps):
                last = k == len(steps) - 1 and status != "open"
                nxt = (
                    closed_at
                    if last and closed_at
                    else at
                    + dt.timedelta(days=srng.randrange(1, 20), seconds=srng.randrange(86_400))
                )
                kind, to_status = ("close", status) if last else ("move", "open")
                yield (ws.pk, oid, kind, path[k], to, "open", to_status, owner, nxt,
                       int((nxt - at).total_seconds()))  # fmt: skip
                at = nxt
            if status == "invalid":
                yield (ws.pk, oid, "close", path[-1], path[-1], "open", "invalid", owner,
                       closed_at, int((closed_at - at).total_seconds()))  # fmt: skip

    changes = bulk_insert(StageChange, scols, chunks(change_rows()), progress)
    return {"opportunities": done, "opportunity lines": n_lines, "stage changes": changes}


def gen_orders(world: BenchWorld, n: int, progress: Callable) -> dict[str, int]:
    ws = world.workspace
    rng = random.Random(SEED + 6)  # noqa: S311 - test data
    buyers = list(
        Customer.objects.filter(workspace=ws, stage__in=("signed", "repeat"))
        .order_by("id")
        .values_list("id", flat=True)
    ) or ids_of(Customer.objects.filter(workspace=ws))
    primary = dict(
        Contact.objects.filter(workspace=ws, is_primary=True).values_list("customer_id", "id")
    )
    won = list(
        Opportunity.objects.filter(workspace=ws, status="won")
        .order_by("closed_at", "id")
        .values_list("id", "customer_id", "closed_at")
    )
    products = list(
        Product.objects.filter(workspace=ws).order_by("id").values_list("id", flat=True)
    )
    codes = _Codes("SO", _zone(ws))
    currency = _weighted(rng, {"USD": 75, "EUR": 25})
    start = ANCHOR - SPAN
    step = SPAN / max(n, 1)
    today = ANCHOR.date()
    base_currency = ws.base_currency
    cols = (
        "workspace_id", "code", "customer_id", "contact_id", "opportunity_id", "title",
        "status", "order_date", "currency", "incoterm", "named_place", "total", "base_currency",
        "fx_rate", "fx_date", "base_total", "shipped_total", "received_total", "charges_total",
        "note", "created_by_id", "completed_at", "cancelled_at", "status_note", "created_at",
        "updated_at", "version",
    )  # fmt: skip
    plan: list[tuple[list[tuple], list[tuple], list[tuple], str]] = []
    w = 0  # next won opportunity to turn into an order (in closing order)
    reps = [m.user_id for m in world.reps]

    def rows() -> Iterator[tuple]:
        nonlocal w
        for i in range(n):
            created = start + step * (i + rng.random())
            opp = None
            if w < len(won) and won[w][2] <= created:
                opp, cust, _closed = won[w]
                w += 1
            else:
                cust = buyers[rng.randrange(len(buyers))]
            cur = currency()
            rate = RATES[cur] if base_currency == "CNY" else Decimal(1)
            order_date = created.date()
            age = (today - order_date).days
            if age > 120:
                status = "cancelled" if rng.random() < 0.05 else "completed"
            else:
                status = rng.choice(("confirmed", "in_production", "shipped", "partly_shipped"))
            lines = []
            for pos in range(rng.choice((1, 2, 2, 3))):
                qty = Decimal(rng.choice((200, 500, 1000, 3000, 5000)))
                price = _money(rng.uniform(1, 30))
                lines.append((pos, products[rng.randrange(len(products))], qty, price,
                              (qty * price).quantize(Decimal("0.001"))))  # fmt: skip
            total = sum((ln[4] for ln in lines), Decimal(0))
            deposit = (total * Decimal("0.3")).quantize(Decimal("0.001"))
            balance = total - deposit
            shipped = status in ("completed", "shipped")
            bl_due = order_date + dt.timedelta(days=45) if shipped else None
            receipts = []
            received = Decimal(0)
            if status != "cancelled":
                receipts.append((order_date + dt.timedelta(days=rng.randrange(1, 10)), deposit, 0))
                received += deposit
                if status == "completed" or (status == "shipped" and rng.random() < 0.5):
                    receipts.append((bl_due or order_date, balance, 1))
                    received += balance
            items = [
                (0, "deposit", Decimal(30), deposit, "on_order", order_date),
                (1, "balance", Decimal(70), balance, "against_bl", bl_due),
            ]
            plan.append((lines, items, receipts, cur))
            done_at = (
                dt.datetime.combine(bl_due or order_date, dt.time(8), tzinfo=dt.UTC)
                if status == "completed"
                else None
            )
            yield (
                ws.pk, codes.next(created), cust, primary.get(cust), opp, "", status, order_date,
                cur, rng.choice(INCOTERMS), rng.choice(PORTS), total, base_currency, rate,
                order_date, (total * rate).quantize(Decimal("0.001")),
                total if shipped else Decimal(0), received, Decimal(0), "",
                reps[rng.randrange(len(reps))], done_at,
                created if status == "cancelled" else None, "", created, created, 1,
            )  # fmt: skip

    done = bulk_insert(Order, cols, chunks(rows()), progress)
    with transaction.atomic():
        codes.bump(ws, "order")
    order_ids = ids_of(Order.objects.filter(workspace=ws))
    lcols = ("order_id", "position", "product_id", "description", "specs", "hs_code",
             "quantity", "unit", "unit_price", "discount_percent", "amount", "shipped_quantity")  # fmt: skip
    statuses = dict(Order.objects.filter(workspace=ws).values_list("id", "status"))

    def line_rows() -> Iterator[tuple]:
        for (lines, _items, _r, _c), oid in zip(plan, order_ids, strict=True):
            full = statuses[oid] in ("completed", "shipped")
            for pos, pid, qty, price, amount in lines:
                yield (oid, pos, pid, "", "", "", qty, "pcs", price, Decimal(0), amount,
                       qty if full else Decimal(0))  # fmt: skip

    n_lines = bulk_insert(OrderLine, lcols, chunks(line_rows()), progress)
    pcols = ("order_id", "position", "kind", "percent", "amount", "trigger", "days",
             "fixed_date", "due_date", "received", "charges", "closed_at", "last_reminded_on")  # fmt: skip

    def item_rows() -> Iterator[tuple]:
        for (_lines, items, receipts, _c), oid in zip(plan, order_ids, strict=True):
            paid = {k for _on, _amt, k in receipts}
            for pos, kind, pct, amount, trigger, due in items:
                settled = pos in paid
                closed = dt.datetime.combine(due or ANCHOR.date(), dt.time(9), tzinfo=dt.UTC)
                yield (oid, pos, kind, pct, amount, trigger, None, None, due,
                       amount if settled else Decimal(0), Decimal(0),
                       closed if settled else None, None)  # fmt: skip

    n_items = bulk_insert(PaymentPlanItem, pcols, chunks(item_rows()), progress)
    item_ids = ids_of(PaymentPlanItem.objects.filter(order__workspace=ws))
    rcols = ("workspace_id", "order_id", "received_on", "amount", "currency", "rate",
             "bank_charges", "amount_order_currency", "charges_order_currency", "shortfall",
             "reference", "note", "allocation", "created_by_id", "recorded_at", "created_at",
             "updated_at", "version")  # fmt: skip

    def receipt_rows() -> Iterator[tuple]:
        for k, ((_lines, _items, receipts, cur), oid) in enumerate(
            zip(plan, order_ids, strict=True)
        ):
            for on, amount, pos in receipts:
                at = dt.datetime.combine(on, dt.time(10), tzinfo=dt.UTC)
                yield (ws.pk, oid, on, amount, cur, Decimal(1), Decimal(0), amount, Decimal(0),
                       Decimal(0), f"TT{oid}-{pos}", "", [[item_ids[2 * k + pos], str(amount)]],
                       None, at, at, at, 1)  # fmt: skip

    n_receipts = bulk_insert(Receipt, rcols, chunks(receipt_rows()), progress)
    return {"orders": done, "order lines": n_lines, "payment plan items": n_items,
            "receipts": n_receipts}  # fmt: skip


def gen_followups(world: BenchWorld, n: int, progress: Callable) -> dict[str, int]:
    ws = world.workspace
    rng = random.Random(SEED + 7)  # noqa: S311 - test data
    targets = {
        "lead": ids_of(Lead.objects.filter(workspace=ws)),
        "customer": ids_of(Customer.objects.filter(workspace=ws)),
        "opportunity": ids_of(Opportunity.objects.filter(workspace=ws)),
    }
    weights = {k: w for k, w in FOLLOWUP_TARGETS.items() if targets[k]}
    kind = _weighted(rng, weights)
    channel = _weighted(rng, CHANNEL_WEIGHTS)
    result = _weighted(rng, RESULT_WEIGHTS)
    reps = [m.user_id for m in world.reps]
    start = ANCHOR - SPAN
    step = SPAN / max(n, 1)
    cols = ("workspace_id", "target_type", "target_id", "owner_id", "happened_at", "channel",
            "summary", "feedback", "next_action", "next_due_at", "result", "created_at",
            "updated_at", "version")  # fmt: skip

    def rows() -> Iterator[tuple]:
        for i in range(n):
            at = start + step * (i + rng.random())
            k = kind()
            ids = targets[k]
            action = NEXT_ACTIONS[rng.randrange(len(NEXT_ACTIONS))]
            due = at + dt.timedelta(days=rng.randrange(1, 14)) if action else None
            yield (ws.pk, k, ids[rng.randrange(len(ids))], reps[rng.randrange(len(reps))], at,
                   channel(), SUMMARIES[rng.randrange(len(SUMMARIES))], "", action, due,
                   result(), at, at, 1)  # fmt: skip

    done = bulk_insert(FollowUp, cols, chunks(rows(), BATCH * 2), progress)
    return {"followups": done}


# --- reuse, wipe, build ---------------------------------------------------------------------------


def group_count(ws: Workspace, group: str) -> int:
    if group == "customers":
        return Customer.objects.filter(workspace=ws).count()
    if group == "products":
        return Product.objects.filter(workspace=ws).count()
    if group == "opportunities":
        return Opportunity.objects.filter(workspace=ws).count()
    if group == "orders":
        return Order.objects.filter(workspace=ws).count()
    return FollowUp.objects.filter(workspace=ws).count()


def expected(scale: int, group: str) -> int:
    return PRODUCTS if group == "products" else sizes(scale)[group]


def _raw_delete(qs: models.QuerySet) -> int:
    return qs._raw_delete(connection.alias)  # type: ignore[attr-defined]


def wipe(ws: Workspace, group: str) -> None:
    """Remove one group's rows in a few statements (no per-row cascade collection); rows other
    apps hung on them in this workspace (quotes, claims…) go by the ORM's cascade."""
    from tradewind.orders.models import Quote, SalesDocument
    from tradewind.orders.models_orders import Shipment, ShipmentLine

    order_qs = Order.objects.filter(workspace=ws)
    opp_qs = Opportunity.objects.filter(workspace=ws)
    steps: dict[str, list[models.QuerySet]] = {
        "followups": [FollowUp.objects.filter(workspace=ws)],
        "orders": [
            Receipt.objects.filter(workspace=ws),
            PaymentPlanItem.objects.filter(order__workspace=ws),
            ShipmentLine.objects.filter(shipment__workspace=ws),
            Shipment.objects.filter(workspace=ws),
            OrderLine.objects.filter(order__workspace=ws),
            order_qs,
        ],
        "opportunities": [
            StageChange.objects.filter(workspace=ws),
            OpportunityLine.objects.filter(opportunity__workspace=ws),
            Opportunity.contacts.through.objects.filter(opportunity__workspace=ws),
            opp_qs,
        ],
        "products": [
            ProductPrice.objects.filter(product__workspace=ws),
            Product.objects.filter(workspace=ws),
        ],
        "customers": [
            Contact.objects.filter(workspace=ws),
            Customer.objects.filter(workspace=ws),
        ],
    }
    if group == "orders":  # documents hang on orders' customers and opportunities
        Quote.objects.filter(workspace=ws).delete()
        SalesDocument.objects.filter(workspace=ws).delete()
    for qs in steps[group]:
        try:
            with transaction.atomic():
                _raw_delete(qs)  # a filter through a join becomes "WHERE id IN (SELECT …)"
        except IntegrityError:
            with transaction.atomic():
                qs.delete()
    if group == "customers":
        NumberSequence.objects.filter(workspace=ws, kind="customer").delete()
    elif group == "opportunities":
        NumberSequence.objects.filter(workspace=ws, kind="opportunity").delete()
    elif group == "orders":
        NumberSequence.objects.filter(workspace=ws, kind="order").delete()


def analyze_all() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for model in (Customer, Contact, Opportunity, OpportunityLine, StageChange, Order,
                          OrderLine, PaymentPlanItem, Receipt, FollowUp):  # fmt: skip
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


def ensure_sales(
    world: BenchWorld,
    scale: int,
    *,
    rebuild: bool = False,
    leads_rebuilt: bool = False,
    progress: Callable[[str, int], None] | None = None,
    do_analyze: bool = True,
    open_share: float = OPEN_SHARE,
) -> SalesStats:
    """Every group at the size `scale` asks for: kept when right, else rebuilt from the first
    wrong one on (later groups point into earlier ones). `rebuild`: all of them (an older
    generator); `leads_rebuilt`: the follow-ups at least (they point at leads)."""
    ws = world.workspace
    stats = SalesStats()
    start = None
    for k, group in enumerate(GROUPS):
        if rebuild or group_count(ws, group) != expected(scale, group):
            start = k
            break
    if start is None and leads_rebuilt:
        start = GROUPS.index("followups")
    if start is None:
        for group in GROUPS:
            stats.counts[group] = group_count(ws, group)
        return stats
    for group in GROUPS[:start]:
        stats.counts[group] = group_count(ws, group)
    for group in reversed(GROUPS[start:]):
        wipe(ws, group)
    report = progress or (lambda _label, _n: None)
    want = sizes(scale)
    for group in GROUPS[start:]:
        t0 = time.perf_counter()
        if group == "customers":
            counts = gen_customers(world, want["customers"], report)
        elif group == "products":
            counts = gen_products(world)
        elif group == "opportunities":
            counts = gen_opportunities(world, want["opportunities"], report, open_share)
        elif group == "orders":
            counts = gen_orders(world, want["orders"], report)
        else:
            counts = gen_followups(world, want["followups"], report)
        stats.seconds[group] = time.perf_counter() - t0
        stats.counts.update(counts)
        stats.rebuilt.append(group)
    if do_analyze:
        t0 = time.perf_counter()
        analyze_all()
        stats.seconds["analyze"] = time.perf_counter() - t0
    return stats
