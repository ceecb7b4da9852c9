"""The reports hub's list: every analytics report registers one entry here.

Each entry is (url name, title, description, Bootstrap icon). The hub page
(``analytics:index``) lists them in order. Helpers add their report by appending
ONE ``register(...)`` call (or one tuple to ``REPORTS``) below.
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Report(NamedTuple):
    url_name: str
    title: str | Promise
    description: str | Promise
    icon: str


REPORTS: list[Report] = []


def register(url_name: str, title: str | Promise, description: str | Promise, icon: str) -> None:
    """Add a report to the hub (idempotent per url name)."""
    if any(report.url_name == url_name for report in REPORTS):
        return
    REPORTS.append(Report(url_name, title, description, icon))


register(
    "analytics:dashboard_rep",
    _("My dashboard"),
    _("My day: tasks, my pipeline by stage, my goal and overdue receivables."),
    "bi-person-workspace",
)
register(
    "analytics:dashboard_manager",
    _("Team dashboard"),
    _("Team goal, lead funnel, forecast, SLA breaches, new leads by source and receivables."),
    "bi-people",
)
# Other analytics helpers: append your register(...) call below this line.
register(
    "analytics:conversion",
    _("Conversion, funnels and activity"),
    _(
        "Lead conversion review by month with its cuts and loss reasons; lead, stage and 三定 "
        "node funnels with cohorts; follow-ups, tasks, response rate and SLA breaches."
    ),
    "bi-funnel",
)
register(
    "analytics:goals",
    _("Goals and commission"),
    _(
        "Targets per month, quarter or year for the workspace, teams and reps with completion, "
        "decomposition and 2×/4× stretch; monthly commission statements from payments received."
    ),
    "bi-bullseye",
)
register(
    "analytics:rfm",
    _("Customer value (RFM) and churn warning"),
    _(
        "The eight RFM segments of the customers who ordered in the window, and the repeat "
        "customers likely to reorder soon or at churn risk, with reminders to their owners."
    ),
    "bi-gem",
)
register(
    "daily_reports:team",
    _("Daily reports"),
    _(
        "Each rep's day (follow-ups by channel, new leads, stage moves, quotes, payments) and "
        "tomorrow's plan; who submitted, with comments."
    ),
    "bi-clipboard-data",
)
register(
    "enablement:monthly_review",
    _("Monthly review and deal reviews"),
    _("The month's won and lost deals, loss reasons and the reviews written on them."),
    "bi-journal-check",
)
register(
    "enablement:usage_report",
    _("Library items before won deals"),
    _("Which talk scripts and files were used on deals before they were won or lost."),
    "bi-collection",
)
