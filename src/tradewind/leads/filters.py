"""One filter definition for the list page, the API, saved views, bulk actions and export."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlencode

from django.db import connections
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from tradewind.workspaces import custom_fields_query as custom_query
from tradewind.workspaces.querysets import filter_owner
from tradewind.workspaces.timezones import created_range_q

from . import search
from .choices import CompanySize, LeadGrade, LeadSource, LeadStatus

# Plain lists show the newest created first. A keyword search shows the newest entered first (by
# id): on SQLite the FTS candidates come in id order, while sorting every match of a common term by
# created_at took 0.8-1.4 s at 1M leads. Keyset paging follows the same order.
LIST_ORDER = ("-created_at", "-id")
SEARCH_ORDER = ("-id",)

# Each sort is a keyset order over NULL-free columns ending with the id, backed by an index
# (lead_ws_*_idx). "due" sorts by next follow-up and therefore only applies to the due lists,
# where next_due_at is never NULL.
SORTS: dict[str, tuple[tuple[str, ...], Any]] = {
    "": (LIST_ORDER, _("Newest first")),
    "created": (("created_at", "id"), _("Oldest first")),
    "company": (("company_name", "id"), _("Company A–Z")),
    "-score": (("-score", "-id"), _("Highest score")),
    "-updated": (("-updated_at", "-id"), _("Recently changed")),
    "due": (("next_due_at", "id"), _("Next follow-up")),
}


class Due:
    TODAY = "today"
    OVERDUE = "overdue"
    TOMORROW = "tomorrow"
    NONE = "none"
    CHOICES = (
        (TODAY, _("Due today")),
        (OVERDUE, _("Overdue")),
        (TOMORROW, _("Due tomorrow")),
        (NONE, _("No follow-up planned")),
    )


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class LeadFilter:
    q: str = ""
    status: str = ""
    source: str = ""
    owner: str = ""  # a user id, "me" or "none"
    grade: str = ""
    country: str = ""
    industry: str = ""
    company_size: str = ""
    tag: str = ""
    due: str = ""
    sla: str = ""  # "1": A leads past the first-contact SLA (leads.followups.sla_breached_q)
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    # Report drill-downs (analytics conversion): a team id (owners in it and its sub-teams), how
    # far a lead got (REACHED), an invalid reason code.
    team: str = ""
    reached: str = ""
    reason: str = ""
    sort: str = ""
    # Custom fields: (key, value) of the cf_<key> parameters (workspaces/custom_fields_query.py).
    custom: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_params(cls, params: object) -> LeadFilter:
        get = getattr(params, "get", lambda _k, _d="": "")

        def text(name: str, size: int = 100) -> str:
            return (get(name, "") or "").strip()[:size]

        status = text("status")
        source = text("source")
        grade = text("grade").upper()
        country = text("country").upper()
        size = text("company_size")
        due = text("due")
        sort = text("sort")
        return cls(
            q=text("q"),
            status=status if status in LeadStatus.values else "",
            source=source if source in LeadSource.values else "",
            owner=text("owner"),
            grade=grade if grade in LeadGrade.values or grade == "NONE" else "",
            country=country if country in countries or country == "NONE" else "",
            industry=text("industry", 81),
            company_size=size if size in CompanySize.values else "",
            tag=text("tag", 40),
            due=due if due in dict(Due.CHOICES) else "",
            sla="1" if text("sla") == "1" else "",
            created_from=_date(text("created_from", 10)),
            created_to=_date(text("created_to", 10)),
            team=text("team") if _team_value(text("team")) else "",
            reached=text("reached") if text("reached") in REACHED else "",
            reason=text("reason", 40),
            sort=sort if sort in SORTS or custom_query.sort_key(sort) else "",
            custom=custom_query.params_from(params),
        )

    def apply(self, qs: QuerySet, *, user_id: int | None, member: Any = None) -> QuerySet:
        if self.status:
            qs = qs.filter(status=self.status)
        if self.source:
            qs = qs.filter(source=self.source)
        if self.grade == "NONE":
            qs = qs.filter(grade="")
        elif self.grade:
            qs = qs.filter(grade=self.grade)
        qs = filter_owner(qs, self.owner, user_id)
        if self.country:
            qs = qs.filter(country="" if self.country == "NONE" else self.country)
        if self.industry.startswith("="):  # exact ("=" alone: not set), for the report cuts
            qs = qs.filter(industry=self.industry[1:])
        elif self.industry:
            qs = qs.filter(industry__icontains=self.industry)
        if self.company_size:
            qs = qs.filter(company_size=self.company_size)
        if self.tag:
            qs = qs.filter(_tag_q(qs, self.tag))
        if self.created_from or self.created_to:
            qs = qs.filter(created_range_q(member, self.created_from, self.created_to))
        if self.due:
            qs = qs.filter(self._due_q(member))
        if self.sla:
            from .followups import sla_breached_q

            qs = qs.filter(sla_breached_q())
        if self.team and member is not None:
            qs = qs.filter(team_q(member, self.team))
        if self.reached:
            qs = qs.filter(reached_q(self.reached))
        if self.reason:
            qs = qs.filter(invalid_reason=self.reason)
        if self.q:
            qs = self._search(qs)
        return custom_query.apply_to_list(
            qs, member=member, target="lead", filters=self.custom, sort=self.sort
        )

    def _due_q(self, member: Any) -> Q:
        from .choices import OPEN_STATUSES
        from .followups import due_bounds

        if self.due == Due.NONE:
            return Q(next_due_at__isnull=True)
        if member is None:
            return Q(pk__in=[])
        lower, upper = due_bounds(member)[self.due]
        q = Q(next_due_at__lt=upper, status__in=OPEN_STATUSES)
        if lower is not None:
            q &= Q(next_due_at__gte=lower)
        return q

    def _search(self, qs: QuerySet) -> QuerySet:
        matches = (
            Q(company_name__icontains=self.q)
            | Q(contact_name__icontains=self.q)
            | Q(email__icontains=self.q)
            | Q(phone__contains=self.q)
            | Q(code__iexact=self.q)
        )
        table = search.fts_table_for(self.q)
        if table == search.PAIRS_TABLE and connections[qs.db].vendor == "postgresql":
            return qs.filter(search.pairs_q(self.q))  # same meaning, served by lead_pairs_gin
        if table is not None and search.fts_available(qs.db):
            # SQLite: the FTS tables narrow the rows down to candidates (all bound as
            # parameters); the same icontains test then decides, so the meaning is unchanged.
            candidates = RawSQL(  # noqa: S611 - constant SQL, user text bound as parameters
                search.candidates_sql(table, qs.model._meta.db_table),
                (search.fts_phrase(self.q), self.q),
            )
            qs = qs.filter(id__in=candidates)
        return qs.filter(matches)

    @property
    def order(self) -> tuple[str, ...]:
        if self.sort == "due" and self.due in ("", Due.NONE):
            return SEARCH_ORDER if self.q else LIST_ORDER
        if custom_query.sort_key(self.sort):
            alias = custom_query.SORT_ALIAS
            return (f"-{alias}", "-id") if self.sort.startswith("-") else (alias, "id")
        if self.sort:
            return SORTS[self.sort][0]
        return SEARCH_ORDER if self.q else LIST_ORDER

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self) if f.name != "sort")

    def params(self, **overrides: Any) -> dict[str, str]:
        """The non-empty filters as query parameters (saved views, paging links, export links)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)} | overrides
        custom = values.pop("custom", ())
        return {
            k: (v.isoformat() if isinstance(v, dt.date) else str(v)) for k, v in values.items() if v
        } | {f"cf_{key}": value for key, value in custom}

    def querystring(self, **overrides: Any) -> str:
        return urlencode(self.params(**overrides))


