from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from tradewind.core.forms import RecordForm
from tradewind.workspaces.custom_fields_forms import CustomFieldsMixin

from .choices import RATINGS, CustomerSize, CustomerSource, CustomerType, DecisionRole

SECTIONS = [
    (_("Company"), ["name", "name_alt", "short_name", "type", "size", "industry", "main_products"]),
    (_("Where and how to reach it"), ["country", "city", "website", "email", "phone"]),
    (_("Assignment"), ["source", "rating", "owner", "tags"]),
]


class CustomerForm(CustomFieldsMixin, RecordForm):
    section_layout = SECTIONS

    name = forms.CharField(
        label=_("Company"), max_length=200, widget=forms.TextInput(attrs={"autofocus": True})
    )
    name_alt = forms.CharField(
        label=_("Company (other script)"),
        max_length=200,
        required=False,
        help_text=_("The English name of a Chinese company, or the other way round."),
    )
    short_name = forms.CharField(label=_("Short name"), max_length=80, required=False)
    type = forms.ChoiceField(
        label=_("Customer type"), required=False, choices=[("", "—"), *CustomerType.choices]
    )
    size = forms.ChoiceField(
        label=_("Company size"), required=False, choices=[("", "—"), *CustomerSize.choices]
    )
    industry = forms.CharField(label=_("Industry"), max_length=80, required=False)
    main_products = forms.CharField(
        label=_("Main products"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    country = forms.ChoiceField(label=_("Country/region"), required=False)
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    website = forms.CharField(label=_("Website"), max_length=200, required=False)
    email = forms.CharField(
        label=_("Company e-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Company phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "placeholder": "+49 30 1234 5678"}),
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=CustomerSource.choices, initial=CustomerSource.OTHER
    )
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *RATINGS],
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None)
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_duplicate = forms.BooleanField(
        required=False, label=_("Create it anyway: it is not the same company")
    )

    def __init__(
        self,
        *args: object,
        owners: list | None = None,
        workspace: object = None,
        custom: dict | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.add_custom_fields(workspace, "customer", custom)
        self.fields["country"].choices = [("", "—"), *list(countries)]
        self.fields["owner"].choices = [("", _("Nobody (public pool)"))] + [
            (m.user_id, str(m.user)) for m in owners or []
        ]


class ContactForm(CustomFieldsMixin, RecordForm):
    name = forms.CharField(
        label=_("Name"), max_length=120, widget=forms.TextInput(attrs={"autofocus": True})
    )
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    decision_role = forms.ChoiceField(
        label=_("Decision role"), required=False, choices=[("", "—"), *DecisionRole.choices]
    )
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "placeholder": "+86 138 0013 8000"}),
    )
    email = forms.CharField(
        label=_("E-mail"), max_length=254, required=False, widget=forms.EmailInput()
    )
    whatsapp = forms.CharField(label=_("WhatsApp"), max_length=40, required=False)
    wechat = forms.CharField(label=_("WeChat"), max_length=60, required=False)
    linkedin = forms.CharField(label=_("LinkedIn"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: object, workspace: object = None, custom: dict | None = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.add_custom_fields(workspace, "contact", custom)
