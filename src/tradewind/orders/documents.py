"""Quotation, proforma invoice (PI) and sales contract (SC): one HTML template set rendered to an
HTML preview and, through WeasyPrint, to PDF, in English, Chinese or both.

A document renders from a *snapshot*: a JSON copy of everything it prints (seller, bank, buyer,
terms, lines, totals, amounts in words, clauses, the chop's stored file name). A PI/SC stores its
snapshot when it is created and a quotation when its version is sent, so a later re-render is
identical even after the profile, the customer or the products change. Drafts render from a fresh
snapshot. Totals come from orders/totals.py only."""

from __future__ import annotations

import base64
import datetime as dt
import mimetypes
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from tradewind.core.errors import ErrorCode, ServiceError
from tradewind.customers.models import Contact, Customer
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.events import emit
from tradewind.workspaces.numbering import code_next
from tradewind.workspaces.permissions import Perm

from .choices import INSURED_INCOTERMS, DocumentKind, DocumentLanguage, QuoteStatus
from .errors import QuoteError
from .models import DocumentProfile, Quote, QuoteVersion, SalesDocument
from .settings_services import profile_get
from .totals import grouped, plain, price_text, quantity_text, quote_totals
from .words import amount_in_words_en, amount_in_words_zh

SNAPSHOT_FORMAT = 1
TITLES = {
    DocumentKind.QUOTATION: ("QUOTATION", "报价单"),
    DocumentKind.PROFORMA: ("PROFORMA INVOICE", "形式发票"),
    DocumentKind.CONTRACT: ("SALES CONTRACT", "销售合同"),
}


# --- snapshots ---------------------------------------------------------------------------------------


def _seller(profile: DocumentProfile) -> dict[str, Any]:
    return {
        "name_en": profile.seller_name_en,
        "name_zh": profile.seller_name_zh,
        "address_en": profile.address_en,
        "address_zh": profile.address_zh,
        "phone": profile.phone,
        "email": profile.email,
        "website": profile.website,
    }


def _bank(profile: DocumentProfile) -> dict[str, str]:
    return {
        "beneficiary": profile.bank_beneficiary,
        "account": profile.bank_account,
        "bank_name": profile.bank_name,
        "bank_address": profile.bank_address,
        "swift": profile.bank_swift,
    }


def _country_en(country: Any) -> str:
    if not country:
        return ""
    with translation.override("en"):
        return str(country.name)


def _buyer(customer: Customer, contact: Contact | None) -> dict[str, Any]:
    country = customer.country
    return {
        "name": customer.name,
        "name_alt": customer.name_alt,
        "country_en": _country_en(country),
        "country_code": str(country.code) if country else "",
        "city": customer.city,
        "phone": customer.phone,
        "email": customer.email,
        "contact": contact.name if contact else "",
        "contact_email": contact.email if contact else "",
        "contact_phone": contact.phone if contact else "",
    }


def _lines(version: QuoteVersion) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    lines = list(version.lines.select_related("product"))
    currency = version.currency
    totals = quote_totals(lines, currency)
    rows = []
    for i, (line, amount) in enumerate(zip(lines, totals.line_amounts, strict=True), start=1):
        product = line.product
        rows.append(
            {
                "no": i,
                "sku": product.sku if product else "",
                "name_en": product.name_en if product else "",
                "name_zh": product.name_zh if product else "",
                "description": line.description,
                "specs": line.specs,
                "hs_code": line.hs_code,
                "photo": line.photo.name if line.photo else "",
                "quantity": f"{line.quantity:f}",
                "unit": line.unit,
                "unit_price": f"{line.unit_price:f}",
                "discount_percent": f"{line.discount_percent:f}",
                "amount": plain(amount, currency),
            }
        )
    money = {
        "currency": currency,
        "total": plain(totals.total, currency),
        "words_en": amount_in_words_en(totals.total, currency),
        "words_zh": amount_in_words_zh(totals.total, currency),
    }
    return rows, money


