"""Forms of the convert and merge pages (the rules live in leads.conversion and leads.merge)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tradewind.core.money import COMMON_CURRENCIES
from tradewind.customers.choices import CustomerType


class ConvertForm(forms.Form):
    target = forms.ChoiceField(label=_("Customer"), widget=forms.RadioSelect)
    customer_type = forms.ChoiceField(
        label=_("Customer type"), required=False, choices=[("", "—"), *CustomerType.choices]
    )
    create_opportunity = forms.BooleanField(
        label=_("There is a concrete need: create an opportunity"), required=False
    )
    opportunity_name = forms.CharField(label=_("Opportunity name"), max_length=200, required=False)
    amount = forms.CharField(
        label=_("Expected amount"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    currency = forms.ChoiceField(
        label=_("Currency"),
        required=False,
        choices=[("", "—"), *[(c, c) for c in COMMON_CURRENCIES]],
    )
    stage = forms.TypedChoiceField(label=_("Stage"), coerce=int, required=False, empty_value=None)
    expected_close_date = forms.DateField(
        label=_("Expected close date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: object, targets: list, stages: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["target"].choices = [("new", _("Create a new customer")), *targets]
        self.fields["stage"].choices = [(s.pk, s.label) for s in stages]

    def service_data(self) -> dict[str, object]:
        data = self.cleaned_data
        target = data["target"]
        return {
            "customer_id": None if target == "new" else int(target),
            "allow_duplicates": target == "new",  # chosen with the candidates in view
            "customer_type": data["customer_type"],
            "create_opportunity": data["create_opportunity"],
            "opportunity_name": data["opportunity_name"],
            "amount": data["amount"] or None,
            "currency": data["currency"],
            "stage_id": data["stage"],
            "expected_close_date": data["expected_close_date"],
            "version": data["version"],
        }
