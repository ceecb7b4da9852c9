"""CSV export of the quote list (the list's filter, visible quotes only): one row per quote with
the latest version's total from orders/totals.py, written as utf-8-sig so Excel reads Chinese."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse

from tradewind.workspaces.models import Membership

from .choices import QuoteStatus
from .selectors import QuoteFilter, effective_status, member_today, quotes_visible
from .totals import plain, quote_totals

EXPORT_MAX = 10_000
HEADER = [
    "number",
    "version",
    "status",
    "customer",
    "opportunity",
    "currency",
    "total",
    "valid_until",
    "created_at",
]


def quote_rows(member: Membership, filters: QuoteFilter) -> list[list[str]]:
    from .models import QuoteLine

    today = member_today(member)
    quotes = list(filters.apply(quotes_visible(member), today).order_by("-id")[:EXPORT_MAX])
    lines: dict[tuple[int, int], list[QuoteLine]] = {}
    for line in QuoteLine.objects.filter(version__quote__in=[q.pk for q in quotes]).select_related(
        "version"
    ):
        lines.setdefault((line.version.quote_id, line.version.number), []).append(line)
    rows = []
    for quote in quotes:
        total = quote_totals(lines.get((quote.pk, quote.latest_version), []), quote.currency).total
        rows.append(
            [
                quote.code,
                str(quote.latest_version),
                str(QuoteStatus(effective_status(quote, today)).value),
                quote.customer.name,
                quote.opportunity.code if quote.opportunity else "",
                quote.currency,
                plain(total, quote.currency),
                quote.valid_until.isoformat() if quote.valid_until else "",
                quote.created_at.isoformat(),
            ]
        )
    return rows


def quotes_csv_response(member: Membership, filters: QuoteFilter) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(quote_rows(member, filters))
    response = HttpResponse(
        buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="quotes.csv"'
    return response