def _terms(version: QuoteVersion) -> dict[str, Any]:
    term = version.payment_term
    return {
        "incoterm": version.incoterm,
        "named_place": version.named_place,
        "payment_en": term.label_en if term else "",
        "payment_zh": (term.label_zh or term.label_en) if term else "",
        "valid_until": version.valid_until.isoformat() if version.valid_until else "",
        "moq": version.moq,
        "lead_time": version.lead_time,
        "packing": version.packing,
        "notes": version.notes,
    }


def quotation_snapshot(quote: Quote, version: QuoteVersion) -> dict[str, Any]:
    profile = profile_get(quote.workspace)
    lines, money = _lines(version)
    return {
        "format": SNAPSHOT_FORMAT,
        "kind": DocumentKind.QUOTATION.value,
        "number": quote.code if version.number == 1 else f"{quote.code}-V{version.number}",
        "date": version.quote_date.isoformat(),
        "seller": _seller(profile),
        "bank": _bank(profile),
        "chop": profile.chop.name if profile.chop else "",
        "buyer": _buyer(quote.customer, quote.contact),
        "terms": _terms(version),
        "shipping": {},
        "lines": lines,
        **money,
        "clauses_en": "",
        "clauses_zh": "",
    }


def document_snapshot(
    quote: Quote, version: QuoteVersion, kind: str, number: str, fields: dict[str, Any]
) -> dict[str, Any]:
    data = quotation_snapshot(quote, version)
    profile = profile_get(quote.workspace)
    data["kind"] = kind
    data["number"] = number
    data["date"] = fields["doc_date"].isoformat()
    data["shipping"] = {
        "port_of_loading": fields.get("port_of_loading", ""),
        "port_of_destination": fields.get("port_of_destination", ""),
        "shipment_date": fields["shipment_date"].isoformat() if fields.get("shipment_date") else "",
        "partial_shipment": bool(fields.get("partial_shipment")),
        "transshipment": bool(fields.get("transshipment")),
        "insurance": fields.get("insurance", ""),
        "buyer_reference": fields.get("buyer_reference", ""),
    }
    if kind == DocumentKind.PROFORMA:
        valid = fields.get("valid_until")
        data["terms"]["valid_until"] = valid.isoformat() if valid else ""
    if kind == DocumentKind.CONTRACT:
        data["clauses_en"] = profile.clauses_en
        data["clauses_zh"] = profile.clauses_zh
    return data


def draft_snapshot(quote: Quote, version: QuoteVersion) -> dict[str, Any]:
    """A sent version renders its frozen snapshot; a draft renders a fresh one."""
    if version.is_frozen and version.snapshot:
        return version.snapshot
    return quotation_snapshot(quote, version)


# --- rendering ----------------------------------------------------------------------------------------


def _data_uri(name: str) -> str:
    """A stored image as a data: URI, so the preview and the PDF need no file URLs."""
    if not name or not default_storage.exists(name):
        return ""
    with default_storage.open(name, "rb") as handle:
        payload = handle.read()
    kind = mimetypes.guess_type(name)[0] or "image/png"
    return f"data:{kind};base64,{base64.b64encode(payload).decode('ascii')}"


def _yes_no(value: bool, language: str) -> str:
    en = "Allowed" if value else "Not allowed"
    zh = "允许" if value else "不允许"
    return {"en": en, "zh": zh}.get(language, f"{en} / {zh}")


