"""Writes of opportunities: the default pipeline, create, update and delete. Stage moves and the
stage-task gate live in moves.py, closing and reopening in closing.py, amounts in amounts.py and the
stale rule in stale.py (docs/opportunities-rules.md).

Every service is keyword-only and atomic, checks the actor's permission first, locks the row it
writes (re-reading it through the actor's visibility), records one audit row in the same
transaction and emits its event after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tradewind.core import normalize
from tradewind.core.errors import Conflict, ErrorCode, NotFound, ServiceError
from tradewind.core.money import all_currencies
from tradewind.customers.models import Contact, Customer
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.custom_fields import clean_custom
from tradewind.workspaces.daily_jobs import local_date
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Membership, Workspace
from tradewind.workspaces.numbering import code_next
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import ACTION_LABELS, FACT_LABELS

from .amounts import base_equivalent, clean_lines, line_text, lines_total
from .choices import (
    DEFAULT_PIPELINE_NAME,
    DEFAULT_STAGES,
    ForecastCategory,
    Incoterm,
    OpportunitySource,
    OpportunityStatus,
    StageChangeKind,
    TeamRole,
)
from .errors import OpportunityError
from .models import Opportunity, OpportunityLine, OpportunityMember, Pipeline, Stage, StageChange

AUDIT_FIELDS = [
    "code",
    "name",
    "customer",
    "contact",
    "pipeline",
    "stage",
    "amount",
    "currency",
    "expected_close_date",
    "need",
    "status",
    "owner",
]
# What an edit may change, as audited model fields (lines, team and contacts are audited as text).
EDIT_FIELDS = [
    "name",
    "contact",
    "amount",
    "currency",
    "amount_from_lines",
    "expected_close_date",
    "need",
    "source",
    "incoterm",
    "named_place",
    "probability",
    "competitors",
    "next_step",
    "forecast_category",
    "owner",
    "custom",
]
CREATE_AUDIT_FIELDS = [
    *AUDIT_FIELDS,
    "amount_from_lines",
    "source",
    "incoterm",
    "named_place",
    "probability",
    "competitors",
    "next_step",
    "forecast_category",
    "custom",
]
UPDATABLE = frozenset(
    {
        "name",
        "contact",
        "contact_ids",
        "amount",
        "currency",
        "expected_close_date",
        "need",
        "source",
        "incoterm",
        "named_place",
        "probability",
        "competitors",
        "next_step",
        "forecast_category",
        "custom",
        "lines",
        "member_roles",
        "owner_id",
    }
)
TEXT_LIMITS = {"named_place": 120, "competitors": 300, "next_step": 300}
MEMBERS_MAX = 30

ACTION_LABELS.setdefault("stage_moved", gettext_lazy("moved to another stage"))
ACTION_LABELS.setdefault("closed_won", gettext_lazy("closed as won"))
ACTION_LABELS.setdefault("closed_lost", gettext_lazy("closed as lost"))
ACTION_LABELS.setdefault("closed_invalid", gettext_lazy("closed as invalid"))
ACTION_LABELS.setdefault("reopened", gettext_lazy("reopened"))
ACTION_LABELS.setdefault("stage_task_done", gettext_lazy("ticked a stage task"))
ACTION_LABELS.setdefault("stage_task_undone", gettext_lazy("unticked a stage task"))
ACTION_LABELS.setdefault("stale_flagged", gettext_lazy("flagged as stale"))
FACT_LABELS.setdefault("lines", gettext_lazy("product lines"))
FACT_LABELS.setdefault("team", gettext_lazy("team"))
FACT_LABELS.setdefault("contacts", gettext_lazy("other contacts"))
FACT_LABELS.setdefault("task", gettext_lazy("stage task"))
FACT_LABELS.setdefault("competitor", gettext_lazy("competitor"))
FACT_LABELS.setdefault("note", gettext_lazy("note"))
FACT_LABELS.setdefault("warnings", gettext_lazy("moved despite missing tasks"))


def pipeline_default(workspace: Workspace) -> Pipeline:
    """The workspace's default pipeline, created with the six default stages on first use."""
    pipeline = Pipeline.objects.filter(workspace=workspace, is_default=True).first()
    if pipeline is not None:
        return pipeline
    try:
        with transaction.atomic():
            pipeline = Pipeline.objects.create(
                workspace=workspace, name=str(DEFAULT_PIPELINE_NAME), is_default=True
            )
            Stage.objects.bulk_create(
                Stage(
                    pipeline=pipeline,
                    key=key,
                    position=i,
                    probability=probability,
                    is_won=won,
                    is_lost=lost,
                )
                for i, (key, _label, probability, won, lost) in enumerate(DEFAULT_STAGES)
            )
    except IntegrityError:  # a concurrent first use created it
        pipeline = Pipeline.objects.get(workspace=workspace, is_default=True)
    return pipeline


