from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .choices import LeadSource


class LeadForm(forms.Form):
    company_name = forms.CharField(label=_("Company"), max_length=200)
    contact_name = forms.CharField(label=_("Contact"), max_length=120, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    country = forms.ChoiceField(label=_("Country/region"), required=False)
    source = forms.ChoiceField(
        label=_("Source"), choices=LeadSource.choices, initial=LeadSource.OTHER
    )
    need = forms.CharField(
        label=_("Need"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: object, owners: list | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["country"].choices = [("", "—"), *list(countries)]
        self.fields["owner"].choices = [("", _("Nobody (lead pool)"))] + [
            (m.user_id, str(m.user)) for m in owners or []
        ]

    def visible_fields_for_page(self) -> list[forms.BoundField]:
        return [f for f in self if f.name != "version"]
