"""Custom fields on record forms (one dynamic form field per active definition, `cf_<key>`, laid out
as a last section) and the settings form of a definition. Form fields never refuse a value: the
service's `clean_custom` does, so the page says what the API and the import say."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tradewind.core.money import COMMON_CURRENCIES

from .custom_fields import definitions, form_value
from .models_custom_fields import CustomFieldDefinition, CustomFieldTarget, CustomFieldType

T = CustomFieldType
CURRENCY_SUFFIX = "__currency"


def _form_field(defn: CustomFieldDefinition) -> forms.Field:
    common = {"label": defn.label, "required": False, "help_text": defn.help_text}
    kind = defn.type
    if kind == T.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind in (T.NUMBER, T.MONEY):
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    if kind == T.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == T.CHOICE:
        options = [(v, defn.choice_label(v)) for v in defn.choice_values]
        return forms.ChoiceField(choices=[("", "—"), *options], **common)
    if kind == T.MULTI_CHOICE:
        options = [(v, defn.choice_label(v)) for v in defn.choice_values]
        return forms.MultipleChoiceField(
            choices=options, widget=forms.SelectMultiple(attrs={"size": 4}), **common
        )
    if kind == T.BOOLEAN:
        return forms.ChoiceField(choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))], **common)
    return forms.CharField(**common)


class CustomFieldsMixin:
    """For a RecordForm: `add_custom_fields(workspace, target, values)` in __init__; the service
    then receives `custom={key: raw}` instead of the `cf_*` fields; a last section lists them."""

    custom_definitions: list[CustomFieldDefinition] = []

    def add_custom_fields(
        self, workspace: Any, target: str, values: dict[str, Any] | None = None
    ) -> None:
        self.custom_definitions = definitions(workspace, target) if workspace else []
        values = values or {}
        for defn in self.custom_definitions:
            name = defn.param
            self.fields[name] = _form_field(defn)  # type: ignore[attr-defined]
            self.fields[name].widget.attrs["data-custom-field"] = defn.key  # type: ignore[attr-defined]
            self.fields[name].custom_required = defn.required  # type: ignore[attr-defined]
            if defn.key in values:
                self.initial[name] = form_value(defn, values[defn.key])  # type: ignore[attr-defined]
            if defn.type == T.MONEY:
                stored = values.get(defn.key) or {}
                currency = stored.get("currency") if isinstance(stored, dict) else ""
                self.fields[name + CURRENCY_SUFFIX] = forms.ChoiceField(  # type: ignore[attr-defined]
                    label=_("%(field)s: currency") % {"field": defn.label},
                    required=False,
                    choices=[
                        (c, c) for c in dict.fromkeys([workspace.base_currency, *COMMON_CURRENCIES])
                    ],
                )
                self.initial[name + CURRENCY_SUFFIX] = currency or workspace.base_currency  # type: ignore[attr-defined]

    def sections(self) -> list[tuple[object, list[forms.BoundField]]]:
        sections = super().sections()  # type: ignore[misc]
        names = [n for n in self.fields if n.startswith("cf_")]  # type: ignore[attr-defined]
        if names:
            sections.append((_("More fields"), [self[n] for n in names]))  # type: ignore[index]
        return sections

    def custom_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        cleaned = self.cleaned_data  # type: ignore[attr-defined]
        for defn in self.custom_definitions:
            raw = cleaned.get(defn.param)
            if defn.type == T.MONEY and raw not in (None, ""):
                raw = {"amount": raw, "currency": cleaned.get(defn.param + CURRENCY_SUFFIX, "")}
            data[defn.key] = raw
        return data

    def service_data(self) -> dict[str, object]:
        data = {
            k: v
            for k, v in super().service_data().items()  # type: ignore[misc]
            if not k.startswith("cf_")
        }
        if self.custom_definitions:
            data["custom"] = self.custom_data()
        return data


class CustomFieldForm(forms.Form):
    """Create (all fields) or edit (labels, choices, required, help text) a definition."""

    target = forms.ChoiceField(label=_("Record type"), choices=CustomFieldTarget.choices)
    type = forms.ChoiceField(label=_("Type"), choices=CustomFieldType.choices)
    label_en = forms.CharField(label=_("Label (English)"), max_length=80, required=False)
    label_zh = forms.CharField(label=_("Label (Chinese)"), max_length=80, required=False)
    key = forms.CharField(
        label=_("Key"),
        max_length=40,
        required=False,
        help_text=_(
            "Used by the API, filters and imports; fixed once created. Empty: from the English label."
        ),
    )
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For choice fields: one a line, “English | 中文”."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    help_text = forms.CharField(label=_("Help text"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            for name in ("target", "type", "key"):
                del self.fields[name]


def choices_text(field: CustomFieldDefinition) -> str:
    return "\n".join(
        " | ".join(p for p in (c.get("en"), c.get("zh")) if p) or c["value"]
        for c in field.choices or []
    )
