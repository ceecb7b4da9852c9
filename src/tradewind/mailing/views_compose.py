"""The "send e-mail" page of a lead, customer, contact or opportunity: pick a template (its text
is filled in for the record and can be edited) or write freely, preview, send. Perm.EMAIL_SEND.

One URL per record type so each route names its record. "Apply template" and "Preview" answer
htmx fragments of the same page; without JavaScript the buttons post the whole form.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tradewind.activities.targets import TARGETS, target_get
from tradewind.core.errors import NotFound, ServiceError
from tradewind.core.forms import report_service_error
from tradewind.workspaces.permissions import Perm

from . import selectors
from .choices import Language
from .rendering import pick_language, recipient_of, render_free, render_template
from .sending import email_queue
from .views import _base, mail_member

FORM_FIELDS = ("to", "cc", "subject", "body", "template", "language", "key")


def _split(text: str) -> list[str]:
    return [
        part.strip()
        for part in text.replace(";", ",").replace("\n", ",").split(",")
        if part.strip()
    ]


def _record(request: HttpRequest, target_type: str, target_id: int) -> Any:
    member = request.member  # type: ignore[attr-defined]
    try:
        return target_get(
            member=member, workspace=member.workspace, target_type=target_type, target_id=target_id
        )
    except NotFound:
        raise Http404 from None


def _template_choice(member: Any, templates: list, value: str) -> Any:
    return next((t for t in templates if str(t.pk) == value), None)


def _apply_template(request: HttpRequest, record: Any, values: dict, templates: list) -> dict:
    """The chosen template rendered for the record into the subject and body fields."""
    member = request.member  # type: ignore[attr-defined]
    template = _template_choice(member, templates, values["template"])
    if template is None:
        return {}
    requested = values["language"] if values["language"] in Language.values else None
    chosen = pick_language(template, record, workspace=member.workspace, requested=requested)
    rendered = render_template(
        template=template, record=record, language=chosen, sender=member.user
    )
    values.update(subject=rendered.subject, body=rendered.text, language=rendered.language)
    return {"applied": template}


def _compose(request: HttpRequest, target_type: str, target_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    record = _record(request, target_type, target_id)
    templates = selectors.templates_for(member, record=record)
    recipient = recipient_of(record)
    values: dict[str, Any] = {
        "to": recipient.get("email", ""),
        "cc": "",
        "subject": "",
        "body": "",
        "template": "",
        "language": "",
        "key": secrets.token_urlsafe(16),  # a double submit queues one message
    }
    errors: dict[str, list[str]] = {}
    extra: dict[str, Any] = {}
    partial = ""
    if request.method == "POST":
        values.update({name: request.POST.get(name, "") for name in FORM_FIELDS})
        action = request.POST.get("action", "send")
        if action == "template":
            extra = _apply_template(request, record, values, templates)
            partial = "#fields"
        elif action == "preview":
            subject, text, html = render_free(subject=values["subject"], body=values["body"])
            extra = {"preview": {"subject": subject, "html": html}}
            partial = "#preview"
        else:
            template = _template_choice(member, templates, values["template"])
            try:
                subject, text, html = render_free(subject=values["subject"], body=values["body"])
                email_queue(
                    actor=request.actor,  # type: ignore[attr-defined]
                    to=_split(values["to"]),
                    cc=_split(values["cc"]),
                    subject=subject,
                    body_text=text,
                    body_html=html,
                    target=record,
                    template_id=template.pk if template is not None else None,
                    key=f"compose:{member.user_id}:{values['key'][:60]}",
                    language=values["language"] if values["language"] in Language.values else "",
                )
            except ServiceError as exc:
                if exc.status in (403, 404):
                    report_service_error(request, exc)
                errors = exc.fields or {"__all__": [exc.message]}
            else:
                messages.success(request, _("E-mail queued: it goes out in a moment."))
                return redirect(TARGETS[target_type].url(record))
    from .hooks import suppressed

    context = _base(
        request,
        # A person may still write to an address that left the marketing mail; they are told.
        unsubscribed=sorted(suppressed(member.workspace_id, _split(values["to"]))),
        record=record,
        target_type=target_type,
        record_label=TARGETS[target_type].label,
        record_url=TARGETS[target_type].url(record),
        templates=templates,
        values=values,
        errors=errors,
        languages=Language.choices,
        **extra,
    )
    name = "mailing/compose.html"
    if partial and getattr(request, "htmx", False):
        name += partial
    return render(request, name, context)


@mail_member(Perm.EMAIL_SEND)
def compose_lead(request: HttpRequest, lead_id: int) -> HttpResponse:
    return _compose(request, "lead", lead_id)


@mail_member(Perm.EMAIL_SEND)
def compose_customer(request: HttpRequest, customer_id: int) -> HttpResponse:
    return _compose(request, "customer", customer_id)


@mail_member(Perm.EMAIL_SEND)
def compose_contact(request: HttpRequest, contact_id: int) -> HttpResponse:
    return _compose(request, "contact", contact_id)


@mail_member(Perm.EMAIL_SEND)
def compose_opportunity(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    return _compose(request, "opportunity", opportunity_id)
