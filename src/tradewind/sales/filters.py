"""One filter definition for the opportunity list page, the API, saved views, bulk actions and
export.

Values the filter does not know are ignored (it falls back to "any"), never a 500: a saved view or
a bookmarked link that outlives a stage, a pipeline or a team still opens. Ids (pipeline, stage,
team, customer) are only ever used inside the reader's workspace and visible rows, so a foreign id
matches nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.db.models import DateField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from tradewind.core.paging import Page, keyset_page
from tradewind.workspaces import custom_fields_query as custom_query
from tradewind.workspaces.models import Membership, Team
from tradewind.workspaces.querysets import filter_owner
from tradewind.workspaces.timezones import member_day_start, zone

from .choices import ForecastCategory, OpportunitySource, OpportunityStatus
from .models import Opportunity, Stage, StageChange

LIST_ORDER = ("-created_at", "-id")
CLOSE_KEY = "close_key"  # expected close date, empty dates last (an annotation: NULL-free)
NO_DATE = dt.date(9999, 12, 31)

# Each sort is a keyset order over NULL-free values ending with the id.
SORTS: dict[str, tuple[tuple[str, ...], Any]] = {
    "": (LIST_ORDER, _("Newest first")),
    "created": (("created_at", "id"), _("Oldest first")),
    "close": ((CLOSE_KEY, "id"), _("Closing soonest")),
    "name": (("name", "id"), _("Name A–Z")),
    "-updated": (("-updated_at", "-id"), _("Recently changed")),
}

STALE_CHOICES = (("1", _("Stale only")), ("0", _("Not stale")))


def _month(value: str) -> dt.date | None:
    """The first day of a month given as YYYY-MM (or any day of it as YYYY-MM-DD)."""
    value = value.strip()
    try:
        if len(value) == 7:
            return dt.date.fromisoformat(value + "-01")
        return dt.date.fromisoformat(value).replace(day=1)
    except ValueError:
        return None


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _amount(value: str) -> Decimal | None:
    try:
        number = Decimal(value.replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _id(value: str) -> str:
    return value if value.isdigit() and len(value) < 12 else ""


@dataclass(frozen=True)
class OpportunityFilter:
    q: str = ""
    owner: str = ""  # a user id, "me" or "none"
    team: str = ""  # a team id: owners in that team and its sub-teams
    pipeline: str = ""
    stage: str = ""
    status: str = ""
    source: str = ""
    close_from: dt.date | None = None  # first day of a month
    close_to: dt.date | None = None  # first day of a month (inclusive month)
    amount_min: Decimal | None = None  # in the workspace's base currency
    amount_max: Decimal | None = None
    stale: str = ""  # "1" stale only, "0" not stale
    customer: str = ""
    # Report drill-downs (analytics): a close reason id, created / closed days in the member's zone.
    reason: str = ""
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    closed_from: dt.date | None = None
    closed_to: dt.date | None = None
    reached: str = ""  # a stage id: opportunities that reached it (see reached_stage_q)
    # "workspace": the created / closed days above are the workspace's days, not the member's
    # (goals count in workspace days, so a goal's link stays exact for a member with an own zone).
    tz: str = ""
    # The forecast's periods (sales/forecast.py), exact to the day: expected close within
    # [expected_from, expected_to] or not set ("none"), and in the forecast (category not omitted).
    expected_from: dt.date | None = None
    expected_to: dt.date | None = None
    expected: str = ""  # "none": no expected close date
    forecast: str = ""  # "1": counted by the forecast (its category is not "omitted")
    # The customer's country code ("NONE": not set) and industry (contains, as on the other
    # lists; "=text" matches exactly and "=" alone means not set, for the report cuts).
    country: str = ""
    industry: str = ""
    sort: str = ""
    custom: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_params(cls, params: object) -> OpportunityFilter:
        get = getattr(params, "get", lambda _k, _d="": "")

        def text(name: str, size: int = 100) -> str:
            return str(get(name, "") or "").strip()[:size]

        status, source, stale, sort = text("status"), text("source"), text("stale"), text("sort")
        owner, country, reason = text("owner"), text("country").upper(), text("reason")
        return cls(
            q=text("q"),
            owner=owner if owner in ("me", "none") or _id(owner) else "",
            team=_id(text("team")),
            pipeline=_id(text("pipeline")),
            stage=_id(text("stage")),
            status=status if status in OpportunityStatus.values else "",
            source=source if source in OpportunitySource.values else "",
            close_from=_month(text("close_from", 10)),
            close_to=_month(text("close_to", 10)),
            amount_min=_amount(text("amount_min", 30)),
            amount_max=_amount(text("amount_max", 30)),
            stale=stale if stale in dict(STALE_CHOICES) else "",
            customer=_id(text("customer")),
            reason="none" if reason == "none" else _id(reason),
            created_from=_day(text("created_from", 10)),
            created_to=_day(text("created_to", 10)),
            closed_from=_day(text("closed_from", 10)),
            closed_to=_day(text("closed_to", 10)),
            reached=_id(text("reached")),
            tz="workspace" if text("tz") == "workspace" else "",
            expected_from=_day(text("expected_from", 10)),
            expected_to=_day(text("expected_to", 10)),
            expected="none" if text("expected") == "none" else "",
            forecast="1" if text("forecast") == "1" else "",
            country=country if country in countries or country == "NONE" else "",
            industry=text("industry", 81),
            sort=sort if sort in SORTS or custom_query.sort_key(sort) else "",
            custom=custom_query.params_from(params),
        )

    def apply(self, qs: QuerySet, *, user_id: int | None, member: Any = None) -> QuerySet:
        exact = {
            "pipeline_id": self.pipeline,
            "stage_id": self.stage,
            "status": self.status,
            "source": self.source,
            "customer_id": self.customer,
            "close_reason_id": "" if self.reason == "none" else self.reason,
        }
        qs = qs.filter(**{k: v for k, v in exact.items() if v})
        qs = filter_owner(qs, self.owner, user_id)
        if self.reason == "none":
            qs = qs.filter(close_reason__isnull=True)
        if self.country:
            qs = qs.filter(customer__country="" if self.country == "NONE" else self.country)
        if self.industry.startswith("="):
            qs = qs.filter(customer__industry=self.industry[1:])
        elif self.industry:
            qs = qs.filter(customer__industry__icontains=self.industry)
        if self.team and member is not None:
            team = Team.objects.filter(workspace_id=member.workspace_id, pk=self.team).first()
            if team is None:
                return qs.none()
            owners = Membership.objects.filter(
                workspace_id=member.workspace_id, team__path__startswith=team.path
            ).values("user_id")
            qs = qs.filter(owner_id__in=owners)
        in_workspace = self.tz == "workspace"
        if self.created_from or self.created_to:
            qs = qs.filter(
                day_range_q("created_at", member, self.created_from, self.created_to, in_workspace)
            )
        if self.closed_from or self.closed_to:
            qs = qs.filter(
                day_range_q("closed_at", member, self.closed_from, self.closed_to, in_workspace)
            )
        if self.reached:
            stages = Stage.objects.filter(pk=self.reached)
            if member is not None:
                stages = stages.filter(pipeline__workspace_id=member.workspace_id)
            stage = stages.first()
            qs = qs.filter(reached_stage_q(stage)) if stage is not None else qs.none()
        if self.close_from:
            qs = qs.filter(expected_close_date__gte=self.close_from)
        if self.close_to:
            qs = qs.filter(expected_close_date__lt=_next_month(self.close_to))
        if self.expected_from:
            qs = qs.filter(expected_close_date__gte=self.expected_from)
        if self.expected_to:
            qs = qs.filter(expected_close_date__lte=self.expected_to)
        if self.expected == "none":
            qs = qs.filter(expected_close_date__isnull=True)
        if self.forecast:
            qs = qs.exclude(forecast_category=ForecastCategory.OMITTED)
        if self.amount_min is not None:
            qs = qs.filter(base_amount__gte=self.amount_min)
        if self.amount_max is not None:
            qs = qs.filter(base_amount__lte=self.amount_max)
        if self.stale == "1":
            qs = qs.filter(stale_since__isnull=False)
        elif self.stale == "0":
            qs = qs.filter(stale_since__isnull=True)
        if self.q:
            qs = qs.filter(
                Q(name__icontains=self.q)
                | Q(code__iexact=self.q)
                | Q(customer__name__icontains=self.q)
                | Q(customer__name_alt__icontains=self.q)
                | Q(customer__code__iexact=self.q)
            )
        if self.sort == "close":
            qs = qs.annotate(
                **{
                    CLOSE_KEY: Coalesce(
                        "expected_close_date", Value(NO_DATE), output_field=DateField()
                    )
                }
            )
        return custom_query.apply_to_list(
            qs, member=member, target="opportunity", filters=self.custom, sort=self.sort
        )

    @property
    def order(self) -> tuple[str, ...]:
        if custom_query.sort_key(self.sort):
            alias = custom_query.SORT_ALIAS
            return (f"-{alias}", "-id") if self.sort.startswith("-") else (alias, "id")
        return SORTS[self.sort][0]

    @property
    def active(self) -> bool:
        return any(
            getattr(self, f.name) not in (None, "", ()) for f in fields(self) if f.name != "sort"
        )

    def params(self, **overrides: Any) -> dict[str, str]:
        """The non-empty filters as query parameters (saved views, paging links, export links)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)} | overrides
        custom = values.pop("custom", ())
        out: dict[str, str] = {}
        for key, value in values.items():
            if value in (None, ""):
                continue
            if key in ("close_from", "close_to") and isinstance(value, dt.date):
                out[key] = value.strftime("%Y-%m")
            elif isinstance(value, dt.date):
                out[key] = value.isoformat()
            else:
                out[key] = str(value)
        return out | {f"cf_{key}": value for key, value in custom}

    def querystring(self, **overrides: Any) -> str:
        return urlencode(self.params(**overrides))


