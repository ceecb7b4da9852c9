from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tradewind.core.money import COMMON_CURRENCIES, all_currencies

from .choices import DataScope, Role, TeamKind
from .timezones import available_zones

COMMON_ZONES = [
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Dubai",
    "Asia/Tokyo",
    "UTC",
]


def zone_choices(blank: str | None = None) -> list[tuple[str, str]]:
    rest = sorted(z for z in available_zones() if z not in COMMON_ZONES)
    choices = [(z, z) for z in COMMON_ZONES + rest]
    return ([("", blank)] if blank is not None else []) + choices


def currency_choices() -> list[tuple[str, str]]:
    rest = sorted(c for c in all_currencies() if c not in COMMON_CURRENCIES and len(c) == 3)
    return [(c, c) for c in (*COMMON_CURRENCIES, *rest)]


class WorkspaceForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=120)
    base_currency = forms.ChoiceField(label=_("Base currency"), choices=currency_choices)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=zone_choices)
    default_country = forms.CharField(
        label=_("Default country for phone numbers (ISO code)"), max_length=2, min_length=2
    )
    require_mfa_for_admins = forms.BooleanField(
        label=_("Require two-factor sign-in for owners and admins"), required=False
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    full_name = forms.CharField(label=_("Name"), max_length=120, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.SALES)
    data_scope = forms.ChoiceField(
        label=_("Data scope"),
        choices=[("", _("Default for the role")), *DataScope.choices],
        required=False,
    )
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: object, teams: list | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["team"].choices = [("", "—")] + [
            (t.pk, f"{'· ' * t.depth}{t.name}") for t in teams or []
        ]


class MemberForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    data_scope = forms.ChoiceField(label=_("Data scope"), choices=DataScope.choices)
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: object, teams: list | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["team"].choices = [("", "—")] + [
            (t.pk, f"{'· ' * t.depth}{t.name}") for t in teams or []
        ]


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=TeamKind.choices, initial=TeamKind.GROUP)
    parent = forms.TypedChoiceField(
        label=_("Parent team"), coerce=int, required=False, empty_value=None
    )
    manager = forms.TypedChoiceField(
        label=_("Manager"), coerce=int, required=False, empty_value=None
    )

    def __init__(
        self,
        *args: object,
        teams: list | None = None,
        members: list | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["parent"].choices = [(t.pk, f"{'· ' * t.depth}{t.name}") for t in teams or []]
        self.fields["manager"].choices = [("", "—")] + [
            (m.user_id, str(m.user)) for m in members or []
        ]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=80, help_text=_("What will use it, e.g. 'ERP sync'.")
    )
    expires_at = forms.DateField(
        label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class RateForm(forms.Form):
    on_date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    from_currency = forms.ChoiceField(label=_("From"), choices=currency_choices, initial="USD")
    to_currency = forms.ChoiceField(label=_("To"), choices=currency_choices, initial="CNY")
    rate = forms.DecimalField(label=_("Rate"), max_digits=20, decimal_places=10, min_value=0)
    source = forms.CharField(
        label=_("Source"), max_length=80, required=False, help_text=_("e.g. Bank of China")
    )


class NumberFormatForm(forms.Form):
    prefix = forms.CharField(label=_("Prefix"), max_length=12)
    yearly = forms.BooleanField(label=_("Restart every year"), required=False)
    width = forms.IntegerField(label=_("Digits"), min_value=3, max_value=12)


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=120, required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("Browser default")), *settings.LANGUAGES],
        required=False,
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["time_zone"].choices = zone_choices(blank=str(_("Workspace time zone")))


class InviteAcceptForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=120, required=False)
    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
