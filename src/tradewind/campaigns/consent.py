"""Consent per address: recording, importing, unsubscribing (the link), bounces, and the reads the
sender and the mailing app ask (`consent_map`, `suppressed_addresses`).

One row per (workspace, normalised address); its history is the audit trail of that row. People
record opt-ins with a source and a date; the unsubscribe link and bounces are written by the
system and win at once: the next batch of any campaign and every automated send refuse the address.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import ServiceError
from tradewind.core.normalize import normalize_email
from tradewind.core.paging import Page, keyset_page
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import ActorKind, AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import AuditEvent, Membership, Workspace
from tradewind.workspaces.permissions import Perm

from .choices import RECORDABLE_SOURCES, ConsentSource, ConsentStatus
from .errors import CampaignError
from .models import Consent

IMPORT_MAX = 5000
NOTE_MAX = 500


def clean_address(value: Any, field: str = "email") -> str:
    """The normalised address, or a coded 422 naming the field."""
    text = str(value or "").strip()
    try:
        address = normalize_email(text)
    except ValueError:
        address = ""
    if not address:
        message = (
            _("“%(address)s” is not a valid e-mail address.") % {"address": text[:254]}
            if text
            else _("Enter an e-mail address.")
        )
        raise ServiceError(CampaignError.BAD_ADDRESS, message, fields={field: [message]})
    return address


def parse_date(value: str, field: str) -> dt.date | None:
    """A date typed in a form or sent by the API ("" is today)."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        message = _("Enter a valid date (YYYY-MM-DD).")
        raise ServiceError(CampaignError.INVALID, message, fields={field: [message]}) from None


def _aware(value: dt.datetime | dt.date | None) -> dt.datetime:
    if value is None:
        return timezone.now()
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(12, 0))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _write(
    *,
    actor: Actor,
    workspace_id: int,
    email: str,
    status: str,
    source: str,
    consented_at: dt.datetime,
    note: str = "",
) -> Consent:
    """Create or change the row of `email` (locked), audited in the same transaction."""
    fields = ["status", "source", "consented_at", "note"]
    current = (
        Consent.objects.select_for_update().filter(workspace_id=workspace_id, email=email).first()
    )
    if current is None:
        try:
            with transaction.atomic():
                current = Consent.objects.create(
                    workspace_id=workspace_id,
                    email=email,
                    status=status,
                    source=source,
                    consented_at=consented_at,
                    note=note,
                    recorded_by_id=actor.user_id,
                )
        except IntegrityError:  # recorded at the same moment by someone else: change theirs
            current = Consent.objects.select_for_update().get(
                workspace_id=workspace_id, email=email
            )
        else:
            audit.record_create(actor=actor, target=current, fields=["email", *fields])
            emit("consent.changed", workspace_id=workspace_id, email=email, status=status)
            return current
    before = audit.snapshot(current, fields)
    current.status, current.source, current.consented_at = status, source, consented_at
    current.note = note
    changes = audit.diff(before, audit.snapshot(current, fields))
    if changes:
        current.recorded_by_id = actor.user_id
        current.version += 1
        current.updated_at = timezone.now()
        current.save()
        audit.record(actor=actor, verb=AuditVerb.UPDATE, target=current, changes=changes)
        emit("consent.changed", workspace_id=workspace_id, email=email, status=status)
    return current


def _check(status: str, source: str) -> None:
    errors: dict[str, list[str]] = {}
    if status not in ConsentStatus.values:
        errors["status"] = [_("Choose a status.")]
    if source not in [s.value for s in RECORDABLE_SOURCES]:
        errors["source"] = [_("Choose where the consent comes from.")]
    if errors:
        raise ServiceError(CampaignError.INVALID, next(iter(errors.values()))[0], fields=errors)


@transaction.atomic
def consent_record(
    *,
    actor: Actor,
    email: str,
    status: str = ConsentStatus.OPTED_IN,
    source: str = ConsentSource.MANUAL,
    consented_at: dt.datetime | dt.date | None = None,
    note: str = "",
) -> Consent:
    """Record what an address said (Perm.CAMPAIGN_MANAGE): opted in from a form, an import, by
    hand, double opt-in, a trade show; or unsubscribed / bounced by hand."""
    require(actor, Perm.CAMPAIGN_MANAGE)
    address = clean_address(email)
    _check(status, source)
    if len(note) > NOTE_MAX:
        message = _("At most %(n)s characters.") % {"n": NOTE_MAX}
        raise ServiceError(CampaignError.INVALID, message, fields={"note": [message]})
    return _write(
        actor=actor,
        workspace_id=actor.workspace.pk,
        email=address,
        status=status,
        source=source,
        consented_at=_aware(consented_at),
        note=note.strip(),
    )


@dataclass
class ImportRow:
    email: str
    consented_at: dt.datetime | None


