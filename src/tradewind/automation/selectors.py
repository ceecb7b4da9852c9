"""Reads of workflow rules and their runs, for the pages and the API (AUTOMATION_MANAGE)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.activities.targets import TARGETS
from tradewind.core.errors import ErrorCode, NotFound, PermissionDenied
from tradewind.core.paging import Page, keyset_page
from tradewind.workspaces.models import Membership

from .catalogue import record_model
from .choices import RecordType
from .models import RuleRun, WorkflowRule

SEARCH_LIMIT = 10
PK_MAX = 2**63 - 1  # beyond a bigint PostgreSQL refuses the query instead of finding nothing


def as_pk(value: Any) -> int:
    """An id from a URL or a payload; 0 (found nowhere) when it is not one."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return 0
    return pk if 0 < pk <= PK_MAX else 0


def require_manage(member: Membership | None) -> Membership:
    from tradewind.workspaces.permissions import Perm

    if member is None or not member.has(Perm.AUTOMATION_MANAGE):
        raise PermissionDenied(
            ErrorCode.PERMISSION_DENIED, _("You do not have permission to do this.")
        )
    return member


def not_found() -> NotFound:
    return NotFound(ErrorCode.NOT_FOUND, _("Not found."))


def rules_of(member: Membership) -> QuerySet[WorkflowRule]:
    return WorkflowRule.objects.visible_to(require_manage(member))


def rules_list(member: Membership, *, now: dt.datetime | None = None) -> list[WorkflowRule]:
    """Every rule of the workspace with its last run and its runs in the last 24 hours (two
    correlated subqueries: one query whatever the number of rules)."""
    since = (now or timezone.now()) - dt.timedelta(hours=24)
    runs = RuleRun.objects.filter(rule=OuterRef("pk"))
    recent = (
        runs.filter(created_at__gte=since)
        .order_by()
        .values("rule")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last = runs.order_by().values("rule").annotate(m=Max("created_at")).values("m")
    return list(
        rules_of(member)
        .select_related("created_by")
        .annotate(
            last_run_at=Subquery(last),
            runs_24h=Coalesce(Subquery(recent, output_field=IntegerField()), Value(0)),
        )
        .order_by("record_type", "name", "pk")
    )


def rule_get(member: Membership, pk: Any) -> WorkflowRule:
    rule = rules_of(member).select_related("created_by", "workspace").filter(pk=as_pk(pk)).first()
    if rule is None:
        raise not_found()
    return rule


def runs_page(
    member: Membership,
    rule: WorkflowRule,
    *,
    cursor: str | None = None,
    limit: int = 50,
    outcome: str = "",
) -> Page:
    """A rule's runs, newest first, by keyset."""
    require_manage(member)
    qs = RuleRun.objects.filter(workspace_id=member.workspace_id, rule=rule)
    if outcome:
        qs = qs.filter(outcome=outcome)
    return keyset_page(qs, order=("-id",), cursor=cursor, limit=limit, max_limit=200)


def run_get(member: Membership, pk: Any) -> RuleRun:
    require_manage(member)
    run = (
        RuleRun.objects.filter(workspace_id=member.workspace_id, pk=as_pk(pk))
        .select_related("rule")
        .first()
    )
    if run is None:
        raise not_found()
    return run


def _search_fields(record_type: str) -> tuple[str, ...]:
    if record_type == RecordType.LEAD:
        return ("company_name", "contact_name")
    return ("name",)


def records_find(member: Membership, record_type: str, query: str) -> list[Any]:
    """Records of a type the member may see, by code (exact) or name (contains): the test
    panel's record picker."""
    require_manage(member)
    kind = TARGETS.get(record_type)
    query = (query or "").strip()
    if kind is None or record_type not in RecordType.values or not query:
        return []
    if not member.has(kind.view):
        return []
    qs = record_model(record_type).objects.visible_to(member)  # type: ignore[attr-defined]
    exact = list(qs.filter(code__iexact=query)[:1])
    if exact:
        return exact
    condition = Q()
    for name in _search_fields(record_type):
        condition |= Q(**{f"{name}__icontains": query})
    return list(qs.filter(condition | Q(code__istartswith=query)).order_by("-pk")[:SEARCH_LIMIT])


def record_for_test(member: Membership, record_type: str, record_id: Any) -> Any:
    """One record the member may see (404 otherwise: no existence leak)."""
    require_manage(member)
    kind = TARGETS.get(record_type)
    pk = as_pk(record_id)
    if kind is None or record_type not in RecordType.values or not member.has(kind.view):
        raise not_found()
    record = record_model(record_type).objects.visible_to(member).filter(pk=pk).first()  # type: ignore[attr-defined]
    if record is None:
        raise not_found()
    return record
