from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from tradewind.core.forms import RecordForm
from tradewind.core.money import COMMON_CURRENCIES
from tradewind.workspaces.custom_fields_forms import CustomFieldsMixin

from .assignment import ASSIGN_BY_RULES
from .choices import CompanySize, LeadGrade, LeadSource

# Sections of the capture form, in the order a rep fills them on the phone with a buyer.
SECTIONS = [
    (
        _("Company"),
        [
            "company_name",
            "company_name_alt",
            "country",
            "city",
            "industry",
            "company_size",
            "website",
        ],
    ),
    (
        _("Contact"),
        ["contact_name", "contact_title", "phone", "email", "whatsapp", "wechat", "other_im"],
    ),
    (
        _("Need"),
        [
            "source",
            "source_detail",
            "need",
            "budget_min",
            "budget_max",
            "budget_currency",
            "decision_chain",
            "timeframe",
        ],
    ),
    (_("Assignment"), ["grade", "owner", "tags"]),
]


def _owner_value(value: str) -> int | str:
    return value if value == ASSIGN_BY_RULES else int(value)


class LeadForm(CustomFieldsMixin, RecordForm):
    section_layout = SECTIONS

    company_name = forms.CharField(
        label=_("Company"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autofocus": True}),
    )
    company_name_alt = forms.CharField(
        label=_("Company (other script)"),
        max_length=200,
        required=False,
        help_text=_("The English name of a Chinese company, or the other way round."),
    )
    contact_name = forms.CharField(label=_("Contact"), max_length=120, required=False)
    contact_title = forms.CharField(label=_("Title"), max_length=120, required=False)
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "placeholder": "+86 138 0013 8000"}),
    )
    whatsapp = forms.CharField(label=_("WhatsApp"), max_length=40, required=False)
    wechat = forms.CharField(label=_("WeChat"), max_length=60, required=False)
    other_im = forms.CharField(
        label=_("Other IM"),
        max_length=120,
        required=False,
        help_text=_("Skype, Telegram, LINE, QQ … with the account"),
    )
    website = forms.CharField(label=_("Website"), max_length=200, required=False)
    country = forms.ChoiceField(label=_("Country/region"), required=False)
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=80, required=False)
    company_size = forms.ChoiceField(
        label=_("Company size"), required=False, choices=[("", "—"), *CompanySize.choices]
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=LeadSource.choices, initial=LeadSource.OTHER
    )
    source_detail = forms.CharField(
        label=_("Source detail"),
        max_length=200,
        required=False,
        help_text=_("e.g. 2026 Canton Fair booth 12.1, Alibaba RFQ number"),
    )
    need = forms.CharField(
        label=_("Need"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    budget_min = forms.CharField(
        label=_("Budget from"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    budget_max = forms.CharField(
        label=_("Budget to"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    budget_currency = forms.ChoiceField(
        label=_("Budget currency"),
        required=False,
        choices=[("", "—"), *[(c, c) for c in COMMON_CURRENCIES]],
    )
    decision_chain = forms.CharField(
        label=_("Decision chain"),
        max_length=200,
        required=False,
        help_text=_("Who decides, e.g. production manager + general manager"),
    )
    timeframe = forms.CharField(label=_("Timeframe"), max_length=80, required=False)
    grade = forms.ChoiceField(
        label=_("Grade"), required=False, choices=[("", "—"), *LeadGrade.choices]
    )
    owner = forms.TypedChoiceField(
        label=_("Owner"), coerce=_owner_value, required=False, empty_value=None
    )
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_duplicate = forms.BooleanField(
        required=False, label=_("Create it anyway: it is not the same company")
    )

    def __init__(
        self,
        *args: object,
        owners: list | None = None,
        by_rules: bool = False,
        workspace: object = None,
        custom: dict | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.add_custom_fields(workspace, "lead", custom)
        self.fields["country"].choices = [("", "—"), *list(countries)]
        # A new lead may be handed to the assignment rules instead of a named owner.
        rules = [(ASSIGN_BY_RULES, _("Apply the assignment rules"))] if by_rules else []
        self.fields["owner"].choices = [("", _("Nobody (lead pool)")), *rules] + [
            (m.user_id, str(m.user)) for m in owners or []
        ]