def parse_import(text: str) -> list[ImportRow]:
    """Lines (or CSV rows) of "address[, date]"; a header row and blank lines are skipped. Any bad
    line refuses the whole import with its line number: nothing is recorded."""
    rows: list[ImportRow] = []
    errors: list[str] = []
    seen: set[str] = set()
    reader = csv.reader(io.StringIO(text.replace(";", ",").replace("\t", ",")))
    for number, parts in enumerate(reader, start=1):
        cells = [c.strip() for c in parts]
        if not any(cells):
            continue
        if number == 1 and "@" not in cells[0]:
            continue  # a header
        try:
            address = clean_address(cells[0])
        except ServiceError as exc:
            errors.append(_("Line %(n)s: %(error)s") % {"n": number, "error": exc.message})
            continue
        when = None
        if len(cells) > 1 and cells[1]:
            try:
                when = _aware(dt.date.fromisoformat(cells[1][:10]))
            except ValueError:
                errors.append(
                    _("Line %(n)s: “%(value)s” is not a date (YYYY-MM-DD).")
                    % {"n": number, "value": cells[1][:40]}
                )
                continue
        if address not in seen:
            seen.add(address)
            rows.append(ImportRow(address, when))
    if errors:
        raise ServiceError(CampaignError.INVALID, errors[0], fields={"addresses": errors[:20]})
    if not rows:
        message = _("No addresses found: one address per line, optionally with a date.")
        raise ServiceError(CampaignError.IMPORT_EMPTY, message, fields={"addresses": [message]})
    if len(rows) > IMPORT_MAX:
        message = _("At most %(n)s addresses per import.") % {"n": IMPORT_MAX}
        raise ServiceError(CampaignError.INVALID, message, fields={"addresses": [message]})
    return rows


@transaction.atomic
def consent_import(
    *, actor: Actor, text: str, source: str = ConsentSource.IMPORT, overwrite: bool = False
) -> dict[str, int]:
    """Record opt-ins for many addresses at once. An address that unsubscribed or bounced keeps
    that status unless `overwrite` (the person opted in again, e.g. a new form)."""
    require(actor, Perm.CAMPAIGN_MANAGE)
    _check(ConsentStatus.OPTED_IN, source)
    rows = parse_import(text)
    existing = dict(
        Consent.objects.filter(
            workspace_id=actor.workspace.pk, email__in=[r.email for r in rows]
        ).values_list("email", "status")
    )
    counts = {"recorded": 0, "unchanged": 0, "kept_opted_out": 0}
    for row in rows:
        status = existing.get(row.email)
        if status == ConsentStatus.OPTED_IN:
            counts["unchanged"] += 1
            continue
        if status is not None and not overwrite:
            counts["kept_opted_out"] += 1
            continue
        _write(
            actor=actor,
            workspace_id=actor.workspace.pk,
            email=row.email,
            status=ConsentStatus.OPTED_IN,
            source=source,
            consented_at=_aware(row.consented_at),
        )
        counts["recorded"] += 1
    return counts


def system_actor(workspace: Workspace | int, label: str) -> Actor:
    ws = workspace if isinstance(workspace, Workspace) else Workspace.objects.get(pk=workspace)
    return Actor.system(ws, label=label, kind=ActorKind.SYSTEM)


@transaction.atomic
def consent_unsubscribe(*, workspace_id: int, email: str, label: str = "") -> Consent:
    """The person clicked the unsubscribe link (or the List-Unsubscribe button of their mail
    program): from now on no campaign and no automated mail goes to the address."""
    address = clean_address(email)
    actor = system_actor(workspace_id, label or "unsubscribe link")
    current = Consent.objects.filter(workspace_id=workspace_id, email=address).first()
    if current is not None and current.status == ConsentStatus.UNSUBSCRIBED:
        return current
    return _write(
        actor=actor,
        workspace_id=workspace_id,
        email=address,
        status=ConsentStatus.UNSUBSCRIBED,
        source=ConsentSource.UNSUBSCRIBE_LINK,
        consented_at=timezone.now(),
    )


@transaction.atomic
def consent_bounce(*, workspace_id: int, email: str, detail: str = "") -> Consent | None:
    """A mail server refused the address for good: campaigns skip it from now on. An address that
    unsubscribed stays unsubscribed (the stronger wish)."""
    address = clean_address(email)
    current = Consent.objects.filter(workspace_id=workspace_id, email=address).first()
    if current is not None and current.status != ConsentStatus.OPTED_IN:
        return current
    return _write(
        actor=system_actor(workspace_id, "bounce"),
        workspace_id=workspace_id,
        email=address,
        status=ConsentStatus.BOUNCED,
        source=ConsentSource.BOUNCE,
        consented_at=timezone.now(),
        note=detail[:NOTE_MAX],
    )


# --- reads ---------------------------------------------------------------------------------------


def consent_map(workspace_id: int, addresses: Iterable[str]) -> dict[str, str]:
    """address -> status for the addresses that have a row (absent: no consent)."""
    wanted = list({a.lower() for a in addresses if a})
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 900):
        found.update(
            Consent.objects.filter(
                workspace_id=workspace_id, email__in=wanted[start : start + 900]
            ).values_list("email", "status")
        )
    return found


def suppressed_addresses(workspace_id: int, addresses: list[str]) -> set[str]:
    """The mailing app's suppressor: the addresses that unsubscribed."""
    return {
        email
        for email, status in consent_map(workspace_id, addresses).items()
        if status == ConsentStatus.UNSUBSCRIBED
    }


def consents_for(member: Membership) -> QuerySet[Consent]:
    if not member.has(Perm.CAMPAIGN_MANAGE):
        return Consent.objects.none()
    return Consent.objects.visible_to(member)


def consent_page(
    member: Membership, *, status: str = "", q: str = "", cursor: str | None, limit: int = 50
) -> Page:
    qs = consents_for(member)
    if status in ConsentStatus.values:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(email__contains=q.strip().lower()[:100])
    return keyset_page(qs, order=("-id",), cursor=cursor, limit=limit)


def consent_history(consent: Consent) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            workspace_id=consent.workspace_id,
            target_type=Consent.AUDIT_TYPE,
            target_id=consent.pk,
        ).order_by("-id")[:50]
    )
