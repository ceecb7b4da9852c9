"""Queueing outbound e-mail: the calls other apps make (automation rules, step plans, pages, API).

`email_queue` writes an EmailMessage (state queued, a Message-ID generated once) and a durable
`mailing.send` job in the caller's transaction; the job (mailing/jobs.py) sends it after commit
over the account's SMTP server, retrying with backoff while the server is unreachable or answers
4xx, and marking it failed on a permanent 5xx. A retry sends the same Message-ID.
`email_queue_template` renders a template for a record first (mailing/rendering.py).
"""

from __future__ import annotations

import base64
from email.utils import getaddresses, make_msgid, parseaddr
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from tradewind.activities.targets import TARGETS, target_get
from tradewind.core.errors import ErrorCode, NotFound, ServiceError
from tradewind.core.normalize import normalize_email
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import ActorKind, AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.jobs import job_enqueue
from tradewind.workspaces.permissions import Perm

from .choices import Direction, EmailState
from .errors import MailError
from .models import EmailLink, EmailMessage, EmailTemplate, MailAccount
from .rendering import pick_language, recipient_of, render_template, template_fits

SEND_JOB = "mailing.send"
SEND_ATTEMPTS = 12  # with the jobs' doubling backoff (capped at 6 h): about a day of retries
MAX_RECIPIENTS = 50
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
SUBJECT_MAX: int = EmailMessage._meta.get_field("subject").max_length or 500
BODY_MAX = 200_000


def _invalid(errors: dict[str, list[str]]) -> ServiceError:
    first = next(iter(errors.values()))[0]
    code = MailError.BAD_ADDRESS if {"to", "cc"} & set(errors) else MailError.INVALID
    if "to" in errors and errors["to"][0] == _("Enter at least one recipient."):
        code = MailError.NO_RECIPIENT
    return ServiceError(code, first, fields=errors)


def clean_addresses(values: Any, field: str, errors: dict[str, list[str]]) -> list[str]:
    """Plain, lower-case addresses from a list (or a comma-separated string) of addresses, each
    possibly written "Name <address>"; a bad one is an error on `field`."""
    if isinstance(values, str):
        values = [values]
    found: list[str] = []
    for _name, address in getaddresses([str(v) for v in values or [] if str(v).strip()]):
        try:
            clean = normalize_email(address)
        except ValueError:
            clean = ""
        if not clean:
            errors[field] = [
                _("“%(address)s” is not a valid e-mail address.") % {"address": address}
            ]
            return []
        if clean not in found:
            found.append(clean)
    if len(found) > MAX_RECIPIENTS:
        errors[field] = [_("At most %(n)s recipients.") % {"n": MAX_RECIPIENTS}]
    return found


def account_for(actor: Actor, account_id: int | None = None) -> MailAccount | None:
    """The account to send through: `account_id` (the actor's own or the workspace's), else the
    actor's own, else the workspace's, else None (the system mail settings)."""
    accounts = MailAccount.objects.filter(workspace_id=actor.workspace.pk)
    mine_or_shared = Q(owner__isnull=True)
    if actor.user_id is not None:
        mine_or_shared |= Q(owner_id=actor.user_id)
    if account_id is not None:
        account = accounts.filter(mine_or_shared, pk=account_id).first()
        if account is None:
            raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
        return account
    if actor.user_id is not None:
        own = accounts.filter(owner_id=actor.user_id).first()
        if own is not None:
            return own
    return accounts.filter(owner__isnull=True).first()


def _check_target(actor: Actor, target: models.Model) -> tuple[str, int]:
    target_type = getattr(target, "AUDIT_TYPE", "")
    if target_type not in TARGETS or getattr(target, "workspace_id", None) != actor.workspace.pk:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    if actor.member is not None:  # the member must see it; a system actor reads the workspace
        target_get(
            member=actor.member,
            workspace=actor.workspace,
            target_type=target_type,
            target_id=target.pk,
        )
    return target_type, int(target.pk)


