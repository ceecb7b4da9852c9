"""Quote pages: list (filters, CSV export), new (from an opportunity or a customer), detail with
versions and documents, edit of the latest version (Alpine line rows), status buttons, new
version, line photos, HTML preview and PDF download of quotations, PIs and SCs. Views only parse,
call a service and render."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import ServiceError
from tradewind.core.forms import report_service_error
from tradewind.core.money import COMMON_CURRENCIES
from tradewind.core.uploads import image_response
from tradewind.customers.models import Contact, Customer
from tradewind.sales.choices import Incoterm
from tradewind.sales.models import Opportunity, Product
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import documents, export, quotes, selectors
from .choices import DocumentKind, DocumentLanguage, QuoteStatus
from .selectors import QuoteFilter, effective_status, member_today
from .totals import grouped, quote_totals

NAV = "quotes"


def _ctx(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"nav_active": NAV, **extra}


@member_required(Perm.OPPORTUNITY_VIEW)
def quote_list(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    filters = QuoteFilter.from_params(request.GET)
    page = selectors.quote_list(member, filters, cursor=request.GET.get("cursor"))
    today = member_today(member)
    rows = [(q, effective_status(q, today), grouped(q.total, q.currency)) for q in page.items]
    return render(
        request,
        "orders/quote_list.html",
        _ctx(
            request,
            page=page,
            rows=rows,
            filters=filters,
            query=filters.querystring(),
            statuses=QuoteStatus.choices,
            can_create=member.has(Perm.OPPORTUNITY_CREATE),
        ),
    )


@member_required(Perm.OPPORTUNITY_VIEW)
def quote_export(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    filters = QuoteFilter.from_params(request.GET)
    return export.quotes_csv_response(member, filters)


def _lines_from_post(request: HttpRequest) -> list[dict[str, Any]]:
    try:
        lines = json.loads(request.POST.get("lines_json") or "[]")
    except ValueError:
        lines = None
    if not isinstance(lines, list):
        raise ServiceError("bad_line", _("Please correct the marked lines."))
    return lines


TERM_FIELDS = (
    "currency",
    "incoterm",
    "named_place",
    "quote_date",
    "valid_until",
    "moq",
    "lead_time",
    "packing",
    "payment_term_id",
    "notes",
)


def _form_context(
    request: HttpRequest, *, values: dict[str, Any], lines: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    member = request.member  # type: ignore[attr-defined]
    products = Product.objects.filter(workspace_id=member.workspace_id, is_active=True).order_by(
        "sku"
    )[:500]
    return _ctx(
        request,
        values=values,
        lines_data=lines,
        # json_script escapes < > &: a product named "</script>" cannot leave the data block.
        products_data=(
            [
                {
                    "id": p.pk,
                    "label": str(p),
                    "unit": p.unit,
                    "hs_code": p.hs_code,
                    "specs": p.specs,
                    "prices": {pp.currency: str(pp.unit_price) for pp in p.prices.all()},
                }
                for p in products.prefetch_related("prices")
            ]
        ),
        currencies=COMMON_CURRENCIES,
        incoterms=Incoterm.values,
        payment_terms=selectors.payment_terms(member),
        **extra,
    )


@member_required(Perm.OPPORTUNITY_CREATE)
def quote_new(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    source = request.POST if request.method == "POST" else request.GET
    opportunity = customer = None
    if str(source.get("opportunity") or "").isdigit():
        opportunity = (
            Opportunity.objects.visible_to(member)
            .select_related("customer")
            .filter(pk=int(source["opportunity"]))
            .first()
        )
        if opportunity is None:
            raise Http404
        customer = opportunity.customer
    elif str(source.get("customer") or "").isdigit():
        customer = Customer.objects.visible_to(member).filter(pk=int(source["customer"])).first()
        if customer is None:
            raise Http404
    errors: dict[str, list[Any]] = {}
    if request.method == "POST" and customer is not None:
        try:
            terms = {k: request.POST.get(k, "") for k in TERM_FIELDS}
            lines = _lines_from_post(request) if request.POST.get("lines_json") else None
            quote = quotes.quote_create(
                actor=request.actor,  # type: ignore[attr-defined]
                customer_id=customer.pk,
                opportunity_id=opportunity.pk if opportunity else None,
                contact_id=request.POST.get("contact_id") or None,
                title=request.POST.get("title", ""),
                lines=lines,
                **{k: v for k, v in terms.items() if v != "" or k == "payment_term_id"},
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                report_service_error(request, exc)
            errors = exc.fields or {"__all__": [exc.message]}
        else:
            messages.success(request, _("Quote %(code)s created.") % {"code": quote.code})
            return redirect("quotes:detail", quote.pk)
    customers = []
    if customer is None:
        customers = list(Customer.objects.visible_to(member).order_by("name")[:300])
    contacts = list(Contact.objects.filter(customer=customer)) if customer else []
    return render(
        request,
        "orders/quote_new.html",
        _ctx(
            request,
            opportunity=opportunity,
            customer=customer,
            customers=customers,
            contacts=contacts,
            errors=errors,
            post=request.POST if request.method == "POST" else {},
        ),
    )


@member_required(Perm.OPPORTUNITY_VIEW)
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    quote = selectors.quote_get(member=member, pk=pk)
    version = selectors.version_get(quote, request.GET.get("version"))
    lines = selectors.version_lines(version)
    totals = quote_totals(lines, version.currency)
    status = effective_status(quote, member_today(member))
    can_edit = member.has(Perm.OPPORTUNITY_EDIT)
    return render(
        request,
        "orders/quote_detail.html",
        _ctx(
            request,
            quote=quote,
            version=version,
            versions=selectors.quote_versions(quote),
            rows=[
                (line, grouped(amount, version.currency))
                for line, amount in zip(lines, totals.line_amounts, strict=True)
            ],
            total_text=grouped(totals.total, version.currency),
            status=status,
            status_label=QuoteStatus(status).label,
            is_latest=version.number == quote.latest_version,
            editable=can_edit
            and version.number == quote.latest_version
            and not version.is_frozen
            and quote.status == QuoteStatus.DRAFT,
            can_edit=can_edit,
            can_send=can_edit and quote.status == QuoteStatus.DRAFT and bool(lines),
            can_decide=can_edit and status == QuoteStatus.SENT,
            can_revise=can_edit and QuoteStatus.DRAFT in _moves(quote.status),
            can_document=can_edit and quote.status == QuoteStatus.ACCEPTED,
            languages=DocumentLanguage.choices,
            documents=selectors.quote_documents(quote),
            kinds=[
                (DocumentKind.PROFORMA, _("Create PI")),
                (DocumentKind.CONTRACT, _("Create SC")),
            ],
        ),
    )


def _moves(status: str) -> frozenset[str]:
    from .choices import QUOTE_MOVES

    return QUOTE_MOVES.get(status, frozenset())


@member_required(Perm.OPPORTUNITY_EDIT)
def quote_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    quote = selectors.quote_get(member=member, pk=pk)
    version = selectors.version_get(quote)
    errors: dict[str, list[Any]] = {}
    if request.method == "POST":
        fields: dict[str, Any] = {k: request.POST.get(k, "") for k in TERM_FIELDS}
        fields["title"] = request.POST.get("title", "")
        fields["contact_id"] = request.POST.get("contact_id") or None
        try:
            fields["lines"] = _lines_from_post(request)
            version_seen = request.POST.get("version", "")
            quotes.quote_update(
                actor=request.actor,  # type: ignore[attr-defined]
                quote_id=quote.pk,
                expected_version=int(version_seen) if version_seen.isdigit() else None,
                fields=fields,
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                report_service_error(request, exc)
            errors = exc.fields or {"__all__": [exc.message]}
        else:
            messages.success(request, _("Quote saved."))
            return redirect("quotes:detail", quote.pk)
        values = {**fields}
        lines = fields.get("lines") or []
    else:
        values = {
            "title": quote.title,
            "contact_id": quote.contact_id or "",
            "payment_term_id": version.payment_term_id or "",
            **{k: getattr(version, k) for k in TERM_FIELDS if k != "payment_term_id"},
        }
        lines = [
            {
                "id": line.pk,
                "product_id": line.product_id or "",
                "description": line.description,
                "specs": line.specs,
                "hs_code": line.hs_code,
                "quantity": f"{line.quantity.normalize():f}",
                "unit": line.unit,
                "unit_price": f"{line.unit_price.normalize():f}",
                "discount_percent": f"{line.discount_percent.normalize():f}",
                "photo": bool(line.photo),
            }
            for line in version.lines.all()
        ]
    return render(
        request,
        "orders/quote_edit.html",
        _form_context(
            request,
            values=values,
            lines=lines,
            quote=quote,
            version=version,
            errors=errors,
            contacts=list(Contact.objects.filter(customer_id=quote.customer_id)),
            frozen=version.is_frozen or quote.status != QuoteStatus.DRAFT,
        ),
    )


@require_POST
@member_required(Perm.OPPORTUNITY_EDIT)
def quote_transition(request: HttpRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_get(member=request.member, pk=pk)  # type: ignore[attr-defined]
    to = request.POST.get("to", "")
    try:
        quotes.quote_transition(
            actor=request.actor,  # type: ignore[attr-defined]
            quote_id=quote.pk,
            to=to,
            note=request.POST.get("note", ""),
        )
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(
            request,
            _("Quote %(code)s is now %(status)s.")
            % {
                "code": quote.code,
                "status": QuoteStatus(to).label,
            },
        )
    return redirect("quotes:detail", quote.pk)


@require_POST
@member_required(Perm.OPPORTUNITY_EDIT)
def quote_revise(request: HttpRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_get(member=request.member, pk=pk)  # type: ignore[attr-defined]
    try:
        quote = quotes.quote_revise(
            actor=request.actor,  # type: ignore[attr-defined]
            quote_id=quote.pk,
            change_note=request.POST.get("change_note", ""),
        )
    except ServiceError as exc:
        report_service_error(request, exc)
        return redirect("quotes:detail", quote.pk)
    messages.success(
        request, _("Version %(n)s created; edit it below.") % {"n": quote.latest_version}
    )
    return redirect("quotes:edit", quote.pk)


@require_POST
@member_required(Perm.OPPORTUNITY_EDIT)
def line_photo(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    quote = selectors.quote_get(member=request.member, pk=pk)  # type: ignore[attr-defined]
    try:
        quotes.quote_line_photo_set(
            actor=request.actor,  # type: ignore[attr-defined]
            quote_id=quote.pk,
            line_id=line_id,
            photo=None if request.POST.get("remove") else request.FILES.get("photo"),
        )
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(request, _("Photo saved."))
    return redirect("quotes:detail", quote.pk)


@member_required(Perm.OPPORTUNITY_VIEW)
def line_photo_file(request: HttpRequest, pk: int, line_id: int) -> HttpResponseBase:
    quote = selectors.quote_get(member=request.member, pk=pk)  # type: ignore[attr-defined]
    from .models import QuoteLine

    line = QuoteLine.objects.filter(version__quote=quote, pk=line_id).exclude(photo="").first()
    if line is None:
        raise Http404
    return image_response(line.photo)  # the type from the bytes, not the uploaded name


def _language(request: HttpRequest) -> str:
    language = request.GET.get("lang", "")
    if language in DocumentLanguage.values:
        return language
    return "zh" if (request.LANGUAGE_CODE or "").startswith("zh") else "en"


def _answer(snapshot: dict[str, Any], language: str, as_pdf: bool) -> HttpResponse:
    try:
        if not as_pdf:
            response = HttpResponse(documents.render_html(snapshot, language))
            response["Content-Security-Policy"] = (
                "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
            )
            return response
        pdf = documents.render_pdf(snapshot, language)
    except ServiceError as exc:
        return HttpResponse(str(exc.message), status=exc.status, content_type="text/plain")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{documents.pdf_filename(snapshot, language)}"'
    )
    return response


@member_required(Perm.OPPORTUNITY_VIEW)
def quote_document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The quotation of a version as an HTML preview or a PDF download (?lang=en|zh|bi)."""
    quote = selectors.quote_get(member=request.member, pk=pk)  # type: ignore[attr-defined]
    version = selectors.version_get(quote, request.GET.get("version"))
    snapshot = documents.draft_snapshot(quote, version)
    return _answer(snapshot, _language(request), fmt == "pdf")


