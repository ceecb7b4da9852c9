"""The built-in list views every member has, beside the views they save themselves."""

from __future__ import annotations

from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _

# key, label, filters (as query parameters)
PRESETS = (
    ("mine", _("Mine"), {"owner": "me"}),
    ("pool", _("Lead pool"), {"owner": "none"}),
    ("today", _("Due today"), {"owner": "me", "due": "today", "sort": "due"}),
    ("overdue", _("Overdue"), {"owner": "me", "due": "overdue", "sort": "due"}),
    ("dormant", _("Dormant"), {"status": "dormant"}),
    ("grade_a", _("A grade"), {"grade": "A"}),
    ("new", _("New"), {"status": "new"}),
)


def preset_links() -> list[dict[str, object]]:
    return [
        {"key": key, "label": label, "query": urlencode(params), "params": params}
        for key, label, params in PRESETS
    ]


def active_preset(params: dict[str, str]) -> str:
    """The preset whose filters are exactly the current ones, if any."""
    for key, _label, preset in PRESETS:
        if params == preset:
            return key
    return ""
