"""Inbound e-mail: polling an account's IMAP folder and filing what arrives.

A poll logs in, sends the IMAP `ID` command when the server lists ID among its capabilities (163.com
and others answer SELECT with "Unsafe Login" until a client says who it is), opens the folder
read-only, and fetches the messages above the highest UID already stored under the folder's
UIDVALIDITY (a new UIDVALIDITY starts over; the first poll takes only the newest
FIRST_POLL_LIMIT). Each message is stored once (unique per account + Message-ID and per account +
UIDVALIDITY + UID) and linked to the contacts and leads whose address sent it (or, for a copy of
the account's own sent mail, to whom it went). A reply is threaded to our outbound message by
In-Reply-To and also lands where that message was. Mail from nobody we know is kept unlinked —
the account owner's "unmatched" list. Nothing here creates a lead or a contact: a workflow rule
listening to `email.received` may.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import imaplib
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from tradewind import __version__
from tradewind.core.normalize import normalize_email
from tradewind.workspaces.events import emit

from .choices import Direction, EmailState
from .crypto import SecretUnreadable, decrypt
from .models import EmailLink, EmailMessage, MailAccount

log = logging.getLogger(__name__)

IMAP_TIMEOUT = 30
POLL_BATCH = 200  # at most this many messages per poll; the rest come at the next one
FIRST_POLL_LIMIT = 50
FETCH_BULK = 20
MAX_MATCHES = 20
ID_FIELDS = ("name", "Tradewind", "version", __version__, "vendor", "Tradewind CRM")


class PollError(Exception):
    """The account could not be read (login refused, folder missing, server unreachable)."""


def _mailbox(account: MailAccount) -> Any:
    from imap_tools import MailBox, MailBoxUnencrypted

    if account.imap_ssl:
        return MailBox(account.imap_host, account.imap_port, timeout=IMAP_TIMEOUT)
    return MailBoxUnencrypted(account.imap_host, account.imap_port, timeout=IMAP_TIMEOUT)


def send_id(client: imaplib.IMAP4) -> bool:
    """Send `ID ("name" "Tradewind" …)` (RFC 2971) when the server offers it; True if sent."""
    capabilities = {str(c).upper() for c in getattr(client, "capabilities", ())}
    if "ID" not in capabilities:
        typ, data = client.capability()  # some servers list more once logged in
        listed = b" ".join(d for d in data if isinstance(d, bytes)).upper().split()
        if typ != "OK" or b"ID" not in listed:  # not "IDLE"
            return False
    # imaplib knows no ID command; allow it in every state rather than only the first caller's.
    imaplib.Commands.setdefault("ID", ("NONAUTH", "AUTH", "SELECTED"))
    fields = " ".join(f'"{value}"' for value in ID_FIELDS)
    typ, _data = client._simple_command("ID", f"({fields})")
    return typ == "OK"


def _uidvalidity(client: imaplib.IMAP4) -> int | None:
    values: list[Any] = list(client.untagged_responses.get("UIDVALIDITY") or [])
    try:
        return int(values[-1]) if values else None
    except (TypeError, ValueError):
        return None


def open_folder(account: MailAccount) -> tuple[Any, int | None, bool]:
    """(mailbox logged in with the folder selected read-only, UIDVALIDITY, ID sent)."""
    from imap_tools.errors import ImapToolsError

    try:
        password = decrypt(account.imap_password_enc)
    except SecretUnreadable as exc:
        raise PollError(
            "the stored IMAP password cannot be decrypted (the encryption key changed)"
        ) from exc
    try:
        mailbox = _mailbox(account)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise PollError(
            f"cannot connect to {account.imap_host}:{account.imap_port}: {exc}"
        ) from exc
    try:
        mailbox.login(account.imap_username, password, initial_folder=None)
        id_sent = send_id(mailbox.client)
        mailbox.folder.set(account.imap_folder or "INBOX", readonly=True)
    except (ImapToolsError, imaplib.IMAP4.error, OSError) as exc:
        _logout(mailbox)
        raise PollError(str(exc)) from exc
    return mailbox, _uidvalidity(mailbox.client), id_sent


def _logout(mailbox: Any) -> None:
    with contextlib.suppress(Exception):  # the connection may already be gone
        mailbox.logout()


def _addresses(values: Any) -> list[str]:
    found = []
    for value in values or ():
        try:
            clean = normalize_email(value)
        except ValueError:
            continue
        if clean and clean not in found:
            found.append(clean)
    return found


def _header(msg: Any, name: str) -> str:
    values = msg.headers.get(name.lower()) or ("",)
    return " ".join(str(values[0]).split())


def _received_at(msg: Any) -> dt.datetime:
    when = msg.date
    if when is None or when.year < 1980:  # imap-tools gives 1900-01-01 when the Date is missing
        return timezone.now()
    if timezone.is_naive(when):
        when = timezone.make_aware(when, dt.UTC)
    return min(when, timezone.now())


def _matches(workspace_id: int, addresses: list[str]) -> list[tuple[str, int]]:
    from tradewind.customers.models import Contact
    from tradewind.leads.models import Lead

    if not addresses:
        return []
    found = [
        ("contact", pk)
        for pk in Contact.objects.filter(workspace_id=workspace_id, email__in=addresses)
        .order_by("id")
        .values_list("id", flat=True)[:MAX_MATCHES]
    ]
    found += [
        ("lead", pk)
        for pk in Lead.objects.filter(workspace_id=workspace_id, email__in=addresses)
        .order_by("id")
        .values_list("id", flat=True)[:MAX_MATCHES]
    ]
    return found


def store_message(
    account: MailAccount, *, uidvalidity: int | None, uid: int | None, msg: Any
) -> EmailMessage | None:
    """File one fetched message (an imap-tools MailMessage); None when it is already stored or
    is a copy of a message we sent."""
    message_id = _header(msg, "message-id")[:300]
    stored = EmailMessage.objects.filter(account=account, direction=Direction.IN)
    same = Q(imap_uidvalidity=uidvalidity, imap_uid=uid) if uid is not None else Q(pk__in=[])
    if message_id:
        same |= Q(message_id=message_id)
        ours = EmailMessage.objects.filter(
            workspace_id=account.workspace_id, direction=Direction.OUT, message_id=message_id
        )
        if ours.exists():
            return None
    if stored.filter(same).exists():
        return None
    sender = _addresses([msg.from_])
    to, cc = _addresses(msg.to), _addresses(msg.cc)
    own = set(_addresses([account.from_address, account.imap_username]))
    # A copy of our own sent mail is about whom it went to; anything else, about who sent it.
    candidates = [a for a in to + cc if a not in own] if set(sender) & own else sender
    in_reply_to = _header(msg, "in-reply-to")[:300]
    received_at = _received_at(msg)
    with transaction.atomic():
        parent = None
        if in_reply_to:
            parent = (
                EmailMessage.objects.filter(
                    workspace_id=account.workspace_id, message_id=in_reply_to
                )
                .order_by("id")
                .first()
            )
        email = EmailMessage(
            workspace_id=account.workspace_id,
            account=account,
            direction=Direction.IN,
            message_id=message_id,
            in_reply_to=in_reply_to,
            references=_header(msg, "references")[:4000],
            from_name=(msg.from_values.name if msg.from_values else "")[:200],
            from_address=(sender[0] if sender else msg.from_ or "")[:254],
            to=to,
            cc=cc,
            subject=" ".join((msg.subject or "").split())[:500],
            body_text=msg.text or "",
            body_html=msg.html or "",
            state=EmailState.RECEIVED,
            received_at=received_at,
            reply_to_email=parent,
            imap_uidvalidity=uidvalidity,
            imap_uid=uid,
        )
        try:
            with transaction.atomic():
                email.save()
        except IntegrityError:
            return None  # a concurrent poll stored it first
        targets = _matches(account.workspace_id, candidates)
        if parent is not None:
            targets += list(parent.links.values_list("target_type", "target_id"))
        seen: set[tuple[str, int]] = set()
        links = []
        for target_type, target_id in targets:
            if (target_type, target_id) in seen:
                continue
            seen.add((target_type, target_id))
            links.append(
                EmailLink(
                    workspace_id=account.workspace_id,
                    email=email,
                    target_type=target_type,
                    target_id=target_id,
                    at=received_at,
                )
            )
        EmailLink.objects.bulk_create(links)
        if links:
            first = links[0]
            EmailMessage.objects.filter(pk=email.pk).update(
                target_type=first.target_type, target_id=first.target_id
            )
        emit(
            "email.received",
            workspace_id=account.workspace_id,
            email_id=email.pk,
            account_id=account.pk,
            from_address=email.from_address,
            matched=[[t, i] for t, i in sorted(seen)],
            reply_to_email_id=parent.pk if parent else None,
        )
    return email


def _new_uids(mailbox: Any, last_uid: int) -> list[int]:
    found = mailbox.uids(f"UID {last_uid + 1}:*") if last_uid else mailbox.uids("ALL")
    uids = sorted({int(u) for u in found if str(u).isdigit() and int(u) > last_uid})
    if not last_uid:
        uids = uids[-FIRST_POLL_LIMIT:]
    return uids[:POLL_BATCH]


def account_poll(*, account_id: int) -> dict[str, Any]:
    """Fetch and file the new messages of one account; returns what happened. An account that
    cannot be read keeps the reason in `imap_error` (shown on its settings page)."""
    account = MailAccount.objects.filter(pk=account_id).first()
    if account is None or not account.imap_configured:
        return {"skipped": True}
    now = timezone.now()
    try:
        mailbox, uidvalidity, id_sent = open_folder(account)
    except PollError as exc:
        MailAccount.objects.filter(pk=account.pk).update(
            imap_error=str(exc)[:2000], imap_polled_at=now
        )
        return {"error": str(exc)[:500]}
    last_uid = account.imap_last_uid
    if uidvalidity is None or uidvalidity != account.imap_uidvalidity:
        last_uid = 0  # the folder was rebuilt: its UIDs mean something else now
    stored = 0
    try:
        uids = _new_uids(mailbox, last_uid)
        for msg in mailbox.fetch(uid_list=[str(u) for u in uids], mark_seen=False, bulk=FETCH_BULK):
            uid = int(msg.uid) if msg.uid and str(msg.uid).isdigit() else None
            if store_message(account, uidvalidity=uidvalidity, uid=uid, msg=msg) is not None:
                stored += 1
            if uid is not None and uid > last_uid:
                last_uid = uid
                MailAccount.objects.filter(pk=account.pk).update(
                    imap_last_uid=last_uid, imap_uidvalidity=uidvalidity
                )
    except Exception as exc:
        log.warning("IMAP poll of account %s stopped: %s", account.pk, exc)
        MailAccount.objects.filter(pk=account.pk).update(
            imap_error=str(exc)[:2000], imap_polled_at=now
        )
        return {"stored": stored, "error": str(exc)[:500]}
    finally:
        _logout(mailbox)
    MailAccount.objects.filter(pk=account.pk).update(
        imap_last_uid=last_uid, imap_uidvalidity=uidvalidity, imap_polled_at=now, imap_error=""
    )
    return {"stored": stored, "fetched": len(uids), "id_sent": id_sent}


def poll_due_accounts(*, workspace_id: int) -> dict[str, int]:
    """Poll every account of a workspace that has polling on (the schedule's work)."""
    result = {"accounts": 0, "stored": 0, "errors": 0}
    accounts = MailAccount.objects.filter(workspace_id=workspace_id, imap_polling=True).exclude(
        imap_host=""
    )
    for account_id in accounts.values_list("pk", flat=True):
        outcome = account_poll(account_id=account_id)
        result["accounts"] += 1
        result["stored"] += int(outcome.get("stored", 0))
        result["errors"] += 1 if outcome.get("error") else 0
    return result
