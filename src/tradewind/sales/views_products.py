"""Product catalogue pages: list (search, active filter, sort, keyset pages), create, detail + edit
with the price list, deactivate / reactivate, import (upload -> mapping + dry run -> run), the
import template, export, and the picker's JSON search. Thin: parse, call, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import ServiceError
from tradewind.core.forms import initial_from, report_service_error, save_form
from tradewind.core.htmx import render_page
from tradewind.core.money import COMMON_CURRENCIES
from tradewind.workspaces import list_pages
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import history_for

from . import product_selectors as selectors
from . import products, products_export, products_import
from .forms_products import PriceForm, ProductForm
from .models_products import Product

PAGE_SIZE = 50
LIST = "products:list"


@member_required(Perm.PRODUCT_VIEW)
def product_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.ProductFilter.from_params(request.GET)
    page = selectors.product_list(
        member=request.member, filters=filters, cursor=request.GET.get("cursor"), limit=PAGE_SIZE
    )
    context = {
        "nav_active": "products",
        "page": page,
        "filters": filters,
        "query": filters.querystring(),
        "statuses": selectors.STATUSES,
        "sorts": [(key, label) for key, (_order, label) in selectors.SORTS.items()],
        "can_manage": request.member.has(Perm.PRODUCT_MANAGE),
        "language": translation.get_language() or "en",
    }
    return render_page(request, "sales/products/list.html", context, partial="product-results")


@member_required(Perm.PRODUCT_MANAGE)
def product_create(request: HttpRequest) -> HttpResponse:
    form = ProductForm(request.POST or None)
    product = save_form(
        request,
        form,
        lambda: products.product_create(actor=request.actor, **_data(form)),
        lambda created: _("Product %(sku)s created.") % {"sku": created.sku},
    )
    if product is not None:
        return redirect("products:detail", pk=product.pk)
    return render(
        request,
        "sales/products/form.html",
        {"nav_active": "products", "form": form, "product": None},
        status=422 if form.errors else 200,
    )


def _data(form: ProductForm) -> dict[str, Any]:
    data = form.service_data()
    data.pop("version", None)
    return data


def _history(product: Product) -> list:
    codes = {p.currency for p in product.prices.all()} | set(COMMON_CURRENCIES)
    price = _("price")
    labels = {f"price {code}": f"{price} {code}" for code in codes}
    return history_for(target=product, labels=labels)


@member_required(Perm.PRODUCT_VIEW)
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The product, its prices and history; with PRODUCT_MANAGE the edit form (posted here)."""
    can_manage = request.member.has(Perm.PRODUCT_MANAGE)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    product = selectors.product_get(member=request.member, pk=pk)
    form = ProductForm(request.POST or None, initial=initial_from(product, ProductForm))
    saved = save_form(
        request,
        form,
        lambda: products.product_update(
            actor=request.actor,
            product=product,
            version=form.cleaned_data.get("version"),
            **_data(form),
        ),
        _("Product saved."),
    )
    if saved is not None:
        return redirect("products:detail", pk=product.pk)
    context = {
        "nav_active": "products",
        "product": product,
        "form": form,
        "price_form": PriceForm(),
        "can_manage": can_manage,
        "currencies": COMMON_CURRENCIES,
        "history": _history(product),
    }
    return render(
        request, "sales/products/detail.html", context, status=422 if form.errors else 200
    )


@require_POST
@member_required(Perm.PRODUCT_MANAGE)
def product_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    product = selectors.product_get(member=request.member, pk=pk)
    products.product_deactivate(actor=request.actor, product=product)
    messages.success(
        request, _("Product %(sku)s deactivated: it is no longer offered.") % {"sku": product.sku}
    )
    return redirect("products:detail", pk=product.pk)


@require_POST
@member_required(Perm.PRODUCT_MANAGE)
def product_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    product = selectors.product_get(member=request.member, pk=pk)
    products.product_reactivate(actor=request.actor, product=product)
    messages.success(request, _("Product %(sku)s is active again.") % {"sku": product.sku})
    return redirect("products:detail", pk=product.pk)


@require_POST
@member_required(Perm.PRODUCT_MANAGE)
def price_set(request: HttpRequest, pk: int) -> HttpResponse:
    product = selectors.product_get(member=request.member, pk=pk)
    try:
        row = products.product_price_set(
            actor=request.actor,
            product=product,
            currency=request.POST.get("currency", ""),
            unit_price=request.POST.get("unit_price", ""),
        )
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(request, _("Price in %(code)s saved.") % {"code": row.currency})
    return redirect("products:detail", pk=product.pk)


@require_POST
@member_required(Perm.PRODUCT_MANAGE)
def price_delete(request: HttpRequest, pk: int) -> HttpResponse:
    product = selectors.product_get(member=request.member, pk=pk)
    currency = request.POST.get("currency", "")
    try:
        products.product_price_delete(actor=request.actor, product=product, currency=currency)
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(request, _("Price in %(code)s removed.") % {"code": currency.upper()})
    return redirect("products:detail", pk=product.pk)


