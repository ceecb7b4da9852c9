"""Export of the current customer view to XLSX or CSV.

The columns and their bilingual headers are the import template's (customers/imports_fields.py),
the primary contact fills the contact columns, and enumerations are written as labels in the
reader's language, which the import maps back: an exported file re-imports to the same values.
Formula-like text is escaped by core.spreadsheets. Rows are read in keyset chunks of 2,000 with one
more query per chunk for the primary contacts."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core import spreadsheets
from tradewind.core.errors import ServiceError
from tradewind.core.paging import keyset_page
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.custom_fields import definitions, display_value
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.timezones import effective_zone

from .errors import CustomerListError
from .filters import CustomerFilter
from .imports_fields import CONTACT_FIELDS, FIELDS, header
from .models import Contact, Customer

EXPORT_MAX = 100_000
CHUNK = 2000

_OWN_HEADERS = {
    "code": "编号 Code",
    "stage": "阶段 Stage",
    "created_at": "创建时间 Created",
    "last_contact_at": "最近联系 Last contact",
    "next_followup_at": "下次跟进 Next follow-up",
}
_LABELLED = {"type", "size", "source", "stage"}


def columns() -> list[tuple[str, str]]:
    names = ["code", *FIELDS]
    names.insert(names.index("owner") + 1, "stage")
    names += ["created_at", "last_contact_at", "next_followup_at"]
    has_stage = any(f.name == "stage" for f in Customer._meta.get_fields())
    return [
        (name, _OWN_HEADERS.get(name) or header(name))
        for name in names
        if name != "stage" or has_stage
    ]


def _cell(customer: Customer, contact: Contact | None, name: str, zone: Any) -> Any:
    if name in CONTACT_FIELDS:
        if contact is None:
            return ""
        attr = CONTACT_FIELDS[name]
        if attr == "decision_role":
            return contact.get_decision_role_display() if contact.decision_role else ""
        return getattr(contact, attr) or ""
    if name == "owner":
        return customer.owner.email if customer.owner else ""
    if name == "country":
        return customer.country.name if customer.country else ""
    if name == "tags":
        return ", ".join(customer.tags or [])
    if name in _LABELLED:
        return getattr(customer, f"get_{name}_display")() if getattr(customer, name) else ""
    value = getattr(customer, name)
    if isinstance(value, dt.datetime):
        return value.astimezone(zone).replace(tzinfo=None)
    return "" if value is None else value


def _primary_contacts(ids: list[int]) -> dict[int, Contact]:
    primary: dict[int, Contact] = {}
    for contact in Contact.objects.filter(customer_id__in=ids).order_by(
        "customer_id", "-is_primary", "id"
    ):
        primary.setdefault(contact.customer_id, contact)
    return primary


def export_rows(*, actor: Actor, filters: CustomerFilter) -> Iterator[list[Any]]:
    """Header row, then one row per visible customer matching the filters, in the list's order."""
    require(actor, Perm.CUSTOMER_VIEW)
    member = actor.member
    assert member is not None
    zone = effective_zone(actor.workspace, member.user)
    cols = columns()
    qs = filters.apply(
        Customer.objects.visible_to(member), user_id=member.user_id, member=member
    ).select_related("owner")
    # Active customer custom fields last, headed "中文 English" like the template (a re-import maps
    # them back by header), values as text in the reader's language.
    custom = definitions(actor.workspace, "customer")
    yield [title for _name, title in cols] + [d.header for d in custom]
    cursor = None
    while True:
        page = keyset_page(qs, order=filters.order, cursor=cursor, limit=CHUNK, max_limit=CHUNK)
        contacts = _primary_contacts([c.pk for c in page.items])
        for customer in page.items:
            contact = contacts.get(customer.pk)
            values = customer.custom or {}
            yield [_cell(customer, contact, name, zone) for name, _title in cols] + [
                display_value(d, values.get(d.key)) for d in custom
            ]
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def customer_export(
    *, actor: Actor, filters: CustomerFilter, fmt: str
) -> tuple[IO[bytes], str, str]:
    """Write the export to a temporary file: (file, filename, content type)."""
    require(actor, Perm.CUSTOMER_VIEW)
    member = actor.member
    assert member is not None
    count = (
        filters.apply(Customer.objects.visible_to(member), user_id=member.user_id, member=member)
        .order_by()[: EXPORT_MAX + 1]
        .count()
    )
    if count > EXPORT_MAX:
        message = _("At most %(max)s customers per export. Narrow the filters and try again.") % {
            "max": f"{EXPORT_MAX:,}"
        }
        raise ServiceError(CustomerListError.TOO_MANY, message)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response streams and closes it
    rows = export_rows(actor=actor, filters=filters)
    if fmt == "csv":
        spreadsheets.write_csv(rows, out)
        name, kind = f"customers-{stamp}.csv", "text/csv; charset=utf-8"
    else:
        spreadsheets.write_xlsx(rows, out, title=_("Customers"))
        name = f"customers-{stamp}.xlsx"
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    out.seek(0)
    return out, name, kind
