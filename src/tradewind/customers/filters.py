"""One filter definition for the customer list page, the API, saved views, bulk actions and export.

Values the filter does not know are ignored (it falls back to "any"), never a 500: a saved view or
a bookmarked link that outlives a type or a stage still opens."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from tradewind.workspaces import custom_fields_query as custom_query
from tradewind.workspaces.querysets import filter_owner
from tradewind.workspaces.timezones import created_range_q, member_day_start

from .choices import CustomerSize, CustomerSource, CustomerType
from .models import Contact, Customer

LIST_ORDER = ("-created_at", "-id")

# Each sort is a keyset order over NULL-free columns ending with the id, backed by an index
# (customer_ws_created_idx, and customer_ws_name_idx / _updated_idx / _due_idx from migration
# 0004). "due" only applies inside a due list, where next_followup_at is never NULL.
SORTS: dict[str, tuple[tuple[str, ...], Any]] = {
    "": (LIST_ORDER, _("Newest first")),
    "created": (("created_at", "id"), _("Oldest first")),
    "name": (("name", "id"), _("Company A–Z")),
    "-updated": (("-updated_at", "-id"), _("Recently changed")),
    "due": (("next_followup_at", "id"), _("Next follow-up")),
}

DUE_CHOICES = (
    ("today", _("Due today")),
    ("overdue", _("Overdue")),
    ("tomorrow", _("Due tomorrow")),
    ("none", _("No follow-up planned")),
)
IDLE_CHOICES = (
    ("7", _("No contact for 7 days")),
    ("30", _("No contact for 30 days")),
    ("90", _("No contact for 90 days")),
)


def _stages() -> list[tuple[str, Any]]:
    """The life cycle stages, once the pool work's `stage` field exists."""
    try:
        return list(Customer._meta.get_field("stage").choices or [])
    except Exception:
        return []


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class CustomerFilter:
    q: str = ""
    type: str = ""
    country: str = ""
    owner: str = ""  # a user id, "me" or "none"
    collab: str = ""  # "me": customers the member collaborates on (models_collaborators.py)
    rating: str = ""  # "1".."5": at least that many stars
    source: str = ""
    size: str = ""
    stage: str = ""
    industry: str = ""
    city: str = ""
    tag: str = ""
    due: str = ""
    idle: str = ""  # days without contact
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    node: str = ""  # report drill-down (analytics funnels): a node id the customer reached
    sort: str = ""
    # Custom fields: (key, value) of the cf_<key> parameters (workspaces/custom_fields_query.py).
    custom: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_params(cls, params: object) -> CustomerFilter:
        get = getattr(params, "get", lambda _k, _d="": "")

        def text(name: str, size: int = 100) -> str:
            return str(get(name, "") or "").strip()[:size]

        kind, source, size, stage = text("type"), text("source"), text("size"), text("stage")
        country, rating, due, idle, sort = (
            text("country").upper(),
            text("rating"),
            text("due"),
            text("idle"),
            text("sort"),
        )
        return cls(
            q=text("q"),
            type=kind if kind in CustomerType.values else "",
            country=country if country in countries else "",
            owner=text("owner"),
            collab="me" if text("collab") == "me" else "",
            rating=rating if rating in {"1", "2", "3", "4", "5"} else "",
            source=source if source in CustomerSource.values else "",
            size=size if size in CustomerSize.values else "",
            stage=stage if stage in dict(_stages()) else "",
            industry=text("industry", 81),
            city=text("city", 80),
            tag=text("tag", 40),
            due=due if due in dict(DUE_CHOICES) else "",
            idle=idle if idle in dict(IDLE_CHOICES) else "",
            created_from=_date(text("created_from", 10)),
            created_to=_date(text("created_to", 10)),
            node=text("node") if text("node").isdigit() else "",
            sort=sort if sort in SORTS or custom_query.sort_key(sort) else "",
            custom=custom_query.params_from(params),
        )

    def apply(self, qs: QuerySet, *, user_id: int | None, member: Any = None) -> QuerySet:
        exact = {
            "type": self.type,
            "country": self.country,
            "source": self.source,
            "size": self.size,
            "stage": self.stage,
        }
        qs = qs.filter(**{k: v for k, v in exact.items() if v})
        if self.rating:
            qs = qs.filter(rating__gte=int(self.rating))
        qs = filter_owner(qs, self.owner, user_id)
        if self.collab == "me":
            from .models_collaborators import CustomerCollaborator

            qs = qs.filter(
                Exists(
                    CustomerCollaborator.objects.filter(customer_id=OuterRef("pk"), user_id=user_id)
                )
            )
        if self.industry.startswith("="):  # exact ("=" alone: not set), for the report links
            qs = qs.filter(industry=self.industry[1:])
        elif self.industry:
            qs = qs.filter(industry__icontains=self.industry)
        if self.city:
            qs = qs.filter(city__icontains=self.city)
        if self.tag:
            qs = qs.filter(tag_q(qs, self.tag))
        if self.created_from or self.created_to:
            qs = qs.filter(created_range_q(member, self.created_from, self.created_to))
        if self.due:
            qs = qs.filter(self._due_q(member))
        if self.node:
            from .models_qualification import CustomerNode

            qs = qs.filter(
                Exists(CustomerNode.objects.filter(customer_id=OuterRef("pk"), node_id=self.node))
            )
        if self.idle:
            since = timezone.now() - dt.timedelta(days=int(self.idle))
            qs = qs.filter(Q(last_contact_at__lt=since) | Q(last_contact_at__isnull=True))
        if self.q:
            # By name (either script), short name, code, or a contact's name, e-mail or phone.
            contacts = Contact.objects.filter(
                Q(name__icontains=self.q) | Q(email__icontains=self.q) | Q(phone__contains=self.q)
            ).values("customer_id")
            qs = qs.filter(
                Q(name__icontains=self.q)
                | Q(name_alt__icontains=self.q)
                | Q(short_name__icontains=self.q)
                | Q(code__iexact=self.q)
                | Q(id__in=contacts)
            )
        return custom_query.apply_to_list(
            qs, member=member, target="customer", filters=self.custom, sort=self.sort
        )

    def _due_q(self, member: Any) -> Q:
        """Next follow-up today / tomorrow / overdue, counted in the member's own zone."""
        if self.due == "none":
            return Q(next_followup_at__isnull=True)
        from tradewind.workspaces.timezones import effective_zone

        tz = effective_zone(member.workspace, member.user) if member is not None else dt.UTC
        today = timezone.now().astimezone(tz).date()
        start = member_day_start(member, today)
        tomorrow = member_day_start(member, today + dt.timedelta(days=1))
        if self.due == "overdue":
            return Q(next_followup_at__lt=start)
        if self.due == "today":
            return Q(next_followup_at__gte=start, next_followup_at__lt=tomorrow)
        after = member_day_start(member, today + dt.timedelta(days=2))
        return Q(next_followup_at__gte=tomorrow, next_followup_at__lt=after)

    @property
    def order(self) -> tuple[str, ...]:
        if self.sort == "due" and self.due in ("", "none"):
            return LIST_ORDER
        if custom_query.sort_key(self.sort):
            alias = custom_query.SORT_ALIAS
            return (f"-{alias}", "-id") if self.sort.startswith("-") else (alias, "id")
        return SORTS[self.sort][0]

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

    def query(self) -> str:
        """Kept for the templates written before saved views (same as querystring())."""
        return self.querystring()


def tag_q(qs: QuerySet, tag: str) -> Q:
    from django.db import connections

    if connections[qs.db].vendor == "postgresql":
        return Q(tags__contains=[tag])
    # SQLite has no JSON containment: match the quoted element in the stored text, written the way
    # json.dumps wrote it (non-ASCII as \u escapes).
    return Q(tags__icontains=json.dumps(tag))


# The built-in views every member has, beside the ones they save (key, label, filters).
PRESETS: tuple[tuple[str, Any, dict[str, str]], ...] = (
    ("mine", _("Mine"), {"owner": "me"}),
    ("pool", _("Public pool"), {"owner": "none"}),
    ("today", _("Due today"), {"owner": "me", "due": "today", "sort": "due"}),
    ("overdue", _("Overdue"), {"owner": "me", "due": "overdue", "sort": "due"}),
    ("idle30", _("No contact for 30 days"), {"owner": "me", "idle": "30"}),
    ("top", _("4+ stars"), {"rating": "4"}),
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
