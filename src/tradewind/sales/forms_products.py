"""Forms of the product pages. They only parse: every rule (SKU folding, names, HS code, MOQ,
currencies, prices) is the service's (sales/products.py), whose coded errors land on the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tradewind.core.forms import RecordForm

SECTIONS = [
    (_("Product"), ["sku", "unit", "name_zh", "name_en"]),
    (_("Trade details"), ["hs_code", "moq", "specs"]),
]


class ProductForm(RecordForm):
    section_layout = SECTIONS

    sku = forms.CharField(
        label=_("SKU"),
        max_length=80,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
        help_text=_("Your article number, unique in the catalogue."),
    )
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200, required=False)
    name_en = forms.CharField(
        label=_("Name (English)"),
        max_length=200,
        required=False,
        help_text=_("At least one of the two names."),
    )
    specs = forms.CharField(
        label=_("Specifications"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    unit = forms.CharField(
        label=_("Unit"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("pcs, sets, kg, m²…")}),
    )
    hs_code = forms.CharField(
        label=_("HS code"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "8539.52.00"}),
    )
    moq = forms.CharField(
        label=_("MOQ"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Minimum order quantity, in the unit above."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def service_data(self) -> dict[str, object]:
        data = super().service_data()
        data["moq"] = data.get("moq") or None
        return data


class PriceForm(forms.Form):
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        widget=forms.TextInput(
            attrs={
                "list": "currency-codes",
                "autocomplete": "off",
                "placeholder": "USD",
                "class": "text-uppercase",
            }
        ),
    )
    unit_price = forms.CharField(
        label=_("Unit price"),
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "12.50"}),
    )
