"""The two actions that hand work to other issue-8 apps: e-mail (mailing) and webhooks.

Both apps are imported lazily, inside the functions, so rules keep working (and say plainly why an
action cannot run) while either app is missing or being built. Nothing here sends anything: each
call queues a durable row of the other app inside the rule run's transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from tradewind.workspaces.actors import Actor
from tradewind.workspaces.models import Workspace

# The public event type a rule's webhook call carries (receivers tell it from domain events).
RULE_EVENT_TYPE = "automation.rule"


def _templates(workspace_id: int) -> Any:
    try:
        from tradewind.mailing.models import EmailTemplate
    except ImportError:
        return None
    return EmailTemplate.objects.filter(workspace_id=workspace_id)


def _fits(template_type: str, record_type: str) -> bool:
    try:
        from tradewind.mailing.rendering import OBJECTS
    except ImportError:
        return True
    return set(OBJECTS.get(template_type, ())) <= set(OBJECTS.get(record_type, ()))


def template_problem(workspace: Workspace, template_id: int, record_type: str) -> str:
    """Why this template cannot be used by a rule on this record type ("" when it can)."""
    templates = _templates(workspace.pk)
    if templates is None:
        return _("E-mail is not available in this installation.")
    template = templates.filter(pk=template_id).first()
    if template is None:
        return _("Choose an e-mail template of this workspace.")
    if not _fits(template.record_type, record_type):
        return _("This template is written for another kind of record.")
    return ""


def template_choices(workspace_id: int, record_type: str) -> list[tuple[str, str]]:
    templates = _templates(workspace_id)
    if templates is None:
        return []
    return [
        (str(t.pk), t.name)
        for t in templates.filter(is_active=True).order_by("name", "id")
        if _fits(t.record_type, record_type)
    ]


def _endpoints(workspace_id: int) -> Any:
    try:
        from tradewind.webhooks.models import WebhookEndpoint
    except ImportError:
        return None
    return WebhookEndpoint.objects.filter(workspace_id=workspace_id)


def endpoint_problem(workspace: Workspace, endpoint_id: int) -> str:
    endpoints = _endpoints(workspace.pk)
    if endpoints is None:
        return _("Webhooks are not available in this installation.")
    if not endpoints.filter(pk=endpoint_id).exists():
        return _("Choose a webhook endpoint of this workspace.")
    return ""


def endpoint_choices(workspace_id: int) -> list[tuple[str, str]]:
    endpoints = _endpoints(workspace_id)
    if endpoints is None:
        return []
    return [
        (str(e.pk), e.description or e.url) for e in endpoints.order_by("-is_active", "url", "id")
    ]


# --- running ---------------------------------------------------------------------------------------


def send_email(*, actor: Actor, template_id: int, record: models.Model, key: str) -> str:
    """Queue the template for the record (its default address); `key` makes a retried run queue
    the same message, not a second one. Returns what the run log shows."""
    from tradewind.mailing.sending import email_queue_template

    message = email_queue_template(actor=actor, template_id=template_id, record=record, key=key)
    return _("E-mail “%(subject)s” queued to %(to)s.") % {
        "subject": message.subject,
        "to": ", ".join(message.to),
    }


def call_webhook(
    *, workspace_id: int, endpoint_id: int, data: dict[str, Any], event_id: str
) -> str:
    """Queue one delivery to the endpoint; the same `event_id` on a retry lets the receiver
    drop a duplicate."""
    from tradewind.webhooks.services import webhook_send

    delivery = webhook_send(
        workspace_id=workspace_id,
        endpoint_id=endpoint_id,
        event_type=RULE_EVENT_TYPE,
        data=data,
        event_id=event_id,
    )
    return _("Webhook delivery %(id)s queued.") % {"id": delivery.pk}


# --- previews (the test panel: nothing is written) ------------------------------------------------


def preview_email(workspace: Workspace, template_id: int, record: models.Model) -> tuple[bool, str]:
    templates = _templates(workspace.pk)
    if templates is None:
        return False, _("E-mail is not available in this installation.")
    template = templates.filter(pk=template_id).first()
    if template is None:
        return False, _("The template no longer exists.")
    if not template.is_active:
        return False, _("This template is switched off.")
    from tradewind.mailing.rendering import pick_language, recipient_of, render_template

    language = pick_language(template, record, workspace=workspace)
    rendered = render_template(template=template, record=record, language=language)
    address = recipient_of(record).get("email", "")
    if not address:
        return False, _("“%(subject)s”: the record has no e-mail address to send to.") % {
            "subject": rendered.subject
        }
    return True, _("Would send “%(subject)s” to %(to)s.") % {
        "subject": rendered.subject,
        "to": address,
    }


def preview_webhook(workspace: Workspace, endpoint_id: int) -> tuple[bool, str]:
    endpoints = _endpoints(workspace.pk)
    if endpoints is None:
        return False, _("Webhooks are not available in this installation.")
    endpoint = endpoints.filter(pk=endpoint_id).first()
    if endpoint is None:
        return False, _("The endpoint no longer exists.")
    if not endpoint.is_active:
        return False, _("Would call %(url)s, but the endpoint is switched off.") % {
            "url": endpoint.url
        }
    return True, _("Would call %(url)s.") % {"url": endpoint.url}