# --- shared by the write modules (moves.py, closing.py) --------------------------------------------


def not_found() -> NotFound:
    return NotFound(ErrorCode.NOT_FOUND, _("Not found."))


def lock_opportunity(actor: Actor, opportunity_id: Any) -> Opportunity:
    """The opportunity locked for update (SELECT … FOR UPDATE of its row only), read through the
    actor's visibility: anything outside it, or in another workspace, is 404."""
    try:
        pk = int(opportunity_id)
    except (TypeError, ValueError):
        raise not_found() from None
    qs = Opportunity.objects.filter(workspace=actor.workspace, pk=pk)
    if actor.member is not None:
        qs = qs.filter(pk__in=Opportunity.objects.visible_to(actor.member).values("pk"))
    current = qs.select_for_update(of=("self",)).first()
    if current is None:
        raise not_found()
    return current


def check_version(current: Opportunity, expected_version: int | None) -> None:
    if expected_version is not None and current.version != expected_version:
        raise Conflict(
            ErrorCode.STALE_VERSION,
            _("Someone else changed this opportunity since you opened it. Reload to see it."),
        )


def check_open(current: Opportunity) -> None:
    if current.status != OpportunityStatus.OPEN:
        raise Conflict(
            OpportunityError.CLOSED,
            _("This opportunity is closed. Reopen it first to change it."),
        )


def record_stage_change(
    *,
    actor: Actor,
    opportunity: Opportunity,
    kind: str,
    from_stage: Stage | None,
    to_stage: Stage,
    from_status: str,
    to_status: str,
    now: dt.datetime,
) -> StageChange:
    """One stage-history row; the time in the stage left is measured from `stage_entered_at`."""
    seconds = None
    if from_stage is not None:
        seconds = max(0, int((now - opportunity.stage_entered_at).total_seconds()))
    return StageChange.objects.create(
        workspace_id=opportunity.workspace_id,
        opportunity=opportunity,
        kind=kind,
        from_stage=from_stage,
        to_stage=to_stage,
        from_status=from_status,
        to_status=to_status,
        changed_by_id=actor.user_id,
        changed_at=now,
        seconds_in_from_stage=seconds,
    )


# --- cleaning --------------------------------------------------------------------------------------


class _Errors:
    """Field errors collected across a form; raised together with the first error's code."""

    def __init__(self) -> None:
        self.fields: dict[str, list[Any]] = {}
        self.code: str | None = None

    def add(self, field: str, message: Any, code: str = ErrorCode.INVALID) -> None:
        self.fields.setdefault(field, []).append(message)
        self.code = self.code or str(code)

    def __contains__(self, field: str) -> bool:
        return field in self.fields

    def raise_if_any(self) -> None:
        if self.fields:
            raise ServiceError(
                self.code or ErrorCode.INVALID,
                _("Please correct the marked fields."),
                fields=self.fields,
            )


def _invalid(code: str, field: str, message: str) -> ServiceError:
    return ServiceError(code, _("Please correct the marked fields."), fields={field: [message]})


