"""Export of the current leads view to XLSX or CSV.

The columns and their bilingual headers are the import template's, and enumerations are written as
their labels in the reader's language, so an exported file re-imports to the same values (the import
maps labels of either language back). Formula-like text is escaped by core.spreadsheets.
Rows are read in keyset chunks with a bounded size, never all at once.
"""

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

from .errors import LeadBulkError
from .filters import LeadFilter
from .imports_fields import FIELDS as IMPORT_FIELDS
from .models import Lead

EXPORT_MAX = 100_000
CHUNK = 2000

# Export columns in order; an importable field's header is the import template's ("中文 English"),
# so the file maps back on its own. The rest (code, score, status, dates) the import ignores.
_OWN_HEADERS = {
    "code": "编号 Code",
    "score": "评分 Score",
    "status": "状态 Status",
    "created_at": "创建时间 Created",
    "next_due_at": "下次跟进 Next follow-up",
}
_FIELDS = (
    "code", "company_name", "company_name_alt", "contact_name", "contact_title", "phone",
    "email", "whatsapp", "wechat", "other_im", "website", "country", "city", "industry", "company_size",
    "source", "source_detail", "need", "budget_min", "budget_max", "budget_currency",
    "decision_chain", "timeframe", "grade", "score", "status", "owner", "tags", "created_at",
    "next_due_at",
)  # fmt: skip


def _header(field: str) -> str:
    if field in _OWN_HEADERS:
        return _OWN_HEADERS[field]
    words = IMPORT_FIELDS[field][1]
    return words[0] if words[0] == words[1] else f"{words[0]} {words[1]}"


COLUMNS: tuple[tuple[str, str], ...] = tuple((name, _header(name)) for name in _FIELDS)
_LABELLED = {"company_size", "source", "status"}


def _cell(lead: Lead, name: str, zone: Any) -> Any:
    if name == "owner":
        return lead.owner.email if lead.owner else ""
    if name == "country":
        return lead.country.name if lead.country else ""
    if name == "tags":
        return ", ".join(lead.tags or [])
    if name in _LABELLED:
        return getattr(lead, f"get_{name}_display")()
    value = getattr(lead, name)
    if isinstance(value, dt.datetime):
        return value.astimezone(zone).replace(tzinfo=None)
    return "" if value is None else value


def export_rows(*, actor: Actor, filters: LeadFilter) -> Iterator[list[Any]]:
    """Header row, then one row per visible lead matching the filters, in the list's order."""
    require(actor, Perm.LEAD_VIEW)
    member = actor.member
    assert member is not None
    zone = effective_zone(actor.workspace, member.user)
    qs = filters.apply(
        Lead.objects.visible_to(member), user_id=member.user_id, member=member
    ).select_related("owner")
    # Active custom fields last, headed "中文 English" like the template, so a re-import maps them.
    custom = definitions(actor.workspace, "lead")
    yield [header for _name, header in COLUMNS] + [d.header for d in custom]
    cursor = None
    while True:
        page = keyset_page(qs, order=filters.order, cursor=cursor, limit=CHUNK, max_limit=CHUNK)
        for lead in page.items:
            values = lead.custom or {}
            yield [_cell(lead, name, zone) for name, _header in COLUMNS] + [
                display_value(d, values.get(d.key)) for d in custom
            ]
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def lead_export(*, actor: Actor, filters: LeadFilter, fmt: str) -> tuple[IO[bytes], str, str]:
    """Write the export to a temporary file: (file, filename, content type)."""
    require(actor, Perm.LEAD_VIEW)
    member = actor.member
    assert member is not None
    count = (
        filters.apply(Lead.objects.visible_to(member), user_id=member.user_id, member=member)
        .order_by()[: EXPORT_MAX + 1]
        .count()
    )
    if count > EXPORT_MAX:
        message = _("At most %(max)s leads per export. Narrow the filters and try again.") % {
            "max": f"{EXPORT_MAX:,}"
        }
        raise ServiceError(LeadBulkError.TOO_MANY, message)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response streams and closes it
    rows = export_rows(actor=actor, filters=filters)
    if fmt == "csv":
        spreadsheets.write_csv(rows, out)
        name, kind = f"leads-{stamp}.csv", "text/csv; charset=utf-8"
    else:
        spreadsheets.write_xlsx(rows, out, title=_("Leads"))
        name = f"leads-{stamp}.xlsx"
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    out.seek(0)
    return out, name, kind
