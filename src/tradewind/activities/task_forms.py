"""The task form (create and edit) and the comment form. They parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tradewind.workspaces.models import Membership

from .comments import BODY_MAX
from .task_choices import DueKind, Recurrence, TaskPriority
from .task_services import NOTES_MAX, TITLE_MAX

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def _datetime_field(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class TaskForm(forms.Form):
    title = forms.CharField(
        label=_("What is to be done"),
        max_length=TITLE_MAX,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    due_kind = forms.ChoiceField(
        label=_("Due"),
        choices=[c for c in DueKind.choices if c[0] != DueKind.EXACT]
        + [(DueKind.EXACT, _("Pick a time"))],
        initial=DueKind.TOMORROW,
        widget=forms.RadioSelect,
    )
    due_at = _datetime_field(_("Due time"))
    workdays_only = forms.BooleanField(label=_("Working days only"), required=False)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=TaskPriority.choices, initial=TaskPriority.NORMAL
    )
    assignee = forms.TypedChoiceField(label=_("Assignee"), coerce=int, required=False)
    recurrence = forms.ChoiceField(label=_("Repeat"), choices=Recurrence.choices, required=False)
    remind_at = _datetime_field(_("Remind me at"))
    notes = forms.CharField(
        label=_("Notes"),
        max_length=NOTES_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    target_type = forms.CharField(required=False, widget=forms.HiddenInput)
    target_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    DUE_FIELDS = ("due_kind", "due_at", "workdays_only")

    def __init__(self, *args: Any, members: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [(m.user_id, str(m.user)) for m in members]  # type: ignore[attr-defined]

    def create_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["assignee_id"] = data.pop("assignee")
        return data

    def update_data(self) -> dict[str, Any]:
        """Only what the editor changed: an untouched fuzzy due keeps its window."""
        data = {k: v for k, v in self.cleaned_data.items() if k in self.changed_data}
        data.pop("target_type", None)
        data.pop("target_id", None)
        if any(name in self.changed_data for name in self.DUE_FIELDS):
            for name in self.DUE_FIELDS:
                data[name] = self.cleaned_data.get(name)
        if "assignee" in data:
            data["assignee_id"] = data.pop("assignee")
        return data


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=BODY_MAX,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("Write a comment; type @ to mention a colleague")}
        ),
    )