# --- import, template, export, search --------------------------------------------------------------


def _mapping_from(request: HttpRequest, headers: list[str]) -> dict[str, str]:
    return {str(i): request.POST.get(f"col_{i}", "") for i in range(len(headers))}


@member_required(Perm.PRODUCT_MANAGE)
def product_import(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST with a file: store it and dry-run it with the detected mapping.
    POST with the stored file's token: dry-run again with the posted mapping, or run it."""
    context: dict[str, Any] = {"nav_active": "products", "error": ""}
    status = 200
    if request.method == "POST":
        try:
            return _import_post(request, context)
        except products_import.ImportRefused as exc:
            context["error"] = str(exc.message)
            context["report"] = exc.report
            status = 422
        except ServiceError as exc:
            context["error"] = str(exc.message)
            status = exc.status if exc.status in (409, 422) else 422
    return render(request, "sales/products/import.html", context, status=status)


def _import_post(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    upload_file = request.FILES.get("file")
    if upload_file is not None:
        upload = products_import.upload_store(
            actor=request.actor, name=upload_file.name or "upload.csv", data=upload_file.read()
        )
        mapping = None
    elif request.POST.get("token"):
        upload = products_import.upload_get(
            actor=request.actor,
            token=request.POST.get("token", ""),
            name=request.POST.get("file_name", ""),
        )
        mapping = _mapping_from(request, upload.headers)
    else:
        context["error"] = _("Choose a file.")
        return render(request, "sales/products/import.html", context, status=422)
    context["upload"] = upload
    context["choices"] = products_import.field_choices(upload.headers)
    if request.POST.get("action") == "run":
        try:
            report = products_import.product_import(
                actor=request.actor,
                upload=upload,
                mapping=mapping,
                dry_run=False,
                skip_errors=request.POST.get("skip_errors") == "on",
            )
        except (products_import.ImportRefused, ServiceError) as exc:
            _keep_mapping(context, upload, mapping)
            raise exc from None
        products_import.upload_discard(upload)
        messages.success(
            request,
            _(
                "Import done: %(created)s products created, %(updated)s updated, %(unchanged)s unchanged, %(skipped)s rows skipped."
            )
            % {
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "skipped": report.error_rows,
            },
        )
        return redirect(LIST)
    try:
        report = products_import.product_import(
            actor=request.actor, upload=upload, mapping=mapping, dry_run=True
        )
    except ServiceError:
        _keep_mapping(context, upload, mapping)
        raise
    context["report"] = report
    context["columns"] = [
        (str(i), text, report.mapping.get(str(i), "")) for i, text in enumerate(upload.headers)
    ]
    return render(request, "sales/products/import.html", context)


def _keep_mapping(context: dict[str, Any], upload: Any, mapping: dict[str, str] | None) -> None:
    chosen = mapping if mapping is not None else products_import.auto_mapping(upload.headers)
    context["columns"] = [
        (str(i), text, chosen.get(str(i), "")) for i, text in enumerate(upload.headers)
    ]


@member_required(Perm.PRODUCT_VIEW)
def import_template(request: HttpRequest) -> HttpResponse:
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    out, name, kind = products_export.product_template(actor=request.actor, fmt=fmt)
    return FileResponse(out, as_attachment=True, filename=name, content_type=kind)


@member_required(Perm.PRODUCT_VIEW)
def product_export(request: HttpRequest) -> HttpResponse:
    filters = selectors.ProductFilter.from_params(request.GET)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    return list_pages.export_answer(
        request,
        run=lambda: products_export.product_export(actor=request.actor, filters=filters, fmt=fmt),
        back=list_pages.list_url(LIST, filters.querystring()),
    )


def search_item(product: Product, currency: str, language: str) -> dict[str, Any]:
    price = selectors.price_for(product, currency)
    return {
        "id": product.pk,
        "sku": product.sku,
        "name": product.name_for(language),
        "unit": product.unit,
        "unit_price": None if price is None else str(price),
        "moq": None if product.moq is None else format(product.moq.normalize(), "f"),
    }


@member_required(Perm.PRODUCT_VIEW)
def product_search(request: HttpRequest) -> HttpResponse:
    """GET ?q=&currency= -> [{id, sku, name, unit, unit_price, moq}] for the line editor's picker:
    active products only, at most 20; the name in the request's language; prices as strings
    (Decimal, never a float) or null when the product has no price in that currency."""
    currency = request.GET.get("currency", "")
    items = selectors.product_search(
        member=request.member, q=request.GET.get("q", ""), currency=currency
    )
    language = translation.get_language() or "en"
    return JsonResponse(
        [search_item(p, currency, language) for p in items],
        safe=False,
        json_dumps_params={"ensure_ascii": False},
    )