def _clean_amount(amount: Any, currency: str, errors: _Errors) -> tuple[Decimal | None, str]:
    currency = (currency or "").strip().upper()
    value: Decimal | None
    if amount in (None, ""):
        value = None
    else:
        try:
            text = repr(amount) if isinstance(amount, float) else str(amount)
            value = Decimal(text.replace(",", "").strip())
            if not value.is_finite() or value < 0 or value >= Decimal("1e14"):
                raise InvalidOperation
            value = value.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors.add("amount", _("Enter an amount, e.g. 200000."), OpportunityError.BAD_AMOUNT)
            value = None
    if currency and currency not in all_currencies():
        errors.add("currency", _("Unknown currency code."), OpportunityError.UNKNOWN_CURRENCY)
    elif value is not None and not currency:
        errors.add(
            "currency",
            _("Say which currency the amount is in."),
            OpportunityError.UNKNOWN_CURRENCY,
        )
    return value, currency


def _clean_name(name: Any, errors: _Errors) -> str:
    name = normalize.drop_controls(str(name or "")).strip()
    if not name:
        errors.add("name", _("Name the opportunity."), OpportunityError.NAME_REQUIRED)
    elif len(name) > 200:
        errors.add("name", _("At most %(n)s characters.") % {"n": 200})
    return name


def _clean_choice(value: Any, values: Iterable[str], field: str, errors: _Errors) -> str:
    value = str(value or "").strip()
    if value and value not in set(values):
        errors.add(field, _("Choose one of the listed values."))
    return value


def _clean_text(value: Any, field: str, errors: _Errors) -> str:
    value = normalize.drop_controls(str(value or "")).strip()
    limit = TEXT_LIMITS.get(field)
    if limit and len(value) > limit:
        errors.add(field, _("At most %(n)s characters.") % {"n": limit})
    return value


def _clean_probability(value: Any, errors: _Errors) -> int | None:
    if value in (None, ""):
        return None
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if not 0 <= number <= 100:
        errors.add("probability", _("Enter a probability from 0 to 100, or leave it empty."))
        return None
    return number


def _clean_date(value: Any, errors: _Errors) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.add("expected_close_date", _("Enter a date."))
        return None


def _clean_contact(customer: Customer, contact: Any, errors: _Errors) -> Contact | None:
    if contact is None:
        return None
    if not isinstance(contact, Contact) or contact.customer_id != customer.pk:
        errors.add(
            "contact",
            _("The contact must belong to the opportunity’s customer."),
            OpportunityError.CONTACT_NOT_OF_CUSTOMER,
        )
        return None
    return contact


def _clean_contact_ids(customer: Customer, ids: Any, errors: _Errors) -> list[int]:
    try:
        wanted = sorted({int(i) for i in (ids or ())})
    except (TypeError, ValueError):
        errors.add("contact_ids", _("Choose contacts of the opportunity’s customer."))
        return []
    found = set(
        Contact.objects.filter(customer_id=customer.pk, pk__in=wanted).values_list("id", flat=True)
    )
    if found != set(wanted):
        errors.add(
            "contact_ids",
            _("The contacts must belong to the opportunity’s customer."),
            OpportunityError.CONTACT_NOT_OF_CUSTOMER,
        )
    return sorted(found)


def _clean_members(
    workspace: Workspace, member_roles: Any, owner_id: int | None, errors: _Errors
) -> dict[int, str]:
    """user id -> role for the team besides the owner (the owner is left out)."""
    team: dict[int, str] = {}
    try:
        pairs = [(int(user_id), str(role or "")) for user_id, role in (member_roles or ())]
    except (TypeError, ValueError):
        errors.add(
            "member_roles", _("Choose colleagues and their roles."), OpportunityError.BAD_MEMBER
        )
        return team
    for user_id, role in pairs:
        if role not in TeamRole.values:
            errors.add(
                "member_roles", _("Choose a role for each colleague."), OpportunityError.BAD_MEMBER
            )
            return {}
        if user_id != owner_id:
            team[user_id] = role
    if len(team) > MEMBERS_MAX:
        errors.add("member_roles", _("At most %(n)s colleagues.") % {"n": MEMBERS_MAX})
        return {}
    active = set(
        Membership.objects.filter(
            workspace=workspace, user_id__in=team, is_active=True
        ).values_list("user_id", flat=True)
    )
    if active != set(team):
        errors.add(
            "member_roles",
            _("Each colleague must be an active member of this workspace."),
            OpportunityError.BAD_MEMBER,
        )
        return {}
    return team


