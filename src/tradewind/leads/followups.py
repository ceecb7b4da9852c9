"""Follow-ups on leads (跟进记录): record one through activities, then move the lead along.

In one transaction with the follow-up:
- a new lead (or one back for reactivation) starts contacting (through `status.lead_transition`, so the move is audited and
  emitted like a move by hand); the first follow-up sets `first_contacted_at`;
- `last_activity_at` moves forward;
- `next_due_at` is the follow-up's own, or the grade's cadence (LeadPolicy.cadence_days) counted
  in the workspace's zone and moved off Chinese non-working days (core.workdays);
- the Nth `no_response` in a row while contacting (N = LeadPolicy.dormant_after_no_response)
  sets the lead dormant until `reactivate_after_days` from now. A streak counts only follow-ups
  recorded since the lead last entered contacting, so a reactivated lead gets N fresh tries.

Also here: the first-contact SLA (A leads within 24 h) and the "my follow-ups" lists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import BooleanField, Case, Count, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.activities.choices import FollowUpResult
from tradewind.activities.models import FollowUp
from tradewind.activities.services import followup_record
from tradewind.core.errors import Conflict
from tradewind.core.workdays import add_workdays
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.models import Membership, Workspace
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.timezones import effective_zone, zone

from .choices import OPEN_STATUSES, LeadGrade, LeadStatus
from .models import Lead, LeadPolicy, default_cadence_days
from .scoring import score_leads
from .status import lead_transition

SLA_FIRST_CONTACT = dt.timedelta(hours=24)
DUE_LIST_LIMIT = 200


class LeadFollowUpError(StrEnum):
    LEAD_CLOSED = "lead_closed"


class Due(StrEnum):
    TODAY = "today"
    OVERDUE = "overdue"
    TOMORROW = "tomorrow"


@dataclass(frozen=True)
class FollowUpOutcome:
    followup: FollowUp
    lead: Lead
    started_contacting: bool = False
    went_dormant: bool = False


# --- cadence ------------------------------------------------------------------------------------


def cadence_days(policy: LeadPolicy, grade: str) -> int:
    table = {**default_cadence_days(), **(policy.cadence_days or {})}
    value = table.get(grade or "", table.get(""))
    try:
        days = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        days = default_cadence_days()[""]
    return max(days, 1)


def next_due_by_cadence(
    *, workspace: Workspace, policy: LeadPolicy, grade: str, after: dt.datetime
) -> dt.datetime:
    """`after` plus the grade's days, as dates in the workspace's zone at the same wall-clock
    time; a date that is not a working day in mainland China moves to the next one."""
    tz = zone(workspace.time_zone)
    local = after.astimezone(tz)
    day = add_workdays(local.date() + dt.timedelta(days=cadence_days(policy, grade)), 0)
    return dt.datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=tz)


# --- the service --------------------------------------------------------------------------------


def _no_response_streak(lead: Lead, limit: int) -> int:
    qs = FollowUp.objects.filter(
        workspace_id=lead.workspace_id, target_type=Lead.AUDIT_TYPE, target_id=lead.pk
    )
    if lead.status_changed_at is not None:
        qs = qs.filter(created_at__gte=lead.status_changed_at)
    streak = 0
    for result in qs.order_by("-id").values_list("result", flat=True)[:limit]:
        if result != FollowUpResult.NO_RESPONSE:
            break
        streak += 1
    return streak


@transaction.atomic
def lead_followup_record(
    *,
    actor: Actor,
    lead: Lead,
    channel: str,
    summary: str,
    result: str,
    happened_at: dt.datetime | None = None,
    feedback: str = "",
    next_action: str = "",
    next_due_at: dt.datetime | None = None,
) -> FollowUpOutcome:
    """Record a follow-up on a lead the caller fetched through visible_to(), and move the lead:
    see the module's docstring. Refuses closed (invalid, converted) leads with `lead_closed`."""
    require(actor, Perm.LEAD_EDIT)
    current = Lead.objects.select_for_update().get(pk=lead.pk, workspace=actor.workspace)
    if current.status not in OPEN_STATUSES:
        raise Conflict(
            LeadFollowUpError.LEAD_CLOSED,
            _("Follow-ups are recorded on open leads. Reopen the lead first."),
        )
    policy = LeadPolicy.for_workspace(actor.workspace)
    first_contact_before = current.first_contacted_at
    started = False
    if current.status in (LeadStatus.NEW, LeadStatus.TO_REACTIVATE):
        # First, so the follow-up counts in the contacting streak it starts (a lead back for
        # reactivation starts a fresh streak the same way).
        current = lead_transition(actor=actor, lead=current, to_status=LeadStatus.CONTACTING)
        started = True
    followup = followup_record(
        actor=actor,
        target=current,
        channel=channel,
        summary=summary,
        happened_at=happened_at,
        feedback=feedback,
        next_action=next_action,
        next_due_at=next_due_at,
        result=result,
    )

    went_dormant = False
    n = policy.dormant_after_no_response
    if (
        current.status == LeadStatus.CONTACTING
        and followup.result == FollowUpResult.NO_RESPONSE
        and n > 0
        and _no_response_streak(current, n) >= n
    ):
        current = lead_transition(actor=actor, lead=current, to_status=LeadStatus.DORMANT)
        went_dormant = True

    fields = ["first_contacted_at", "last_activity_at", "next_due_at"]
    before = audit.snapshot(current, fields)
    now = timezone.now()
    if first_contact_before is None:
        current.first_contacted_at = followup.happened_at  # when it happened, not when typed
    if current.last_activity_at is None or followup.happened_at > current.last_activity_at:
        current.last_activity_at = followup.happened_at
    if went_dormant:
        current.next_due_at = now + dt.timedelta(days=policy.reactivate_after_days)
    elif followup.next_due_at is not None:
        current.next_due_at = followup.next_due_at
    else:
        current.next_due_at = next_due_by_cadence(
            workspace=actor.workspace,
            policy=policy,
            grade=current.grade,
            after=followup.happened_at,
        )
    changes = audit.diff(before, audit.snapshot(current, fields))
    if changes:
        current.version += 1
        current.updated_at = now
        current.save(update_fields=[*fields, "version", "updated_at"])
        audit.record(actor=actor, verb=AuditVerb.UPDATE, target=current, changes=changes)
    # "Has replied" may hold now: rescore (leads/scoring.py).
    scored = score_leads(workspace=actor.workspace, lead_ids=[current.pk]).get(current.pk)
    if scored is not None:
        current.score, current.grade = scored
    return FollowUpOutcome(followup, current, started_contacting=started, went_dormant=went_dormant)