def render_context(snapshot: dict[str, Any], language: str) -> dict[str, Any]:
    """Everything the template prints, formatted; the template holds no rule."""
    if language not in DocumentLanguage.values:
        raise ServiceError(QuoteError.BAD_LANGUAGE, _("Choose English, Chinese or bilingual."))
    currency = snapshot["currency"]
    kind = snapshot["kind"]
    title_en, title_zh = TITLES.get(kind, TITLES[DocumentKind.QUOTATION])  # type: ignore[call-overload]
    lines = []
    for row in snapshot["lines"]:
        lines.append(
            {
                **row,
                "quantity_text": quantity_text(Decimal(row["quantity"])),
                "unit_price_text": price_text(Decimal(row["unit_price"]), currency),
                "discount_text": (
                    f"{Decimal(row['discount_percent']).normalize():f}%"
                    if Decimal(row["discount_percent"])
                    else ""
                ),
                "amount_text": grouped(Decimal(row["amount"]), currency),
                "photo_uri": _data_uri(row.get("photo", "")),
            }
        )
    terms = snapshot["terms"]
    shipping = snapshot.get("shipping") or {}
    insurance = shipping.get("insurance", "")
    if not insurance and terms.get("incoterm") in INSURED_INCOTERMS:
        insurance = (
            "To be covered by the seller for 110% of the invoice value against All Risks"
            if language == "en"
            else "由卖方按发票金额 110% 投保一切险"
            if language == "zh"
            else "To be covered by the seller for 110% of the invoice value against All Risks"
            " / 由卖方按发票金额 110% 投保一切险"
        )
    return {
        "s": snapshot,
        "lang": language,
        "en": language in ("en", "bi"),
        "zh": language in ("zh", "bi"),
        "title_en": title_en,
        "title_zh": title_zh,
        "is_quotation": kind == DocumentKind.QUOTATION,
        "is_pi": kind == DocumentKind.PROFORMA,
        "is_sc": kind == DocumentKind.CONTRACT,
        "lines": lines,
        "show_discount": any(line["discount_text"] for line in lines),
        "show_photos": any(line["photo_uri"] for line in lines),
        "total_text": grouped(Decimal(snapshot["total"]), currency),
        "terms": terms,
        "trade_term": " ".join(x for x in (terms.get("incoterm"), terms.get("named_place")) if x),
        "shipping": shipping,
        "partial_text": _yes_no(bool(shipping.get("partial_shipment")), language),
        "transshipment_text": _yes_no(bool(shipping.get("transshipment")), language),
        "insurance": insurance,
        "chop_uri": _data_uri(snapshot.get("chop", "")),
        "clauses_en": [c for c in snapshot.get("clauses_en", "").splitlines() if c.strip()],
        "clauses_zh": [c for c in snapshot.get("clauses_zh", "").splitlines() if c.strip()],
    }


def render_html(snapshot: dict[str, Any], language: str) -> str:
    context = render_context(snapshot, language)
    # The document's own words are fixed per language in the template; the UI language of the
    # person rendering it must not leak in.
    with translation.override("en"):
        return render_to_string("orders/documents/document.html", context)


def render_pdf(snapshot: dict[str, Any], language: str) -> bytes:
    return html_to_pdf(render_html(snapshot, language))


def html_to_pdf(html: str) -> bytes:
    """The PDF of a document's HTML. Images come inlined as data: URIs (chop, photos) and fonts
    from the system, so the renderer fetches nothing else: no URL in a document can make the
    server request another host or read a local file (SSRF), whatever ends up in the HTML."""
    try:
        from weasyprint import HTML, URLFetcher
    except (ImportError, OSError) as exc:  # missing system libraries (pango)
        raise ServiceError(
            QuoteError.PDF_UNAVAILABLE,
            _("PDF rendering is not available on this server."),
            status=503,
        ) from exc
    fetcher = URLFetcher(allowed_protocols=("data",))
    pdf = HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def pdf_filename(snapshot: dict[str, Any], language: str) -> str:
    return f"{snapshot['number']}-{language}.pdf".replace("/", "-")


# --- PI / SC -------------------------------------------------------------------------------------------


DOC_TEXT_LIMITS = {
    "port_of_loading": 120,
    "port_of_destination": 120,
    "insurance": 300,
    "buyer_reference": 120,
}


def _clean_doc_fields(data: dict[str, Any], today: dt.date) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    cleaned: dict[str, Any] = {}
    for name, limit in DOC_TEXT_LIMITS.items():
        value = str(data.get(name) or "").strip()
        if len(value) > limit:
            errors.setdefault(name, []).append(_("At most %(n)s characters.") % {"n": limit})
        cleaned[name] = value
    for name in ("doc_date", "shipment_date", "valid_until"):
        raw = data.get(name)
        if raw in (None, ""):
            cleaned[name] = None
        elif isinstance(raw, dt.date):
            cleaned[name] = raw
        else:
            try:
                cleaned[name] = dt.date.fromisoformat(str(raw).strip())
            except ValueError:
                errors.setdefault(name, []).append(_("Enter a valid date (YYYY-MM-DD)."))
    cleaned["doc_date"] = cleaned.get("doc_date") or today
    cleaned["partial_shipment"] = bool(data.get("partial_shipment"))
    cleaned["transshipment"] = bool(data.get("transshipment"))
    if errors:
        raise ServiceError(
            QuoteError.BAD_FIELD, _("Please correct the marked fields."), fields=errors
        )
    return cleaned


