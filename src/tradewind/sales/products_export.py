"""Export of the product catalogue (the current filter) to XLSX or CSV, and the import template.

The columns and bilingual headers are the import's (products_import.columns): SKU, names, specs,
unit, HS code, MOQ, active, then one price column per currency used in the workspace; an exported
file re-imports to the same products and prices. Formula-like text is escaped by core.spreadsheets.
Rows are read in keyset chunks with their prices prefetched (two queries per chunk)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core import spreadsheets
from tradewind.core.paging import keyset_page
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.permissions import Perm

from .models_products import Product, ProductPrice
from .product_selectors import ProductFilter, price_for, products_visible
from .products_import import PRICE_PREFIX, TEMPLATE_CURRENCIES, columns, header

CHUNK = 1000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def _cell(product: Product, name: str) -> Any:
    if name.startswith(PRICE_PREFIX):
        price = price_for(product, name.removeprefix(PRICE_PREFIX))
        return "" if price is None else price
    if name == "is_active":
        return "是 yes" if product.is_active else "否 no"
    value = getattr(product, name)
    return "" if value is None else value


def export_rows(*, actor: Actor, filters: ProductFilter) -> Iterator[list[Any]]:
    require(actor, Perm.PRODUCT_VIEW)
    member = actor.member
    assert member is not None
    qs = filters.apply(products_visible(member))
    currencies = sorted(
        set(
            ProductPrice.objects.filter(product__in=qs.values("pk"))
            .values_list("currency", flat=True)
            .distinct()
        )
    )
    names = columns(currencies)
    yield [header(name) for name in names]
    cursor = None
    while True:
        page = keyset_page(
            qs.prefetch_related("prices"),
            order=filters.order,
            cursor=cursor,
            limit=CHUNK,
            max_limit=CHUNK,
        )
        for product in page.items:
            yield [_cell(product, name) for name in names]
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def _write(
    rows: Iterator[list[Any]] | list[list[Any]], fmt: str, stem: str
) -> tuple[IO[bytes], str, str]:
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response streams and closes it
    if fmt == "csv":
        spreadsheets.write_csv(rows, out)
        name, kind = f"{stem}.csv", CSV
    else:
        spreadsheets.write_xlsx(rows, out, title=_("Products"))
        name, kind = f"{stem}.xlsx", XLSX
    out.seek(0)
    return out, name, kind


def product_export(*, actor: Actor, filters: ProductFilter, fmt: str) -> tuple[IO[bytes], str, str]:
    """(file, filename, content type) of the products matching the filters."""
    require(actor, Perm.PRODUCT_VIEW)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _write(export_rows(actor=actor, filters=filters), fmt, f"products-{stamp}")


TEMPLATE_EXAMPLE = {
    "sku": "LED-A60-9W",
    "name_zh": "LED球泡灯 9W",
    "name_en": "LED bulb A60 9W",
    "specs": "E27, 806 lm, 3000K",
    "unit": "pcs",
    "hs_code": "8539.52.00",
    "moq": "1000",
    "is_active": "是 yes",
    "price:USD": "0.85",
    "price:EUR": "0.78",
    "price:CNY": "5.80",
}


def product_template(*, actor: Actor, fmt: str) -> tuple[IO[bytes], str, str]:
    require(actor, Perm.PRODUCT_VIEW)
    names = columns(list(TEMPLATE_CURRENCIES))
    rows = [[header(n) for n in names], [TEMPLATE_EXAMPLE.get(n, "") for n in names]]
    return _write(rows, fmt, "products-template")