# --- the first-contact SLA ----------------------------------------------------------------------


def sla_breached(lead: Lead, now: dt.datetime | None = None) -> bool:
    """An A lead nobody contacted within 24 hours of its creation (seed 003)."""
    return (
        lead.grade == LeadGrade.A
        and lead.first_contacted_at is None
        and lead.status in OPEN_STATUSES
        and lead.created_at <= (now or timezone.now()) - SLA_FIRST_CONTACT
    )


def sla_breached_q(now: dt.datetime | None = None) -> Q:
    return Q(
        grade=LeadGrade.A,
        first_contacted_at__isnull=True,
        status__in=OPEN_STATUSES,
        created_at__lte=(now or timezone.now()) - SLA_FIRST_CONTACT,
    )


def with_sla(qs: QuerySet[Lead], now: dt.datetime | None = None) -> QuerySet[Lead]:
    """Annotate `sla_breached` (bool) on a lead queryset."""
    return qs.annotate(
        sla_breached=Case(
            When(sla_breached_q(now), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def sla_breached_leads(member: Membership, now: dt.datetime | None = None) -> QuerySet[Lead]:
    return Lead.objects.visible_to(member).filter(sla_breached_q(now))


# --- "my follow-ups" ----------------------------------------------------------------------------


def due_bounds(member: Membership, now: dt.datetime | None = None) -> dict[str, tuple]:
    """[start, end) of each list in the member's own zone (the workspace's when they set none)."""
    tz = effective_zone(member.workspace, member.user)
    today = (now or timezone.now()).astimezone(tz).date()

    def start(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=tz)

    tomorrow = today + dt.timedelta(days=1)
    return {
        Due.OVERDUE: (None, start(today)),
        Due.TODAY: (start(today), start(tomorrow)),
        Due.TOMORROW: (start(tomorrow), start(tomorrow + dt.timedelta(days=1))),
    }


def _range_q(bounds: tuple) -> Q:
    lower, upper = bounds
    q = Q(next_due_at__lt=upper)
    if lower is not None:
        q &= Q(next_due_at__gte=lower)
    return q


def _my_open_leads(member: Membership) -> QuerySet[Lead]:
    return Lead.objects.visible_to(member).filter(
        owner_id=member.user_id, status__in=OPEN_STATUSES, next_due_at__isnull=False
    )


def due_leads(
    member: Membership, when: str, *, now: dt.datetime | None = None, limit: int = DUE_LIST_LIMIT
) -> list[Lead]:
    """The member's own open leads due in one list, soonest first, each with `sla_breached` and
    `last_next_action` (the next step of its latest follow-up). One query."""
    bounds = due_bounds(member, now)[Due(when)]
    latest = FollowUp.objects.filter(
        workspace_id=OuterRef("workspace_id"),
        target_type=Lead.AUDIT_TYPE,
        target_id=OuterRef("pk"),
    ).order_by("-happened_at", "-id")
    qs = with_sla(_my_open_leads(member).filter(_range_q(bounds)), now).annotate(
        last_next_action=Subquery(latest.values("next_action")[:1])
    )
    return list(qs.order_by("next_due_at", "id")[:limit])


def due_counts(member: Membership, now: dt.datetime | None = None) -> dict[str, int]:
    bounds = due_bounds(member, now)
    agg: dict[str, Any] = {
        str(key): Count("id", filter=_range_q(value)) for key, value in bounds.items()
    }
    return _my_open_leads(member).aggregate(**agg)