def day_range_q(
    name: str, member: Any, start: dt.date | None, end: dt.date | None, in_workspace: bool = False
) -> Q:
    """`name` (a datetime) within the whole days [start, end]: the member's days (their own zone,
    else the workspace's — as created_range_q), or the workspace's days with `in_workspace`."""

    def midnight(day: dt.date) -> dt.datetime:
        if in_workspace and member is not None:
            return dt.datetime.combine(day, dt.time.min, tzinfo=zone(member.workspace.time_zone))
        return member_day_start(member, day)

    q = Q()
    if start:
        q &= Q(**{f"{name}__gte": midnight(start)})
    if end:
        q &= Q(**{f"{name}__lt": midnight(end + dt.timedelta(days=1))})
    return q


def reached_stage_q(stage: Stage) -> Q:
    """Opportunities of the stage's pipeline that reached the stage, as the stage funnel counts
    them (analytics/funnels.py): a funnel is monotone, so an open or won stage is reached by every
    opportunity whose stage history entered it or any later open/won stage (skipping a stage
    still passes it); an opportunity without such history counts by its current stage. A lost
    stage is reached by a move into it. EXISTS on the stage history per opportunity
    (stage_change_opp_idx), one subquery each, no join fan-out."""
    history = StageChange.objects.filter(opportunity_id=OuterRef("pk"))
    if stage.is_lost:
        return Q(pipeline_id=stage.pipeline_id) & Q(Exists(history.filter(to_stage=stage)))
    forward = history.filter(to_stage__is_lost=False)
    return Q(pipeline_id=stage.pipeline_id) & (
        Q(Exists(forward.filter(to_stage__position__gte=stage.position)))
        | (~Q(Exists(forward)) & Q(stage__is_lost=False, stage__position__gte=stage.position))
    )


