"""Reads of the product catalogue: one filter for the list page, the API and the export; the picker
search; the list price of a product in a currency.

Products are catalogue data: every member holding PRODUCT_VIEW sees the whole workspace's catalogue
(`Product.SCOPE_OWNER_FIELD = None`); another workspace's products answer 404."""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, Prefetch, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from tradewind.core.paging import Page, keyset_page
from tradewind.workspaces.models import Membership

from .models_products import Product, ProductPrice

SEARCH_LIMIT = 20

# Keyset orders over NULL-free columns ending with the id. "sku" rides the
# (workspace, is_active, sku) index; a catalogue of a few thousand rows sorts the others cheaply.
SORTS: dict[str, tuple[tuple[str, ...], Any]] = {
    "": (("sku", "id"), _("SKU A–Z")),
    "-sku": (("-sku", "-id"), _("SKU Z–A")),
    "name": (("name_en", "id"), _("English name A–Z")),
    "name_zh": (("name_zh", "id"), _("Chinese name")),
    "-updated": (("-updated_at", "-id"), _("Recently changed")),
}
STATUSES = (
    ("", _("Active")),
    ("inactive", _("Inactive")),
    ("all", _("Active and inactive")),
)


@dataclass(frozen=True)
class ProductFilter:
    q: str = ""
    status: str = ""  # "" active, "inactive", "all"
    sort: str = ""

    @classmethod
    def from_params(cls, params: Any) -> ProductFilter:
        get = getattr(params, "get", lambda _k, _d="": "")

        def text(name: str, size: int = 100) -> str:
            return str(get(name, "") or "").strip()[:size]

        status, sort = text("status"), text("sort")
        return cls(
            q=text("q"),
            status=status if status in dict(STATUSES) else "",
            sort=sort if sort in SORTS else "",
        )

    def apply(self, qs: QuerySet) -> QuerySet:
        if self.status == "":
            qs = qs.filter(is_active=True)
        elif self.status == "inactive":
            qs = qs.filter(is_active=False)
        if self.q:
            qs = qs.filter(search_q(self.q))
        return qs

    @property
    def order(self) -> tuple[str, ...]:
        return SORTS[self.sort][0]

    @property
    def active(self) -> bool:
        return bool(self.q or self.status)

    def params(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    def querystring(self) -> str:
        return urlencode(self.params())


def search_q(text: str) -> Q:
    """SKU, either name or the HS code (with or without its dots)."""
    from .products import fold_sku

    sku = fold_sku(text)
    condition = (
        Q(sku__icontains=sku)
        | Q(name_en__icontains=text)
        | Q(name_zh__icontains=text)
        | Q(hs_code__startswith=text.replace(" ", ""))
    )
    digits = text.replace(".", "").replace(" ", "")
    if digits.isdigit() and len(digits) >= 4:
        # 85395200 finds 8539.52.00: compare the HS code with its dots taken out.
        from django.db.models.functions import Replace

        condition |= Q(
            pk__in=Product.objects.annotate(hs_digits=Replace("hs_code", Value("."), Value("")))
            .filter(hs_digits__startswith=digits)
            .values("pk")
        )
    return condition


def products_visible(member: Membership) -> QuerySet[Product]:
    return Product.objects.visible_to(member)


def product_get(*, member: Membership, pk: int) -> Product:
    """404 for anything outside the member's workspace: no existence leak."""
    return get_object_or_404(products_visible(member).prefetch_related("prices"), pk=pk)


def product_list(
    *, member: Membership, filters: ProductFilter, cursor: str | None, limit: int
) -> Page:
    qs = filters.apply(products_visible(member)).prefetch_related("prices")
    return keyset_page(qs, order=filters.order, cursor=cursor, limit=limit)


def price_for(product: Product, currency: str) -> Decimal | None:
    """The product's list price in `currency`, or None. Uses prefetched prices when present."""
    code = (currency or "").strip().upper()
    if not code:
        return None
    cache = getattr(product, "_prefetched_objects_cache", {})
    if "prices" in cache:
        return next((p.unit_price for p in cache["prices"] if p.currency == code), None)
    row = ProductPrice.objects.filter(product=product, currency=code).only("unit_price").first()
    return None if row is None else row.unit_price


def product_search(*, member: Membership, q: str, currency: str = "") -> list[Product]:
    """Active products for the line editor's picker: at most 20, exact SKU first, then by SKU.
    With a currency, each product's price in it is prefetched (price_for() then costs nothing)."""
    code = (currency or "").strip().upper()[:3]
    qs = products_visible(member).filter(is_active=True)
    text = (q or "").strip()[:100]
    if text:
        qs = qs.filter(search_q(text))
    prices = ProductPrice.objects.filter(currency=code) if code else ProductPrice.objects.none()
    qs = qs.prefetch_related(Prefetch("prices", queryset=prices))
    if text:
        from .products import fold_sku

        exact = Case(When(sku__iexact=fold_sku(text), then=Value(0)), default=Value(1))
        qs = qs.annotate(exact=exact).order_by("exact", "sku", "id")
    else:
        qs = qs.order_by("sku", "id")
    return list(qs[:SEARCH_LIMIT])
