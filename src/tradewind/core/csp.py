"""Content-Security-Policy on every response (docs/reliability.md, "Content Security Policy").

Two headers:

- `Content-Security-Policy` (enforced): only this origin's scripts, styles, images, fonts and
  connections; no plugins; no framing (`frame-ancestors 'none'`); forms post to this origin only;
  `<base>` cannot be moved. Scripts may still be inline and use `eval`, because the templates carry
  inline `<script>` blocks and `onclick=`-style handlers, Alpine's standard build compiles its
  `x-data`/`@click` expressions with `new Function`, and htmx evaluates `hx-on` attributes.
- `Content-Security-Policy-Report-Only`: the target policy, the same without `'unsafe-inline'` and
  `'unsafe-eval'` for scripts. Browsers report (to the console) what it would block; it becomes the
  enforced policy once the inline scripts move into static files and Alpine's CSP build is vendored.

`CONTENT_SECURITY_POLICY` / `CONTENT_SECURITY_POLICY_REPORT_ONLY` in settings override either
string ("" drops the header). A view that already set a header keeps its own.
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
ENFORCED = "; ".join(("script-src 'self' 'unsafe-inline' 'unsafe-eval'", *COMMON))
TARGET = "; ".join(("script-src 'self'", *COMMON))


def policies() -> dict[str, str]:
    return {
        "Content-Security-Policy": getattr(settings, "CONTENT_SECURITY_POLICY", ENFORCED),
        "Content-Security-Policy-Report-Only": getattr(
            settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", TARGET
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
