"""Map a service's coded error onto a form, so the page shows what the API would say."""

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
