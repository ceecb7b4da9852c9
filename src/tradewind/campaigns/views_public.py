"""The public links in campaign mail (no sign-in): unsubscribe, tracked click, open pixel.

Each answers 404 for a token that does not verify. The unsubscribe page shows one button (a GET
never unsubscribes: mail scanners follow links); its POST is exempt from CSRF because the signed
token is the authority and mail programs post RFC 8058 one-click requests without a cookie."""

from __future__ import annotations

import base64

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from tradewind.mailing.rendering import UI_LANGUAGE

from . import tracking

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = tracking.recipient_for(tracking.UNSUBSCRIBE, token)
    if found is None:
        raise Http404
    recipient = found[0]
    done = recipient.unsubscribed_at is not None
    if request.method == "POST":
        tracking.record_unsubscribe(recipient)
        done = True
    with translation.override(UI_LANGUAGE.get(recipient.language, translation.get_language())):
        return render(
            request,
            "campaigns/public_unsubscribe.html",
            {"recipient": recipient, "done": done, "sender": recipient.campaign.workspace.name},
        )


@never_cache
def click(request: HttpRequest, token: str) -> HttpResponse:
    found = tracking.recipient_for(tracking.CLICK, token)
    if found is None:
        raise Http404
    url = tracking.record_click(*found)
    if url is None:
        raise Http404
    return HttpResponseRedirect(url)


@never_cache
def opened(request: HttpRequest, token: str) -> HttpResponse:
    found = tracking.recipient_for(tracking.OPEN, token)
    if found is None:
        raise Http404
    tracking.record_open(found[0])
    return HttpResponse(PIXEL, content_type="image/gif")