def _clean_owner(workspace: Workspace, owner_id: Any, errors: _Errors) -> int | None:
    if owner_id in (None, ""):
        return None
    try:
        pk = int(owner_id)
    except (TypeError, ValueError):
        pk = 0
    if not Membership.objects.filter(workspace=workspace, user_id=pk, is_active=True).exists():
        errors.add("owner", _("The owner must be an active member of this workspace."))
        return None
    return pk


def _resolve_stage(
    workspace: Workspace, pipeline_id: Any, stage_id: Any, errors: _Errors
) -> tuple[Pipeline | None, Stage | None]:
    """The pipeline (given, the stage's, or the default) and the stage (given or the first open)."""
    pipeline: Pipeline | None = None
    stage: Stage | None = None
    if pipeline_id:
        pipeline = Pipeline.objects.filter(
            workspace=workspace, pk=_int_or_zero(pipeline_id), is_active=True
        ).first()
        if pipeline is None:
            errors.add(
                "pipeline", _("Choose an active pipeline."), OpportunityError.UNKNOWN_PIPELINE
            )
            return None, None
    if stage_id:
        stages = Stage.objects.filter(
            pk=_int_or_zero(stage_id), pipeline__workspace=workspace, pipeline__is_active=True
        )
        if pipeline is not None:
            stages = stages.filter(pipeline=pipeline)
        stage = stages.select_related("pipeline").first()
        if stage is None:
            errors.add(
                "stage", _("Choose a stage of the pipeline."), OpportunityError.UNKNOWN_STAGE
            )
            return pipeline, None
        pipeline = stage.pipeline
    if pipeline is None:
        pipeline = pipeline_default(workspace)
    if stage is None:
        stage = next((s for s in pipeline.stages.all() if not s.is_closed), None)
        if stage is None:
            errors.add(
                "stage", _("This pipeline has no open stage."), OpportunityError.UNKNOWN_STAGE
            )
            return pipeline, None
    if stage.is_closed:
        errors.add(
            "stage", _("A new opportunity starts in an open stage."), OpportunityError.CLOSED_STAGE
        )
    return pipeline, stage


