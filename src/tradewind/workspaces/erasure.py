"""Erasure of a person (GDPR-style): an owner erases a lead or a contact by id.
docs/workspace-export-erasure.md

- The record's personal fields are blanked; its name becomes "[erased]" (a required field).
- The keys derived from them for dedupe and search are cleared (Lead: phone_e164, email_domain,
  web_domain, company_key, company_pinyin, search_pairs; Contact: phone_e164). SQLite's FTS tables
  follow by their triggers (leads migration 0006) and PostgreSQL's trigram indexes are expressions
  over the columns, so neither keeps the old text.
- Web-form submissions that created the lead lose their payload, IP and origin.
- History: earlier audit rows of the record (and the customer's rows naming the contact) get the
  personal values replaced by "[erased]" and carry `"_redacted": true` in `changes`, the one
  update the append-only trigger allows (workspaces migration 0007: only `changes` and
  `target_repr` may change, and only to a row that then carries the flag). The erasure itself is
  one more audit row naming the record id, with no personal values.

Out of scope (documented): free-text notes elsewhere mentioning the person (follow-ups, comments,
tasks, e-mails), files they uploaded, customers or contacts the lead was converted into (erase
those contacts too), and exports already downloaded.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import ErrorCode, NotFound, ServiceError

from . import audit
from .access import require
from .actors import Actor
from .choices import AuditVerb
from .models import AuditEvent
from .permissions import Perm

ERASED = "[erased]"
KINDS = ("lead", "contact")

# Personal fields: (field, replacement). Names are required, so they read "[erased]".
LEAD_PERSONAL: dict[str, str] = {
    "company_name": ERASED,
    "company_name_alt": "",
    "contact_name": ERASED,
    "contact_title": "",
    "email": "",
    "phone": "",
    "whatsapp": "",
    "wechat": "",
    "other_im": "",
    "website": "",
    "city": "",
    "need": "",
    "decision_chain": "",
    "status_note": "",
}
LEAD_DERIVED = (
    "phone_e164",
    "email_domain",
    "web_domain",
    "company_key",
    "company_pinyin",
    "search_pairs",
)
CONTACT_PERSONAL: dict[str, str] = {
    "name": ERASED,
    "title": "",
    "phone": "",
    "email": "",
    "whatsapp": "",
    "wechat": "",
    "linkedin": "",
    "notes": "",
}
CONTACT_DERIVED = ("phone_e164",)


def _invalid_kind() -> ServiceError:
    return ServiceError(ErrorCode.INVALID, _("Choose a lead or a contact to erase."))


def _not_found() -> NotFound:
    return NotFound(ErrorCode.NOT_FOUND, _("No such record in this workspace."))


def _model(kind: str) -> type[models.Model]:
    if kind == "lead":
        from tradewind.leads.models import Lead

        return Lead
    if kind == "contact":
        from tradewind.customers.models import Contact

        return Contact
    raise _invalid_kind()


def _redact(value: Any, secrets: set[str]) -> Any:
    """`value` with every string that contains a personal value replaced by "[erased]"."""
    if isinstance(value, str):
        return ERASED if any(s in value for s in secrets) else value
    if isinstance(value, list):
        return [_redact(v, secrets) for v in value]
    if isinstance(value, dict):
        return {k: _redact(v, secrets) for k, v in value.items()}
    return value


def redact_history(
    *,
    workspace_id: int,
    target_type: str,
    target_id: int,
    fields: set[str],
    secrets: set[str],
    new_repr: str | None = None,
) -> int:
    """Replace personal values in the audit rows of one target; returns how many rows changed.
    Keys in `fields` are erased whole; other values only where they contain one of `secrets`."""
    changed = []
    rows = AuditEvent.objects.filter(
        workspace_id=workspace_id, target_type=target_type, target_id=target_id
    )
    for event in rows.only("id", "changes", "target_repr"):
        changes = dict(event.changes or {})
        redacted = {
            key: (
                ([ERASED if v not in (None, "") else v for v in value])
                if key in fields and isinstance(value, list)
                else (ERASED if key in fields else _redact(value, secrets))
            )
            for key, value in changes.items()
            if key != "_redacted"
        }
        repr_ = new_repr if new_repr is not None else _redact(event.target_repr, secrets)
        if redacted == {k: v for k, v in changes.items() if k != "_redacted"} and (
            repr_ == event.target_repr
        ):
            continue
        redacted["_redacted"] = True
        event.changes = redacted
        event.target_repr = repr_
        changed.append(event)
    # The trigger lets exactly this through: only changes/target_repr, and the flag set.
    AuditEvent.objects.bulk_update(changed, ["changes", "target_repr"], batch_size=500)
    return len(changed)


@transaction.atomic
def erase_person(*, actor: Actor, kind: str, record_id: int) -> models.Model:
    """Blank a lead's or a contact's personal data, clear its search and dedupe keys and redact
    its history. Owners only (WORKSPACE_MANAGE); another workspace's id answers 404."""
    require(actor, Perm.WORKSPACE_MANAGE)
    model = _model(kind)
    try:
        record = model._default_manager.select_for_update().get(
            pk=record_id, workspace=actor.workspace
        )
    except (model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise _not_found() from None
    personal, derived = (
        (LEAD_PERSONAL, LEAD_DERIVED) if kind == "lead" else (CONTACT_PERSONAL, CONTACT_DERIVED)
    )
    secrets = {
        str(getattr(record, name)).strip()
        for name in personal
        if len(str(getattr(record, name) or "").strip()) >= 3
        and str(getattr(record, name)).strip() != ERASED
    }
    secrets |= {
        str(getattr(record, name))
        for name in ("phone_e164",)
        if len(str(getattr(record, name, "") or "")) >= 3
    }
    for name, value in personal.items():
        setattr(record, name, value)
    for name in derived:
        setattr(record, name, "")
    updated = [*personal, *derived]
    if any(f.name == "custom" for f in model._meta.concrete_fields):
        record.custom = {}  # type: ignore[attr-defined]  # custom values may hold personal data
        updated.append("custom")
    record.version += 1  # type: ignore[attr-defined]
    record.updated_at = timezone.now()  # type: ignore[attr-defined]
    record.save(update_fields=[*updated, "version", "updated_at"])

    fields = set(personal) | set(derived) | {"custom"}
    ws_id = actor.workspace.pk
    target_type = audit.target_type(record)
    redacted = redact_history(
        workspace_id=ws_id,
        target_type=target_type,
        target_id=record.pk,
        fields=fields,
        secrets=secrets,
        new_repr=str(record)[:200],
    )
    if kind == "contact":
        from tradewind.customers.models import Customer

        redacted += redact_history(
            workspace_id=ws_id,
            target_type=getattr(Customer, "AUDIT_TYPE", "") or "customers.customer",
            target_id=record.customer_id,  # type: ignore[attr-defined]
            fields=set(),
            secrets=secrets,
        )
    else:
        from tradewind.leads.models_webforms import WebFormSubmission

        WebFormSubmission.objects.filter(workspace_id=ws_id, lead_id=record.pk).update(
            payload={}, ip=None, origin=""
        )
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="person_erased",
        target=record,
        changes={"erased": [None, kind], "history_rows_redacted": [None, redacted]},
    )
    return record
