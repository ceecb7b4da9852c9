"""The kanban board (销售管道), read side: the pipelines a member can switch between, one column per
open stage with its totals, and the cards of a column one keyset page at a time.

Column totals come from ONE aggregate query over every column (never from the loaded cards), in
the workspace's base currency: `total` sums `base_amount`, `weighted` sums base_amount × the
effective probability (the opportunity's override, else the stage's). An opportunity with an amount
but no base amount (no exchange rate was known) is counted and flagged as `unconverted`; it is never
added unconverted. Writes (moves, closing) go through sales/moves.py and sales/closing.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, DateField, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from tradewind.core.money import quantize
from tradewind.core.paging import Page, keyset_page
from tradewind.workspaces.models import Membership
from tradewind.workspaces.timezones import workspace_today

from .choices import OpportunityStatus
from .filters import OpportunityFilter
from .models import Opportunity, Pipeline, Stage

PAGE_SIZE = 30
MAX_PAGE_SIZE = 100
CLOSE_KEY = "board_close_key"  # expected close date, empty dates last: a NULL-free keyset key
NO_DATE = dt.date(9999, 12, 31)
CARD_ORDER = (CLOSE_KEY, "id")  # closing soonest first, then the oldest
CARD_FIELDS = (
    "id",
    "workspace_id",
    "code",
    "name",
    "version",
    "amount",
    "currency",
    "base_amount",
    "probability",
    "expected_close_date",
    "stale_since",
    "stage_id",
    "pipeline_id",
    "customer__id",
    "customer__name",
    "owner__id",
    "owner__full_name",
    "owner__email",
)
# Money sums: 2 decimal places are enough for every base currency babel knows but three (BHD…),
# whose amounts are still stored with 2 places on the opportunity.
SUM_FIELD: DecimalField = DecimalField(max_digits=24, decimal_places=2)


@dataclass
class ColumnTotals:
    count: int = 0
    total: Decimal = Decimal(0)  # base currency, converted opportunities only
    weighted: Decimal = Decimal(0)  # base currency: Σ base_amount × effective probability
    unconverted: int = 0  # with an amount but without a base amount: counted, never summed


@dataclass
class Column:
    stage: Stage
    totals: ColumnTotals
    page: Page | None = None  # the first page of cards (None when only totals were asked for)


@dataclass
class Board:
    pipeline: Pipeline
    pipelines: list[Pipeline]
    stages: list[Stage]  # every stage of the pipeline, open and closed, in order
    columns: list[Column]
    won_stage: Stage | None
    lost_stage: Stage | None
    base_currency: str
    today: dt.date
    filters: OpportunityFilter
    summary: ColumnTotals = field(default_factory=ColumnTotals)

    @property
    def open_stages(self) -> list[Stage]:
        return [c.stage for c in self.columns]


def int_or_none(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


def board_filters(params: Any) -> OpportunityFilter:
    """The list's filters (owner incl. "me", team, close months, amount range in base currency,
    stale, search), minus what the board decides itself: pipeline, stage, status and sort."""
    parsed = OpportunityFilter.from_params(params)
    return dataclasses.replace(parsed, pipeline="", stage="", status="", sort="")


def pipelines_for(member: Membership) -> list[Pipeline]:
    """The active pipelines of the member's workspace (the default one is created on first use)."""
    from .services import pipeline_default

    pipeline_default(member.workspace)
    return list(Pipeline.objects.visible_to(member).filter(is_active=True))


def pipeline_choose(member: Membership, pipeline_id: Any, pipelines: list[Pipeline]) -> Pipeline:
    """The pipeline asked for (an inactive one too, while it still holds opportunities), else the
    default, else the first active one. An id of another workspace is simply not found."""
    wanted = int_or_none(pipeline_id)
    if wanted is not None:
        for pipeline in pipelines:
            if pipeline.pk == wanted:
                return pipeline
        found = Pipeline.objects.visible_to(member).filter(pk=wanted).first()
        if found is not None:
            return found
    return next((p for p in pipelines if p.is_default), pipelines[0])


def stages_of(pipeline: Pipeline) -> list[Stage]:
    return list(Stage.objects.filter(pipeline=pipeline).order_by("position", "id"))


def board_queryset(
    member: Membership, pipeline: Pipeline, stages: list[Stage], filters: OpportunityFilter
) -> QuerySet[Opportunity]:
    """The visible open opportunities of the pipeline that the filters match. The stage list keeps
    the query on the (workspace, status, stage) index."""
    qs = filters.apply(
        Opportunity.objects.visible_to(member), user_id=member.user_id, member=member
    )
    return qs.filter(
        status=OpportunityStatus.OPEN,
        pipeline_id=pipeline.pk,
        stage_id__in=[s.pk for s in stages if not s.is_closed],
    )


def totals_query(qs: QuerySet[Opportunity]) -> QuerySet:
    """The one aggregate behind every column header (grouped by stage)."""
    return (
        qs.order_by()
        .values("stage_id")
        .annotate(
            n=Count("id"),
            total=Sum("base_amount"),
            total_default=Sum("base_amount", filter=Q(probability__isnull=True)),
            weighted_override=Sum(
                F("base_amount") * F("probability"),
                filter=Q(probability__isnull=False),
                output_field=SUM_FIELD,
            ),
            unconverted=Count("id", filter=Q(base_amount__isnull=True, amount__isnull=False)),
        )
    )


