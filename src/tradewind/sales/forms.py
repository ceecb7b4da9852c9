"""The opportunity form (create and edit) and the closing forms. Product lines and team members are
repeated rows posted as parallel lists (`line_quantity`, `member_user`, …): parse_lines() and
parse_members() turn them into what the services take; the services validate them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from tradewind.core.forms import RecordForm
from tradewind.core.money import COMMON_CURRENCIES
from tradewind.workspaces.custom_fields_forms import CustomFieldsMixin

from .choices import ForecastCategory, Incoterm, OpportunitySource, TeamRole
from .models import Opportunity, Pipeline

CREATE_SECTIONS = [
    (_("Opportunity"), ["name", "customer", "contact", "contact_ids", "pipeline", "stage"]),
    (_("Trade terms"), ["source", "incoterm", "named_place", "currency"]),
    (
        _("Forecast"),
        ["expected_close_date", "probability", "forecast_category", "owner", "competitors"],
    ),
    (_("Need and next step"), ["need", "next_step"]),
]
EDIT_SECTIONS = [
    (_("Opportunity"), ["name", "contact", "contact_ids"]),
    *CREATE_SECTIONS[1:],
]

LINE_FIELDS = ("product", "description", "quantity", "unit", "unit_price", "discount", "specs")


class OpportunityForm(CustomFieldsMixin, RecordForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"autofocus": True, "placeholder": _("e.g. LED panels for the spring order")}
        ),
    )
    customer = forms.IntegerField(
        label=_("Customer"), widget=forms.Select(attrs={"data-customer-picker": "1"})
    )
    contact = forms.TypedChoiceField(
        label=_("Main contact"), coerce=int, required=False, empty_value=None
    )
    contact_ids = forms.TypedMultipleChoiceField(
        label=_("Other contacts"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    pipeline = forms.TypedChoiceField(label=_("Pipeline"), coerce=int)
    stage = forms.TypedChoiceField(label=_("Stage"), coerce=int)
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", "—"), *OpportunitySource.choices]
    )
    incoterm = forms.ChoiceField(
        label=_("Incoterm"), required=False, choices=[("", "—"), *Incoterm.choices]
    )
    named_place = forms.CharField(
        label=_("Named place"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Ningbo")}),
    )
    currency = forms.ChoiceField(label=_("Currency"), required=False)
    amount = forms.DecimalField(
        label=_("Expected amount"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        help_text=_("Left as entered unless the opportunity has product lines."),
    )
    expected_close_date = forms.DateField(
        label=_("Expected close date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    probability = forms.IntegerField(
        label=_("Win probability (%)"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("Empty: the stage's default."),
    )
    forecast_category = forms.ChoiceField(
        label=_("Forecast category"),
        choices=ForecastCategory.choices,
        initial=ForecastCategory.PIPELINE,
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None)
    competitors = forms.CharField(label=_("Competitors"), max_length=300, required=False)
    need = forms.CharField(
        label=_("Need"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_step = forms.CharField(label=_("Next step"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        editing: bool = False,
        owners: list | None = None,
        customers: list | None = None,
        contacts: list | None = None,
        pipelines: list[Pipeline] | None = None,
        workspace: Any = None,
        custom: dict | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.section_layout = EDIT_SECTIONS if editing else CREATE_SECTIONS
        if editing:
            for name in ("customer", "pipeline", "stage"):
                del self.fields[name]
        else:
            self.fields["customer"].widget.choices = [("", "—")] + [
                (c.pk, f"{c.code} {c.name}") for c in customers or []
            ]
            self.fields["pipeline"].choices = [(p.pk, p.name) for p in pipelines or []]
            self.fields["stage"].choices = [
                (
                    p.name,
                    [
                        (s.pk, f"{s.label} ({s.probability}%)")
                        for s in p.stages.all()
                        if not s.is_closed
                    ],
                )
                for p in pipelines or []
            ]
        contact_choices = [
            (c.pk, c.name + (f" · {c.title}" if c.title else "")) for c in contacts or []
        ]
        self.fields["contact"].choices = [("", "—"), *contact_choices]
        self.fields["contact_ids"].choices = contact_choices
        self.fields["owner"].choices = [("", "—")] + [
            (m.user_id, str(m.user)) for m in owners or []
        ]
        base = getattr(workspace, "base_currency", "CNY")
        self.fields["currency"].choices = [("", "—")] + [
            (c, c) for c in dict.fromkeys([base, *COMMON_CURRENCIES])
        ]
        self.add_custom_fields(workspace, "opportunity", custom)

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data.pop("customer", None)
        data.pop("amount", None)  # the view decides: entered amount or lines
        if "pipeline" in data:
            data["pipeline_id"] = data.pop("pipeline")
            data["stage_id"] = data.pop("stage")
        data["owner_id"] = data.pop("owner", None)
        data["contact_ids"] = list(data.get("contact_ids") or [])
        for key in ("source", "incoterm", "currency"):
            data[key] = data.get(key) or ""
        return data


def initial_for(opportunity: Opportunity) -> dict[str, Any]:
    return {
        "name": opportunity.name,
        "contact": opportunity.contact_id,
        "contact_ids": [c.pk for c in opportunity.contacts.all()],
        "source": opportunity.source,
        "incoterm": opportunity.incoterm,
        "named_place": opportunity.named_place,
        "currency": opportunity.currency,
        "amount": opportunity.amount,
        "expected_close_date": opportunity.expected_close_date,
        "probability": opportunity.probability,
        "forecast_category": opportunity.forecast_category,
        "owner": opportunity.owner_id,
        "competitors": opportunity.competitors,
        "need": opportunity.need,
        "next_step": opportunity.next_step,
        "version": opportunity.version,
    }


def _rows(data: QueryDict, prefix: str, names: tuple[str, ...]) -> list[dict[str, str]]:
    columns = {n: data.getlist(f"{prefix}_{n}") for n in names}
    count = max((len(v) for v in columns.values()), default=0)
    return [
        {n: (columns[n][i] if i < len(columns[n]) else "").strip() for n in names}
        for i in range(count)
    ]


def parse_lines(data: QueryDict) -> list[dict[str, Any]]:
    """The posted product lines as the services take them; blank rows are dropped."""
    lines = []
    for row in _rows(data, "line", LINE_FIELDS):
        if not any(row.values()):
            continue
        line: dict[str, Any] = {
            "description": row["description"],
            "quantity": row["quantity"],
            "unit": row["unit"],
            "specs_note": row["specs"],
            "discount_percent": row["discount"] or "0",
        }
        if row["product"].isdigit():
            line["product_id"] = int(row["product"])
        if row["unit_price"]:
            line["unit_price"] = row["unit_price"]
        lines.append(line)
    return lines


def parse_members(data: QueryDict) -> list[tuple[int, str]]:
    """The posted team as (user id, role); rows without a person are dropped."""
    members = []
    for row in _rows(data, "member", ("user", "role")):
        if row["user"].isdigit():
            members.append((int(row["user"]), row["role"] or TeamRole.OTHER))
    return members


def lines_for_form(opportunity: Opportunity | None, data: QueryDict | None) -> list[dict]:
    """The line editor's rows: what was posted (after an error) or the saved lines."""
    if data is not None:
        return _rows(data, "line", LINE_FIELDS)
    if opportunity is None:
        return []
    return [
        {
            "product": line.product_id or "",
            "product_label": str(line.product) if line.product_id else "",
            "description": line.description,
            "quantity": _plain(line.quantity),
            "unit": line.unit,
            "unit_price": _plain(line.unit_price),
            "discount": _plain(line.discount_percent),
            "specs": line.specs_note,
        }
        for line in opportunity.lines.select_related("product")
    ]


def members_for_form(opportunity: Opportunity | None, data: QueryDict | None) -> list[dict]:
    if data is not None:
        return _rows(data, "member", ("user", "role"))
    if opportunity is None:
        return []
    return [{"user": str(m.user_id), "role": m.role} for m in opportunity.members.all()]


def _plain(value: Any) -> str:
    """A Decimal without trailing zeros, for an input's value (1.500 -> 1.5)."""
    text = format(value.normalize(), "f") if value is not None else ""
    return text


class CloseForm(forms.Form):
    """The fields of the closing dialogs (won, lost, invalid); the service says what is required
    and refuses a reason of another workspace or kind."""

    outcome = forms.ChoiceField(
        choices=[("won", _("Won")), ("lost", _("Lost")), ("invalid", _("Invalid"))]
    )
    reason = forms.IntegerField(required=False)
    competitor = forms.CharField(max_length=200, required=False)
    note = forms.CharField(required=False)
    version = forms.IntegerField(required=False)
