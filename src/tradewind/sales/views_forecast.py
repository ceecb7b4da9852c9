"""The forecast page (预测): a table by expected close period with pipeline / best case / commit /
weighted in the base currency, an ECharts bar chart of the coming months, a table by owner or team,
and the opportunities left out because no exchange rate converts them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from tradewind.core.htmx import render_page
from tradewind.workspaces.choices import DataScope
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import active_members_of, teams_of

from . import forecast as fc
from .board import pipelines_for

GROUPS = ("owner", "team")


def chart_data(forecast: fc.Forecast) -> dict[str, Any]:
    """The months of the chart (overdue first) as strings: the page shows Decimal, the chart only
    draws them."""
    labels = fc.measure_labels()
    shown = [p for p in forecast.periods if p.is_month or p.key == fc.OVERDUE]
    cells = [forecast.totals.get(p.key, fc.Cell()).rounded(forecast.base_currency) for p in shown]
    return {
        "currency": forecast.base_currency,
        "periods": [p.label for p in shown],
        "series": [
            {"key": m, "name": labels[m], "values": [str(c[m]) for c in cells]} for m in fc.MEASURES
        ],
    }


@member_required(Perm.OPPORTUNITY_VIEW)
def forecast_index(request: HttpRequest) -> HttpResponse:
    member = request.member
    forecast = fc.forecast_build(member=member, params=request.GET)
    group = request.GET.get("group", "")
    group = group if group in GROUPS else "owner"
    measure = request.GET.get("measure", "")
    measure = measure if measure in fc.MEASURES else "weighted"
    wide = member.data_scope != DataScope.OWN
    groups = forecast.owners if group == "owner" else forecast.teams
    context = {
        "nav_active": "opportunities",
        "forecast": forecast,
        "filters": forecast.filters,
        "query": forecast.filters.querystring(),
        "period_rows": [
            (p, forecast.totals.get(p.key, fc.Cell()).rounded(forecast.base_currency))
            for p in forecast.periods
        ],
        "total": forecast.total.rounded(forecast.base_currency),
        "group": group,
        "measure": measure,
        "measures": fc.measure_labels(),
        "measure_label": fc.measure_labels()[measure],
        "group_rows": [(g, [c[measure] for c in forecast.row(g.cells, g.total)]) for g in groups],
        "total_row": [c[measure] for c in forecast.row(forecast.totals, forecast.total)],
        "chart": chart_data(forecast),
        "pipelines": pipelines_for(member),
        "owners": active_members_of(member) if wide else [],
        "teams": teams_of(member) if wide else [],
        "can_rates": member.has(Perm.RATES_MANAGE),
    }
    return render_page(request, "sales/forecast/index.html", context, partial="forecast")
