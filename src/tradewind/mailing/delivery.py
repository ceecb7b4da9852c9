"""Talking to mail servers: an SMTP connection per account, building the MIME message, and telling
a temporary failure (retry later) from a permanent one (give up, keep the server's words)."""

from __future__ import annotations

import base64
import contextlib
import smtplib
import socket
from email.utils import formataddr
from typing import Any

from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

from .choices import Security
from .crypto import SecretUnreadable, decrypt
from .models import EmailMessage, MailAccount

SMTP_TIMEOUT = 30


class TemporaryFailure(Exception):
    """Try again later: the server is down, busy (4xx) or the connection broke."""


class PermanentFailure(Exception):
    """The server refused for good (5xx), or the account cannot work as configured."""


def smtp_connection(account: MailAccount | None) -> Any:
    """A Django mail backend: the account's SMTP server, or the system EMAIL_* settings."""
    if account is None:
        return get_connection(fail_silently=False)
    try:
        password = decrypt(account.smtp_password_enc)
    except SecretUnreadable as exc:
        raise PermanentFailure(
            "the stored SMTP password cannot be decrypted (the encryption key changed); "
            "enter it again"
        ) from exc
    return SmtpBackend(
        host=account.smtp_host,
        port=account.smtp_port,
        username=account.smtp_username or None,
        password=password or None,
        use_tls=account.smtp_security == Security.STARTTLS,
        use_ssl=account.smtp_security == Security.SSL,
        timeout=SMTP_TIMEOUT,
        fail_silently=False,
    )


def build_message(email: EmailMessage, connection: Any) -> EmailMultiAlternatives:
    from .hooks import extra_headers

    headers = {**extra_headers(email), "Message-ID": email.message_id}
    if email.in_reply_to:
        headers["In-Reply-To"] = email.in_reply_to
        headers["References"] = (email.references or email.in_reply_to).strip()
    reply_to = []
    if email.account_id is None and email.created_by is not None:
        reply_to = [email.created_by.email]  # system settings: replies reach the person
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=formataddr((email.from_name, email.from_address))
        if email.from_name
        else email.from_address,
        to=list(email.to),
        cc=list(email.cc),
        headers=headers,
        reply_to=reply_to,
        connection=connection,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for item in email.attachments or []:
        message.attach(item["name"], base64.b64decode(item["data"]), item["type"])
    return message


def _server_text(error: Any) -> str:
    if isinstance(error, bytes):
        return error.decode("utf-8", "replace")
    return str(error)


def classify(exc: BaseException) -> Exception:
    """A TemporaryFailure or PermanentFailure carrying the server's message."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        text = "; ".join(
            f"{rcpt}: {code} {_server_text(msg)}" for rcpt, (code, msg) in exc.recipients.items()
        )
        if codes and all(code >= 500 for code in codes):
            return PermanentFailure(text)
        return TemporaryFailure(text)
    if isinstance(exc, smtplib.SMTPResponseException):
        text = f"{exc.smtp_code} {_server_text(exc.smtp_error)}"
        return PermanentFailure(text) if exc.smtp_code >= 500 else TemporaryFailure(text)
    if isinstance(exc, smtplib.SMTPServerDisconnected | socket.timeout | OSError):
        return TemporaryFailure(str(exc) or exc.__class__.__name__)
    if isinstance(exc, smtplib.SMTPException):
        return TemporaryFailure(str(exc))
    return PermanentFailure(str(exc))


def deliver(email: EmailMessage) -> None:
    """Send one stored message; raises TemporaryFailure or PermanentFailure."""
    connection = smtp_connection(email.account)
    message = build_message(email, connection)
    try:
        sent = message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        raise classify(exc) from exc
    except UnicodeError as exc:  # smtplib sends credentials as ASCII only
        raise PermanentFailure(
            f"a user name, password or address the server cannot take: {exc}"
        ) from exc
    if not sent:
        raise TemporaryFailure("the mail server accepted nothing")


def smtp_check(account: MailAccount) -> None:
    """Open and close a connection (with login); raises TemporaryFailure/PermanentFailure."""
    connection = smtp_connection(account)
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as exc:
        raise classify(exc) from exc
    finally:
        # closing a half-open connection must not hide the cause
        with contextlib.suppress(Exception):
            connection.close()
