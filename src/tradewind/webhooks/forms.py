"""The endpoint form: shape only; the service validates the URL (SSRF guard) and the events."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .catalogue import EVENT_TYPES


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("URL"),
        max_length=2000,
        help_text=_("Where events are sent (POST, JSON). https:// recommended."),
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/webhooks/tradewind"}),
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(k, v) for k, v in EVENT_TYPES.items()],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