REACHED = ("valid", "contacted", "qualified", "won", "sla_late")


def _team_value(value: str) -> bool:
    return value == "none" or value.removeprefix("=").isdigit()


def team_q(member: Any, value: str) -> Q:
    """Owners in a team and its sub-teams ("<id>"), in that team only ("=<id>"), or owners with no
    team and the pool ("none") — the report cuts by the owner's team link with the last two."""
    from tradewind.workspaces.models import Membership, Team

    teamed = Membership.objects.filter(workspace_id=member.workspace_id)
    if value == "none":
        return ~Q(owner_id__in=teamed.filter(team__isnull=False).values("user_id"))
    if value.startswith("="):
        return Q(owner_id__in=teamed.filter(team_id=value[1:]).values("user_id"))
    team = Team.objects.filter(workspace_id=member.workspace_id, pk=value).first()
    path = team.path if team else "-"
    return Q(owner_id__in=teamed.filter(team__path__startswith=path).values("user_id"))


def reached_q(reached: str) -> Q:
    """How far a lead got, for the report funnels (docs/reports-conversion.md): valid (not
    invalid), contacted (a first contact or a status past new), qualified (qualified or converted),
    won (converted into a customer that signed: life cycle signed or repeat), sla_late (an A lead
    first contacted more than 24 h after creation, or not yet and already 24 h old)."""
    from django.db.models import F
    from django.utils import timezone

    from .followups import SLA_FIRST_CONTACT

    if reached == "valid":
        return ~Q(status=LeadStatus.INVALID)
    if reached == "contacted":
        return Q(first_contacted_at__isnull=False) | Q(
            status__in=[s for s in LeadStatus.values if s not in ("new", "invalid")]
        )
    if reached == "qualified":
        return Q(status__in=[LeadStatus.QUALIFIED, LeadStatus.CONVERTED])
    if reached == "won":
        return Q(status=LeadStatus.CONVERTED, converted_customer__stage__in=["signed", "repeat"])
    if reached == "sla_late":
        return Q(grade=LeadGrade.A) & (
            Q(first_contacted_at__gt=F("created_at") + SLA_FIRST_CONTACT)
            | Q(first_contacted_at__isnull=True, created_at__lte=timezone.now() - SLA_FIRST_CONTACT)
        )
    return Q()


def _tag_q(qs: QuerySet, tag: str) -> Q:
    from django.db import connections

    if connections[qs.db].vendor == "postgresql":
        return Q(tags__contains=[tag])
    # SQLite has no JSON containment: match the quoted element in the stored text, written the way
    # json.dumps wrote it (non-ASCII as \u escapes).
    return Q(tags__icontains=json.dumps(tag))
