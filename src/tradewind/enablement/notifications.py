"""The notification kinds enablement sends (registered into activities' table at start-up)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tradewind.activities.notifications import KINDS, Kind

KINDS["library.review_prompt"] = Kind(
    _("Review the deal you closed"),
    _("%(code)s %(name)s is closed: add what worked and what failed to the library."),
    "bi-journal-check",
)
KINDS["daily_report.digest"] = Kind(
    _("Daily reports of your team"),
    _("%(day)s: %(submitted)s of %(total)s submitted. Not yet: %(missing)s"),
    "bi-clipboard-data",
)
KINDS["daily_report.comment"] = Kind(
    _("A comment on your daily report"),
    _("%(by)s commented on your report of %(day)s: %(excerpt)s"),
    "bi-chat-left-text",
)

try:  # the preferences page's area labels (activities, issue 8), when present
    from tradewind.activities.notification_prefs import AREAS
except ImportError:  # pragma: no cover - an older activities app
    pass
else:
    AREAS.setdefault("library", _("Library"))
    AREAS.setdefault("daily_report", _("Daily reports"))
