"""Forms and services meet here: a service's coded error lands on the form, so the page shows what
the API would say; the save-and-flash step and the record form shape every edit page shares."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest

from .errors import NotFound, PermissionDenied, ServiceError


def add_service_error(form: forms.Form, exc: ServiceError) -> None:
    placed = False
    for name, field_messages in exc.fields.items():
        if name in form.fields:
            for message in field_messages:
                form.add_error(name, message)
            placed = True
    if not placed or not exc.fields:
        form.add_error(None, exc.message)


def report_service_error(request: HttpRequest, exc: ServiceError) -> None:
    """For actions posted from a page (buttons, modals): 403/404 stay HTTP answers; every other
    refusal becomes a translated message shown after the redirect."""
    if isinstance(exc, PermissionDenied):
        raise DjangoPermissionDenied(str(exc.message))
    if isinstance(exc, NotFound):
        raise Http404(str(exc.message))
    for field_messages in exc.fields.values():
        for message in field_messages:
            messages.error(request, message)
    if not exc.fields:
        messages.error(request, exc.message)


T = TypeVar("T")


def save_form(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[], T],
    message: str | Callable[[T], str],
    *,
    let_through: tuple[type[ServiceError], ...] = (),
) -> T | None:
    """Runs `save` (a service call) for a valid posted form and flashes `message`. None when there
    is nothing to save or the service refused: its error is then on the form, for the page to show.
    `let_through` are refusals the view answers itself (e.g. "possible duplicate")."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save()
    except let_through:
        raise
    except ServiceError as exc:
        add_service_error(form, exc)
        return None
    messages.success(request, message(saved) if callable(message) else message)
    return saved


def initial_from(record: Any, form_class: type[forms.Form]) -> dict[str, Any]:
    """A form's initial values from a record: the fields both have, a country as its code, the
    owner as an id and tags as one line, as the form takes them back."""
    initial = {n: getattr(record, n) for n in form_class.base_fields if hasattr(record, n)}
    if "country" in initial:
        initial["country"] = record.country.code if record.country else ""
    if "owner" in initial:
        initial["owner"] = record.owner_id
    if "tags" in initial:
        initial["tags"] = ", ".join(record.tags or [])
    return initial


class RecordForm(forms.Form):
    """The edit form of a record: fields laid out in titled sections; what the service takes is
    every field but the form's own (the version the editor saw, the duplicate confirmation)."""

    section_layout: list[tuple[Any, list[str]]] = []
    form_only = ("version", "confirm_duplicate")

    def sections(self) -> list[tuple[object, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.section_layout]

    def service_data(self) -> dict[str, object]:
        return {k: v for k, v in self.cleaned_data.items() if k not in self.form_only}