@transaction.atomic
def document_create(
    *,
    actor: Actor,
    quote_id: int,
    kind: str,
    language: str = DocumentLanguage.BILINGUAL,
    store_pdf: bool = False,
    **fields: Any,
) -> SalesDocument:
    """A PI or SC from the accepted version of an accepted quote: numbered (PI/SC sequences),
    its snapshot frozen now; optionally its PDF stored. Fields: doc_date, port_of_loading,
    port_of_destination, shipment_date, partial_shipment, transshipment, insurance, valid_until
    (PI validity), buyer_reference."""
    from .quotes import lock_quote, today_for

    require(actor, Perm.OPPORTUNITY_EDIT)
    quote = lock_quote(actor, quote_id)
    if kind not in (DocumentKind.PROFORMA, DocumentKind.CONTRACT):
        raise ServiceError(QuoteError.BAD_KIND, _("Choose a proforma invoice or a sales contract."))
    if language not in DocumentLanguage.values:
        raise ServiceError(QuoteError.BAD_LANGUAGE, _("Choose English, Chinese or bilingual."))
    unknown = (
        set(fields)
        - {*DOC_TEXT_LIMITS, "doc_date", "shipment_date", "valid_until"}
        - {
            "partial_shipment",
            "transshipment",
        }
    )
    if unknown:
        raise ServiceError(ErrorCode.INVALID, _("Unknown field: %(f)s") % {"f": sorted(unknown)[0]})
    if quote.status != QuoteStatus.ACCEPTED or quote.accepted_version is None:
        raise ServiceError(
            QuoteError.NOT_ACCEPTED,
            _("Only an accepted quote can become a proforma invoice or a sales contract."),
            status=409,
        )
    today = today_for(quote)
    cleaned = _clean_doc_fields(fields, today)
    profile = profile_get(quote.workspace)
    if not cleaned["port_of_loading"]:
        cleaned["port_of_loading"] = profile.default_port_of_loading
    version = QuoteVersion.objects.get(quote=quote, number=quote.accepted_version)
    if (
        not cleaned["port_of_destination"]
        and version.named_place
        and version.incoterm
        not in (
            "EXW",
            "FCA",
            "FAS",
            "FOB",
        )
    ):
        cleaned["port_of_destination"] = version.named_place
    if kind == DocumentKind.PROFORMA and cleaned["valid_until"] is None:
        cleaned["valid_until"] = cleaned["doc_date"] + dt.timedelta(days=15)
    number = code_next(workspace=quote.workspace, kind=kind.lower())
    quote = Quote.objects.select_related("customer", "contact", "workspace").get(pk=quote.pk)
    snapshot = document_snapshot(quote, version, kind, number, cleaned)
    document = SalesDocument.objects.create(
        workspace=quote.workspace,
        kind=kind,
        number=number,
        quote=quote,
        quote_version=version,
        language=language,
        snapshot=snapshot,
        created_by_id=actor.user_id,
        **cleaned,
    )
    if store_pdf:
        document.pdf.save(
            pdf_filename(snapshot, language),
            ContentFile(render_pdf(snapshot, language)),
            save=False,
        )
        document.save(update_fields=["pdf"])
    audit.record_create(
        actor=actor, target=document, fields=["kind", "number", "doc_date", "quote", "language"]
    )
    audit.record(
        actor=actor,
        verb="action",
        action=f"document_{kind.lower()}",
        target=quote,
        changes={"document": [None, number]},
    )
    emit(
        "document.created",
        workspace_id=quote.workspace_id,
        document_id=document.pk,
        quote_id=quote.pk,
        kind=kind,
    )
    return document
