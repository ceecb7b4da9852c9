"""Map a service's coded error onto a form, so the page shows what the API would say."""

from django import forms

from .errors import ServiceError


def add_service_error(form: forms.Form, exc: ServiceError) -> None:
    placed = False
    for name, messages in exc.fields.items():
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
            placed = True
    if not placed or not exc.fields:
        form.add_error(None, exc.message)