def column_totals(
    qs: QuerySet[Opportunity], stages: list[Stage], currency: str
) -> dict[int, ColumnTotals]:
    """Count, total and weighted total of every column in one aggregate query (grouped by stage).

    weighted = (Σ base_amount × stage probability over cards without an override
                + Σ base_amount × probability over cards with one) / 100, rounded once per column
    so no join to the stage is needed and the sums stay exact decimals on every database."""
    rows = totals_query(qs)
    probability = {s.pk: s.probability for s in stages}
    result: dict[int, ColumnTotals] = {}
    for row in rows:
        stage_id = row["stage_id"]
        weighted_x100 = (row["total_default"] or Decimal(0)) * probability.get(stage_id, 0) + (
            row["weighted_override"] or Decimal(0)
        )
        result[stage_id] = ColumnTotals(
            count=row["n"],
            total=quantize(row["total"] or Decimal(0), currency),
            weighted=quantize(weighted_x100 / 100, currency),
            unconverted=row["unconverted"],
        )
    return result


def _summary(totals: list[ColumnTotals], currency: str) -> ColumnTotals:
    return ColumnTotals(
        count=sum(t.count for t in totals),
        total=quantize(sum((t.total for t in totals), Decimal(0)), currency),
        weighted=quantize(sum((t.weighted for t in totals), Decimal(0)), currency),
        unconverted=sum(t.unconverted for t in totals),
    )


def column_page(
    qs: QuerySet[Opportunity],
    stage: Stage,
    *,
    cursor: str | None,
    limit: int = PAGE_SIZE,
    today: dt.date,
) -> Page:
    """One keyset page of a column's cards: closing soonest first, cards without a date last."""
    cards = (
        qs.filter(stage_id=stage.pk)
        .annotate(
            **{CLOSE_KEY: Coalesce("expected_close_date", Value(NO_DATE), output_field=DateField())}
        )
        .select_related("customer", "owner")
        .only(*CARD_FIELDS)
    )
    page = keyset_page(cards, order=CARD_ORDER, cursor=cursor, limit=limit, max_limit=MAX_PAGE_SIZE)
    for card in page.items:
        decorate(card, stage=stage, today=today)
    return page


def decorate(card: Opportunity, *, stage: Stage, today: dt.date) -> Opportunity:
    """What a card shows beside its fields: owner initials, overdue close date, stale flag, the
    effective probability (without loading the stage again)."""
    owner = card.owner
    card.owner_initials = initials(owner.full_name or owner.email) if owner else ""  # type: ignore[attr-defined]
    card.owner_name = str(owner) if owner else ""  # type: ignore[attr-defined]
    card.is_overdue = bool(card.expected_close_date and card.expected_close_date < today)  # type: ignore[attr-defined]
    card.is_stale = card.stale_since is not None  # type: ignore[attr-defined]
    card.card_probability = (  # type: ignore[attr-defined]
        card.probability if card.probability is not None else stage.probability
    )
    return card


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def initials(name: str) -> str:
    """A card's owner badge: "Li Wei" -> "LW"; "王海 Wang Hai" -> "王海"; "欧阳娜娜" -> "娜娜";
    "anna@x.test" -> "A"."""
    name = (name or "").split("@")[0].strip()
    cjk = "".join(c for c in name.split()[0] if _is_cjk(c)) if name else ""
    if cjk:
        return cjk if len(cjk) <= 2 else cjk[-2:]
    words = [w for w in name.replace(".", " ").replace("_", " ").replace("-", " ").split() if w]
    return "".join(w[0] for w in words[:2]).upper()


def board_load(
    *,
    member: Membership,
    params: Any,
    cards: bool = True,
    only_stage_id: int | None = None,
    limit: int = PAGE_SIZE,
) -> Board:
    """The whole board (or one column with `only_stage_id`): pipeline switcher, column totals from
    one aggregate query, and the first page of each column when `cards`."""
    pipelines = pipelines_for(member)
    pipeline = pipeline_choose(member, params.get("pipeline", ""), pipelines)
    stages = stages_of(pipeline)
    open_stages = [s for s in stages if not s.is_closed]
    filters = board_filters(params)
    currency = member.workspace.base_currency
    today = workspace_today(member.workspace)
    qs = board_queryset(member, pipeline, stages, filters)
    totals = column_totals(qs, stages, currency)
    shown = [s for s in open_stages if only_stage_id is None or s.pk == only_stage_id]
    columns = [
        Column(
            stage=stage,
            totals=totals.get(stage.pk, ColumnTotals()),
            page=column_page(qs, stage, cursor=None, limit=limit, today=today) if cards else None,
        )
        for stage in shown
    ]
    return Board(
        pipeline=pipeline,
        pipelines=pipelines,
        stages=stages,
        columns=columns,
        won_stage=next((s for s in stages if s.is_won), None),
        lost_stage=next((s for s in stages if s.is_lost), None),
        base_currency=currency,
        today=today,
        filters=filters,
        summary=_summary([totals.get(s.pk, ColumnTotals()) for s in open_stages], currency),
    )


def board_column(
    *, member: Membership, params: Any, stage_id: int, cursor: str | None, limit: int = PAGE_SIZE
) -> tuple[Board, Column | None, Page | None]:
    """One column's next page (with a cursor) or the whole column again (without): its totals
    and first page. None when the stage is not an open stage of the chosen pipeline."""
    board = board_load(member=member, params=params, cards=False, only_stage_id=stage_id)
    if not board.columns:
        return board, None, None
    column = board.columns[0]
    qs = board_queryset(member, board.pipeline, board.stages, board.filters)
    page = column_page(qs, column.stage, cursor=cursor, limit=limit, today=board.today)
    column.page = page
    return board, column, page