def _int_or_zero(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _team_text(team: dict[int, str]) -> list[str]:
    return [f"{user_id}:{role}" for user_id, role in sorted(team.items())]


# --- create ----------------------------------------------------------------------------------------


@transaction.atomic
def opportunity_create(
    *,
    actor: Actor,
    customer: Customer,
    name: str,
    contact: Contact | None = None,
    contact_ids: Iterable[int] = (),
    pipeline_id: int | None = None,
    stage_id: int | None = None,
    amount: Any = None,
    currency: str = "",
    expected_close_date: dt.date | None = None,
    need: str = "",
    owner_id: int | None = None,
    custom: dict[str, Any] | None = None,
    source: str = "",
    incoterm: str = "",
    named_place: str = "",
    probability: int | None = None,
    competitors: str = "",
    next_step: str = "",
    forecast_category: str = "",
    lines: list[dict[str, Any]] | None = None,
    member_roles: Iterable[tuple[int, str]] | None = None,
) -> Opportunity:
    """An open opportunity on a customer the caller fetched through visible_to(): in `pipeline_id`
    (or the stage's pipeline, or the default one), in `stage_id` (an open stage) or the first open
    stage. With `lines` the amount is their total (amount_from_lines); a product line without a
    unit price takes the product's list price in `currency`. `member_roles`: (user id, role) pairs
    for the team besides the owner. `custom` is validated (required fields too) when given."""
    require(actor, Perm.OPPORTUNITY_CREATE)
    ws = actor.workspace
    if customer.workspace_id != ws.pk:
        raise ValueError("customer of another workspace")
    errors = _Errors()
    name = _clean_name(name, errors)
    contact = _clean_contact(customer, contact, errors)
    extra_contacts = _clean_contact_ids(customer, contact_ids, errors) if contact_ids else []
    value, currency = _clean_amount(amount, currency, errors)
    cleaned_lines: list[dict[str, Any]] = []
    if lines:
        if not currency and "currency" not in errors:
            errors.add(
                "currency",
                _("Say which currency the lines are in."),
                OpportunityError.UNKNOWN_CURRENCY,
            )
        elif "currency" not in errors:
            try:
                cleaned_lines = clean_lines(ws, lines, currency)
            except ServiceError as exc:
                for key, messages in exc.fields.items():
                    for message in messages:
                        errors.add(key, message, exc.code)
    values = {
        "source": _clean_choice(source, OpportunitySource.values, "source", errors),
        "incoterm": _clean_choice(str(incoterm or "").upper(), Incoterm.values, "incoterm", errors),
        "named_place": _clean_text(named_place, "named_place", errors),
        "competitors": _clean_text(competitors, "competitors", errors),
        "next_step": _clean_text(next_step, "next_step", errors),
        "forecast_category": _clean_choice(
            forecast_category, ForecastCategory.values, "forecast_category", errors
        )
        or ForecastCategory.PIPELINE,
        "probability": _clean_probability(probability, errors),
        "expected_close_date": _clean_date(expected_close_date, errors),
    }
    pipeline, stage = _resolve_stage(ws, pipeline_id, stage_id, errors)
    if owner_id is not None:
        owner_id = _clean_owner(ws, owner_id, errors)
    else:
        owner_id = actor.user_id or customer.owner_id
    team = _clean_members(ws, member_roles, owner_id, errors) if member_roles else {}
    if custom is not None:
        try:
            custom_values = clean_custom(ws, "opportunity", custom)
        except ServiceError as exc:
            for key, messages in exc.fields.items():
                for message in messages:
                    errors.add(key, message, exc.code)
    else:
        custom_values = {}
    errors.raise_if_any()
    assert pipeline is not None and stage is not None
    if cleaned_lines:
        value = lines_total(cleaned_lines, currency)
    now = timezone.now()
    base, rate = base_equivalent(ws, value, currency, local_date(now, ws))
    opportunity = Opportunity.objects.create(
        workspace=ws,
        code=code_next(workspace=ws, kind="opportunity"),
        name=name,
        customer=customer,
        contact=contact,
        pipeline=pipeline,
        stage=stage,
        amount=value,
        currency=currency,
        amount_from_lines=bool(cleaned_lines),
        base_amount=base,
        fx_rate=rate,
        fx_date=local_date(now, ws) if rate is not None else None,
        need=(need or "").strip(),
        status=OpportunityStatus.OPEN,
        owner_id=owner_id,
        custom=custom_values,
        stage_entered_at=now,
        created_at=now,
        updated_at=now,
        **values,
    )
    OpportunityLine.objects.bulk_create(
        OpportunityLine(opportunity=opportunity, **line) for line in cleaned_lines
    )
    OpportunityMember.objects.bulk_create(
        OpportunityMember(opportunity=opportunity, user_id=user_id, role=role, added_at=now)
        for user_id, role in team.items()
    )
    if extra_contacts:
        opportunity.contacts.set(extra_contacts)
    record_stage_change(
        actor=actor,
        opportunity=opportunity,
        kind=StageChangeKind.CREATE,
        from_stage=None,
        to_stage=stage,
        from_status="",
        to_status=OpportunityStatus.OPEN,
        now=now,
    )
    changes = {
        k: [None, v]
        for k, v in audit.snapshot(opportunity, CREATE_AUDIT_FIELDS).items()
        if v not in (None, "", [], {}, False)
    }
    if cleaned_lines:
        changes["lines"] = [None, [line_text(line) for line in cleaned_lines]]
    if team:
        changes["team"] = [None, _team_text(team)]
    if extra_contacts:
        changes["contacts"] = [None, extra_contacts]
    audit.record(actor=actor, verb=AuditVerb.CREATE, target=opportunity, changes=changes)
    emit(
        "opportunity.created",
        workspace_id=ws.pk,
        opportunity_id=opportunity.pk,
        customer_id=customer.pk,
    )
    return opportunity


# --- update ----------------------------------------------------------------------------------------


def _amount_changes(
    ws: Workspace, current: Opportunity, changes: dict[str, Any], errors: _Errors
) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    """The cleaned amount, currency and amount_from_lines, and the new lines (None: unchanged)."""
    currency_in = changes.get("currency", current.currency)
    amount_in = changes.get("amount", current.amount)
    value, currency = _clean_amount(amount_in, currency_in, errors)
    new_lines: list[dict[str, Any]] | None = None
    cleaned: dict[str, Any] = {}
    if "lines" in changes:
        lines = changes["lines"] or []
        if lines:
            if not currency and "currency" not in errors:
                errors.add(
                    "currency",
                    _("Say which currency the lines are in."),
                    OpportunityError.UNKNOWN_CURRENCY,
                )
            elif "currency" not in errors:
                try:
                    new_lines = clean_lines(ws, lines, currency)
                except ServiceError as exc:
                    for key, messages in exc.fields.items():
                        for message in messages:
                            errors.add(key, message, exc.code)
                if new_lines is not None:
                    value = lines_total(new_lines, currency)
            cleaned["amount_from_lines"] = True
        else:
            new_lines = []
            cleaned["amount_from_lines"] = False
    elif current.amount_from_lines:
        if currency != current.currency and "currency" not in errors:
            errors.add(
                "currency",
                _("Send the lines again to change the currency: their prices are in %(c)s.")
                % {"c": current.currency},
                OpportunityError.AMOUNT_FROM_LINES,
            )
        if "amount" in changes and value != current.amount and "amount" not in errors:
            errors.add(
                "amount",
                _("The amount is the total of the lines: change the lines, or remove them."),
                OpportunityError.AMOUNT_FROM_LINES,
            )
        value = current.amount
    cleaned["amount"] = value
    cleaned["currency"] = currency
    return cleaned, new_lines


@transaction.atomic
def opportunity_update(
    *, actor: Actor, opportunity: Opportunity, expected_version: int | None = None, **changes: Any
) -> Opportunity:
    """Edit an open opportunity (see UPDATABLE). `lines` replaces every line ([] returns to an
    entered amount); `member_roles` replaces the team; `probability` None means the stage's
    default; a new `owner_id` needs OPPORTUNITY_ASSIGN. A stale `expected_version` refuses
    (409 stale_version). An edit counts as activity (clears the stale flag)."""
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise TypeError(f"opportunity_update() got unexpected fields: {sorted(unknown)}")
    require(actor, Perm.OPPORTUNITY_EDIT)
    ws = actor.workspace
    current = lock_opportunity(actor, opportunity.pk)
    check_version(current, expected_version)
    check_open(current)
    customer = current.customer
    errors = _Errors()
    cleaned: dict[str, Any] = {}
    if "name" in changes:
        cleaned["name"] = _clean_name(changes["name"], errors)
    if "contact" in changes:
        cleaned["contact"] = _clean_contact(customer, changes["contact"], errors)
    if "need" in changes:
        cleaned["need"] = str(changes["need"] or "").strip()
    for field in ("named_place", "competitors", "next_step"):
        if field in changes:
            cleaned[field] = _clean_text(changes[field], field, errors)
    if "source" in changes:
        cleaned["source"] = _clean_choice(
            changes["source"], OpportunitySource.values, "source", errors
        )
    if "incoterm" in changes:
        cleaned["incoterm"] = _clean_choice(
            str(changes["incoterm"] or "").upper(), Incoterm.values, "incoterm", errors
        )
    if "forecast_category" in changes:
        cleaned["forecast_category"] = (
            _clean_choice(
                changes["forecast_category"],
                ForecastCategory.values,
                "forecast_category",
                errors,
            )
            or ForecastCategory.PIPELINE
        )
    if "probability" in changes:
        cleaned["probability"] = _clean_probability(changes["probability"], errors)
    if "expected_close_date" in changes:
        cleaned["expected_close_date"] = _clean_date(changes["expected_close_date"], errors)
    owner_id = current.owner_id
    if "owner_id" in changes and changes["owner_id"] != current.owner_id:
        require(actor, Perm.OPPORTUNITY_ASSIGN)
        if changes["owner_id"] in (None, ""):
            errors.add("owner", _("An opportunity needs an owner."))
        else:
            owner_id = _clean_owner(ws, changes["owner_id"], errors) or current.owner_id
            cleaned["owner_id"] = owner_id
    contact_ids: list[int] | None = None
    if "contact_ids" in changes:
        contact_ids = _clean_contact_ids(customer, changes["contact_ids"], errors)
    team: dict[int, str] | None = None
    if "member_roles" in changes:
        team = _clean_members(ws, changes["member_roles"], owner_id, errors)
    if "custom" in changes:
        try:
            cleaned["custom"] = clean_custom(
                ws, "opportunity", changes["custom"] or {}, existing=current.custom
            )
        except ServiceError as exc:
            for key, messages in exc.fields.items():
                for message in messages:
                    errors.add(key, message, exc.code)
    money, new_lines = _amount_changes(ws, current, changes, errors)
    errors.raise_if_any()
    cleaned.update(money)

    old_lines = list(current.lines.select_related("product"))
    old_team = dict(current.members.values_list("user_id", "role"))
    old_contacts = sorted(current.contacts.values_list("id", flat=True))
    diff = audit.apply_changes(current, cleaned, EDIT_FIELDS)
    if new_lines is not None:
        before, after = [line_text(x) for x in old_lines], [line_text(x) for x in new_lines]
        if before != after:
            diff["lines"] = [before, after]
    if team is not None and team != old_team:
        diff["team"] = [_team_text(old_team), _team_text(team)]
    if contact_ids is not None and contact_ids != old_contacts:
        diff["contacts"] = [old_contacts, contact_ids]
    if not diff:
        return current
    now = timezone.now()
    if {"amount", "currency"} & set(diff) or (
        current.amount is not None and current.base_amount is None
    ):
        today = local_date(now, ws)
        current.base_amount, current.fx_rate = base_equivalent(
            ws, current.amount, current.currency, today
        )
        current.fx_date = today if current.fx_rate is not None else None
    current.last_activity_at = now
    current.stale_since = None
    if new_lines is not None and ({"lines", "currency"} & set(diff)):
        current.lines.all().delete()
        OpportunityLine.objects.bulk_create(
            OpportunityLine(opportunity=current, **line) for line in new_lines or []
        )
    if "team" in diff:
        assert team is not None
        current.members.exclude(user_id__in=team).delete()
        for user_id, role in team.items():
            OpportunityMember.objects.update_or_create(
                opportunity=current, user_id=user_id, defaults={"role": role}
            )
    if "contacts" in diff:
        current.contacts.set(contact_ids or [])
    audit.save_update(actor=actor, target=current, changes=diff)
    emit(
        "opportunity.updated",
        workspace_id=ws.pk,
        opportunity_id=current.pk,
        fields=sorted(diff),
    )
    return current


# --- delete ----------------------------------------------------------------------------------------


@transaction.atomic
def opportunity_delete(*, actor: Actor, opportunity: Opportunity) -> None:
    """Delete an opportunity with its lines, team, checks and stage history; its audit trail
    stays. Deleting a won one recomputes the customer's life cycle."""
    require(actor, Perm.OPPORTUNITY_DELETE)
    current = lock_opportunity(actor, opportunity.pk)
    was_won = current.status == OpportunityStatus.WON
    customer = current.customer
    audit.record(
        actor=actor,
        verb=AuditVerb.DELETE,
        target=current,
        changes={
            k: [v, None]
            for k, v in audit.snapshot(current, AUDIT_FIELDS).items()
            if v not in (None, "")
        },
    )
    pk = current.pk
    current.delete()
    if was_won:
        from tradewind.customers.lifecycle import customer_stage_recompute

        customer_stage_recompute(customer=customer, actor=actor)
    emit(
        "opportunity.deleted",
        workspace_id=actor.workspace.pk,
        opportunity_id=pk,
        customer_id=customer.pk,
    )
