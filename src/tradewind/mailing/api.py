"""E-mail over the API (/api/v1/email): templates and their preview, mail accounts (passwords are
write-only: never returned), sending to a record, a record's mail, one message, unmatched mail.

Payload fields all have defaults, so a foreign id answers 404 from the service rather than 422
from the schema."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from tradewind.activities.targets import target_get
from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import accounts, selectors, template_services
from .choices import Language
from .rendering import render_free
from .sending import email_queue, email_queue_template

router = Router(tags=["email"])


class EmailTemplateIn(Schema):
    name: str = ""
    record_type: str = Field("any", description="any, lead, contact, customer or opportunity")
    subject_en: str = ""
    body_en: str = Field(
        "", description="Plain text with merge fields like {{ lead.company_name }}"
    )
    subject_zh: str = ""
    body_zh: str = ""
    is_active: bool = True
    version: int | None = Field(None, description="The version you read (optimistic locking)")


class EmailTemplateOut(Schema):
    id: int
    name: str
    record_type: str
    subject_en: str
    body_en: str
    subject_zh: str
    body_zh: str
    languages: list[str]
    is_active: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class EmailPreviewIn(Schema):
    target_type: str = Field("", description="lead, customer, contact or opportunity; empty: none")
    target_id: int | None = None
    language: str = Field("", description="en or zh; empty: the record's, else the workspace's")


class EmailRenderedOut(Schema):
    subject: str
    text: str
    html: str
    language: str


class EmailMergeFieldOut(Schema):
    name: str
    label: str


class MailAccountIn(Schema):
    from_name: str = ""
    from_address: str = ""
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = Field("starttls", description="starttls, ssl or none")
    smtp_username: str = ""
    smtp_password: str | None = Field(None, description="Write-only; null or omitted keeps it")
    clear_smtp_password: bool = False
    imap_host: str = ""
    imap_port: int = 993
    imap_ssl: bool = True
    imap_username: str = ""
    imap_password: str | None = Field(None, description="Write-only; null or omitted keeps it")
    clear_imap_password: bool = False
    imap_folder: str = "INBOX"
    imap_polling: bool = False


class MailAccountOut(Schema):
    id: int
    owner_id: int | None
    workspace_account: bool
    from_name: str
    from_address: str
    smtp_host: str
    smtp_port: int
    smtp_security: str
    smtp_username: str
    smtp_password_set: bool
    imap_host: str
    imap_port: int
    imap_ssl: bool
    imap_username: str
    imap_password_set: bool
    imap_folder: str
    imap_polling: bool
    imap_polled_at: dt.datetime | None
    imap_error: str
    version: int


class MailAccountTestIn(Schema):
    send_to: str = Field("", description="Also send a test message to this address")


class MailAccountTestOut(Schema):
    smtp: bool
    imap: bool | None
    sent_to: str


class EmailSendIn(Schema):
    target_type: str = Field("", description="lead, customer, contact or opportunity")
    target_id: int | None = None
    template_id: int | None = Field(None, description="Render this template for the record")
    language: str = Field("", description="en or zh (templates); empty: automatic")
    to: list[str] = Field(default_factory=list, description="Default: the record's address")
    cc: list[str] = Field(default_factory=list)
    subject: str = Field("", description="Without a template")
    body: str = Field("", description="Plain text, without a template")
    account_id: int | None = Field(None, description="Default: yours, else the workspace's")
    key: str = Field("", description="The same key sends once")


class MailPollOut(Schema):
    job_id: int


class EmailOut(Schema):
    id: int
    direction: str
    state: str
    message_id: str
    from_name: str
    from_address: str
    to: list[str]
    cc: list[str]
    subject: str
    body_text: str
    language: str
    error: str
    attempts: int
    target_type: str
    target_id: int | None
    template_id: int | None
    account_id: int | None
    reply_to_email_id: int | None
    created_by_id: int | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    received_at: dt.datetime | None


class EmailRecordQuery(Schema):
    target_type: str = Field(..., description="lead, customer, contact or opportunity")
    target_id: int


def _template_out(t: Any) -> dict[str, Any]:
    return {
        "id": t.pk,
        "name": t.name,
        "record_type": t.record_type,
        "subject_en": t.subject_en,
        "body_en": t.body_en,
        "subject_zh": t.subject_zh,
        "body_zh": t.body_zh,
        "languages": t.languages,
        "is_active": t.is_active,
        "version": t.version,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
    }


def _account_out(a: Any) -> dict[str, Any]:
    return {
        "id": a.pk,
        "owner_id": a.owner_id,
        "workspace_account": a.owner_id is None,
        "from_name": a.from_name,
        "from_address": a.from_address,
        "smtp_host": a.smtp_host,
        "smtp_port": a.smtp_port,
        "smtp_security": a.smtp_security,
        "smtp_username": a.smtp_username,
        "smtp_password_set": a.has_smtp_password,
        "imap_host": a.imap_host,
        "imap_port": a.imap_port,
        "imap_ssl": a.imap_ssl,
        "imap_username": a.imap_username,
        "imap_password_set": a.has_imap_password,
        "imap_folder": a.imap_folder,
        "imap_polling": a.imap_polling,
        "imap_polled_at": a.imap_polled_at,
        "imap_error": a.imap_error,
        "version": a.version,
    }


# --- templates -------------------------------------------------------------------------------------


@router.get("/templates", response={200: list[EmailTemplateOut], **READ_ERRORS, 403: ERRORS[403]})
def template_list_api(request: HttpRequest) -> list[dict[str, Any]]:
    member = request.member  # type: ignore[attr-defined]
    selectors.require_mail(member)
    return [_template_out(t) for t in selectors.templates_for(member)]


@router.get("/merge-fields", response={200: list[EmailMergeFieldOut], **READ_ERRORS})
def merge_fields_api(request: HttpRequest, record_type: str = "any") -> list[dict[str, str]]:
    """The merge fields a template of `record_type` may use."""
    from .rendering import catalogue

    return [{"name": n, "label": str(label)} for n, label in catalogue(record_type)]


def _save_template(request: HttpRequest, payload: EmailTemplateIn, template_id: int | None) -> Any:
    return template_services.email_template_save(
        actor=request.actor,  # type: ignore[attr-defined]
        template_id=template_id,
        name=payload.name,
        record_type=payload.record_type,
        subject_en=payload.subject_en,
        body_en=payload.body_en,
        subject_zh=payload.subject_zh,
        body_zh=payload.body_zh,
        is_active=payload.is_active,
        expected_version=payload.version,
    )


@router.post("/templates", response={201: EmailTemplateOut, **ERRORS})
def template_create_api(request: HttpRequest, payload: EmailTemplateIn) -> Status:
    return Status(201, _template_out(_save_template(request, payload, None)))


@router.get(
    "/templates/{email_template_id}",
    response={200: EmailTemplateOut, **READ_ERRORS, 403: ERRORS[403]},
)
def template_get_api(request: HttpRequest, email_template_id: int) -> dict[str, Any]:
    return _template_out(selectors.template_get(request.member, email_template_id))  # type: ignore[attr-defined]


@router.put("/templates/{email_template_id}", response={200: EmailTemplateOut, **ERRORS})
def template_update_api(
    request: HttpRequest, email_template_id: int, payload: EmailTemplateIn
) -> dict[str, Any]:
    return _template_out(_save_template(request, payload, email_template_id))


@router.delete("/templates/{email_template_id}", response={204: None, **ERRORS})
def template_delete_api(request: HttpRequest, email_template_id: int) -> Status:
    template_services.email_template_delete(
        actor=request.actor,  # type: ignore[attr-defined]
        template_id=email_template_id,
    )
    return Status(204, None)


def _record(request: HttpRequest, target_type: str, target_id: Any) -> Any:
    member = request.member  # type: ignore[attr-defined]
    return target_get(
        member=member, workspace=member.workspace, target_type=target_type, target_id=target_id
    )


@router.post("/templates/{email_template_id}/preview", response={200: EmailRenderedOut, **ERRORS})
def template_preview_api(
    request: HttpRequest, email_template_id: int, payload: EmailPreviewIn
) -> dict[str, Any]:
    """The template rendered for a record (without one: with [object.field] placeholders)."""
    member = request.member  # type: ignore[attr-defined]
    template = selectors.template_get(member, email_template_id)
    record = (
        _record(request, payload.target_type, payload.target_id) if payload.target_type else None
    )
    rendered = template_services.email_template_preview(
        actor=request.actor,  # type: ignore[attr-defined]
        template=template,
        record=record,
        language=payload.language if payload.language in Language.values else None,
    )
    return {
        "subject": rendered.subject,
        "text": rendered.text,
        "html": rendered.html,
        "language": rendered.language,
    }


# --- accounts --------------------------------------------------------------------------------------


@router.get("/accounts", response={200: list[MailAccountOut], **READ_ERRORS})
def account_list_api(request: HttpRequest) -> list[dict[str, Any]]:
    """Your own account and, if you manage e-mail, the workspace account. Passwords are never
    returned: `*_password_set` says whether one is stored."""
    member = request.member  # type: ignore[attr-defined]
    return [_account_out(a) for a in selectors.accounts_visible(member).order_by("id")]


def _save_account(request: HttpRequest, payload: MailAccountIn, *, workspace_account: bool) -> Any:
    data = payload.dict(
        exclude={
            "smtp_password",
            "imap_password",
            "clear_smtp_password",
            "clear_imap_password",
        }
    )
    return accounts.mail_account_save(
        actor=request.actor,  # type: ignore[attr-defined]
        workspace_account=workspace_account,
        data=data,
        smtp_password=payload.smtp_password,
        imap_password=payload.imap_password,
        clear_smtp_password=payload.clear_smtp_password,
        clear_imap_password=payload.clear_imap_password,
    )


@router.put("/accounts/me", response={200: MailAccountOut, **ERRORS})
def account_mine_api(request: HttpRequest, payload: MailAccountIn) -> dict[str, Any]:
    """Create or change your own mail account (Perm.EMAIL_SEND)."""
    return _account_out(_save_account(request, payload, workspace_account=False))


@router.put("/accounts/workspace", response={200: MailAccountOut, **ERRORS})
def account_workspace_api(request: HttpRequest, payload: MailAccountIn) -> dict[str, Any]:
    """Create or change the workspace account (Perm.EMAIL_MANAGE)."""
    return _account_out(_save_account(request, payload, workspace_account=True))


@router.get("/accounts/{mail_account_id}", response={200: MailAccountOut, **READ_ERRORS})
def account_get_api(request: HttpRequest, mail_account_id: int) -> dict[str, Any]:
    return _account_out(selectors.account_get(request.member, mail_account_id))  # type: ignore[attr-defined]


@router.delete("/accounts/{mail_account_id}", response={204: None, **ERRORS})
def account_delete_api(request: HttpRequest, mail_account_id: int) -> Status:
    accounts.mail_account_delete(actor=request.actor, account_id=mail_account_id)  # type: ignore[attr-defined]
    return Status(204, None)


@router.post("/accounts/{mail_account_id}/test", response={200: MailAccountTestOut, **ERRORS})
def account_test_api(
    request: HttpRequest, mail_account_id: int, payload: MailAccountTestIn
) -> dict[str, Any]:
    """Connect to the SMTP (and IMAP) server; with `send_to`, also send a test message. A failure
    answers 422 `email_connection_failed` with the server's words."""
    result = accounts.mail_account_test(
        actor=request.actor,  # type: ignore[attr-defined]
        account_id=mail_account_id,
        send_to=payload.send_to,
    )
    return {"smtp": result["smtp"], "imap": result["imap"], "sent_to": result["sent_to"]}


