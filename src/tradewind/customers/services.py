"""Writes of the customers app: customers and their contacts, audited, emitted after commit."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tradewind.core.errors import Conflict, ErrorCode
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.numbering import code_next
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import ACTION_LABELS, FACT_LABELS

from .capture import CONTACT_EDITABLE, CUSTOMER_EDITABLE, clean_contact, clean_customer
from .dedupe import Match, find_customer_matches
from .errors import CustomerError
from .models import Contact, Customer

ACTION_LABELS.setdefault("contact_added", gettext_lazy("added a contact"))
FACT_LABELS.setdefault("contact", gettext_lazy("contact"))


def _values(instance: Any, fields: list[str]) -> dict[str, Any]:
    """Audit values; tags as one readable string (the history panel shows text, not lists)."""
    values = audit.snapshot(instance, fields)
    if "tags" in values:
        values["tags"] = ", ".join(values["tags"] or [])
    return values


class DuplicateCustomer(Conflict):
    """The company looks like a customer (or a contact's customer) the workspace already has."""

    def __init__(self, matches: list[Match]) -> None:
        super().__init__(
            CustomerError.DUPLICATE,
            _(
                "This looks like a customer the workspace already has. Check the matches, or confirm to create it anyway."
            ),
            fields={
                m.code: [
                    f"{m.company_name} · {m.owner_name or _('public pool')} · {', '.join(m.reason_labels)}"
                ]
                for m in matches
            },
        )
        self.matches = matches


def dedupe_keys(cleaned: dict[str, Any]) -> dict[str, Any]:
    """A customer's cleaned values as the keys the dedupe engine reads (its company e-mail and phone
    are also looked for among contacts)."""
    return {
        "company_name": cleaned.get("name", ""),
        "company_key": cleaned.get("company_key", ""),
        "company_pinyin": cleaned.get("company_pinyin", ""),
        "email": cleaned.get("email", ""),
        "email_domain": cleaned.get("email_domain", ""),
        "web_domain": cleaned.get("web_domain", ""),
        "phone_e164": cleaned.get("phone_e164", ""),
    }


def _check_version(current: Any, version: int | None) -> None:
    if version is not None and current.version != version:
        raise Conflict(
            ErrorCode.STALE_VERSION,
            _("Someone else changed this record since you opened it. Reload to see their changes."),
        )


@transaction.atomic
def customer_create(
    *, actor: Actor, allow_duplicates: bool = False, perm: Perm = Perm.CUSTOMER_CREATE, **data: Any
) -> Customer:
    """Create a customer. Unless `allow_duplicates`, a likely duplicate among customers and
    contacts refuses with the matches (撞单), like a lead."""
    require(actor, perm)
    data.setdefault("owner", actor.user_id)
    data.setdefault("name", "")
    # Required custom fields are checked when the caller sends custom values (the form and the
    # API always do); lead conversion and imports of other fields do not.
    cleaned = clean_customer(workspace=actor.workspace, data=data, creating=True)
    if not allow_duplicates:
        matches = find_customer_matches(workspace=actor.workspace, keys=dedupe_keys(cleaned))
        if matches:
            raise DuplicateCustomer(matches)
    now = timezone.now()
    customer = Customer.objects.create(
        workspace=actor.workspace,
        code=code_next(workspace=actor.workspace, kind="customer"),
        created_at=now,
        updated_at=now,
        **cleaned,
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        target=customer,
        changes={
            k: [None, v]
            for k, v in _values(customer, ["code", *CUSTOMER_EDITABLE, "custom"]).items()
            if v not in (None, "", {})
        },
    )
    emit("customer.created", workspace_id=actor.workspace.pk, customer_id=customer.pk)
    return customer


@transaction.atomic
def customer_update(
    *, actor: Actor, customer: Customer, version: int | None = None, **data: Any
) -> Customer:
    """Optimistic locking: pass the version the editor saw; a newer one refuses the write."""
    require(actor, Perm.CUSTOMER_EDIT)
    current = Customer.objects.select_for_update().get(pk=customer.pk, workspace=actor.workspace)
    cleaned = clean_customer(
        workspace=actor.workspace, data=data, creating=False, existing=current.custom
    )
    if "owner_id" in cleaned and cleaned["owner_id"] != current.owner_id:
        # Handing a customer on or back to the pool is customer_assign's or the release's (reason,
        # cool-down): an edit must not skip them.
        require(actor, Perm.CUSTOMER_ASSIGN)
    _check_version(current, version)
    changes = audit.apply_changes(current, cleaned, [*CUSTOMER_EDITABLE, "custom"], _values)
    if not changes:
        return current
    audit.save_update(actor=actor, target=current, changes=changes)
    emit(
        "customer.updated",
        workspace_id=actor.workspace.pk,
        customer_id=current.pk,
        fields=sorted(changes),
    )
    return current


def _one_primary(contact: Contact) -> None:
    if contact.is_primary:
        Contact.objects.filter(customer_id=contact.customer_id, is_primary=True).exclude(
            pk=contact.pk
        ).update(is_primary=False)


@transaction.atomic
def contact_create(
    *, actor: Actor, customer: Customer, perm: Perm = Perm.CUSTOMER_EDIT, **data: Any
) -> Contact:
    """Add a contact to a customer the caller fetched through visible_to(). The first contact of
    a customer is its primary one; marking another primary unmarks the previous."""
    require(actor, perm)
    data.setdefault("name", "")
    cleaned = clean_contact(workspace=actor.workspace, data=data, creating=True)
    customer = Customer.objects.select_for_update().get(pk=customer.pk, workspace=actor.workspace)
    if not Contact.objects.filter(customer=customer).exists():
        cleaned["is_primary"] = True
    now = timezone.now()
    contact = Contact.objects.create(
        workspace=actor.workspace, customer=customer, created_at=now, updated_at=now, **cleaned
    )
    _one_primary(contact)
    audit.record_create(
        actor=actor, target=contact, fields=["customer", *CONTACT_EDITABLE, "custom"]
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="contact_added",
        target=customer,
        changes={"contact": [None, contact.name]},
    )
    emit(
        "contact.created",
        workspace_id=actor.workspace.pk,
        customer_id=customer.pk,
        contact_id=contact.pk,
    )
    return contact


@transaction.atomic
def contact_update(
    *, actor: Actor, contact: Contact, version: int | None = None, **data: Any
) -> Contact:
    require(actor, Perm.CUSTOMER_EDIT)
    current = Contact.objects.select_for_update().get(pk=contact.pk, workspace=actor.workspace)
    cleaned = clean_contact(
        workspace=actor.workspace, data=data, creating=False, existing=current.custom
    )
    _check_version(current, version)
    changes = audit.apply_changes(current, cleaned, [*CONTACT_EDITABLE, "custom"])
    if not changes:
        return current
    audit.save_update(actor=actor, target=current, changes=changes)
    _one_primary(current)
    emit(
        "contact.updated",
        workspace_id=actor.workspace.pk,
        customer_id=current.customer_id,
        contact_id=current.pk,
        fields=sorted(changes),
    )
    return current