def _attachments(items: list[tuple[str, str, bytes]] | None) -> list[dict[str, str]]:
    stored, total = [], 0
    for name, mimetype, content in items or []:
        total += len(content)
        if total > MAX_ATTACHMENT_BYTES:
            raise _invalid({"attachments": [_("Attachments may add up to 10 MB at most.")]})
        stored.append(
            {
                "name": str(name)[:200],
                "type": str(mimetype or "application/octet-stream"),
                "data": base64.b64encode(content).decode(),
            }
        )
    return stored


def _refuse_unsubscribed(actor: Actor, addresses: list[str]) -> None:
    """Automated and bulk sends (rules, step plans, campaigns) never reach an address that
    unsubscribed; a person writing one message may (the compose page warns): an opt-out from
    marketing does not forbid answering a buyer's own question."""
    if actor.kind in (ActorKind.USER, ActorKind.TOKEN):
        return
    from .hooks import suppressed

    refused = suppressed(actor.workspace.pk, addresses)
    if refused:
        message = _("%(address)s unsubscribed: no automated e-mail is sent there.") % {
            "address": ", ".join(sorted(refused))
        }
        raise ServiceError(MailError.UNSUBSCRIBED, message, fields={"to": [message]})


def _sender(actor: Actor, account: MailAccount | None) -> tuple[str, str]:
    if account is not None:
        return account.from_name, account.from_address
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return name, address or "noreply@localhost"


@transaction.atomic
def email_queue(
    *,
    actor: Actor,
    to: list[str],
    subject: str,
    body_text: str,
    body_html: str = "",
    target: models.Model | None = None,
    account_id: int | None = None,
    template_id: int | None = None,
    key: str = "",
    attachments: list[tuple[str, str, bytes]] | None = None,
    cc: list[str] | None = None,
    language: str = "",
) -> EmailMessage:
    """Queue one outbound e-mail and its durable send job (rung after commit).

    Account: `account_id`, else the actor's own account, else the workspace account, else the
    system mail settings (EMAIL_*). `target` (a lead, customer, contact or opportunity the actor
    may see) puts it on that record's timeline (a contact's also shows on its customer's).
    `key` makes the call idempotent: the same key in the workspace gives the first message back
    and queues nothing more. `attachments` are (file name, MIME type, content) triples.
    Raises ServiceError (422 `email_bad_address`, `email_no_recipient`, `email_invalid`; 403
    without Perm.EMAIL_SEND for a member; 404 for a target or account the actor may not use).
    """
    require(actor, Perm.EMAIL_SEND)
    workspace = actor.workspace
    if key:
        existing = EmailMessage.objects.filter(workspace_id=workspace.pk, key=key).first()
        if existing is not None:
            return existing
    errors: dict[str, list[str]] = {}
    to_clean = clean_addresses(to, "to", errors)
    if not to_clean and "to" not in errors:
        errors["to"] = [_("Enter at least one recipient.")]
    cc_clean = clean_addresses(cc or [], "cc", errors)
    subject = " ".join(str(subject or "").split())
    if not subject:
        errors["subject"] = [_("Enter a subject.")]
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = [_("At most %(n)s characters.") % {"n": SUBJECT_MAX}]
    body_text = str(body_text or "")
    if not body_text.strip() and not body_html.strip():
        errors["body"] = [_("Write the message.")]
    elif len(body_text) > BODY_MAX or len(body_html) > BODY_MAX:
        errors["body"] = [_("The message is too long.")]
    if errors:
        raise _invalid(errors)
    _refuse_unsubscribed(actor, [*to_clean, *cc_clean])
    target_type, target_id = _check_target(actor, target) if target is not None else ("", None)
    account = account_for(actor, account_id)
    template = None
    if template_id is not None:
        template = EmailTemplate.objects.filter(workspace_id=workspace.pk, pk=template_id).first()
        if template is None:
            raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    stored_attachments = _attachments(attachments)
    from_name, from_address = _sender(actor, account)
    email = EmailMessage(
        workspace=workspace,
        account=account,
        direction=Direction.OUT,
        message_id=make_msgid(domain=from_address.rpartition("@")[2] or "localhost"),
        from_name=from_name,
        from_address=from_address,
        to=to_clean,
        cc=cc_clean,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        language=language,
        state=EmailState.QUEUED,
        target_type=target_type,
        target_id=target_id,
        template=template,
        key=key,
        attachments=stored_attachments,
        created_by_id=actor.user_id,
    )
    try:
        with transaction.atomic():
            email.save()
    except IntegrityError:
        if key:  # a concurrent call with the same key won
            return EmailMessage.objects.get(workspace_id=workspace.pk, key=key)
        raise
    if target_type and target_id is not None:
        EmailLink.objects.create(
            workspace=workspace,
            email=email,
            target_type=target_type,
            target_id=target_id,
            at=email.created_at,
        )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        action="email_queued",
        target=email,
        changes={
            "to": [None, to_clean],
            "subject": [None, subject],
            **({"target": [None, f"{target_type}:{target_id}"]} if target_type else {}),
        },
    )
    job_enqueue(
        kind=SEND_JOB,
        payload={"email_id": email.pk},
        workspace=workspace,
        key=f"email:{email.pk}",
        max_attempts=SEND_ATTEMPTS,
    )
    emit(
        "email.queued",
        workspace_id=workspace.pk,
        email_id=email.pk,
        target_type=target_type,
        target_id=target_id,
    )
    return email


