"""Forms of the scoring settings page. They only parse; the services (scoring_rules.py) judge."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models_scoring import ScoringFact


class ScoringRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    fact = forms.ChoiceField(label=_("Checks"), choices=ScoringFact.choices)
    value = forms.CharField(
        label=_("Value"),
        required=False,
        max_length=500,
        help_text=_(
            "Codes or words separated by commas: sources, sizes, countries (US, DE), industries "
            "or title keywords."
        ),
    )
    amount = forms.DecimalField(
        label=_("Amount (budget rules)"), required=False, max_digits=16, decimal_places=2
    )
    currency = forms.CharField(
        label=_("Currency (budget rules; blank: base currency)"), required=False, max_length=3
    )
    number = forms.IntegerField(label=_("N characters (need rules)"), required=False, min_value=0)
    points = forms.IntegerField(label=_("Points (negative allowed)"))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ScoringPolicyForm(forms.Form):
    grade_a_min = forms.IntegerField(label=_("Suggest grade A from a score of"))
    grade_b_min = forms.IntegerField(label=_("Suggest grade B from a score of"))
    auto_grade = forms.BooleanField(
        label=_("Apply the suggested grade automatically when nobody set the grade by hand"),
        required=False,
    )
    recycle_A = forms.IntegerField(label=_("Grade A back to the pool after (days)"), min_value=0)
    recycle_B = forms.IntegerField(label=_("Grade B back to the pool after (days)"), min_value=0)
    recycle_C = forms.IntegerField(label=_("Grade C back to the pool after (days)"), min_value=0)
    recycle_none = forms.IntegerField(
        label=_("No grade back to the pool after (days)"),
        min_value=0,
        help_text=_("Days without a follow-up; 0 = never."),
    )

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {
            "grade_a_min": d["grade_a_min"],
            "grade_b_min": d["grade_b_min"],
            "auto_grade": d["auto_grade"],
            "recycle_after_days": {
                "A": d["recycle_A"],
                "B": d["recycle_B"],
                "C": d["recycle_C"],
                "": d["recycle_none"],
            },
        }
