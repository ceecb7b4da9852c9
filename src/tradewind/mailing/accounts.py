"""Writes of mail accounts: the workspace account (Perm.EMAIL_MANAGE) and each member's own
(Perm.EMAIL_SEND), the connection test, and "poll now".

Passwords: a blank or missing password keeps the stored one; `clear_*_password` removes it. They
are encrypted before they are stored (mailing/crypto.py), never logged in the audit trail (only
"changed"), and never returned by a page or the API.
"""

from __future__ import annotations

import re
import smtplib
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils.translation import gettext as _

from tradewind.core.errors import ErrorCode, NotFound, ServiceError
from tradewind.core.normalize import normalize_email
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.jobs import job_enqueue
from tradewind.workspaces.permissions import Perm

from .choices import Security
from .crypto import encrypt
from .delivery import (
    PermanentFailure,
    TemporaryFailure,
    classify,
    smtp_check,
    smtp_connection,
)
from .errors import MailError
from .models import MailAccount

AUDIT_FIELDS = [
    "from_name",
    "from_address",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
    "imap_host",
    "imap_port",
    "imap_ssl",
    "imap_username",
    "imap_folder",
    "imap_polling",
]
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$|^\[?[0-9A-Fa-f:.]+\]?$")


def _not_found() -> NotFound:
    return NotFound(ErrorCode.NOT_FOUND, _("Not found."))


def _or(value: Any, default: int) -> Any:
    return default if value in (None, "") else value


def _port(value: Any, field: str, errors: dict[str, list[str]]) -> int:
    try:
        port = int(value)
    except (TypeError, ValueError):
        port = 0
    if not 1 <= port <= 65535:
        errors[field] = [_("Enter a port between 1 and 65535.")]
    return port


def _host(value: Any, field: str, errors: dict[str, list[str]], *, required: bool) -> str:
    host = str(value or "").strip().lower()
    if not host:
        if required:
            errors[field] = [_("Enter the server's host name.")]
        return ""
    if not _HOST.match(host):
        errors[field] = [_("Enter a host name such as smtp.example.com (no scheme, no port).")]
    return host