def opportunities_visible(member: Membership) -> QuerySet[Opportunity]:
    return Opportunity.objects.visible_to(member)


def filtered(member: Membership, filters: OpportunityFilter) -> QuerySet[Opportunity]:
    return filters.apply(opportunities_visible(member), user_id=member.user_id, member=member)


def opportunity_list(
    *, member: Membership, filters: OpportunityFilter, cursor: str | None, limit: int
) -> Page:
    """One keyset page of the visible opportunities the filters match (constant query count)."""
    qs = filtered(member, filters).select_related("customer", "stage", "owner")
    return keyset_page(qs, order=filters.order, cursor=cursor, limit=limit)


# The built-in views every member has, beside the ones they save (key, label, filters).
PRESETS: tuple[tuple[str, Any, dict[str, str]], ...] = (
    ("mine", _("My open"), {"owner": "me", "status": "open"}),
    ("open", _("All open"), {"status": "open"}),
    ("closing", _("Closing soonest"), {"status": "open", "sort": "close"}),
    ("stale", _("Stale"), {"status": "open", "stale": "1"}),
    ("won", _("Won"), {"status": "won"}),
    ("lost", _("Lost"), {"status": "lost"}),
)


def preset_links() -> list[dict[str, object]]:
    return [
        {"key": key, "label": label, "query": urlencode(params), "params": params}
        for key, label, params in PRESETS
    ]


def active_preset(params: dict[str, str]) -> str:
    for key, _label, preset in PRESETS:
        if params == preset:
            return key
    return ""
