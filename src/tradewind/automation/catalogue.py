"""What rules can see: the fields of each record type and the domain events they react to.

The field catalogue names every field a condition may compare, a time trigger may count from and a
"set a field" action may write (through the record's own update service, so the change is
validated and audited like a person's edit). Custom fields of the workspace join as `custom.<key>`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from tradewind.customers.choices import CustomerSize, CustomerSource, CustomerType
from tradewind.customers.models import Customer
from tradewind.customers.pool_choices import CustomerStage
from tradewind.leads.choices import CompanySize, LeadGrade, LeadSource, LeadStatus
from tradewind.leads.models import Lead
from tradewind.sales.choices import ForecastCategory, Incoterm, OpportunitySource, OpportunityStatus
from tradewind.sales.models import Opportunity, Stage
from tradewind.workspaces.custom_fields import definitions
from tradewind.workspaces.models import Membership, Workspace
from tradewind.workspaces.models_custom_fields import CustomFieldType

from .choices import FieldType, RecordType

Choices = Callable[[int], list[tuple[str, str]]]

MODELS: dict[str, type[Any]] = {
    RecordType.LEAD: Lead,
    RecordType.CUSTOMER: Customer,
    RecordType.OPPORTUNITY: Opportunity,
}


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: Promise | str
    type: str
    get: Callable[[Any], Any]
    choices: Choices | None = None  # (value, label) pairs for a workspace id
    set_as: str = ""  # keyword of the record's update service; "" = rules cannot set it
    column: str = ""  # a date/datetime column a time trigger may count from
    custom_key: str = ""


def _static(pairs: Any) -> Choices:
    return lambda _ws: [(str(v), str(label)) for v, label in pairs]


def _countries(_ws: int) -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in countries]


def user_choices(workspace_id: int) -> list[tuple[str, str]]:
    rows = (
        Membership.objects.filter(workspace_id=workspace_id, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    return [(str(m.user_id), str(m.user)) for m in rows]


def _stages(workspace_id: int) -> list[tuple[str, str]]:
    rows = (
        Stage.objects.filter(pipeline__workspace_id=workspace_id, pipeline__is_active=True)
        .select_related("pipeline")
        .order_by("pipeline__position", "pipeline_id", "position", "id")
    )
    return [(str(s.pk), f"{s.pipeline.name} · {s.label}") for s in rows]


def _attr(name: str) -> Callable[[Any], Any]:
    return lambda record: getattr(record, name)


def _country(record: Any) -> str:
    return record.country.code if record.country else ""


def _text(key: str, label: Promise, settable: bool = True) -> FieldSpec:
    return FieldSpec(key, label, FieldType.TEXT, _attr(key), set_as=key if settable else "")


def _choice(key: str, label: Promise, choices: Choices, settable: bool = True) -> FieldSpec:
    return FieldSpec(
        key, label, FieldType.CHOICE, _attr(key), choices, set_as=key if settable else ""
    )


def _date(key: str, label: Promise, set_as: str = "") -> FieldSpec:
    return FieldSpec(key, label, FieldType.DATE, _attr(key), set_as=set_as, column=key)


OWNER = FieldSpec("owner", _("owner"), FieldType.USER, _attr("owner_id"), user_choices)
COUNTRY = FieldSpec(
    "country", _("country/region"), FieldType.CHOICE, _country, _countries, "country"
)
CREATED = _date("created_at", _("created"))

LEAD_FIELDS = [
    _text("company_name", _("company")),
    _text("contact_name", _("contact")),
    _text("email", _("e-mail")),
    _text("phone", _("phone")),
    COUNTRY,
    _text("city", _("city")),
    _text("industry", _("industry")),
    _choice("company_size", _("company size"), _static(CompanySize.choices)),
    _choice("source", _("source"), _static(LeadSource.choices)),
    _choice("status", _("status"), _static(LeadStatus.choices), settable=False),
    _choice("grade", _("grade"), _static(LeadGrade.choices)),
    FieldSpec("score", _("score"), FieldType.NUMBER, _attr("score")),
    FieldSpec(
        "budget_min", _("budget from"), FieldType.NUMBER, _attr("budget_min"), set_as="budget_min"
    ),
    FieldSpec(
        "budget_max", _("budget up to"), FieldType.NUMBER, _attr("budget_max"), set_as="budget_max"
    ),
    _text("need", _("need")),
    _text("decision_chain", _("decision chain")),
    _text("timeframe", _("timeframe")),
    FieldSpec("tags", _("tags"), FieldType.LIST, _attr("tags")),
    OWNER,
    CREATED,
    _date("next_due_at", _("next follow-up due")),
    _date("last_activity_at", _("last activity")),
]

CUSTOMER_FIELDS = [
    _text("name", _("company")),
    COUNTRY,
    _text("city", _("city")),
    _text("industry", _("industry")),
    _choice("type", _("customer type"), _static(CustomerType.choices)),
    _choice("size", _("company size"), _static(CustomerSize.choices)),
    _choice("source", _("source"), _static(CustomerSource.choices)),
    _choice("stage", _("life-cycle stage"), _static(CustomerStage.choices), settable=False),
    FieldSpec("rating", _("rating"), FieldType.NUMBER, _attr("rating"), set_as="rating"),
    _text("email", _("company e-mail")),
    _text("phone", _("company phone")),
    _text("website", _("website")),
    FieldSpec("targeted", _("targeted"), FieldType.BOOLEAN, _attr("targeted")),
    FieldSpec("tags", _("tags"), FieldType.LIST, _attr("tags")),
    OWNER,
    CREATED,
    _date("next_followup_at", _("next follow-up due")),
    _date("last_contact_at", _("last contact")),
]

OPPORTUNITY_FIELDS = [
    _text("name", _("name")),
    FieldSpec("stage", _("stage"), FieldType.CHOICE, lambda o: str(o.stage_id), _stages),
    _choice("status", _("status"), _static(OpportunityStatus.choices), settable=False),
    FieldSpec("amount", _("amount"), FieldType.MONEY, _attr("amount")),
    FieldSpec("base_amount", _("amount in base currency"), FieldType.NUMBER, _attr("base_amount")),
    _text("currency", _("currency"), settable=False),
    _date("expected_close_date", _("expected close date"), set_as="expected_close_date"),
    FieldSpec(
        "probability",
        _("win probability (%)"),
        FieldType.NUMBER,
        _attr("probability"),
        set_as="probability",
    ),
    _choice("source", _("source"), _static(OpportunitySource.choices)),
    _choice("incoterm", _("Incoterm"), _static(Incoterm.choices)),
    _choice("forecast_category", _("forecast category"), _static(ForecastCategory.choices)),
    _text("next_step", _("next step")),
    _text("need", _("need")),
    FieldSpec(
        "country",
        _("customer's country/region"),
        FieldType.CHOICE,
        lambda o: _country(o.customer),
        _countries,
    ),
    FieldSpec("industry", _("customer's industry"), FieldType.TEXT, lambda o: o.customer.industry),
    OWNER,
    CREATED,
    _date("stage_entered_at", _("in stage since")),
    _date("last_activity_at", _("last activity")),
]

BUILT_IN: dict[str, list[FieldSpec]] = {
    RecordType.LEAD: LEAD_FIELDS,
    RecordType.CUSTOMER: CUSTOMER_FIELDS,
    RecordType.OPPORTUNITY: OPPORTUNITY_FIELDS,
}

# The field each record type's "status changed" trigger watches, and its label.
STATUS_FIELD: dict[str, str] = {
    RecordType.LEAD: "status",
    RecordType.CUSTOMER: "stage",
    RecordType.OPPORTUNITY: "stage",
}
STATUS_TRIGGER_LABEL: dict[str, Promise] = {
    RecordType.LEAD: _("Status changed"),
    RecordType.CUSTOMER: _("Life-cycle stage changed"),
    RecordType.OPPORTUNITY: _("Stage changed"),
}

_CUSTOM_TYPES: dict[str, str] = {
    CustomFieldType.TEXT: FieldType.TEXT,
    CustomFieldType.LONG_TEXT: FieldType.TEXT,
    CustomFieldType.NUMBER: FieldType.NUMBER,
    CustomFieldType.MONEY: FieldType.MONEY,
    CustomFieldType.DATE: FieldType.DATE,
    CustomFieldType.CHOICE: FieldType.CHOICE,
    CustomFieldType.MULTI_CHOICE: FieldType.LIST,
    CustomFieldType.BOOLEAN: FieldType.BOOLEAN,
}


def _custom_value(key: str, kind: str) -> Callable[[Any], Any]:
    def get(record: Any) -> Any:
        value = (record.custom or {}).get(key)
        if kind == CustomFieldType.MONEY and isinstance(value, dict):
            return value.get("amount")
        return value

    return get


def _custom_choices(items: list[dict[str, Any]]) -> Choices:
    def pairs(_workspace_id: int) -> list[tuple[str, str]]:
        zh = (translation.get_language() or "").startswith("zh")
        first, second = ("zh", "en") if zh else ("en", "zh")
        return [
            (str(c.get("value")), str(c.get(first) or c.get(second) or c.get("value")))
            for c in items
        ]

    return pairs


def fields_for(workspace: Workspace | int, record_type: str) -> dict[str, FieldSpec]:
    """The catalogue of one record type in one workspace, in display order (one query for the
    custom fields). Unknown record types have no fields."""
    built_in = BUILT_IN.get(record_type)
    if built_in is None:
        return {}
    result = {f.key: f for f in built_in}
    for d in definitions(workspace, record_type):
        kind = _CUSTOM_TYPES.get(d.type, FieldType.TEXT)
        result[f"custom.{d.key}"] = FieldSpec(
            f"custom.{d.key}",
            d.label,
            kind,
            _custom_value(d.key, d.type),
            _custom_choices(list(d.choices or [])) if d.choices else None,
            set_as="custom",
            custom_key=d.key,
        )
    return result


def record_model(record_type: str) -> type[Any]:
    return MODELS[record_type]


def record_type_of(record: models.Model) -> str:
    for key, model in MODELS.items():
        if isinstance(record, model):
            return key
    return ""


# --- events ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventSpec:
    record_type: str
    id_key: str  # the payload key holding the record's id
    created: bool = False
    fields: tuple[str, ...] | None = None  # the fields it changes; None: payload["fields"]
    status_key: str = ""  # payload key of the new status/stage: a "status changed" event


def _updated(record_type: str, id_key: str, *fields: str, status_key: str = "") -> EventSpec:
    return EventSpec(record_type, id_key, False, tuple(fields) or None, status_key)


LEAD, CUST, OPP = RecordType.LEAD, RecordType.CUSTOMER, RecordType.OPPORTUNITY
EVENTS: dict[str, EventSpec] = {
    "lead.created": EventSpec(LEAD, "lead_id", created=True),
    "lead.updated": _updated(LEAD, "lead_id"),
    "lead.status_changed": _updated(LEAD, "lead_id", "status", status_key="to_status"),
    "lead.assigned": _updated(LEAD, "lead_id", "owner"),
    "lead.claimed": _updated(LEAD, "lead_id", "owner"),
    "lead.released": _updated(LEAD, "lead_id", "owner"),
    "lead.recycled": _updated(LEAD, "lead_id", "owner"),
    "customer.created": EventSpec(CUST, "customer_id", created=True),
    "customer.updated": _updated(CUST, "customer_id"),
    "customer.qualified": _updated(CUST, "customer_id"),
    "customer.stage_changed": _updated(CUST, "customer_id", "stage", status_key="stage"),
    "customer.assigned": _updated(CUST, "customer_id", "owner"),
    "customer.claimed": _updated(CUST, "customer_id", "owner"),
    "customer.released": _updated(CUST, "customer_id", "owner"),
    "customer.recycled": _updated(CUST, "customer_id", "owner"),
    "opportunity.created": EventSpec(OPP, "opportunity_id", created=True),
    "opportunity.updated": _updated(OPP, "opportunity_id"),
    "opportunity.stage_changed": _updated(OPP, "opportunity_id", "stage", status_key="to_stage_id"),
    "opportunity.closed": _updated(
        OPP, "opportunity_id", "stage", "status", status_key="to_stage_id"
    ),
    "opportunity.reopened": _updated(
        OPP, "opportunity_id", "stage", "status", status_key="to_stage_id"
    ),
}


def event_fields(spec: EventSpec, payload: dict[str, Any]) -> list[str]:
    """The record fields an event says changed; `owner_id` reads as `owner`."""
    raw = spec.fields if spec.fields is not None else payload.get("fields") or []
    return sorted({("owner" if f == "owner_id" else str(f)) for f in raw})
