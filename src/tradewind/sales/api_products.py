"""Product catalogue API under /api/v1/products: list (keyset pages), get, create, update,
deactivate / reactivate, list prices set / delete, import (dry run or run, one call), export and
the import template. The same services and filter as the pages."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any, Literal

from django.http import FileResponse, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS, ErrorOut, PageOut
from tradewind.core.errors import ErrorCode, ServiceError
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import product_selectors as selectors
from . import products, products_export, products_import
from .errors import ProductError
from .models_products import Product, ProductPrice

router = Router(tags=["products"])


class PriceOut(Schema):
    currency: str
    unit_price: Decimal


class ProductOut(Schema):
    id: int
    sku: str
    name_en: str
    name_zh: str
    specs: str
    unit: str
    hs_code: str
    moq: Decimal | None
    is_active: bool
    prices: list[PriceOut]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_prices(obj: Product) -> list[ProductPrice]:
        return list(obj.prices.all())


class PriceIn(Schema):
    # Defaults everywhere, so the service answers with its coded, translated error (and a foreign
    # product id with 404, not 422).
    currency: str = Field("", max_length=8, description="ISO 4217 code, e.g. USD")
    unit_price: Decimal | None = Field(None, description="Zero or more, at most 4 decimals")


class ProductIn(Schema):
    sku: str = Field("", max_length=100)
    name_en: str = Field("", max_length=200)
    name_zh: str = Field("", max_length=200)
    specs: str = ""
    unit: str = Field("", max_length=40)
    hs_code: str = Field("", max_length=40, description="6 to 10 digits, dots allowed")
    moq: Decimal | None = None
    prices: list[PriceIn] = []


class ProductPatch(Schema):
    sku: str | None = Field(None, max_length=100)
    name_en: str | None = Field(None, max_length=200)
    name_zh: str | None = Field(None, max_length=200)
    specs: str | None = None
    unit: str | None = Field(None, max_length=40)
    hs_code: str | None = Field(None, max_length=40)
    moq: Decimal | None = None
    version: int | None = Field(None, description="The version you read; a newer one answers 409")


class ProductFilterIn(Schema):
    q: str = Field("", description="SKU, either name, or HS code")
    status: str = Field("", description="'' active (default), 'inactive', 'all'")
    sort: str = Field("", description="'' SKU, -sku, name, name_zh, -updated")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class ImportErrorRow(Schema):
    row: int
    sku: str
    column: str
    message: str


class ImportReportOut(Schema):
    headers: list[str]
    mapping: dict[str, str]
    total: int
    created: int
    updated: int
    unchanged: int
    error_rows: int
    errors: list[ImportErrorRow]
    sample: list[dict[str, Any]]
    dry_run: bool
    written: bool


class ImportRefusedOut(ErrorOut):
    report: ImportReportOut | None = Field(
        None, description="With `product_rows_have_errors`: the report of the refused run"
    )


@router.get(
    "", response={200: PageOut[ProductOut], **READ_ERRORS}, summary="List products (keyset pages)"
)
def product_list(request: HttpRequest, params: Query[ProductFilterIn]) -> dict:
    require(request.actor, Perm.PRODUCT_VIEW)
    page = selectors.product_list(
        member=request.member,
        filters=selectors.ProductFilter.from_params(params.dict()),
        cursor=params.cursor,
        limit=params.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor, "prev_cursor": page.prev_cursor}


@router.post("", response={201: ProductOut, **ERRORS}, summary="Create a product")
def product_create(request: HttpRequest, payload: ProductIn) -> Status:
    """409 `sku_taken` when another product has the SKU (after NFKC folding and trimming)."""
    data = payload.dict()
    prices = [(p["currency"], p["unit_price"]) for p in data.pop("prices")]
    product = products.product_create(actor=request.actor, prices=prices, **data)
    return Status(201, selectors.product_get(member=request.member, pk=product.pk))


@router.get(
    "/export",
    response={200: None, **READ_ERRORS},
    summary="Export the filtered catalogue (xlsx or csv)",
)
def product_export(
    request: HttpRequest,
    params: Query[ProductFilterIn],
    format: Literal["xlsx", "csv"] = "xlsx",
) -> FileResponse:
    filters = selectors.ProductFilter.from_params(params.dict())
    out, name, kind = products_export.product_export(
        actor=request.actor, filters=filters, fmt=format
    )
    return FileResponse(out, as_attachment=True, filename=name, content_type=kind)


@router.get(
    "/import/template",
    response={200: None, **READ_ERRORS},
    summary="Download the import template (bilingual headers)",
)
def import_template(request: HttpRequest, format: Literal["xlsx", "csv"] = "xlsx") -> FileResponse:
    out, name, kind = products_export.product_template(actor=request.actor, fmt=format)
    return FileResponse(out, as_attachment=True, filename=name, content_type=kind)


@router.post(
    "/import",
    response={**ERRORS, 200: ImportReportOut, 422: ImportRefusedOut},
    summary="Import a CSV / XLSX file: dry run (default) or run",
    description="Multipart: `file`, optional `mapping` (JSON: column index -> field or "
    '"price:USD"; detected from Chinese and English headers when left out), `dry_run` '
    "(default true: nothing is written), `skip_errors` (a run otherwise refuses the whole file "
    "when any row has an error: 422 `product_rows_have_errors` with the report). Products are "
    "matched by SKU, so a rerun updates them.",
)
def product_import(
    request: HttpRequest,
    file: File[UploadedFile],
    mapping: Form[str] = "",
    dry_run: Form[bool] = True,
    skip_errors: Form[bool] = False,
) -> Any:
    require(request.actor, Perm.PRODUCT_MANAGE)
    chosen = None
    if mapping:
        try:
            chosen = {str(k): str(v) for k, v in dict(json.loads(mapping)).items()}
        except (ValueError, TypeError):
            message = _("The mapping must be a JSON object.")
            raise ServiceError(
                ProductError.BAD_MAPPING, message, fields={"mapping": [message]}
            ) from None
    upload = products_import.upload_store(
        actor=request.actor, name=file.name or "upload.csv", data=file.read()
    )
    try:
        report = products_import.product_import(
            actor=request.actor,
            upload=upload,
            mapping=chosen,
            dry_run=dry_run,
            skip_errors=skip_errors,
        )
    except products_import.ImportRefused as exc:
        # Answered as is: the report is already plain JSON (and documented as ImportRefusedOut).
        return JsonResponse(exc.as_dict() | {"report": exc.report.as_dict()}, status=422)
    finally:
        products_import.upload_discard(upload)
    return report.as_dict()


@router.get("/{product_id}", response={200: ProductOut, **READ_ERRORS})
def product_get(request: HttpRequest, product_id: int) -> Product:
    require(request.actor, Perm.PRODUCT_VIEW)
    return selectors.product_get(member=request.member, pk=product_id)


@router.patch("/{product_id}", response={200: ProductOut, **ERRORS}, summary="Change a product")
def product_update(request: HttpRequest, product_id: int, payload: ProductPatch) -> Product:
    require(request.actor, Perm.PRODUCT_MANAGE)
    product = selectors.product_get(member=request.member, pk=product_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    data = {k: v for k, v in data.items() if v is not None or k == "moq"}
    products.product_update(actor=request.actor, product=product, version=version, **data)
    return selectors.product_get(member=request.member, pk=product_id)


@router.post("/{product_id}/deactivate", response={200: ProductOut, **ERRORS})
def product_deactivate(request: HttpRequest, product_id: int) -> Product:
    require(request.actor, Perm.PRODUCT_MANAGE)
    product = selectors.product_get(member=request.member, pk=product_id)
    products.product_deactivate(actor=request.actor, product=product)
    return selectors.product_get(member=request.member, pk=product_id)


@router.post("/{product_id}/reactivate", response={200: ProductOut, **ERRORS})
def product_reactivate(request: HttpRequest, product_id: int) -> Product:
    require(request.actor, Perm.PRODUCT_MANAGE)
    product = selectors.product_get(member=request.member, pk=product_id)
    products.product_reactivate(actor=request.actor, product=product)
    return selectors.product_get(member=request.member, pk=product_id)


@router.put(
    "/{product_id}/prices",
    response={200: ProductOut, **ERRORS},
    summary="Set the list price in one currency (adds or replaces it)",
)
def price_set(request: HttpRequest, product_id: int, payload: PriceIn) -> Product:
    require(request.actor, Perm.PRODUCT_MANAGE)
    product = selectors.product_get(member=request.member, pk=product_id)
    products.product_price_set(
        actor=request.actor,
        product=product,
        currency=payload.currency,
        unit_price=payload.unit_price,
    )
    return selectors.product_get(member=request.member, pk=product_id)


@router.delete(
    "/{product_id}/prices",
    response={200: ProductOut, **ERRORS},
    summary="Remove the list price in one currency (?currency=USD)",
)
def price_delete(request: HttpRequest, product_id: int, currency: str = "") -> Product:
    require(request.actor, Perm.PRODUCT_MANAGE)
    product = selectors.product_get(member=request.member, pk=product_id)
    if not currency:
        raise ServiceError(ErrorCode.INVALID, _("Say which currency to remove."))
    products.product_price_delete(actor=request.actor, product=product, currency=currency)
    return selectors.product_get(member=request.member, pk=product_id)
