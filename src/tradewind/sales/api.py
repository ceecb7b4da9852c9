"""Opportunities API: list (filters, keyset pages), get, create, update (PATCH with version),
delete; stage moves, closing, reopening, the stage task checklist, product lines and the stage
history. Saved views, bulk actions and export are in api_lists.py.

Every payload field has a default, so a foreign or missing id answers 404: the lookup runs before
the verb is checked (a record outside the caller's scope is 404 whatever their role), then the
services answer a missing value with their coded, translated error."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS, PageOut
from tradewind.core.errors import ErrorCode, NotFound, ServiceError
from tradewind.customers.models import Contact, Customer
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import selectors
from .filters import OpportunityFilter, opportunity_list
from .models import Opportunity, OpportunityLine, OpportunityMember, StageChange

router = Router(tags=["opportunities"])


# --- schemas ---------------------------------------------------------------------------------------


class OpportunityLineIn(Schema):
    product_id: int | None = Field(None, description="A product of the catalogue (optional)")
    description: str = Field("", max_length=300)
    quantity: Decimal | None = None
    unit: str = Field("", max_length=20)
    unit_price: Decimal | None = Field(
        None, description="Empty with a product: its list price in the opportunity's currency"
    )
    discount_percent: Decimal = Decimal(0)
    specs_note: str = ""


class MemberIn(Schema):
    user_id: int = 0
    role: str = Field("co_seller", description="co_seller, presales, merchandiser, finance, …")


class OpportunityLineOut(Schema):
    id: int
    position: int
    product_id: int | None
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount_percent: Decimal
    specs_note: str
    amount: Decimal


class OpportunityMemberOut(Schema):
    user_id: int
    role: str


class OpportunityOut(Schema):
    id: int
    code: str
    name: str
    customer_id: int
    contact_id: int | None
    pipeline_id: int
    stage_id: int
    stage: str
    stage_probability: int
    probability: int = Field(description="The win probability in force (override or stage's)")
    probability_override: int | None
    amount: Decimal | None
    currency: str
    amount_from_lines: bool
    base_amount: Decimal | None
    fx_rate: Decimal | None
    fx_date: dt.date | None
    expected_close_date: dt.date | None
    need: str
    status: str
    owner_id: int | None
    source: str
    incoterm: str
    named_place: str
    competitors: str
    next_step: str
    forecast_category: str
    stage_entered_at: dt.datetime
    last_activity_at: dt.datetime | None
    stale_since: dt.datetime | None
    closed_at: dt.datetime | None
    closed_by_id: int | None
    close_reason_id: int | None
    close_competitor: str
    close_note: str
    custom: dict[str, Any]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_stage(obj: Opportunity) -> str:
        return obj.stage.key or obj.stage.name

    @staticmethod
    def resolve_stage_probability(obj: Opportunity) -> int:
        return obj.stage.probability

    @staticmethod
    def resolve_probability(obj: Opportunity) -> int:
        return obj.effective_probability

    @staticmethod
    def resolve_probability_override(obj: Opportunity) -> int | None:
        return obj.probability


class OpportunityDetailOut(OpportunityOut):
    contact_ids: list[int]
    lines: list[OpportunityLineOut]
    members: list[OpportunityMemberOut]

    @staticmethod
    def resolve_contact_ids(obj: Opportunity) -> list[int]:
        return sorted(obj.contacts.values_list("id", flat=True))

    @staticmethod
    def resolve_lines(obj: Opportunity) -> list[OpportunityLine]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_members(obj: Opportunity) -> list[OpportunityMember]:
        return list(obj.members.order_by("added_at", "id"))


class OpportunityIn(Schema):
    customer_id: int = 0
    name: str = Field("", max_length=200)
    contact_id: int | None = None
    contact_ids: list[int] = []
    pipeline_id: int | None = Field(None, description="Empty: the default pipeline")
    stage_id: int | None = Field(None, description="Empty: the pipeline's first stage")
    amount: Decimal | None = Field(None, description="Ignored when lines are given")
    currency: str = Field("", max_length=3)
    expected_close_date: dt.date | None = None
    need: str = ""
    owner_id: int | None = Field(None, description="Empty: you")
    source: str = Field("", max_length=16)
    incoterm: str = Field("", max_length=3)
    named_place: str = Field("", max_length=120)
    probability: int | None = Field(None, description="Empty: the stage's default")
    competitors: str = Field("", max_length=300)
    next_step: str = Field("", max_length=300)
    forecast_category: str = Field("", max_length=10)
    custom: dict[str, Any] = Field({}, description="Custom field values by key")
    lines: list[OpportunityLineIn] | None = None
    members: list[MemberIn] | None = None


class OpportunityPatch(Schema):
    name: str | None = Field(None, max_length=200)
    contact_id: int | None = None
    contact_ids: list[int] | None = None
    amount: Decimal | None = None
    currency: str | None = Field(None, max_length=3)
    expected_close_date: dt.date | None = None
    need: str | None = None
    owner_id: int | None = None
    source: str | None = Field(None, max_length=16)
    incoterm: str | None = Field(None, max_length=3)
    named_place: str | None = Field(None, max_length=120)
    probability: int | None = Field(None, description="null: back to the stage's default")
    competitors: str | None = Field(None, max_length=300)
    next_step: str | None = Field(None, max_length=300)
    forecast_category: str | None = Field(None, max_length=10)
    custom: dict[str, Any] | None = None
    lines: list[OpportunityLineIn] | None = Field(
        None, description="Replaces every line; [] clears them"
    )
    members: list[MemberIn] | None = Field(None, description="Replaces the team")
    version: int | None = Field(None, description="The version you read; a newer one answers 409")


class LinesIn(Schema):
    lines: list[OpportunityLineIn] = []
    version: int | None = None


class OpportunityMoveIn(Schema):
    stage_id: int = 0
    version: int | None = Field(None, description="The version you read; a newer one answers 409")


class MoveOut(Schema):
    opportunity: OpportunityDetailOut
    warnings: list[str] = Field(
        description="Required tasks not done when the pipeline only warns (empty otherwise)"
    )


class CloseIn(Schema):
    outcome: str = Field("", description="won, lost or invalid")
    reason_id: int | None = Field(None, description="Required for lost and invalid")
    competitor: str = Field("", max_length=200)
    note: str = Field("", description="Required for lost")
    version: int | None = None


class ReopenIn(Schema):
    stage_id: int | None = Field(None, description="Empty: the last open stage it was in")


class ChecklistIn(Schema):
    task_id: int = 0
    done: bool = True


class ChecklistItemOut(Schema):
    task_id: int
    title: str
    is_required: bool
    done: bool
    done_at: dt.datetime | None = None


class StageChangeOut(Schema):
    id: int
    kind: str
    from_stage_id: int | None
    to_stage_id: int
    from_status: str
    to_status: str
    changed_by_id: int | None
    changed_at: dt.datetime
    seconds_in_from_stage: int | None


class OpportunityFilterIn(Schema):
    q: str = ""
    owner: str = Field("", description="a user id, 'me' or 'none'")
    team: str = Field("", description="a team id: owners in it and its sub-teams")
    pipeline: str = ""
    stage: str = ""
    status: str = Field("", description="open, won, lost or invalid")
    source: str = ""
    close_from: str = Field("", description="expected close month from, YYYY-MM")
    close_to: str = Field("", description="expected close month to (inclusive), YYYY-MM")
    amount_min: str = Field("", description="in the workspace's base currency")
    amount_max: str = ""
    stale: str = Field("", description="1: stale only, 0: not stale")
    customer: str = ""
    reached: str = Field("", description="a stage id: opportunities that reached that stage")
    reason: str = Field("", description="a close reason id, or 'none' for no reason")
    created_from: str = Field("", description="created on or after this day, YYYY-MM-DD")
    created_to: str = Field("", description="created on or before this day (inclusive)")
    closed_from: str = Field("", description="closed on or after this day, YYYY-MM-DD")
    closed_to: str = Field("", description="closed on or before this day (inclusive)")
    expected_from: str = Field("", description="expected close on or after this day, YYYY-MM-DD")
    expected_to: str = Field("", description="expected close on or before this day (inclusive)")
    expected: str = Field("", description="'none': no expected close date")
    forecast: str = Field("", description="1: counted by the forecast (category not omitted)")
    tz: str = Field(
        "", description="'workspace': created/closed days in the workspace's zone, not the user's"
    )
    country: str = Field("", description="the customer's country/region code; NONE: not set")
    industry: str = Field(
        "", description="the customer's industry (contains); '=text' exact, '=' alone: not set"
    )
    sort: str = Field(
        "",
        description="'' newest, created, close, name, -updated, cf_<key> / -cf_<key>. "
        "Filter by a custom field with cf_<key>=value.",
    )
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


# --- helpers ---------------------------------------------------------------------------------------


def _get(request: HttpRequest, opportunity_id: int) -> Opportunity:
    return selectors.opportunity_get(member=request.member, pk=opportunity_id)


def _fresh(request: HttpRequest, opportunity: Opportunity) -> Opportunity:
    return _get(request, opportunity.pk)


def _lines(lines: list[OpportunityLineIn]) -> list[dict[str, Any]]:
    return [line.dict(exclude_none=True) for line in lines]


def _members(members: list[MemberIn]) -> list[tuple[int, str]]:
    return [(m.user_id, m.role) for m in members]


def _contact(customer: Customer, contact_id: int | None) -> Contact | None:
    if contact_id is None:
        return None
    contact = Contact.objects.filter(customer=customer, pk=contact_id).first()
    if contact is None:
        from .errors import OpportunityError

        message = _("The contact must belong to the opportunity’s customer.")
        raise ServiceError(
            OpportunityError.CONTACT_NOT_OF_CUSTOMER,
            _("Please correct the marked fields."),
            fields={"contact_id": [message]},
        )
    return contact


# --- endpoints -------------------------------------------------------------------------------------


@router.get(
    "",
    response={200: PageOut[OpportunityOut], **READ_ERRORS},
    summary="List opportunities (filters, keyset pages)",
)
def opportunity_list_api(request: HttpRequest, params: Query[OpportunityFilterIn]) -> dict:
    require(request.actor, Perm.OPPORTUNITY_VIEW)
    filters = OpportunityFilter.from_params(
        params.dict() | {k: v for k, v in request.GET.items() if k.startswith("cf_")}
    )
    page = opportunity_list(
        member=request.member, filters=filters, cursor=params.cursor, limit=params.limit
    )
    return {"items": page.items, "next_cursor": page.next_cursor, "prev_cursor": page.prev_cursor}


@router.post("", response={201: OpportunityDetailOut, **ERRORS}, summary="Create an opportunity")
def opportunity_create(request: HttpRequest, payload: OpportunityIn) -> Status:
    """With `lines` the amount is their total (a product line without a unit price takes the
    product's list price in the opportunity's currency)."""
    from . import services

    require(request.actor, Perm.OPPORTUNITY_CREATE)
    customer = Customer.objects.visible_to(request.member).filter(pk=payload.customer_id).first()
    if customer is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    data = payload.dict(exclude={"customer_id", "contact_id", "lines", "members"})
    opportunity = services.opportunity_create(
        actor=request.actor,
        customer=customer,
        contact=_contact(customer, payload.contact_id),
        lines=_lines(payload.lines) if payload.lines else None,
        member_roles=_members(payload.members) if payload.members is not None else None,
        **data,
    )
    return Status(201, _fresh(request, opportunity))


@router.get("/{opportunity_id}", response={200: OpportunityDetailOut, **READ_ERRORS})
def opportunity_get(request: HttpRequest, opportunity_id: int) -> Opportunity:
    require(request.actor, Perm.OPPORTUNITY_VIEW)
    return _get(request, opportunity_id)


@router.patch(
    "/{opportunity_id}",
    response={200: OpportunityDetailOut, **ERRORS},
    summary="Change an open opportunity (only the fields sent)",
)
def opportunity_update(
    request: HttpRequest, opportunity_id: int, payload: OpportunityPatch
) -> Opportunity:
    from . import services

    opportunity = _get(request, opportunity_id)
    require(request.actor, Perm.OPPORTUNITY_EDIT)
    changes = payload.dict(exclude_unset=True)
    changes.pop("version", None)
    if "contact_id" in changes:
        changes["contact"] = _contact(opportunity.customer, changes.pop("contact_id"))
    if "lines" in changes:
        changes["lines"] = _lines(payload.lines or [])
    if "members" in changes:
        changes.pop("members")
        changes["member_roles"] = _members(payload.members or [])
    for key in ("name", "contact_ids", "currency", "need", "custom"):
        if key in changes and changes[key] is None:
            changes.pop(key)
    saved = services.opportunity_update(
        actor=request.actor,
        opportunity=opportunity,
        expected_version=payload.version,
        **changes,
    )
    return _fresh(request, saved)


@router.delete("/{opportunity_id}", response={204: None, **ERRORS})
def opportunity_delete(request: HttpRequest, opportunity_id: int) -> Status:
    from . import services

    opportunity = _get(request, opportunity_id)
    require(request.actor, Perm.OPPORTUNITY_DELETE)
    services.opportunity_delete(actor=request.actor, opportunity=opportunity)
    return Status(204, None)


@router.get("/{opportunity_id}/lines", response={200: list[OpportunityLineOut], **READ_ERRORS})
def line_list(request: HttpRequest, opportunity_id: int) -> list[OpportunityLine]:
    require(request.actor, Perm.OPPORTUNITY_VIEW)
    return list(_get(request, opportunity_id).lines.all())


@router.put(
    "/{opportunity_id}/lines",
    response={200: list[OpportunityLineOut], **ERRORS},
    summary="Replace the product lines ([] returns to an entered amount)",
)
def line_replace(request: HttpRequest, opportunity_id: int, payload: LinesIn) -> list:
    from . import services

    opportunity = _get(request, opportunity_id)
    require(request.actor, Perm.OPPORTUNITY_EDIT)
    saved = services.opportunity_update(
        actor=request.actor,
        opportunity=opportunity,
        expected_version=payload.version,
        lines=_lines(payload.lines),
    )
    return list(saved.lines.all())


@router.post(
    "/{opportunity_id}/move",
    response={200: MoveOut, **ERRORS},
    summary="Move to another open stage (under the pipeline's gate)",
    description="A pipeline that blocks answers 422 `stage_tasks_missing` listing the missing "
    "tasks; one that warns moves and lists them in `warnings`.",
)
def opportunity_move(request: HttpRequest, opportunity_id: int, payload: OpportunityMoveIn) -> dict:
    from .moves import opportunity_move as move

    opportunity = _get(request, opportunity_id)
    require(request.actor, Perm.OPPORTUNITY_EDIT)
    result = move(
        actor=request.actor,
        opportunity_id=opportunity.pk,
        stage_id=payload.stage_id,
        expected_version=payload.version,
    )
    return {"opportunity": _fresh(request, opportunity), "warnings": list(result.warnings)}


@router.post(
    "/{opportunity_id}/close",
    response={200: OpportunityDetailOut, **ERRORS},
    summary="Close as won, lost (reason and note required) or invalid (reason required)",
)
def opportunity_close(request: HttpRequest, opportunity_id: int, payload: CloseIn) -> Opportunity:
    from .closing import opportunity_close as close

    opportunity = _get(request, opportunity_id)
    require(request.actor, Perm.OPPORTUNITY_EDIT)
    close(
        actor=request.actor,
        opportunity_id=opportunity.pk,
        outcome=payload.outcome,
        reason_id=payload.reason_id,
        competitor=payload.competitor,
        note=payload.note,
        expected_version=payload.version,
    )
    return _fresh(request, opportunity)


@router.post("/{opportunity_id}/reopen", response={200: OpportunityDetailOut, **ERRORS})
def opportunity_reopen(request: HttpRequest, opportunity_id: int, payload: ReopenIn) -> Opportunity:
    from .closing import opportunity_reopen as reopen

    opportunity = _get(request, opportunity_id)
    require(request.actor, Perm.OPPORTUNITY_REOPEN)
    reopen(actor=request.actor, opportunity_id=opportunity.pk, stage_id=payload.stage_id)
    return _fresh(request, opportunity)


def _checklist(opportunity: Opportunity) -> list[dict[str, Any]]:
    from .models import StageTaskCheck

    tasks = list(opportunity.stage.tasks.all())
    checks = {
        c.task_id: c
        for c in StageTaskCheck.objects.filter(
            opportunity=opportunity, task_id__in=[t.pk for t in tasks]
        )
    }
    return [
        {
            "task_id": t.pk,
            "title": t.title,
            "is_required": t.is_required,
            "done": t.pk in checks,
            "done_at": checks[t.pk].done_at if t.pk in checks else None,
        }
        for t in tasks
    ]


@router.get(
    "/{opportunity_id}/checklist",
    response={200: list[ChecklistItemOut], **READ_ERRORS},
    summary="The current stage's tasks and whether each is done",
)
def checklist_get(request: HttpRequest, opportunity_id: int) -> list[dict[str, Any]]:
    require(request.actor, Perm.OPPORTUNITY_VIEW)
    return _checklist(_get(request, opportunity_id))


@router.post(
    "/{opportunity_id}/checklist",
    response={200: list[ChecklistItemOut], **ERRORS},
    summary="Tick (done=true) or untick a stage task",
)
def checklist_set(
    request: HttpRequest, opportunity_id: int, payload: ChecklistIn
) -> list[dict[str, Any]]:
    from .moves import stage_task_set

    opportunity = _get(request, opportunity_id)
    require(request.actor, Perm.OPPORTUNITY_EDIT)
    stage_task_set(
        actor=request.actor,
        opportunity_id=opportunity.pk,
        task_id=payload.task_id,
        done=payload.done,
    )
    return _checklist(_fresh(request, opportunity))


@router.get(
    "/{opportunity_id}/stage-changes",
    response={200: list[StageChangeOut], **READ_ERRORS},
    summary="The stage history with the time spent in each stage left",
)
def stage_changes(request: HttpRequest, opportunity_id: int) -> list[StageChange]:
    require(request.actor, Perm.OPPORTUNITY_VIEW)
    opportunity = _get(request, opportunity_id)
    return list(StageChange.objects.filter(opportunity=opportunity).order_by("changed_at", "id"))
