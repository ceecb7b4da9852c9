"""Forms of the pipeline settings pages; they only parse. The rules (ranges, the one default, the
won/lost stages, used stages) are the services' in pipelines.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import CloseKind, GateMode
from .pipeline_templates import DEFAULT_TEMPLATE, template_choices


class PipelineCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    template = forms.ChoiceField(
        label=_("Start from"), choices=template_choices, initial=DEFAULT_TEMPLATE
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


class PipelineForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    gate = forms.ChoiceField(
        label=_("When required stage tasks are not done"),
        choices=GateMode.choices,
        help_text=_(
            "Allow: move freely. Warn: move, and list what is missing. Block: refuse the move "
            "and list what is missing."
        ),
    )
    stale_days = forms.IntegerField(
        label=_("Stale after (days)"),
        min_value=1,
        max_value=3650,
        help_text=_(
            "An open opportunity with no activity or stage change for this many days is flagged "
            "and its owner reminded. A stage may set its own number."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class StageForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, required=False)
    probability = forms.IntegerField(
        label=_("Default win probability (%)"), min_value=0, max_value=100, initial=10
    )
    expected_days = forms.IntegerField(
        label=_("Expected days in stage"), min_value=1, max_value=3650, required=False
    )
    stale_days = forms.IntegerField(
        label=_("Stale after (days)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Empty: the pipeline’s number."),
    )


class ClosedStageForm(forms.Form):
    """The won and lost stages: only their name can change."""

    name = forms.CharField(label=_("Name"), max_length=80, required=False)


class StageTaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    is_required = forms.BooleanField(label=_("Must be done"), required=False, initial=True)


class CloseReasonForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CloseKind.choices)
    label = forms.CharField(label=_("Reason"), max_length=120)


class CloseReasonEditForm(forms.Form):
    label = forms.CharField(label=_("Reason"), max_length=120)
