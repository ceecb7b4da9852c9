"""A quote line's photo over the API, as on the quote page: upload or remove it on the editable
latest version (OPPORTUNITY_EDIT), read it back. A quote outside the caller's sight is 404."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import File, Router
from ninja.files import UploadedFile

from tradewind.core.api import ERRORS, READ_ERRORS, ErrorOut
from tradewind.core.errors import ErrorCode, ServiceError
from tradewind.core.uploads import image_response
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import quotes, selectors
from .api_quotes import QuoteDetailOut, _detail
from .models import QuoteLine
from .selectors import member_today

router = Router(tags=["quotes"])


def _answer(request: HttpRequest, quote_id: int) -> dict[str, Any]:
    member = request.member  # type: ignore[attr-defined]
    quote = selectors.quote_get(member=member, pk=quote_id)
    return _detail(quote, selectors.version_get(quote), member_today(member))


@router.post(
    "/{quote_id}/lines/{quote_line_id}/photo",
    response={200: QuoteDetailOut, **ERRORS},
    summary="Attach a photo to a line of the latest (draft) version",
    description="Multipart field `photo` (PNG or JPEG). 422 `bad_photo`; 409 `quote_frozen` once "
    "the version was sent.",
)
def line_photo_set(
    request: HttpRequest,
    quote_id: int,
    quote_line_id: int,
    photo: Annotated[UploadedFile | None, File()] = None,
) -> dict[str, Any]:
    require(request.actor, Perm.OPPORTUNITY_EDIT)  # type: ignore[attr-defined]
    quote = selectors.quote_get(member=request.member, pk=quote_id)  # type: ignore[attr-defined]
    if photo is None:
        message = _("This field is required.")
        raise ServiceError(ErrorCode.INVALID, message, fields={"photo": [message]})
    quotes.quote_line_photo_set(
        actor=request.actor,  # type: ignore[attr-defined]
        quote_id=quote.pk,
        line_id=quote_line_id,
        photo=photo,
    )
    return _answer(request, quote.pk)


@router.delete(
    "/{quote_id}/lines/{quote_line_id}/photo",
    response={200: QuoteDetailOut, **ERRORS},
    summary="Remove a line's photo from the latest (draft) version",
)
def line_photo_remove(request: HttpRequest, quote_id: int, quote_line_id: int) -> dict[str, Any]:
    require(request.actor, Perm.OPPORTUNITY_EDIT)  # type: ignore[attr-defined]
    quote = selectors.quote_get(member=request.member, pk=quote_id)  # type: ignore[attr-defined]
    quotes.quote_line_photo_set(
        actor=request.actor,  # type: ignore[attr-defined]
        quote_id=quote.pk,
        line_id=quote_line_id,
        photo=None,
    )
    return _answer(request, quote.pk)


@router.get(
    "/{quote_id}/lines/{quote_line_id}/photo",
    response={200: None, 403: ErrorOut, **READ_ERRORS},
    summary="A line's photo (its type read from the bytes)",
)
def line_photo_get(request: HttpRequest, quote_id: int, quote_line_id: int) -> HttpResponseBase:
    require(request.actor, Perm.OPPORTUNITY_VIEW)  # type: ignore[attr-defined]
    quote = selectors.quote_get(member=request.member, pk=quote_id)  # type: ignore[attr-defined]
    line = (
        QuoteLine.objects.filter(version__quote=quote, pk=quote_line_id).exclude(photo="").first()
    )
    if line is None:
        raise Http404
    return image_response(line.photo)