def template_for(actor: Actor, template_id: int) -> EmailTemplate:
    template = EmailTemplate.objects.filter(workspace_id=actor.workspace.pk, pk=template_id).first()
    if template is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    return template


@transaction.atomic
def email_queue_template(
    *,
    actor: Actor,
    template_id: int,
    record: models.Model,
    to: list[str] | None = None,
    language: str | None = None,
    key: str = "",
    extra: dict | None = None,
    cc: list[str] | None = None,
    account_id: int | None = None,
) -> EmailMessage:
    """Render a template for `record` and queue it (see `email_queue`).

    Language: `language` if the template has it, else the record's (its country), else the
    workspace's, else whichever the template is written in. `to` defaults to the record's
    address (the lead's e-mail, the contact's, a customer's primary contact's or company
    address, an opportunity's contact's). `me` in the template is the actor's user (the record's
    owner for a system actor). Raises 422 `email_template_record_type` when the template is
    written for another kind of record, `email_template_inactive`, `email_no_recipient`.
    """
    require(actor, Perm.EMAIL_SEND)
    if key:
        existing = EmailMessage.objects.filter(workspace_id=actor.workspace.pk, key=key).first()
        if existing is not None:
            return existing
    template = template_for(actor, template_id)
    if not template.is_active:
        raise ServiceError(MailError.TEMPLATE_INACTIVE, _("This template is switched off."))
    if not template_fits(template, record):
        raise ServiceError(
            MailError.TEMPLATE_MISMATCH,
            _("This template is written for another kind of record."),
            fields={"template": [_("This template is written for another kind of record.")]},
        )
    chosen = pick_language(template, record, workspace=actor.workspace, requested=language)
    rendered = render_template(
        template=template, record=record, language=chosen, extra=extra, sender=actor.user
    )
    recipients = list(to or [])
    if not recipients:
        address = recipient_of(record).get("email", "")
        if not address:
            raise ServiceError(
                MailError.NO_RECIPIENT,
                _("This record has no e-mail address: enter a recipient."),
                fields={"to": [_("This record has no e-mail address: enter a recipient.")]},
            )
        recipients = [address]
    return email_queue(
        actor=actor,
        to=recipients,
        cc=cc,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        target=record,
        account_id=account_id,
        template_id=template.pk,
        key=key,
        language=rendered.language,
    )
