"""A comment's body as HTML: escaped first, then the @mentions of known members highlighted and
line breaks kept. Nothing the author typed reaches the page unescaped."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def render_body(body: str, names: dict[int, str], mentions: list[int]) -> SafeString:
    """`names`: user id -> display name of the workspace's members; only `mentions` are marked."""
    html = str(escape(body))
    shown = sorted(
        {escape("@" + names[uid]) for uid in mentions if uid in names}, key=len, reverse=True
    )
    if shown:
        pattern = re.compile("|".join(re.escape(s) for s in shown), re.IGNORECASE)
        html = pattern.sub(lambda m: f'<span class="mention">{m.group(0)}</span>', html)
    return mark_safe(html.replace("\n", "<br>"))  # noqa: S308 - escaped above