def clean_account_fields(data: dict[str, Any], *, has_imap_password: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {
        "from_name": " ".join(str(data.get("from_name") or "").split())[:120],
        "smtp_security": str(data.get("smtp_security") or Security.STARTTLS),
        "smtp_username": str(data.get("smtp_username") or "").strip()[:200],
        "imap_ssl": bool(data.get("imap_ssl", True)),
        "imap_username": str(data.get("imap_username") or "").strip()[:200],
        "imap_folder": str(data.get("imap_folder") or "INBOX").strip()[:200] or "INBOX",
        "imap_polling": bool(data.get("imap_polling", False)),
    }
    try:
        values["from_address"] = normalize_email(data.get("from_address"))
    except ValueError:
        values["from_address"] = ""
    if not values["from_address"]:
        errors["from_address"] = [_("Enter the address the mail is sent from.")]
    values["smtp_host"] = _host(data.get("smtp_host"), "smtp_host", errors, required=True)
    values["smtp_port"] = _port(_or(data.get("smtp_port"), 587), "smtp_port", errors)
    if values["smtp_security"] not in Security.values:
        errors["smtp_security"] = [_("Choose one of the offered values.")]
    values["imap_host"] = _host(data.get("imap_host"), "imap_host", errors, required=False)
    values["imap_port"] = _port(_or(data.get("imap_port"), 993), "imap_port", errors)
    if values["imap_polling"]:
        if not values["imap_host"] and "imap_host" not in errors:
            errors["imap_host"] = [_("Fetching new mail needs the IMAP server.")]
        if not values["imap_username"]:
            errors["imap_username"] = [_("Fetching new mail needs the IMAP user name.")]
        if not has_imap_password:
            errors["imap_password"] = [_("Fetching new mail needs the IMAP password.")]
    if errors:
        raise ServiceError(MailError.INVALID, _("Please correct the marked fields."), fields=errors)
    return values


def _account_query(actor: Actor, *, workspace_account: bool) -> Any:
    accounts = MailAccount.objects.filter(workspace_id=actor.workspace.pk)
    if workspace_account:
        return accounts.filter(owner__isnull=True)
    return accounts.filter(owner_id=actor.user_id)


def _require_for(actor: Actor, *, workspace_account: bool) -> None:
    require(actor, Perm.EMAIL_MANAGE if workspace_account else Perm.EMAIL_SEND)
    if not workspace_account and actor.user_id is None:
        raise ServiceError(MailError.INVALID, _("Only a member has an own mail account."))


@transaction.atomic
def mail_account_save(
    *,
    actor: Actor,
    workspace_account: bool = False,
    data: dict[str, Any],
    smtp_password: str | None = None,
    imap_password: str | None = None,
    clear_smtp_password: bool = False,
    clear_imap_password: bool = False,
) -> MailAccount:
    """Create or change the workspace account or the actor's own. A blank password keeps the
    stored one. Returns the account (its passwords stay encrypted and are never shown)."""
    _require_for(actor, workspace_account=workspace_account)
    account = _account_query(actor, workspace_account=workspace_account).select_for_update()
    account = account.first()
    new_imap = bool(imap_password)
    keeps_imap = account is not None and account.has_imap_password and not clear_imap_password
    values = clean_account_fields(data, has_imap_password=new_imap or keeps_imap)
    changes: dict[str, list[Any]]
    created = account is None
    if account is None:
        account = MailAccount(
            workspace=actor.workspace,
            owner_id=None if workspace_account else actor.user_id,
            **values,
        )
        changes = {}
    else:
        changes = audit.apply_changes(account, values, AUDIT_FIELDS)
    for kind, given, clear in (
        ("smtp", smtp_password, clear_smtp_password),
        ("imap", imap_password, clear_imap_password),
    ):
        field = f"{kind}_password_enc"
        if given:
            setattr(account, field, encrypt(given))
            changes[f"{kind}_password"] = [None, "changed"]
        elif clear and getattr(account, field):
            setattr(account, field, "")
            changes[f"{kind}_password"] = ["set", None]
    if (
        "imap_host" in changes or "imap_folder" in changes or "imap_username" in changes
    ) and not created:
        account.imap_uidvalidity = None  # another mailbox: start reading it afresh
        account.imap_last_uid = 0
    if created:
        account.save()
        audit.record_create(actor=actor, target=account, fields=AUDIT_FIELDS)
    elif changes:
        audit.save_update(actor=actor, target=account, changes=changes)
    return account


def _account_for_write(actor: Actor, account_id: int) -> MailAccount:
    account = MailAccount.objects.filter(workspace_id=actor.workspace.pk, pk=account_id).first()
    if account is None:
        raise _not_found()
    if account.owner_id is None:
        if actor.member is not None and not actor.member.has(Perm.EMAIL_MANAGE):
            raise _not_found()  # members see only their own account and, managing, the shared one
        require(actor, Perm.EMAIL_MANAGE)
    else:
        if account.owner_id != actor.user_id:
            raise _not_found()
        require(actor, Perm.EMAIL_SEND)
    return account


@transaction.atomic
def mail_account_delete(*, actor: Actor, account_id: int) -> None:
    account = _account_for_write(actor, account_id)
    audit.record(actor=actor, verb=AuditVerb.DELETE, target=account, changes={})
    account.delete()


def _failed(detail: str, *, what: str) -> ServiceError:
    message = _("The %(what)s connection failed: %(detail)s") % {"what": what, "detail": detail}
    return ServiceError(MailError.CONNECTION_FAILED, message, fields={"__all__": [message]})


def mail_account_test(*, actor: Actor, account_id: int, send_to: str = "") -> dict[str, Any]:
    """Connect to the account's SMTP server (and IMAP folder, when set up); with `send_to`, send
    a short test message there. Raises 422 `email_connection_failed` with the server's words."""
    from .inbound import PollError, _logout, open_folder

    account = _account_for_write(actor, account_id)
    result: dict[str, Any] = {"smtp": False, "imap": None, "sent_to": ""}
    try:
        if send_to:
            try:
                address = normalize_email(send_to)
            except ValueError:
                address = ""
            if not address:
                message = _("“%(address)s” is not a valid e-mail address.") % {"address": send_to}
                raise ServiceError(MailError.BAD_ADDRESS, message, fields={"send_to": [message]})
            connection = smtp_connection(account)
            EmailMultiAlternatives(
                subject=_("Tradewind test e-mail"),
                body=_("This message confirms that Tradewind can send through %(account)s.")
                % {"account": str(account)},
                from_email=account.from_address,
                to=[address],
                connection=connection,
            ).send(fail_silently=False)
            result["sent_to"] = address
        else:
            smtp_check(account)
        result["smtp"] = True
    except (TemporaryFailure, PermanentFailure) as exc:
        raise _failed(str(exc), what="SMTP") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise _failed(str(classify(exc)), what="SMTP") from exc
    if account.imap_configured:
        try:
            mailbox, _validity, id_sent = open_folder(account)
        except PollError as exc:
            raise _failed(str(exc), what="IMAP") from exc
        _logout(mailbox)
        result["imap"] = True
        result["imap_id_sent"] = id_sent
    return result


def mail_account_poll_now(*, actor: Actor, account_id: int) -> int:
    """Queue a poll of the account's IMAP folder now; returns the job id."""
    account = _account_for_write(actor, account_id)
    if not account.imap_configured:
        raise ServiceError(MailError.INVALID, _("Set up the IMAP server of this account first."))
    with transaction.atomic():
        job = job_enqueue(
            kind="mailing.poll", payload={"account_id": account.pk}, workspace=actor.workspace
        )
    return job.pk