@require_POST
@member_required(Perm.OPPORTUNITY_EDIT)
def document_create(request: HttpRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_get(member=request.member, pk=pk)  # type: ignore[attr-defined]
    fields = {
        name: request.POST.get(name, "")
        for name in (
            "doc_date",
            "port_of_loading",
            "port_of_destination",
            "shipment_date",
            "insurance",
            "valid_until",
            "buyer_reference",
        )
    }
    try:
        document = documents.document_create(
            actor=request.actor,  # type: ignore[attr-defined]
            quote_id=quote.pk,
            kind=request.POST.get("kind", ""),
            language=request.POST.get("language", DocumentLanguage.BILINGUAL),
            store_pdf=False,
            partial_shipment=request.POST.get("partial_shipment") == "on",
            transshipment=request.POST.get("transshipment") == "on",
            **fields,  # type: ignore[arg-type]
        )
    except ServiceError as exc:
        report_service_error(request, exc)
        return redirect("quotes:detail", quote.pk)
    messages.success(request, _("%(number)s created.") % {"number": document.number})
    return redirect(reverse("quotes:detail", args=[quote.pk]) + f"#document-{document.pk}")


@member_required(Perm.OPPORTUNITY_VIEW)
def document_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A PI or SC as an HTML preview or a PDF, rendered from its frozen snapshot."""
    document = selectors.document_get(member=request.member, pk=pk)  # type: ignore[attr-defined]
    language = request.GET.get("lang") or document.language
    if language not in DocumentLanguage.values:
        language = document.language
    return _answer(document.snapshot, language, fmt == "pdf")


def money_text(amount: Decimal, currency: str) -> str:
    return f"{currency} {grouped(amount, currency)}"