@router.post("/accounts/{mail_account_id}/poll", response={202: MailPollOut, **ERRORS})
def account_poll_api(request: HttpRequest, mail_account_id: int) -> Status:
    """Fetch the account's new mail now (in the background)."""
    job_id = accounts.mail_account_poll_now(
        actor=request.actor,  # type: ignore[attr-defined]
        account_id=mail_account_id,
    )
    return Status(202, {"job_id": job_id})


# --- messages --------------------------------------------------------------------------------------


def _email_out(e: Any) -> dict[str, Any]:
    return {
        "id": e.pk,
        "direction": e.direction,
        "state": e.state,
        "message_id": e.message_id,
        "from_name": e.from_name,
        "from_address": e.from_address,
        "to": list(e.to or []),
        "cc": list(e.cc or []),
        "subject": e.subject,
        "body_text": e.body_text,
        "language": e.language,
        "error": e.error,
        "attempts": e.attempts,
        "target_type": e.target_type,
        "target_id": e.target_id,
        "template_id": e.template_id,
        "account_id": e.account_id,
        "reply_to_email_id": e.reply_to_email_id,
        "created_by_id": e.created_by_id,
        "created_at": e.created_at,
        "sent_at": e.sent_at,
        "received_at": e.received_at,
    }


@router.post("/send", response={201: EmailOut, **ERRORS})
def send_api(request: HttpRequest, payload: EmailSendIn) -> Status:
    """Queue an e-mail to a record (Perm.EMAIL_SEND): a template rendered for it, or your own
    subject and body. It goes out in the background; `state` tells how it went."""
    actor = request.actor  # type: ignore[attr-defined]
    require(actor, Perm.EMAIL_SEND)  # 403 for every record, before any lookup
    record = (
        _record(request, payload.target_type, payload.target_id)
        if payload.target_type or payload.target_id is not None
        else None
    )
    if payload.template_id is not None and record is not None:
        email = email_queue_template(
            actor=actor,
            template_id=payload.template_id,
            record=record,
            to=payload.to or None,
            cc=payload.cc,
            language=payload.language or None,
            key=payload.key,
            account_id=payload.account_id,
        )
    else:
        subject, text, html = render_free(subject=payload.subject, body=payload.body)
        email = email_queue(
            actor=actor,
            to=payload.to,
            cc=payload.cc,
            subject=subject,
            body_text=text,
            body_html=html if text.strip() else "",
            target=record,
            account_id=payload.account_id,
            template_id=payload.template_id,
            key=payload.key,
        )
    email.refresh_from_db()
    return Status(201, _email_out(email))


@router.get("/messages", response={200: list[EmailOut], **READ_ERRORS})
def messages_api(request: HttpRequest, params: Query[EmailRecordQuery]) -> list[dict[str, Any]]:
    """A record's mail, newest first (at most 50)."""
    member = request.member  # type: ignore[attr-defined]
    record = _record(request, params.target_type, params.target_id)
    return [_email_out(e) for e in selectors.emails_of(member, record)]


@router.get("/messages/{email_id}", response={200: EmailOut, **READ_ERRORS})
def message_api(request: HttpRequest, email_id: int) -> dict[str, Any]:
    return _email_out(selectors.email_get(request.member, email_id))  # type: ignore[attr-defined]


@router.get("/unmatched", response={200: list[EmailOut], **READ_ERRORS})
def unmatched_api(request: HttpRequest, before_id: int | None = None) -> list[dict[str, Any]]:
    """Inbound mail from senders who are none of your contacts or leads, newest first (50 a
    page; pass the last id as `before_id` for the next)."""
    member = request.member  # type: ignore[attr-defined]
    return [_email_out(e) for e in selectors.unmatched_for(member, before_id=before_id)]
