"""Content-Security-Policy on every response (docs/reliability.md, "Content Security Policy").

Enforced (`Content-Security-Policy`): scripts only from this origin's files — no inline `<script>`,
no `on*=` attributes, no `javascript:` URLs, no `eval`/`new Function` (`script-src 'self'`, without
`'unsafe-inline'` or `'unsafe-eval'`); styles, images, fonts and connections from this origin; no
plugins; no framing (`frame-ancestors 'none'`); forms post to this origin only; `<base>` cannot move.
What that asks of the front end:

- page scripts live in `static/tradewind/*.js`; data for them travels in
  `<script type="application/json">` blocks (`json_script`), which are never executed;
- behaviours such as confirmations, auto-submit and select-on-click are `data-*` attributes that
  `static/tradewind/behaviours.js` handles with delegated listeners;
- Alpine is the CSP build (`vendor/alpinejs-csp-*`), which interprets `x-*` expressions without
  `new Function`; components that need more than simple expressions are `Alpine.data()`
  registrations in static files (`alpine-components.js` and the page scripts);
- htmx runs with `allowEval: false` (no `hx-on`, `js:` values or `[...]` trigger filters) and
  `includeIndicatorStyles: false` (`htmx-config` meta in base.html; the indicator CSS is in app.css).

Styles keep `'unsafe-inline'`: templates carry `style=` attributes and Bootstrap, tom-select and
ECharts set inline styles; an injected style cannot run code. No report-only header is sent by
default; `CONTENT_SECURITY_POLICY_REPORT_ONLY` can set one to trial a stricter policy (for example
`STYLE_TARGET`). `CONTENT_SECURITY_POLICY` overrides the enforced string; "" drops a header. A view
that already set a header keeps its own. tests/browser/test_csp_enforced.py walks the pages under
the enforced policy and fails on any violation.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

COMMON = (
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
ENFORCED = "; ".join(("script-src 'self'", *COMMON))
# Kept for settings and tests written against the former report-only target: now the same policy.
TARGET = ENFORCED
# The next step, to trial as report-only: no inline styles either.
STYLE_TARGET = ENFORCED.replace("style-src 'self' 'unsafe-inline'", "style-src 'self'")


def policies() -> dict[str, str]:
    return {
        "Content-Security-Policy": getattr(settings, "CONTENT_SECURITY_POLICY", ENFORCED),
        "Content-Security-Policy-Report-Only": getattr(
            settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", ""
        ),
    }


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for header, value in policies().items():
            if value and header not in response:
                response[header] = value
        return response
