from django import forms
from django.utils.translation import gettext_lazy as _

from tradewind.core.money import COMMON_CURRENCIES

from .models_qualification import DealGrade, Qualitative


class QualificationForm(forms.Form):
    """三定; values are checked by the service (customer_qualify), not here."""

    qualitative = forms.ChoiceField(
        label=_("Qualitative"), required=False, choices=[("", "—"), *Qualitative.choices]
    )
    deal_grade = forms.ChoiceField(
        label=_("Grade"), required=False, choices=[("", "—"), *DealGrade.choices]
    )
    expected_sign_date = forms.CharField(
        label=_("Expected sign date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    expected_amount = forms.CharField(
        label=_("Expected amount"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    currency = forms.ChoiceField(label=_("Currency"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: object, base_currency: str = "CNY", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        codes = dict.fromkeys([base_currency, *COMMON_CURRENCIES])
        self.fields["currency"].choices = [(c, c) for c in codes]  # type: ignore[attr-defined]
