"""How a run moves: activating a step (due time, executor, its task), carrying out a due action,
completing a step by time or by event, repeating a recurring step, finishing the run.

Everything here runs inside the caller's transaction with the run's row locked (`lock_run`), so
the page, the API, the periodic scan and the event jobs never move one run twice at once; every
state change is also a conditional UPDATE (`state='active'` …), so a replay changes nothing.

`settle(run, now)` is the one entry point: it brings a run up to date (due actions carried out,
due time steps completed, event steps whose event has happened completed, the next step activated)
and stops when nothing more is due. The scan, the event jobs, start and resume all call it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.activities.models import FollowUp
from tradewind.activities.models_tasks import Task
from tradewind.activities.notifications import notify
from tradewind.activities.targets import target_url
from tradewind.activities.task_choices import DueKind, TaskStatus
from tradewind.core.errors import NotFound, PermissionDenied, ServiceError
from tradewind.core.workdays import add_workdays
from tradewind.workspaces import audit
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import ActorKind, AuditVerb, Role
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Membership, Team, Workspace
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.timezones import zone

from .choices import Advance, Executor, OffsetFrom, RunState, StepAction, StepEvent, StepState
from .errors import PlanError
from .models import CONFIG_FIELDS, PlanRun, PlanRunStep

log = logging.getLogger(__name__)

# A run settles at most this many steps in one go (a long pause can leave many occurrences due).
SETTLE_BUDGET = 200
CUSTOMER_STAGE_ORDER = {"potential": 0, "signed": 1, "repeat": 2}


def plan_actor(run: PlanRun) -> Actor:
    """Steps act as the automation, in the run's workspace, under the plan's name."""
    return Actor.system(
        run.workspace,
        label=_("Step plan: %(name)s") % {"name": run.plan_name},
        kind=ActorKind.AUTOMATION,
    )


def lock_run(run_id: int) -> PlanRun | None:
    return (
        # Only the run's row: its record is an outer join PostgreSQL will not lock.
        PlanRun.objects.select_for_update(of=("self",))
        .select_related("workspace", "customer", "opportunity")
        .filter(pk=run_id)
        .first()
    )


# --- time -----------------------------------------------------------------------------------------


def add_offset(
    base: dt.datetime, *, days: int, hours: int, workdays_only: bool, workspace: Workspace
) -> dt.datetime:
    """`days` calendar (or working) days later on the workspace's calendar, at the same local time,
    then `hours` more. Working days skip weekends and mainland-China holidays (make-up days count);
    a zero-day offset that lands on a day off moves to the next working day."""
    tz = zone(workspace.time_zone)
    local = base.astimezone(tz)
    day = add_workdays(local.date(), days) if workdays_only else local.date() + dt.timedelta(days)
    moved = dt.datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=tz)
    return moved + dt.timedelta(hours=hours)


def first_due(run: PlanRun, step: PlanRunStep, now: dt.datetime) -> dt.datetime:
    base = run.started_at if step.offset_from == OffsetFrom.START else now
    return add_offset(
        base,
        days=step.offset_days,
        hours=step.offset_hours,
        workdays_only=step.workdays_only,
        workspace=run.workspace,
    )


def occurrence_due(run: PlanRun, first: PlanRunStep, occurrence: int) -> dt.datetime:
    """Occurrence k of a recurring step falls (k-1) × every days after the first one, so a late
    completion does not push the whole series (a visit every 30 days stays on its rhythm)."""
    assert first.due_at is not None and first.repeat_every_days
    return add_offset(
        first.due_at,
        days=(occurrence - 1) * first.repeat_every_days,
        hours=0,
        workdays_only=first.workdays_only,
        workspace=run.workspace,
    )


# --- who ------------------------------------------------------------------------------------------


def _active_user_ids(workspace_id: int, ids: list[int | None]) -> set[int]:
    wanted = {i for i in ids if i}
    if not wanted:
        return set()
    return set(
        Membership.objects.filter(
            workspace_id=workspace_id, user_id__in=wanted, is_active=True, user__is_active=True
        ).values_list("user_id", flat=True)
    )


def manager_of(workspace_id: int, user_id: int | None) -> int | None:
    """The manager of the user's team, or of the nearest team above that has another person as
    manager (a team lead's manager is the department's)."""
    if not user_id:
        return None
    member = (
        Membership.objects.filter(workspace_id=workspace_id, user_id=user_id)
        .select_related("team")
        .first()
    )
    if member is None or member.team is None:
        return None
    chain = [int(p) for p in member.team.path.strip("/").split("/") if p]
    managers = dict(Team.objects.filter(pk__in=chain).values_list("pk", "manager_id"))
    for team_id in reversed(chain):
        manager_id = managers.get(team_id)
        if manager_id and manager_id != user_id:
            return manager_id
    return None


def resolve_executor(run: PlanRun, step: PlanRunStep) -> int | None:
    """Who carries the step out, decided when it becomes current (owners change). Someone who
    left the workspace is replaced by whoever started the plan, then the record's owner, then the
    workspace's first owner."""
    owner_id = getattr(run.target, "owner_id", None)
    if step.executor == Executor.USER:
        wanted = step.executor_user_id
    elif step.executor == Executor.MANAGER:
        wanted = manager_of(run.workspace_id, owner_id) or owner_id
    elif step.executor == Executor.CREATOR:
        wanted = run.started_by_id
    else:
        wanted = owner_id
    candidates = [wanted, run.started_by_id, owner_id]
    active = _active_user_ids(run.workspace_id, candidates)
    for candidate in candidates:
        if candidate in active:
            return candidate
    return (
        Membership.objects.filter(workspace_id=run.workspace_id, role=Role.OWNER, is_active=True)
        .order_by("pk")
        .values_list("user_id", flat=True)
        .first()
    )


