"""Library API under /api/v1/library: folders, items (talk scripts, files), search, suggestions for
a record, counting a copy or a send, sending by e-mail, deal reviews, the monthly review and
"items sent before won deals".

Payload fields all have defaults, so a foreign id answers 404 from the service rather than 422
from the schema; an item the member cannot read is 404, a verb the role lacks 403."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from tradewind.core.api import ERRORS, READ_ERRORS, ErrorOut
from tradewind.core.errors import ErrorCode, NotFound, ServiceError
from tradewind.workspaces.daily_jobs import day_start
from tradewind.workspaces.timezones import workspace_today

from . import files, library, reviews, sending, suggestions
from . import library_selectors as sel
from .api_schemas import (
    LibraryEmailIn,
    LibraryEmailOut,
    LibraryFolderIn,
    LibraryFolderOut,
    LibraryFolderPatch,
    LibraryItemIn,
    LibraryItemOut,
    LibraryItemPageOut,
    LibraryItemPatch,
    LibraryUsageIn,
    LibraryUsageOut,
    MonthlyReviewOut,
    ReviewIn,
    ReviewPatch,
    SuggestionsOut,
    WonItemOut,
    folder_out,
    fresh,
    item_out,
    money,
)
from .choices import ItemKind
from .errors import LibraryError

router = Router(tags=["library"])


# --- folders -------------------------------------------------------------------------------------


@router.get("/folders", response={200: list[LibraryFolderOut], **READ_ERRORS})
def folders_api(request: HttpRequest) -> list[dict[str, Any]]:
    nodes = sel.flatten(sel.folder_tree(request.member))  # type: ignore[attr-defined]
    return [folder_out(n.folder, n.depth) for n in nodes]


@router.post("/folders", response={201: LibraryFolderOut, **ERRORS})
def folder_create_api(request: HttpRequest, payload: LibraryFolderIn) -> Status:
    folder = library.folder_create(
        actor=request.actor,  # type: ignore[attr-defined]
        name=payload.name,
        parent_id=payload.parent_id,
        visibility=payload.visibility,
    )
    return Status(201, folder_out(folder))


@router.put("/folders/{folder_id}", response={200: LibraryFolderOut, **ERRORS})
def folder_update_api(
    request: HttpRequest, folder_id: int, payload: LibraryFolderPatch
) -> dict[str, Any]:
    folder = library.folder_update(
        actor=request.actor,  # type: ignore[attr-defined]
        folder_id=folder_id,
        name=payload.name,
        parent_id=payload.parent_id,
    )
    return folder_out(folder)


@router.delete("/folders/{folder_id}", response={204: None, **ERRORS})
def folder_delete_api(request: HttpRequest, folder_id: int) -> Status:
    library.folder_delete(actor=request.actor, folder_id=folder_id)  # type: ignore[attr-defined]
    return Status(204, None)


# --- items ---------------------------------------------------------------------------------------


@router.get(
    "/items",
    response={200: LibraryItemPageOut, **READ_ERRORS},
    summary="List and search library items",
    description="`q` searches title, text, review fields, file name and tags in Chinese and "
    "English (every word must occur); `kind`, `folder_id`, `visibility`, `mine`, `tag` (with "
    "`tag_kind`: industry, stage or objection) filter. Newest change first, keyset paged; a "
    "search answers its best 100 without paging.",
)
def items_api(
    request: HttpRequest,
    q: str = "",
    kind: str = "",
    folder_id: int | None = None,
    visibility: str = "",
    mine: bool = False,
    tag: str = "",
    tag_kind: str = "",
    cursor: str = "",
    limit: int = 30,
) -> dict[str, Any]:
    f = sel.ItemFilter.from_params(
        {
            "q": q,
            "kind": kind,
            "folder": str(folder_id or ""),
            "visibility": visibility,
            "mine": "1" if mine else "",
            "tag": tag,
            "tag_kind": tag_kind,
        }
    )
    page = sel.items_page(request.member, f, cursor=cursor or None, limit=limit)  # type: ignore[attr-defined]
    return {
        "items": [item_out(i, list(i.tags.all())) for i in page.items],
        "next_cursor": page.next_cursor,
    }


@router.post("/items", response={201: LibraryItemOut, **ERRORS}, summary="Add a talk script")
def item_create_api(request: HttpRequest, payload: LibraryItemIn) -> Status:
    if payload.kind == ItemKind.FILE:
        raise ServiceError(
            LibraryError.FILE_REQUIRED,
            _("Upload files to POST /api/v1/library/files."),
            fields={"kind": [_("Upload files to POST /api/v1/library/files.")]},
        )
    item = library.item_create(
        actor=request.actor,  # type: ignore[attr-defined]
        kind=payload.kind,
        title=payload.title,
        body=payload.body,
        folder_id=payload.folder_id,
        visibility=payload.visibility,
        products=payload.products,
        industries=payload.industries,
        stages=payload.stages,
        objections=payload.objections,
    )
    return Status(201, fresh(request, item.pk))


@router.post(
    "/files",
    response={201: LibraryItemOut, **ERRORS},
    summary="Upload a file (multipart)",
    description="Multipart: `file` (at most 20 MB; its type is read from its bytes), `title`, "
    "optional `body` (a description), `folder_id`, `visibility`, and comma-separated "
    "`industries`, `stages`, `objections`, `products` (ids).",
)
def file_upload_api(
    request: HttpRequest,
    file: File[UploadedFile],
    title: Form[str] = "",
    body: Form[str] = "",
    folder_id: Form[str] = "",
    visibility: Form[str] = "shared",
    industries: Form[str] = "",
    stages: Form[str] = "",
    objections: Form[str] = "",
    products: Form[str] = "",
) -> Status:
    data = file.read(files.MAX_BYTES + 1)
    item = library.item_create(
        actor=request.actor,  # type: ignore[attr-defined]
        kind=ItemKind.FILE,
        title=title or (file.name or ""),
        body=body,
        folder_id=folder_id or None,
        visibility=visibility,
        industries=industries,
        stages=stages,
        objections=objections,
        products=products,
        file_name=file.name or "",
        file_data=data,
    )
    return Status(201, fresh(request, item.pk))


@router.get("/items/{library_item_id}", response={200: LibraryItemOut, **READ_ERRORS})
def item_api(request: HttpRequest, library_item_id: int) -> dict[str, Any]:
    return fresh(request, library_item_id)


@router.put("/items/{library_item_id}", response={200: LibraryItemOut, **ERRORS})
def item_update_api(
    request: HttpRequest, library_item_id: int, payload: LibraryItemPatch
) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    folder: Any = ...
    if "folder_id" in data:
        folder = data["folder_id"] or None
    item = library.item_update(
        actor=request.actor,  # type: ignore[attr-defined]
        item_id=library_item_id,
        expected_version=payload.version,
        title=payload.title,
        body=payload.body,
        folder_id=folder,
        visibility=payload.visibility,
        products=payload.products,
        industries=payload.industries,
        stages=payload.stages,
        objections=payload.objections,
    )
    return fresh(request, item.pk)


@router.delete("/items/{library_item_id}", response={204: None, **ERRORS})
def item_delete_api(request: HttpRequest, library_item_id: int) -> Status:
    library.item_delete(actor=request.actor, item_id=library_item_id)  # type: ignore[attr-defined]
    return Status(204, None)


@router.get(
    "/items/{library_item_id}/file",
    response={200: None, **READ_ERRORS},
    url_name="library_item_file",
    summary="Download a file (always an attachment, typed by its bytes)",
)
def item_file_api(request: HttpRequest, library_item_id: int) -> HttpResponseBase:
    item = library.item_get(request.member, library_item_id)  # type: ignore[attr-defined]
    if item.kind != ItemKind.FILE or not item.file:
        raise NotFound(LibraryError.NOT_A_FILE, _("This library item has no file."))
    return files.download(item)


@router.post(
    "/items/{library_item_id}/usage",
    response={201: LibraryUsageOut, **ERRORS},
    summary="Count a copy or a send of an item, on a record",
)
def item_usage_api(request: HttpRequest, library_item_id: int, payload: LibraryUsageIn) -> Status:
    usage = library.usage_record(
        actor=request.actor,  # type: ignore[attr-defined]
        item_id=library_item_id,
        action=payload.action,
        target_type=payload.target_type,
        target_id=payload.target_id,
    )
    return Status(
        201,
        {
            "id": usage.pk,
            "library_item_id": usage.item_id,
            "action": usage.action,
            "user_id": usage.user_id,
            "target_type": usage.target_type,
            "target_id": usage.target_id,
            "created_at": usage.created_at,
        },
    )


@router.post(
    "/items/{library_item_id}/email",
    response={201: LibraryEmailOut, **ERRORS, 501: ErrorOut},
    summary="Send an item by e-mail (a file attached, a script as the text); counted as sent",
)
def item_email_api(request: HttpRequest, library_item_id: int, payload: LibraryEmailIn) -> Status:
    library.item_get(request.member, library_item_id)  # type: ignore[attr-defined]
    if not sending.email_available():
        raise ServiceError(
            LibraryError.EMAIL_UNAVAILABLE,
            _("Sending e-mail is not available in this installation."),
            status=501,
        )
    email = sending.library_email(
        actor=request.actor,  # type: ignore[attr-defined]
        item_id=library_item_id,
        to=payload.to,
        cc=payload.cc,
        subject=payload.subject,
        body_text=payload.body,
        target_type=payload.target_type,
        target_id=payload.target_id,
    )
    return Status(201, {"email_id": email.pk, "library_item_id": library_item_id})


# --- suggestions and reports ---------------------------------------------------------------------


@router.get(
    "/suggestions",
    response={200: SuggestionsOut, **READ_ERRORS},
    summary="Items suggested on a lead, customer or opportunity",
    description="Ranked by the record's objection last logged (or `objection`), stage, industry "
    "and products. 404 for a record the member cannot see.",
)
def suggestions_api(
    request: HttpRequest, target_type: str = "", target_id: int | None = None, objection: str = ""
) -> dict[str, Any]:
    if not target_type or target_id is None:
        raise ServiceError(
            ErrorCode.INVALID,
            _("Name the record: target_type and target_id."),
            fields={"target_type": [_("Choose lead, customer or opportunity.")]},
        )
    member = request.member  # type: ignore[attr-defined]
    ctx = suggestions.record_context(member, target_type, target_id, objection=objection or None)
    found = suggestions.suggest(member, ctx)
    return {
        "target_type": target_type,
        "target_id": target_id,
        "stages": sorted(ctx.stage_keys),
        "industry": ctx.industry,
        "objection": ctx.objection,
        "items": [
            {
                "item": item_out(s.item, list(s.item.tags.all())),
                "score": s.score,
                "reasons": [{"kind": k, "key": "", "value": v} for k, v in s.reasons],
            }
            for s in found
        ],
    }


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


@router.get(
    "/reports/won-deals",
    response={200: list[WonItemOut], **READ_ERRORS},
    summary="Items sent before won deals",
    description="Items used (copied or sent) on opportunities before they closed: won deals "
    "and their amount in the base currency, lost deals, win rate; deals closed between `start` "
    "and `end` (inclusive days, workspace time).",
)
def won_report_api(request: HttpRequest, start: str = "", end: str = "") -> list[dict[str, Any]]:
    member = request.member  # type: ignore[attr-defined]
    s, e = _day(start), _day(end)
    rows = sel.won_report(
        member,
        start=day_start(s, member.workspace) if s else None,
        end=day_start(e + dt.timedelta(days=1), member.workspace) if e else None,
    )
    return [
        {
            "library_item_id": r.item.pk,
            "title": r.item.title,
            "kind": r.item.kind,
            "won_deals": r.won_deals,
            "won_amount": f"{r.won_amount:f}",
            "won_unconverted": r.unconverted,
            "lost_deals": r.lost_deals,
            "win_rate": money(r.win_rate),
            "uses": r.uses,
        }
        for r in rows
    ]


# --- reviews -------------------------------------------------------------------------------------


@router.post("/reviews", response={201: LibraryItemOut, **ERRORS}, summary="Review a closed deal")
def review_create_api(request: HttpRequest, payload: ReviewIn) -> Status:
    if payload.opportunity_id is None:
        raise ServiceError(
            ErrorCode.INVALID,
            _("Name the opportunity: opportunity_id."),
            fields={"opportunity_id": [_("This field is required.")]},
        )
    item = reviews.review_create(
        actor=request.actor,  # type: ignore[attr-defined]
        opportunity_id=payload.opportunity_id,
        title=payload.title,
        worked=payload.worked,
        failed=payload.failed,
        profile=payload.profile,
        products=payload.products,
        industries=payload.industries,
        stages=payload.stages,
        objections=payload.objections,
    )
    return Status(201, fresh(request, item.pk))


@router.get("/reviews/monthly", response={200: MonthlyReviewOut, **READ_ERRORS})
def monthly_review_api(request: HttpRequest, month: str = "") -> dict[str, Any]:
    member = request.member  # type: ignore[attr-defined]
    first = reviews.parse_month(month, workspace_today(member.workspace))
    review = reviews.monthly_review(member, first)
    return {
        "month": f"{first:%Y-%m}",
        "currency": review.currency,
        "won": review.won,
        "won_amount": f"{review.won_amount:f}",
        "won_unconverted": review.won_unconverted,
        "lost": review.lost,
        "lost_amount": f"{review.lost_amount:f}",
        "lost_unconverted": review.lost_unconverted,
        "invalid": review.invalid,
        "created": review.created,
        "win_rate": money(review.win_rate),
        "loss_reasons": [
            {"label": r.label, "count": r.count, "share": f"{r.share:f}"} for r in review.reasons
        ],
        "reviews": [item_out(i) for i in review.reviews],
        "unreviewed_opportunity_ids": [o.pk for o in review.unreviewed],
    }


@router.get("/reviews/{review_id}", response={200: LibraryItemOut, **READ_ERRORS})
def review_api(request: HttpRequest, review_id: int) -> dict[str, Any]:
    return item_out(reviews.review_get(request.member, review_id))  # type: ignore[attr-defined]


@router.put("/reviews/{review_id}", response={200: LibraryItemOut, **ERRORS})
def review_update_api(request: HttpRequest, review_id: int, payload: ReviewPatch) -> dict[str, Any]:
    item = reviews.review_update(
        actor=request.actor,  # type: ignore[attr-defined]
        review_id=review_id,
        expected_version=payload.version,
        title=payload.title,
        worked=payload.worked,
        failed=payload.failed,
        profile=payload.profile,
        products=payload.products,
        industries=payload.industries,
        stages=payload.stages,
        objections=payload.objections,
    )
    return fresh(request, item.pk)
