"""Customer pool recycling (公海回收): customers nobody works go back to the public pool at night.

Rules (CustomerPolicy; 0 days switches a rule off; docs/customers-pool.md):
- **No follow-up in N days** (`recycle_no_followup_days`): idle since the latest of the last
  contact (`last_contact_at`), the last follow-up recorded on the customer, the moment its current
  owner got it (the latest audit row that changed `owner`: creation, claim, edit) and creation.
- **No opportunity in M days** (`recycle_no_opportunity_days`): no open opportunity created or
  changed since the latest of the same owner moment and creation, for M days.
- Either rule recycles. Only potential customers, plus signed and repeat ones when
  `recycle_signed`; lost and invalid customers are parked on purpose and stay with their owner.
- **Never while work is due** (`_has_work_due`): a next follow-up planned on the run's day or
  later protects the customer; an overdue one does not.
Days are workspace-local calendar days: idle since any time on day X, a limit of N days recycles
on day X + N (the run at 01:00 local).

`recycle_candidates` is the one selector behind the preview page, the API, the warnings and the
job, so the preview says exactly what the job will do.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tradewind.activities.models import FollowUp
from tradewind.activities.notifications import KINDS, Kind, notify_each
from tradewind.activities.task_selectors import open_task_due
from tradewind.workspaces import audit
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.daily_jobs import day_start, local_date
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import AuditEvent, Membership, Workspace
from tradewind.workspaces.permissions import Perm

from .models import Customer
from .models_pool import CustomerJobRun, CustomerPolicy
from .pool import close_stints
from .pool_choices import WON_STAGES, CustomerStage

CHUNK = 1000
PREVIEW_LIMIT = 500
RELEASE_REASON = "recycled"
OPEN_OPPORTUNITY = "open"  # sales.OpportunityStatus.OPEN; customers may not import sales
NO_FOLLOWUP = "no_followup"
NO_OPPORTUNITY = "no_opportunity"

KINDS.setdefault(
    "customer.recycle_warning",
    Kind(
        gettext_lazy("Customers go back to the public pool soon"),
        gettext_lazy(
            "Not worked in time: %(codes)s. Record a follow-up or plan the next one, or they "
            "return to the public pool."
        ),
        "bi-hourglass-split",
    ),
)
KINDS.setdefault(
    "customer.recycled",
    Kind(
        gettext_lazy("Customers went back to the public pool"),
        gettext_lazy("Not worked in time, now in the public pool: %(codes)s."),
        "bi-recycle",
    ),
)


@dataclass(frozen=True)
class Candidate:
    customer: Customer
    rule: str  # NO_FOLLOWUP or NO_OPPORTUNITY (the first that applies)
    idle_days: int
    limit_days: int
    idle_since: dt.datetime

    @property
    def reason(self) -> str:
        if self.rule == NO_FOLLOWUP:
            text = _("No follow-up for %(days)s days; the limit is %(limit)s days.")
        else:
            text = _("No opportunity activity for %(days)s days; the limit is %(limit)s days.")
        return text % {"days": self.idle_days, "limit": self.limit_days}


def recyclable_stages(policy: CustomerPolicy) -> list[str]:
    stages: list[str] = [CustomerStage.POTENTIAL]
    if policy.recycle_signed:
        stages += list(WON_STAGES)
    return stages


def _has_work_due(workspace: Workspace, on_date: dt.date) -> Q:
    """Customers whose owner planned work on `on_date` or later (overdue plans do not protect).
    The tasks module plugs in here: an open task on the customer due that day or later is added
    to this condition (docs/customers-pool.md)."""
    start = day_start(on_date, workspace)
    planned = FollowUp.objects.filter(
        workspace_id=workspace.pk,
        target_type=Customer.AUDIT_TYPE,
        target_id=OuterRef("pk"),
        next_due_at__gte=start,
    )
    task_due = open_task_due(
        workspace_id=workspace.pk, target_type=Customer.AUDIT_TYPE, start=start
    )
    return Q(next_followup_at__gte=start) | Q(Exists(planned)) | Q(task_due)


def with_idle_since(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    """Annotate `idle_since` (follow-up rule) and `opp_since` (opportunity rule)."""
    owner_since = (
        AuditEvent.objects.filter(
            workspace_id=OuterRef("workspace_id"),
            target_type=Customer.AUDIT_TYPE,
            target_id=OuterRef("pk"),
            changes__has_key="owner",
        )
        .order_by("-id")
        .values("created_at")[:1]
    )
    last_followup = (
        FollowUp.objects.filter(
            workspace_id=OuterRef("workspace_id"),
            target_type=Customer.AUDIT_TYPE,
            target_id=OuterRef("pk"),
        )
        .order_by("-happened_at")
        .values("happened_at")[:1]
    )
    # sales.Opportunity through the reverse relation: customers may not import sales.
    opportunity: Any = Customer._meta.get_field("opportunities").related_model
    last_open_opportunity = (
        opportunity._default_manager.filter(customer_id=OuterRef("pk"), status=OPEN_OPPORTUNITY)
        .order_by("-updated_at")
        .values("updated_at")[:1]
    )
    return qs.annotate(
        owner_since=Coalesce(Subquery(owner_since), "created_at"),
        idle_since=Greatest(
            Coalesce("last_contact_at", "created_at"),
            Coalesce(Subquery(last_followup), "created_at"),
            F("owner_since"),
        ),
        opp_since=Greatest(
            Coalesce(Subquery(last_open_opportunity), "created_at"), F("owner_since")
        ),
    )


def _cutoff(workspace: Workspace, on_date: dt.date, days: int) -> dt.datetime:
    return day_start(on_date - dt.timedelta(days=days - 1), workspace)


def _candidates_qs(
    workspace: Workspace, on_date: dt.date, policy: CustomerPolicy
) -> QuerySet[Customer] | None:
    n, m = policy.recycle_no_followup_days, policy.recycle_no_opportunity_days
    rule = Q()
    if n:
        rule |= Q(idle_since__lt=_cutoff(workspace, on_date, n))
    if m:
        rule |= Q(opp_since__lt=_cutoff(workspace, on_date, m))
    if not n and not m:
        return None
    qs = Customer.objects.filter(
        workspace=workspace, owner__isnull=False, stage__in=recyclable_stages(policy)
    ).exclude(_has_work_due(workspace, on_date))
    return with_idle_since(qs).filter(rule)


def _candidate(customer: Customer, policy: CustomerPolicy, on_date: dt.date) -> Candidate:
    ws = customer.workspace
    n, m = policy.recycle_no_followup_days, policy.recycle_no_opportunity_days
    idle = customer.idle_since  # type: ignore[attr-defined]
    if n and idle < _cutoff(ws, on_date, n):
        rule, limit, since = NO_FOLLOWUP, n, idle
    else:
        rule, limit, since = NO_OPPORTUNITY, m, customer.opp_since  # type: ignore[attr-defined]
    return Candidate(
        customer=customer,
        rule=rule,
        idle_days=(on_date - local_date(since, ws)).days,
        limit_days=limit,
        idle_since=since,
    )


def recycle_candidates(
    *,
    workspace: Workspace,
    on_date: dt.date,
    member: Membership | None = None,
    limit: int | None = None,
) -> list[Candidate]:
    """The customers the job would recycle on `on_date`, longest idle first, with why. With a
    member: only what they may see, and only their own unless they hold CUSTOMER_ASSIGN."""
    policy = CustomerPolicy.for_workspace(workspace)
    qs = _candidates_qs(workspace, on_date, policy)
    if qs is None:
        return []
    if member is not None:
        qs = qs.filter(pk__in=Customer.objects.visible_to(member).values("pk"))
        if not member.has(Perm.CUSTOMER_ASSIGN):
            qs = qs.filter(owner_id=member.user_id)
    qs = qs.select_related("owner", "workspace").order_by("idle_since", "id")
    if limit is not None:
        qs = qs[:limit]
    return [_candidate(c, policy, on_date) for c in qs]


def next_run_date(workspace: Workspace, now: dt.datetime | None = None) -> dt.date:
    """The day of the next nightly run: today until today's run is recorded, then tomorrow."""
    today = local_date(now or timezone.now(), workspace)
    done = CustomerJobRun.objects.filter(workspace=workspace, job="recycle", on_date=today).exists()
    return today + dt.timedelta(days=1) if done else today