# --- actions --------------------------------------------------------------------------------------


def _create_task(run: PlanRun, step: PlanRunStep, now: dt.datetime) -> Task:
    from tradewind.activities.task_services import task_create

    return task_create(
        actor=plan_actor(run),
        title=step.title,
        notes=step.instructions,
        due_kind=DueKind.EXACT,
        due_at=step.due_at,
        assignee_id=step.assignee_id,
        target_type=run.target_type,
        target_id=run.target_id,
        now=now,
    )


def _send_email(run: PlanRun, step: PlanRunStep) -> None:
    """Through the mailing app (its own durable job sends it); the key makes a replay harmless.
    As the executor when they may send e-mail and see the record (their own mail account, their
    name under "me"), else as the plan (the workspace's account)."""
    try:
        from tradewind.mailing.sending import email_queue_template
    except ImportError:  # the mailing app cannot send (yet)
        raise ServiceError(
            PlanError.EMAIL_UNAVAILABLE, _("E-mail sending is not available.")
        ) from None

    def send(actor: Actor) -> None:
        email_queue_template(
            actor=actor,
            template_id=int(step.email_template_id or 0),
            record=run.target,
            key=f"plan_step:{step.pk}",
        )

    member = (
        Membership.objects.filter(
            workspace_id=run.workspace_id, user_id=step.assignee_id or 0, is_active=True
        )
        .select_related("user", "workspace", "team")
        .first()
    )
    as_plan = plan_actor(run)
    if member is not None and member.has(Perm.EMAIL_SEND):
        try:
            with transaction.atomic():
                send(
                    Actor(
                        workspace=run.workspace,
                        member=member,
                        kind=ActorKind.AUTOMATION,
                        label=as_plan.label,
                    )
                )
            return
        except (NotFound, PermissionDenied):
            pass  # the executor may not see the record: the plan sends it
    send(as_plan)


def _notify(run: PlanRun, step: PlanRunStep) -> None:
    notify(
        workspace=run.workspace,
        user_ids=[step.assignee_id] if step.assignee_id else [],
        kind="plan.step_due",
        params={"plan": run.plan_name, "title": step.title, "record": str(run.target)},
        url=target_url(run.target),
        key=f"plan_step:{step.pk}",
    )


