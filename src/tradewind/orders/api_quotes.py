"""Quotes and documents API: /api/v1/quotes (list, create, get, edit, status, new version,
quotation PDF, PI/SC creation, payment terms) and /api/v1/documents (list, get, PDF).

Money is sent as strings with the currency's minor digits ("1295.45", JPY "1250"), computed by
orders/totals.py like the pages, the PDF and the CSV export. Payload fields all have defaults, so a
foreign id answers 404 from the service rather than 422 from the schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS, PageOut
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import documents, quotes, selectors
from .choices import DocumentLanguage
from .models import Quote, QuoteVersion, SalesDocument
from .selectors import QuoteFilter, effective_status, member_today
from .totals import plain, quote_totals

quotes_router = Router(tags=["quotes"])
documents_router = Router(tags=["documents"])

PDF_RESPONSE = {
    "200": {
        "description": "The PDF",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


class QuoteLineIn(Schema):
    id: int | None = Field(None, description="A line of the edited version whose photo to keep")
    product_id: int | None = None
    description: str = Field("", max_length=300)
    specs: str = ""
    hs_code: str = Field("", max_length=16)
    quantity: Decimal | None = None
    unit: str = Field("", max_length=20)
    unit_price: Decimal | None = Field(None, description="Empty: the product's list price")
    discount_percent: Decimal | None = None


class TermsIn(Schema):
    currency: str | None = Field(None, max_length=3)
    incoterm: str | None = Field(None, max_length=3)
    named_place: str | None = Field(None, max_length=120)
    quote_date: dt.date | None = None
    valid_until: dt.date | None = None
    moq: str | None = Field(None, max_length=120)
    lead_time: str | None = Field(None, max_length=120)
    packing: str | None = Field(None, max_length=300)
    payment_term_id: int | None = None
    notes: str | None = None


class QuoteIn(TermsIn):
    customer_id: int | None = None
    opportunity_id: int | None = Field(
        None, description="Copies customer, contact, currency, Incoterm and lines"
    )
    contact_id: int | None = None
    title: str = Field("", max_length=200)
    lines: list[QuoteLineIn] | None = Field(None, description="Omitted: the opportunity's lines")


class QuotePatch(TermsIn):
    title: str | None = Field(None, max_length=200)
    contact_id: int | None = None
    lines: list[QuoteLineIn] | None = Field(None, description="Replaces all lines")
    version: int | None = Field(None, description="The version you read; a newer one answers 409")


class QuoteTransitionIn(Schema):
    to: str = Field("", description="sent, accepted, rejected")
    note: str = Field("", max_length=300)
    version: int | None = None


class ReviseIn(Schema):
    change_note: str = Field("", max_length=300)
    version: int | None = None


class DocumentIn(Schema):
    kind: str = Field("", description="PI or SC")
    language: str = Field(DocumentLanguage.BILINGUAL, description="en, zh or bi")
    doc_date: dt.date | None = None
    port_of_loading: str = Field("", max_length=120)
    port_of_destination: str = Field("", max_length=120)
    shipment_date: dt.date | None = None
    partial_shipment: bool = False
    transshipment: bool = False
    insurance: str = Field("", max_length=300)
    valid_until: dt.date | None = None
    buyer_reference: str = Field("", max_length=120)
    store_pdf: bool = False


class QuoteLineOut(Schema):
    id: int
    position: int
    product_id: int | None
    description: str
    specs: str
    hs_code: str
    has_photo: bool
    quantity: str
    unit: str
    unit_price: str
    discount_percent: str
    amount: str


class VersionOut(Schema):
    number: int
    change_note: str
    frozen: bool
    total: str
    created_at: dt.datetime


class QuoteOut(Schema):
    id: int
    code: str
    title: str
    status: str
    customer_id: int
    contact_id: int | None
    opportunity_id: int | None
    latest_version: int
    accepted_version: int | None
    currency: str
    total: str
    valid_until: dt.date | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class QuoteDetailOut(QuoteOut):
    shown_version: int
    incoterm: str
    named_place: str
    quote_date: dt.date
    moq: str
    lead_time: str
    packing: str
    payment_term_id: int | None
    payment_term: str
    notes: str
    lines: list[QuoteLineOut]
    versions: list[VersionOut]


class PaymentTermOut(Schema):
    id: int
    label_en: str
    label_zh: str
    is_active: bool


class DocumentOut(Schema):
    id: int
    kind: str
    number: str
    doc_date: dt.date
    quote_id: int
    quote_version: int
    language: str
    currency: str
    total: str
    port_of_loading: str
    port_of_destination: str
    shipment_date: dt.date | None
    partial_shipment: bool
    transshipment: bool
    valid_until: dt.date | None
    has_stored_pdf: bool
    created_at: dt.datetime


def _quote_out(quote: Quote, today: dt.date) -> dict[str, Any]:
    return {
        "id": quote.pk,
        "code": quote.code,
        "title": quote.title,
        "status": effective_status(quote, today),
        "customer_id": quote.customer_id,
        "contact_id": quote.contact_id,
        "opportunity_id": quote.opportunity_id,
        "latest_version": quote.latest_version,
        "accepted_version": quote.accepted_version,
        "currency": quote.currency,
        "total": plain(quote.total, quote.currency),
        "valid_until": quote.valid_until,
        "version": quote.version,
        "created_at": quote.created_at,
        "updated_at": quote.updated_at,
    }


def _detail(quote: Quote, version: QuoteVersion, today: dt.date) -> dict[str, Any]:
    lines = selectors.version_lines(version)
    totals = quote_totals(lines, version.currency)
    data = _quote_out(quote, today)
    data.update(
        {
            "total": plain(totals.total, version.currency)
            if version.number == quote.latest_version
            else data["total"],
            "shown_version": version.number,
            "incoterm": version.incoterm,
            "named_place": version.named_place,
            "quote_date": version.quote_date,
            "moq": version.moq,
            "lead_time": version.lead_time,
            "packing": version.packing,
            "payment_term_id": version.payment_term_id,
            "payment_term": version.payment_term.label_en if version.payment_term else "",
            "notes": version.notes,
            "lines": [
                {
                    "id": line.pk,
                    "position": line.position,
                    "product_id": line.product_id,
                    "description": line.description,
                    "specs": line.specs,
                    "hs_code": line.hs_code,
                    "has_photo": bool(line.photo),
                    "quantity": f"{line.quantity:f}",
                    "unit": line.unit,
                    "unit_price": f"{line.unit_price:f}",
                    "discount_percent": f"{line.discount_percent:f}",
                    "amount": plain(amount, version.currency),
                }
                for line, amount in zip(lines, totals.line_amounts, strict=True)
            ],
            "versions": [
                {
                    "number": v.number,
                    "change_note": v.change_note,
                    "frozen": v.is_frozen,
                    "total": plain(v.total, v.currency),
                    "created_at": v.created_at,
                }
                for v in selectors.quote_versions(quote)
            ],
        }
    )
    if version.number != quote.latest_version:
        data["total"] = plain(totals.total, version.currency)
    return data


def _lines(lines: list[QuoteLineIn] | None) -> list[dict[str, Any]] | None:
    if lines is None:
        return None
    return [line.model_dump() for line in lines]


def _terms(payload: TermsIn) -> dict[str, Any]:
    return {
        name: getattr(payload, name)
        for name in TermsIn.model_fields
        if name in payload.model_fields_set
    }


@quotes_router.get("", response={200: PageOut[QuoteOut], **READ_ERRORS})
def quote_list(
    request: HttpRequest,
    status: str = "",
    q: str = "",
    customer: int | None = None,
    opportunity: int | None = None,
    currency: str = "",
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),  # type: ignore[type-arg]
) -> dict[str, Any]:
    require(request.actor, Perm.OPPORTUNITY_VIEW)  # type: ignore[attr-defined]
    member = request.member  # type: ignore[attr-defined]
    filters = QuoteFilter.from_params(
        {
            "status": status,
            "q": q,
            "customer": str(customer or ""),
            "opportunity": str(opportunity or ""),
            "currency": currency,
        }
    )
    page = selectors.quote_list(member, filters, cursor=cursor, limit=limit)
    today = member_today(member)
    return {
        "items": [_quote_out(quote, today) for quote in page.items],
        "next_cursor": page.next_cursor,
        "prev_cursor": page.prev_cursor,
    }


@quotes_router.get("/payment-terms", response={200: list[PaymentTermOut], **READ_ERRORS})
def payment_term_list(request: HttpRequest) -> list[Any]:
    require(request.actor, Perm.OPPORTUNITY_VIEW)  # type: ignore[attr-defined]
    return selectors.payment_terms(request.member, active_only=False)  # type: ignore[attr-defined]


@quotes_router.post("", response={201: QuoteDetailOut, **ERRORS})
def quote_create(request: HttpRequest, payload: QuoteIn) -> Status:
    quote = quotes.quote_create(
        actor=request.actor,  # type: ignore[attr-defined]
        customer_id=payload.customer_id,
        opportunity_id=payload.opportunity_id,
        contact_id=payload.contact_id,
        title=payload.title,
        lines=_lines(payload.lines),
        **{k: v for k, v in _terms(payload).items() if v is not None or k == "valid_until"},
    )
    member = request.member  # type: ignore[attr-defined]
    quote = selectors.quote_get(member=member, pk=quote.pk)
    return Status(201, _detail(quote, selectors.version_get(quote), member_today(member)))


@quotes_router.get("/{quote_id}", response={200: QuoteDetailOut, **READ_ERRORS})
def quote_get(request: HttpRequest, quote_id: int, version: int | None = None) -> dict[str, Any]:
    require(request.actor, Perm.OPPORTUNITY_VIEW)  # type: ignore[attr-defined]
    member = request.member  # type: ignore[attr-defined]
    quote = selectors.quote_get(member=member, pk=quote_id)
    return _detail(quote, selectors.version_get(quote, version), member_today(member))


@quotes_router.patch("/{quote_id}", response={200: QuoteDetailOut, **ERRORS})
def quote_update(request: HttpRequest, quote_id: int, payload: QuotePatch) -> dict[str, Any]:
    fields = _terms(payload)
    for name in ("title", "contact_id"):
        if name in payload.model_fields_set:
            fields[name] = getattr(payload, name)
    if payload.lines is not None:
        fields["lines"] = _lines(payload.lines)
    quote = quotes.quote_update(
        actor=request.actor,  # type: ignore[attr-defined]
        quote_id=quote_id,
        expected_version=payload.version,
        fields=fields,
    )
    member = request.member  # type: ignore[attr-defined]
    quote = selectors.quote_get(member=member, pk=quote.pk)
    return _detail(quote, selectors.version_get(quote), member_today(member))


@quotes_router.post("/{quote_id}/transition", response={200: QuoteOut, **ERRORS})
def quote_transition(
    request: HttpRequest, quote_id: int, payload: QuoteTransitionIn
) -> dict[str, Any]:
    quote = quotes.quote_transition(
        actor=request.actor,  # type: ignore[attr-defined]
        quote_id=quote_id,
        to=payload.to,
        note=payload.note,
        expected_version=payload.version,
    )
    return _quote_out(quote, member_today(request.member))  # type: ignore[attr-defined]


@quotes_router.post("/{quote_id}/versions", response={201: QuoteDetailOut, **ERRORS})
def quote_revise(request: HttpRequest, quote_id: int, payload: ReviseIn) -> Status:
    quote = quotes.quote_revise(
        actor=request.actor,  # type: ignore[attr-defined]
        quote_id=quote_id,
        change_note=payload.change_note,
        expected_version=payload.version,
    )
    member = request.member  # type: ignore[attr-defined]
    quote = selectors.quote_get(member=member, pk=quote.pk)
    return Status(201, _detail(quote, selectors.version_get(quote), member_today(member)))


@quotes_router.get(
    "/{quote_id}/quotation.pdf", response=READ_ERRORS, openapi_extra={"responses": PDF_RESPONSE}
)
def quote_pdf(
    request: HttpRequest, quote_id: int, lang: str = "en", version: int | None = None
) -> HttpResponse:
    require(request.actor, Perm.OPPORTUNITY_VIEW)  # type: ignore[attr-defined]
    quote = selectors.quote_get(member=request.member, pk=quote_id)  # type: ignore[attr-defined]
    snapshot = documents.draft_snapshot(quote, selectors.version_get(quote, version))
    return _pdf(snapshot, lang)


def _pdf(snapshot: dict[str, Any], language: str) -> HttpResponse:
    pdf = documents.render_pdf(snapshot, language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{documents.pdf_filename(snapshot, language)}"'
    )
    return response


def _document_out(document: SalesDocument) -> dict[str, Any]:
    snapshot = document.snapshot
    return {
        "id": document.pk,
        "kind": document.kind,
        "number": document.number,
        "doc_date": document.doc_date,
        "quote_id": document.quote_id,
        "quote_version": document.quote_version.number,
        "language": document.language,
        "currency": snapshot.get("currency", ""),
        "total": snapshot.get("total", ""),
        "port_of_loading": document.port_of_loading,
        "port_of_destination": document.port_of_destination,
        "shipment_date": document.shipment_date,
        "partial_shipment": document.partial_shipment,
        "transshipment": document.transshipment,
        "valid_until": document.valid_until,
        "has_stored_pdf": bool(document.pdf),
        "created_at": document.created_at,
    }


@quotes_router.post("/{quote_id}/documents", response={201: DocumentOut, **ERRORS})
def document_create(request: HttpRequest, quote_id: int, payload: DocumentIn) -> Status:
    data = payload.model_dump()
    document = documents.document_create(
        actor=request.actor,  # type: ignore[attr-defined]
        quote_id=quote_id,
        kind=data.pop("kind"),
        language=data.pop("language"),
        store_pdf=data.pop("store_pdf"),
        **data,
    )
    return Status(201, _document_out(document))


@documents_router.get("", response={200: PageOut[DocumentOut], **READ_ERRORS})
def document_list(
    request: HttpRequest,
    quote: int | None = None,
    kind: str = "",
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),  # type: ignore[type-arg]
) -> dict[str, Any]:
    from tradewind.core.paging import keyset_page

    require(request.actor, Perm.OPPORTUNITY_VIEW)  # type: ignore[attr-defined]
    qs = selectors.documents_visible(request.member).select_related("quote_version")  # type: ignore[attr-defined]
    if quote is not None:
        qs = qs.filter(quote_id=quote)
    if kind:
        qs = qs.filter(kind=kind.upper())
    page = keyset_page(qs, order=("-id",), cursor=cursor, limit=limit)
    return {
        "items": [_document_out(d) for d in page.items],
        "next_cursor": page.next_cursor,
        "prev_cursor": page.prev_cursor,
    }


@documents_router.get("/{document_id}", response={200: DocumentOut, **READ_ERRORS})
def document_get(request: HttpRequest, document_id: int) -> dict[str, Any]:
    require(request.actor, Perm.OPPORTUNITY_VIEW)  # type: ignore[attr-defined]
    document = selectors.document_get(member=request.member, pk=document_id)  # type: ignore[attr-defined]
    return _document_out(document)


@documents_router.get(
    "/{document_id}/pdf", response=READ_ERRORS, openapi_extra={"responses": PDF_RESPONSE}
)
def document_pdf(request: HttpRequest, document_id: int, lang: str = "") -> HttpResponse:
    require(request.actor, Perm.OPPORTUNITY_VIEW)  # type: ignore[attr-defined]
    document = selectors.document_get(member=request.member, pk=document_id)  # type: ignore[attr-defined]
    return _pdf(document.snapshot, lang or document.language)
