"""The follow-up form, shared by every page that records one (leads now, customers later)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Channel, FollowUpResult
from .services import FEEDBACK_MAX, NEXT_ACTION_MAX, SUMMARY_MAX


class FollowUpForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    summary = forms.CharField(
        label=_("What was said"),
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    feedback = forms.CharField(
        label=_("Customer feedback / objection"),
        max_length=FEEDBACK_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    next_action = forms.CharField(label=_("Next step"), max_length=NEXT_ACTION_MAX, required=False)
    next_due_at = forms.DateTimeField(
        label=_("Next follow-up due"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[("", _("Choose a result…")), *FollowUpResult.choices],
    )

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