def carry_out(run: PlanRun, step: PlanRunStep, now: dt.datetime) -> None:
    """The step's action, once: the conditional UPDATE claims it in this transaction. A refusal of
    the mailing app (no address, template gone) will not mend itself by retrying, so it is kept on
    the step and the step goes on."""
    claimed = PlanRunStep.objects.filter(
        pk=step.pk, state=StepState.ACTIVE, action_done_at__isnull=True
    ).update(action_done_at=now)
    if not claimed:
        return
    step.action_done_at = now
    try:
        if step.action == StepAction.TASK:
            step.task = _create_task(run, step, now)
            PlanRunStep.objects.filter(pk=step.pk).update(task=step.task)
        elif step.action == StepAction.EMAIL:
            _send_email(run, step)
        else:
            _notify(run, step)
    except ServiceError as exc:
        message = str(getattr(exc, "message", exc))[:500]
        step.action_error = message
        PlanRunStep.objects.filter(pk=step.pk).update(action_error=message)
        log.info("plan step %s: action refused: %s", step.pk, message)


# --- events ---------------------------------------------------------------------------------------


def _stage_reached(opportunity: Any, stage: Any) -> bool:
    """At the stage, or past it in the same pipeline; a lost opportunity reaches only the lost stage."""
    current = opportunity.stage
    if current is None or stage is None:
        return False
    if current.pk == stage.pk:
        return True
    if current.pipeline_id != stage.pipeline_id or current.is_lost or stage.is_lost:
        return False
    return (current.position, current.pk) > (stage.position, stage.pk)


def _customer_stage_reached(customer: Any, wanted: str) -> bool:
    if customer is None or not wanted:
        return False
    if customer.stage == wanted:
        return True
    order = CUSTOMER_STAGE_ORDER
    return wanted in order and customer.stage in order and order[customer.stage] > order[wanted]


def event_met(run: PlanRun, step: PlanRunStep) -> bool:
    """Read from the records, not from the event: a replay, a missed event or a resume after a
    pause all give the same answer."""
    if step.event == StepEvent.TASK_DONE:
        return bool(
            step.task_id and Task.objects.filter(pk=step.task_id, status=TaskStatus.DONE).exists()
        )
    if step.event == StepEvent.FOLLOWUP:
        return FollowUp.objects.filter(
            workspace_id=run.workspace_id,
            target_type=run.target_type,
            target_id=run.target_id,
            created_at__gte=step.activated_at,
        ).exists()
    if step.event == StepEvent.OPPORTUNITY_STAGE:
        opportunity = run.opportunity
        if opportunity is None:
            return False
        opportunity.refresh_from_db(fields=["stage"])
        return _stage_reached(opportunity, step.event_stage)
    if step.event == StepEvent.CUSTOMER_STAGE:
        customer = run.customer
        if customer is None and run.opportunity is not None:
            customer = run.opportunity.customer
        if customer is None:
            return False
        customer.refresh_from_db(fields=["stage"])
        return _customer_stage_reached(customer, step.event_customer_stage)
    return False


# --- moving ---------------------------------------------------------------------------------------


def activate(run: PlanRun, step: PlanRunStep, now: dt.datetime, *, due: dt.datetime) -> None:
    """Make the step current: its due time, its executor and, for a task step, the task (so the
    executor sees it on My day, due on the step's date)."""
    step.due_at = due
    step.activated_at = now
    step.assignee_id = resolve_executor(run, step)
    changed = PlanRunStep.objects.filter(pk=step.pk, state=StepState.PENDING).update(
        state=StepState.ACTIVE, due_at=due, activated_at=now, assignee_id=step.assignee_id
    )
    if not changed:
        return
    step.state = StepState.ACTIVE
    PlanRun.objects.filter(pk=run.pk).update(current_position=step.position, updated_at=now)
    run.current_position = step.position
    if step.action == StepAction.TASK:
        carry_out(run, step, now)


def _next_occurrence(run: PlanRun, step: PlanRunStep) -> PlanRunStep | None:
    if not step.is_recurring:
        return None
    if step.repeat_count is not None and step.occurrence >= step.repeat_count:
        return None
    data = {f: getattr(step, f) for f in CONFIG_FIELDS}
    return PlanRunStep.objects.create(
        run=run,
        position=step.position,
        occurrence=step.occurrence + 1,
        source_step_id=step.source_step_id,
        state=StepState.PENDING,
        **data,
    )


