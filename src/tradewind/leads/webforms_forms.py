"""Page forms for web forms and assignment rules: parse only; the services validate and decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .assignment_engine import CONDITION_KEYS
from .choices import CompanySize, LeadGrade, LeadSource
from .models_webforms import AssignmentAction
from .webforms import WEBFORM_FIELDS, field_label


class WebFormForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    fields = forms.MultipleChoiceField(
        label=_("Fields shown"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    source = forms.ChoiceField(label=_("Source"), choices=LeadSource.choices)
    source_detail = forms.CharField(
        label=_("Source detail"),
        max_length=200,
        required=False,
        help_text=_("e.g. website, contact page"),
    )
    allowed_origins = forms.CharField(
        label=_("Sites allowed to embed the form"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, e.g. https://www.example.com"),
    )
    daily_budget = forms.IntegerField(
        label=_("Most leads per day"),
        min_value=1,
        help_text=_("Submissions beyond this are kept and become leads the next day."),
    )
    owner = forms.TypedChoiceField(
        label=_("Owner of new leads"), coerce=int, required=False, empty_value=None
    )
    thank_you_en = forms.CharField(
        label=_("Thank-you text (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    thank_you_zh = forms.CharField(
        label=_("Thank-you text (Chinese)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    redirect_url = forms.CharField(
        label=_("Redirect after sending"),
        max_length=500,
        required=False,
        help_text=_("Optional: a page of your site to show instead of the thank-you text."),
    )

    def __init__(self, *args: object, owners: list | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["fields"].choices = [(f, field_label(f).capitalize()) for f in WEBFORM_FIELDS]
        self.fields["owner"].choices = [("", _("Apply the assignment rules"))] + [
            (m.user_id, str(m.user)) for m in owners or []
        ]

    def service_data(self) -> dict[str, object]:
        data = dict(self.cleaned_data)
        data["allowed_origins"] = data["allowed_origins"].splitlines()
        return data


def _multi(label: object, choices: list) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, required=False, choices=choices, widget=forms.SelectMultiple(attrs={"size": 5})
    )


class AssignmentRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    source = _multi(_("Source is one of"), LeadSource.choices)
    country = _multi(_("Country/region is one of"), [])
    industry = forms.CharField(
        label=_("Industry contains one of"),
        required=False,
        max_length=400,
        help_text=_("Words separated by commas, e.g. textile, 纺织"),
    )
    company_size = _multi(_("Company size is one of"), CompanySize.choices)
    grade = _multi(_("Grade is one of"), LeadGrade.choices)
    action = forms.ChoiceField(label=_("Then assign to"), choices=AssignmentAction.choices)
    target_user = forms.TypedChoiceField(
        label=_("Member"), coerce=int, required=False, empty_value=None
    )
    target_team = forms.TypedChoiceField(
        label=_("Team"), coerce=int, required=False, empty_value=None
    )

    def __init__(
        self, *args: object, owners: list | None = None, teams: list | None = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["country"].choices = list(countries)
        self.fields["target_user"].choices = [("", "—")] + [
            (m.user_id, str(m.user)) for m in owners or []
        ]
        self.fields["target_team"].choices = [("", "—")] + [
            (t.pk, ("· " * t.depth) + t.name) for t in teams or []
        ]

    def service_data(self) -> dict[str, object]:
        data = dict(self.cleaned_data)
        data["conditions"] = {key: data.pop(key) for key in CONDITION_KEYS}
        return data