def notify_owners(
    workspace: Workspace, by_owner: dict[int, list[Customer]], kind: str, key: str = ""
) -> None:
    """One notification per owner naming their customers; it opens the first one (or the list)."""
    items = []
    for owner_id, customers in sorted(by_owner.items()):
        url = (
            reverse("customers:detail", args=[customers[0].pk])
            if len(customers) == 1
            else reverse("customers:pool_recycling")
            if kind == "customer.recycle_warning"
            else reverse("customers:pool")
        )
        items.append((owner_id, {"codes": [c.code for c in customers]}, url))
    notify_each(workspace=workspace, items=items, kind=kind, key=key)


# --- the job --------------------------------------------------------------------------------------


def customers_recycle(*, workspace: Workspace, now: dt.datetime | None = None) -> list[int]:
    """Put every customer due for recycling today back in the pool; returns their ids. Each
    chunk is one transaction: candidates locked, stints closed (reason "recycled", so the
    cool-down applies), owner cleared, one audit row per customer, one notice per owner."""
    now = now or timezone.now()
    on_date = local_date(now, workspace)
    actor = Actor.system(workspace, label="recycling")
    policy = CustomerPolicy.for_workspace(workspace)
    done: list[int] = []
    while True:
        with transaction.atomic():
            qs = _candidates_qs(workspace, on_date, policy)
            if qs is None:
                return done
            locked = Customer.objects.filter(
                pk__in=list(qs.order_by("id").values_list("pk", flat=True)[:CHUNK])
            ).select_for_update()
            ids = list(locked.order_by("id").values_list("pk", flat=True))
            if not ids:
                return done
            # Re-read under the lock: what stands now is what gets recycled.
            chunk = list(
                with_idle_since(Customer.objects.filter(pk__in=ids, owner__isnull=False))
                .select_related("workspace")
                .order_by("id")
            )
            owners = {c.pk: c.owner_id for c in chunk if c.owner_id is not None}
            close_stints(
                workspace=workspace, owners=owners, now=now, reason=RELEASE_REASON, recycled=True
            )
            Customer.objects.filter(pk__in=list(owners), owner__isnull=False).update(
                owner=None, version=F("version") + 1, updated_at=now
            )
            by_owner: dict[int, list[Customer]] = defaultdict(list)
            rows = []
            for customer in chunk:
                c = _candidate(customer, policy, on_date)
                by_owner[customer.owner_id].append(customer)  # type: ignore[index]
                changes = {
                    "owner": [customer.owner_id, None],
                    "reason": [None, RELEASE_REASON],
                    "rule": [None, c.rule],
                    "idle_days": [None, c.idle_days],
                    "limit_days": [None, c.limit_days],
                }
                rows.append((customer.pk, str(customer), changes))
            audit.record_many(
                actor=actor,
                verb=AuditVerb.ACTION,
                action="pool_recycled",
                target_type=Customer.AUDIT_TYPE,
                rows=rows,
            )
            notify_owners(workspace, by_owner, "customer.recycled")
            for customer in chunk:
                emit(
                    "customer.recycled",
                    workspace_id=workspace.pk,
                    customer_id=customer.pk,
                    user_id=customer.owner_id,
                )
            done.extend(owners)


def recycle_warnings(*, workspace: Workspace, now: dt.datetime | None = None) -> int:
    """Tell each owner which of their customers the run `warn_days_before` days ahead will
    recycle unless they act. One notification per owner and day (idempotent by key); returns
    how many owners were told."""
    now = now or timezone.now()
    policy = CustomerPolicy.for_workspace(workspace)
    if not policy.warn_days_before:
        return 0
    on_date = local_date(now, workspace) + dt.timedelta(days=policy.warn_days_before)
    by_owner: dict[int, list[Customer]] = defaultdict(list)
    for c in recycle_candidates(workspace=workspace, on_date=on_date):
        by_owner[c.customer.owner_id].append(c.customer)  # type: ignore[index]
    with transaction.atomic():
        notify_owners(
            workspace,
            by_owner,
            "customer.recycle_warning",
            key=f"customer_recycle_warning:{on_date}",
        )
    return len(by_owner)