def complete(run: PlanRun, step: PlanRunStep, now: dt.datetime, *, how: str) -> bool:
    """Done (by time or event); then its next occurrence, the next step, or the end of the run."""
    done = PlanRunStep.objects.filter(pk=step.pk, state=StepState.ACTIVE).update(
        state=StepState.DONE, done_at=now
    )
    if not done:
        return False
    step.state, step.done_at = StepState.DONE, now
    actor = plan_actor(run)
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="plan_step_done",
        target=run,
        changes={"step": [None, step.title], "how": [None, how]},
    )
    emit(
        "plan_step.done",
        workspace_id=run.workspace_id,
        plan_run_id=run.pk,
        position=step.position,
        occurrence=step.occurrence,
        how=how,
    )
    following = _next_occurrence(run, step)
    if following is not None:
        first = PlanRunStep.objects.get(run=run, position=step.position, occurrence=1)
        activate(run, following, now, due=occurrence_due(run, first, following.occurrence))
        return True
    upcoming = (
        PlanRunStep.objects.filter(run=run, state=StepState.PENDING, position__gt=step.position)
        .order_by("position", "occurrence")
        .first()
    )
    if upcoming is not None:
        activate(run, upcoming, now, due=first_due(run, upcoming, now))
        return True
    PlanRun.objects.filter(pk=run.pk, state=RunState.ACTIVE).update(
        state=RunState.COMPLETED, ended_at=now, current_position=None, updated_at=now
    )
    run.state, run.ended_at, run.current_position = RunState.COMPLETED, now, None
    audit.record(
        actor=actor,
        verb=AuditVerb.TRANSITION,
        action="completed",
        target=run,
        changes={"state": [RunState.ACTIVE, RunState.COMPLETED]},
    )
    emit("plan_run.completed", workspace_id=run.workspace_id, plan_run_id=run.pk)
    return True


def _progress(run: PlanRun, step: PlanRunStep, now: dt.datetime) -> bool:
    due = step.due_at is not None and step.due_at <= now
    if due and step.action_done_at is None:
        carry_out(run, step, now)
    if step.advance == Advance.TIME:
        if due and step.action_done_at is not None:
            return complete(run, step, now, how=Advance.TIME)
        return False
    if event_met(run, step):
        return complete(run, step, now, how=Advance.EVENT)
    return False


def settle(run: PlanRun, now: dt.datetime | None = None) -> int:
    """Bring a locked, active run up to date; returns how many steps it completed."""
    now = now or timezone.now()
    completed = 0
    for _round in range(SETTLE_BUDGET):
        if run.state != RunState.ACTIVE:
            break
        step = (
            PlanRunStep.objects.select_related("event_stage")
            .filter(run=run, state=StepState.ACTIVE)
            .order_by("position", "occurrence")
            .first()
        )
        if step is None or not _progress(run, step, now):
            break
        completed += 1
    return completed


# --- finding work ---------------------------------------------------------------------------------


def due_run_ids(
    *, now: dt.datetime, workspace_id: int | None = None, limit: int = 500
) -> list[int]:
    """Active runs whose current step has something due now: an action not yet carried out, or a
    time step whose time came."""
    qs = PlanRunStep.objects.filter(
        state=StepState.ACTIVE, due_at__lte=now, run__state=RunState.ACTIVE
    ).filter(Q(action_done_at__isnull=True) | Q(advance=Advance.TIME))
    if workspace_id is not None:
        qs = qs.filter(run__workspace_id=workspace_id)
    return list(qs.order_by("run_id").values_list("run_id", flat=True).distinct()[:limit])


def waiting_run_ids(*, event: str, filters: Q) -> list[int]:
    """Active runs whose current step waits for `event`, narrowed by `filters` (on the step)."""
    return list(
        PlanRunStep.objects.filter(
            filters, state=StepState.ACTIVE, advance=Advance.EVENT, event=event
        )
        .filter(run__state=RunState.ACTIVE)
        .values_list("run_id", flat=True)
        .distinct()
    )


def model_available(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None
