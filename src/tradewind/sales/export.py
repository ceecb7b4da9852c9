"""Export of the current opportunity view to XLSX or CSV.

Headers are bilingual ("中文 English"), enumerations are written as labels in the reader's language,
custom fields come last. Rows are read in keyset chunks of 2,000 in the list's order; formula-like
text is escaped by core.spreadsheets."""

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

from .errors import OpportunityListError
from .filters import OpportunityFilter, filtered
from .models import Opportunity

EXPORT_MAX = 100_000
CHUNK = 2000

COLUMNS: list[tuple[str, str]] = [
    ("code", "编号 Code"),
    ("name", "商机名称 Name"),
    ("customer_code", "客户编号 Customer code"),
    ("customer", "客户 Customer"),
    ("pipeline", "销售流程 Pipeline"),
    ("stage", "阶段 Stage"),
    ("status", "状态 Status"),
    ("owner", "负责人 Owner"),
    ("amount", "金额 Amount"),
    ("currency", "币种 Currency"),
    ("base_amount", "本位币金额 Base amount"),
    ("probability", "赢率 Probability %"),
    ("expected_close_date", "预计成交日期 Expected close"),
    ("forecast_category", "预测类别 Forecast category"),
    ("source", "来源 Source"),
    ("incoterm", "贸易术语 Incoterm"),
    ("named_place", "指定地点 Named place"),
    ("competitors", "竞争对手 Competitors"),
    ("next_step", "下一步 Next step"),
    ("stale_since", "停滞自 Stale since"),
    ("created_at", "创建时间 Created"),
    ("closed_at", "关闭时间 Closed"),
    ("close_reason", "关闭原因 Close reason"),
]
_LABELLED = {"status", "forecast_category", "source", "incoterm"}


def _cell(o: Opportunity, name: str, zone: Any) -> Any:
    if name == "customer_code":
        return o.customer.code
    if name == "customer":
        return o.customer.name
    if name == "pipeline":
        return o.pipeline.name
    if name == "stage":
        return o.stage.label
    if name == "owner":
        return o.owner.email if o.owner else ""
    if name == "probability":
        return o.effective_probability
    if name == "close_reason":
        return o.close_reason.label if o.close_reason else ""
    if name in _LABELLED:
        return getattr(o, f"get_{name}_display")() if getattr(o, name) else ""
    value = getattr(o, name)
    if isinstance(value, dt.datetime):
        return value.astimezone(zone).replace(tzinfo=None)
    return "" if value is None else value


def export_rows(*, actor: Actor, filters: OpportunityFilter) -> Iterator[list[Any]]:
    """Header row, then one row per visible opportunity matching the filters, in the list's order."""
    require(actor, Perm.OPPORTUNITY_VIEW)
    member = actor.member
    assert member is not None
    zone = effective_zone(actor.workspace, member.user)
    qs = filtered(member, filters).select_related(
        "customer", "pipeline", "stage", "owner", "close_reason"
    )
    custom = definitions(actor.workspace, "opportunity")
    yield [title for _name, title in COLUMNS] + [d.header for d in custom]
    cursor = None
    while True:
        page = keyset_page(qs, order=filters.order, cursor=cursor, limit=CHUNK, max_limit=CHUNK)
        for o in page.items:
            values = o.custom or {}
            yield [_cell(o, name, zone) for name, _title in COLUMNS] + [
                display_value(d, values.get(d.key)) for d in custom
            ]
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def opportunity_export(
    *, actor: Actor, filters: OpportunityFilter, fmt: str
) -> tuple[IO[bytes], str, str]:
    """Write the export to a temporary file: (file, filename, content type)."""
    require(actor, Perm.OPPORTUNITY_VIEW)
    member = actor.member
    assert member is not None
    count = filtered(member, filters).order_by()[: EXPORT_MAX + 1].count()
    if count > EXPORT_MAX:
        message = _(
            "At most %(max)s opportunities per export. Narrow the filters and try again."
        ) % {"max": f"{EXPORT_MAX:,}"}
        raise ServiceError(OpportunityListError.TOO_MANY, message)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response streams and closes it
    rows = export_rows(actor=actor, filters=filters)
    if fmt == "csv":
        spreadsheets.write_csv(rows, out)
        name, kind = f"opportunities-{stamp}.csv", "text/csv; charset=utf-8"
    else:
        spreadsheets.write_xlsx(rows, out, title=_("Opportunities"))
        name = f"opportunities-{stamp}.xlsx"
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    out.seek(0)
    return out, name, kind
