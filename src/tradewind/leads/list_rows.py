"""The leads list's table rows, joined in Python.

The template loop over 50 rows was ~70% of the page's template time (docs/performance.md, session
5): a dozen variable, filter and `{% url %}` nodes per row. The markup is the same as the template
wrote; every value is escaped by format_html. What a row shows is decided here; what is a breach is
still decided by `followups.sla_breached`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from .choices import LeadSource, LeadStatus
from .followups import sla_breached
from .models import Lead

DASH = "—"
# reverse() once per page, not per row: the detail URL with this id stands for every row's.
_MARK = 987654321


def rows_html(leads: Iterable[Lead], *, can_bulk: bool, show_due: bool) -> SafeString:
    statuses = {value: str(label) for value, label in LeadStatus.choices}
    sources = {value: str(label) for value, label in LeadSource.choices}
    select = _("Select")
    pool = format_html('<span class="text-body-secondary">{}</span>', _("Lead pool"))
    badge: SafeString | None = None
    detail = reverse("leads:detail", args=[_MARK])
    when_format = get_format("SHORT_DATETIME_FORMAT" if show_due else "SHORT_DATE_FORMAT")
    country_names: dict[str, str] = {}
    rows = []
    for lead in leads:
        code = lead.country.code or ""
        if code not in country_names:
            country_names[code] = str(lead.country.name or DASH)
        if sla_breached(lead):
            if badge is None:
                badge = mark_safe(" " + render_to_string("leads/_sla_badge.html"))  # noqa: S308 - our template
            grade = format_html("{}{}", lead.grade or DASH, badge)
        else:
            grade = lead.grade or DASH
        stamp = lead.next_due_at if show_due else lead.created_at
        when = date_format(template_localtime(stamp), when_format) if stamp else DASH
        tick = (
            format_html(
                '<td class="text-center"><input class="form-check-input" type="checkbox" '
                'name="ids" value="{}" aria-label="{} {}"></td>',
                lead.pk,
                select,
                lead.code,
            )
            if can_bulk
            else ""
        )
        rows.append(
            (
                tick,
                detail.replace(str(_MARK), str(lead.pk)),
                lead.code,
                lead.company_name,
                lead.contact_name or DASH,
                country_names[code],
                sources.get(lead.source, lead.source),
                statuses.get(lead.status, lead.status),
                grade,
                str(lead.owner) if lead.owner else pool,
                when,
            )
        )
    return format_html_join(
        "\n",
        "<tr>{}"
        '<td class="text-nowrap"><a href="{}">{}</a></td>'
        "<td>{}</td>"
        '<td class="d-none d-md-table-cell">{}</td>'
        '<td class="d-none d-lg-table-cell">{}</td>'
        '<td class="d-none d-lg-table-cell">{}</td>'
        '<td><span class="badge text-bg-light border">{}</span></td>'
        '<td class="d-none d-sm-table-cell">{}</td>'
        '<td class="d-none d-md-table-cell">{}</td>'
        '<td class="d-none d-xl-table-cell text-nowrap">{}</td></tr>',
        rows,
    )
