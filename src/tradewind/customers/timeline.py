"""The customer timeline (跟单时间线): one chronological, filterable stream per customer.

Each source is a small adapter that returns typed `Entry`s for one customer, newest first, at most
`limit`, strictly after a cursor, with one indexed query (plus at most one for names). The selector
merges the sources by `(time, source, id)` (newest first) and pages by keyset: the cursor is the last
entry's key, so page 50 costs what page 1 costs, whatever the customer's history size.

Sources today: the audit trail (the customer's own rows, its contacts', its opportunities' and the
converted lead's), follow-ups, and — when the tasks engineer's models are installed — tasks and
comments. A later issue (quotes, orders, shipments, payments, e-mails) adds a source with
`register()`; most of them arrive through the audit trail anyway and need no code here.
The milestone strip is derived from the same audit rows (`milestones()`).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tradewind.workspaces.models import AuditEvent, Membership, User
from tradewind.workspaces.selectors import ACTION_LABELS, FACT_LABELS, model_labels

from .models import Contact, Customer

PAGE_SIZE = 30
MAX_PAGE = 100

# What a reader can filter by (the entry's kind), in the order the filter bar shows them.
KINDS: dict[str, Any] = {
    "followup": _("Follow-ups"),
    "task": pgettext_lazy("timeline", "Tasks"),
    "comment": _("Comments"),
    "stage": _("Stage changes"),
    "qualification": pgettext_lazy("timeline", "Qualification"),
    "owner": _("Owner changes"),
    "opportunity": _("Opportunities"),
    "contact": _("Contacts"),
    "field": _("Field changes"),
    "lead": _("Lead history"),
    "created": _("Created"),
}
ICONS = {
    "followup": "bi-chat-left-text",
    "task": "bi-check2-square",
    "comment": "bi-chat-dots",
    "stage": "bi-flag",
    "qualification": "bi-clipboard-check",
    "owner": "bi-person-badge",
    "opportunity": "bi-kanban",
    "contact": "bi-person-lines-fill",
    "field": "bi-pencil",
    "lead": "bi-funnel",
    "created": "bi-stars",
}

# Field names other engineers write on a customer (pool: stage / targeted / starred; qualification:
# qualitative). A stage change is any audit row touching one of STAGE_FIELDS.
STAGE_FIELDS = ("stage", "lifecycle_stage")
QUALIFICATION_ACTIONS = ("qualified", "node_ticked", "node_unticked")
OWNER_ACTIONS = (
    "pool_claimed",
    "pool_released",
    "pool_recycled",
    "claimed",
    "released",
    "recycled",
)


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    source: str  # the adapter's key: part of the sort key, so paging is total
    id: int  # the row id inside its source
    kind: str  # one of KINDS
    title: str
    actor: str = ""
    body: str = ""
    rows: list[tuple[str, Any, Any]] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[dt.datetime, str, int]:
        return (self.at, self.source, self.id)

    @property
    def icon(self) -> str:
        return ICONS.get(self.kind, "bi-dot")

    @property
    def kind_label(self) -> str:
        return str(KINDS.get(self.kind, self.kind))


@dataclass(frozen=True)
class Cursor:
    at: dt.datetime
    source: str
    id: int

    def encode(self) -> str:
        raw = json.dumps([self.at.isoformat(), self.source, self.id]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """None for anything that is not a cursor we wrote: the first page, never a 500."""
        if not text:
            return None
        try:
            at, source, pk = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            when = parse_datetime(at)
        except (ValueError, TypeError):
            return None
        if when is None or when.tzinfo is None or not isinstance(source, str):
            return None
        if not isinstance(pk, int):
            return None
        return cls(when, source, pk)


def after(cursor: Cursor | None, source: str, time_field: str, id_field: str = "id") -> Q:
    """Rows of `source` that sort after the cursor in (time desc, source desc, id desc)."""
    if cursor is None:
        return Q()
    if source < cursor.source:
        return Q(**{f"{time_field}__lte": cursor.at})
    if source > cursor.source:
        return Q(**{f"{time_field}__lt": cursor.at})
    return Q(**{f"{time_field}__lt": cursor.at}) | Q(
        **{time_field: cursor.at, f"{id_field}__lt": cursor.id}
    )


@dataclass(frozen=True)
class Scope:
    """What the sources need to know about the customer, read once per page."""

    customer: Customer
    member: Membership
    targets: dict[str, list[int]]  # audit target type -> ids (customer, contacts, …)


Source = Callable[[Scope, Cursor | None, int, frozenset[str]], list[Entry]]


@dataclass(frozen=True)
class SourceSpec:
    key: str
    kinds: frozenset[str]
    fetch: Source


SOURCES: list[SourceSpec] = []


def register(key: str, kinds: Iterable[str]) -> Callable[[Source], Source]:
    def wrap(fn: Source) -> Source:
        SOURCES[:] = [s for s in SOURCES if s.key != key]
        SOURCES.append(SourceSpec(key, frozenset(kinds), fn))
        return fn

    return wrap


# --- the audit trail -------------------------------------------------------------------------------


def _audit_kind_q(kind: str) -> Q:
    own = Q(target_type=Customer.AUDIT_TYPE)
    stage = Q()
    for name in STAGE_FIELDS:
        stage |= Q(changes__has_key=name)
    owner = Q(changes__has_key="owner") | Q(action__in=OWNER_ACTIONS)
    return {
        "created": own & Q(verb="create"),
        "stage": own & stage,
        "owner": own & owner & ~stage & ~Q(verb="create"),
        "qualification": own & Q(action__in=QUALIFICATION_ACTIONS),
        "lead": Q(target_type="lead") | (own & Q(action="converted_from_lead")),
        "contact": Q(target_type=Contact.AUDIT_TYPE) | (own & Q(action="contact_added")),
        "opportunity": Q(target_type="opportunity"),
        "field": own
        & ~Q(verb="create")
        & ~stage
        & ~owner
        & ~Q(action__in=("converted_from_lead", "contact_added", *QUALIFICATION_ACTIONS)),
    }.get(kind, Q(pk__in=[]))


def audit_kind(event: AuditEvent) -> str:
    if event.target_type == "lead":
        return "lead"
    if event.target_type == Contact.AUDIT_TYPE:
        return "contact"
    if event.target_type == "opportunity":
        return "opportunity"
    changes = event.changes if isinstance(event.changes, dict) else {}
    if event.verb == "create":
        return "created"
    if any(name in changes for name in STAGE_FIELDS):
        return "stage"
    if "owner" in changes or event.action in OWNER_ACTIONS:
        return "owner"
    if event.action in QUALIFICATION_ACTIONS:
        return "qualification"
    if event.action == "converted_from_lead":
        return "lead"
    if event.action == "contact_added":
        return "contact"
    return "field"


def _labels() -> dict[str, dict[str, Any]]:
    labels = {
        Customer.AUDIT_TYPE: model_labels(Customer()),
        Contact.AUDIT_TYPE: model_labels(Contact()),
    }
    for label, kind in (("leads.Lead", "lead"), ("sales.Opportunity", "opportunity")):
        try:
            labels[kind] = model_labels(apps.get_model(label)())
        except LookupError:
            labels[kind] = {}
    return labels


def _choices(kind: str) -> dict[str, dict[Any, Any]]:
    models = {Customer.AUDIT_TYPE: Customer, Contact.AUDIT_TYPE: Contact}
    model = models.get(kind)
    if model is None:
        return {}
    return {
        f.name: dict(f.flatchoices) for f in model._meta.get_fields() if getattr(f, "choices", None)
    }


def _shown(value: Any, choices: dict[Any, Any], names: dict[int, str] | None) -> Any:
    if names is not None and isinstance(value, int):
        return names.get(value, value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if value is None or value == "":
        return "—"
    try:
        return choices.get(value, value)
    except TypeError:
        return value


def _audit_title(event: AuditEvent, kind: str) -> str:
    from tradewind.workspaces.choices import AuditVerb

    what = str(ACTION_LABELS.get(event.action, "")) if event.action else ""
    if not what:
        what = str(dict(AuditVerb.choices).get(event.verb, event.verb))
    if event.target_type != Customer.AUDIT_TYPE:
        return f"{what} · {event.target_repr}"
    return what


USER_FIELDS = ("owner", "assignee", "created_by")


@register(
    "audit",
    ("created", "stage", "qualification", "owner", "lead", "contact", "opportunity", "field"),
)
def audit_source(
    scope: Scope, cursor: Cursor | None, limit: int, kinds: frozenset[str]
) -> list[Entry]:
    targets = Q(pk__in=[])
    for target_type, ids in scope.targets.items():
        if ids:
            targets |= Q(target_type=target_type, target_id__in=ids)
    qs = AuditEvent.objects.filter(targets, workspace_id=scope.customer.workspace_id)
    if kinds:
        wanted = Q(pk__in=[])
        for kind in kinds:
            wanted |= _audit_kind_q(kind)
        qs = qs.filter(wanted)
    events = list(
        qs.filter(after(cursor, "audit", "created_at"))
        .select_related("actor_user")
        .order_by("-created_at", "-id")[:limit]
    )
    user_ids = {
        value
        for e in events
        if isinstance(e.changes, dict)
        for name, pair in e.changes.items()
        if name in USER_FIELDS and isinstance(pair, list)
        for value in pair
        if isinstance(value, int)
    }
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    labels = _labels()
    choices = {kind: _choices(kind) for kind in (Customer.AUDIT_TYPE, Contact.AUDIT_TYPE)}
    entries = []
    for event in events:
        kind = audit_kind(event)
        own_labels = {**labels.get(event.target_type, {}), **FACT_LABELS}
        own_choices = choices.get(event.target_type, {})
        rows = [
            (
                str(own_labels.get(name, name)),
                *(
                    _shown(v, own_choices.get(name, {}), names if name in USER_FIELDS else None)
                    for v in [*pair, None, None][:2]
                ),
            )
            for name, pair in (event.changes or {}).items()
            if isinstance(pair, list)
        ]
        actor = str(event.actor_user) if event.actor_user is not None else event.actor_label
        entries.append(
            Entry(
                at=event.created_at,
                source="audit",
                id=event.pk,
                kind=kind,
                title=_audit_title(event, kind),
                actor=actor,
                rows=rows if kind != "created" else rows[:6],
                detail={"target_type": event.target_type, "action": event.action},
            )
        )
    return entries


# --- the selector ----------------------------------------------------------------------------------


@dataclass
class TimelinePage:
    entries: list[Entry]
    next_cursor: str | None
    kinds: frozenset[str]


def clean_kinds(values: Iterable[str]) -> frozenset[str]:
    """Known kinds only; an unknown one is ignored (a bookmarked link never breaks)."""
    return frozenset(v for v in values if v in KINDS)


def model_or_none(label: str) -> Any:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def field_names(model: Any) -> set[str]:
    return {f.name for f in model._meta.get_fields()}


def audit_targets(customer: Customer) -> dict[str, list[int]]:
    """The audit target ids whose rows belong on this customer's timeline (three small indexed
    queries: contacts, opportunities, the converted lead)."""
    targets = {
        Customer.AUDIT_TYPE: [customer.pk],
        Contact.AUDIT_TYPE: list(
            Contact.objects.filter(customer_id=customer.pk).values_list("id", flat=True)
        ),
    }
    opportunity = model_or_none("sales.Opportunity")
    if opportunity is not None:
        targets["opportunity"] = list(
            opportunity.objects.filter(
                workspace_id=customer.workspace_id, customer_id=customer.pk
            ).values_list("id", flat=True)
        )
    lead = model_or_none("leads.Lead")
    if lead is not None and "converted_customer" in field_names(lead):
        # customers may not import leads (DESIGN.md); the reference points forward from the lead.
        targets["lead"] = list(
            lead.objects.filter(
                workspace_id=customer.workspace_id, converted_customer_id=customer.pk
            ).values_list("id", flat=True)[:20]
        )
    return targets


def timeline_page(
    *,
    customer: Customer,
    member: Membership,
    kinds: Iterable[str] = (),
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> TimelinePage:
    """One page of the customer's timeline, newest first. The caller fetched `customer` through
    visible_to(): whoever may see the customer sees its timeline."""
    limit = max(1, min(limit, MAX_PAGE))
    wanted = clean_kinds(kinds)
    start = Cursor.decode(cursor)
    scope = Scope(customer=customer, member=member, targets=audit_targets(customer))
    merged: list[Entry] = []
    for spec in SOURCES:
        chosen = spec.kinds & wanted if wanted else frozenset()
        if wanted and not chosen:
            continue
        merged.extend(spec.fetch(scope, start, limit + 1, chosen))
    merged.sort(key=lambda e: e.key, reverse=True)
    page = merged[:limit]
    more = len(merged) > limit
    last = page[-1] if page else None
    next_cursor = Cursor(last.at, last.source, last.id).encode() if more and last else None
    return TimelinePage(entries=page, next_cursor=next_cursor, kinds=wanted)


# The activity sources register themselves on import (follow-ups, tasks, comments).
from . import timeline_activities  # noqa: E402,F401
from .timeline_milestones import MILESTONES, Milestone, milestones  # noqa: E402,F401
