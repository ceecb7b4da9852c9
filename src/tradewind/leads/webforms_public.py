"""The public web-to-lead endpoint /f/<key>/: a standalone form page (GET), submissions (POST) as
form-encoded or JSON, and CORS for the form's allowed sites (OPTIONS preflight too).

CSRF-exempt by design: visitors have no session with us and post from other sites. What stands in
for the CSRF token: the unguessable key in the URL, the Origin check (a browser on a site that is
not allowed cannot post), the honeypot, the per-IP rate limit and the per-form daily budget. See
docs/leads-webforms-assignment.md.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from . import webforms
from .models_webforms import WebForm

LANGS = {
    "en": "en",
    "zh": "zh-hans",
    "zh-hans": "zh-hans",
    "zh-cn": "zh-hans",
    "zh_hans": "zh-hans",
}


def rate_per_minute() -> int:
    return int(getattr(settings, "WEBFORM_RATE_PER_MINUTE", 10))


def visitor_lang(request: HttpRequest, payload: dict[str, Any] | None = None) -> str:
    """The form may carry `lang` (field or ?lang=); otherwise the browser's language."""
    wanted = str((payload or {}).get("lang") or request.GET.get("lang") or "").strip().lower()
    if wanted in LANGS:
        return LANGS[wanted]
    return translation.get_language_from_request(request) or "en"


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _rate_limited(ip: str | None) -> bool:
    """A fixed one-minute window per IP in the shared cache; generous for people, not for bots."""
    key = f"tw:webform:ip:{ip or '-'}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count > rate_per_minute()


def _cors(response: HttpResponse, form: WebForm, origin: str) -> HttpResponse:
    response["Vary"] = "Origin"
    if origin and origin in form.allowed_origins:
        response["Access-Control-Allow-Origin"] = origin
    return response


def _own_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _wants_json(request: HttpRequest) -> bool:
    return (
        request.content_type == "application/json"
        or "application/json" in request.headers.get("Accept", "")
        or request.headers.get("X-Requested-With") == "XMLHttpRequest"
    )


def _payload(request: HttpRequest) -> dict[str, Any] | None:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None
    return {k: request.POST.get(k, "") for k in request.POST}


def _page(
    request: HttpRequest,
    form: WebForm,
    lang: str,
    *,
    values: dict | None = None,
    errors: dict | None = None,
    thanks: str = "",
    status: int = 200,
) -> HttpResponse:
    fields = [
        {
            "name": name,
            "label": webforms.field_label(name),
            "value": (values or {}).get(name, ""),
            "errors": (errors or {}).get(name, []),
            "long": name == "need",
            "type": "email" if name == "email" else ("tel" if name == "phone" else "text"),
        }
        for name in form.fields
    ]
    context = {
        "form": form,
        "fields": fields,
        "lang": lang,
        "thanks": thanks,
        "errors": errors,
        "honeypot": webforms.HONEYPOT,
    }
    return render(request, "leads/webforms/public.html", context, status=status)


@csrf_exempt
def webform_public(request: HttpRequest, key: str) -> HttpResponse:
    form = (
        WebForm.objects.select_related("workspace").filter(key=key, is_active=True).first()
        if len(key) <= 40
        else None
    )
    if form is None:
        raise Http404
    origin = request.headers.get("Origin", "")
    if request.method == "OPTIONS":
        if origin not in form.allowed_origins:
            return HttpResponse(status=403, headers={"Vary": "Origin"})
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type, Accept, X-Requested-With"
        response["Access-Control-Max-Age"] = "86400"
        return _cors(response, form, origin)
    if request.method == "GET":
        lang = visitor_lang(request)
        with translation.override(lang):
            return _page(request, form, lang)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "GET, POST, OPTIONS"})

    payload = _payload(request)
    lang = visitor_lang(request, payload)
    wants_json = _wants_json(request)
    with translation.override(lang):
        if origin and origin != _own_origin(request) and origin not in form.allowed_origins:
            return JsonResponse(
                {
                    "code": webforms.WebFormError.ORIGIN_NOT_ALLOWED,
                    "message": _("This site may not send this form."),
                    "fields": {},
                },
                status=403,
            )
        if _rate_limited(client_ip(request)):
            body = {
                "code": webforms.WebFormError.RATE_LIMITED,
                "message": _("Too many submissions. Please wait a minute and try again."),
                "fields": {},
            }
            return _cors(JsonResponse(body, status=429), form, origin)
        if payload is None:
            body = {
                "code": "invalid",
                "message": _("The request body is not valid JSON."),
                "fields": {},
            }
            return _cors(JsonResponse(body, status=422), form, origin)
        result = webforms.webform_submit(
            form=form, payload=payload, lang=lang, ip=client_ip(request), origin=origin
        )
        if not result.ok:
            if wants_json:
                body = {
                    "code": "invalid",
                    "message": _("Please correct the marked fields."),
                    "fields": result.errors,
                }
                return _cors(JsonResponse(body, status=422), form, origin)
            return _page(
                request,
                form,
                lang,
                values=result.submission.payload,
                errors=result.errors,
                status=422,
            )
        # Accepted, kept as overflow or caught as spam: the visitor sees the same answer.
        thanks = webforms.thank_you_text(form, lang)
        if wants_json:
            return _cors(JsonResponse({"ok": True, "message": thanks}), form, origin)
        if form.redirect_url:
            return _cors(redirect(form.redirect_url), form, origin)
        return _cors(_page(request, form, lang, thanks=thanks), form, origin)


app_name = "webform_public"
urlpatterns = [path("<str:key>/", webform_public, name="form")]
