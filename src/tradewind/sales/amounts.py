"""Opportunity amounts: line amounts and totals in the currency's minor unit, the base-currency
equivalent at the day's rate, and the cleaning of product lines (shared by create and update).

All money is Decimal; every rounding is ROUND_HALF_UP to the currency's minor unit through
`core.money.quantize` (JPY 0 decimals, USD 2, KWD 3). A line's amount is rounded once and the total
is the sum of the rounded line amounts, so the page, the API, the export and the later order all add
up to the same figure.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from tradewind.core.errors import NotFound, ServiceError
from tradewind.core.money import quantize
from tradewind.workspaces.models import Workspace
from tradewind.workspaces.rates import rate_on

from .errors import OpportunityError
from .models_products import Product, ProductPrice

HUNDRED = Decimal(100)
LINES_MAX = 200
QUANTITY_MAX = Decimal("99999999999.999")  # max_digits=14, decimal_places=3
PRICE_MAX = Decimal("999999999999.9999")  # max_digits=16, decimal_places=4
AMOUNT_MAX = Decimal("9999999999999999.99")  # max_digits=18, decimal_places=2


def line_amount(
    quantity: Decimal, unit_price: Decimal, discount_percent: Decimal, currency: str
) -> Decimal:
    """quantity × unit price × (100 − discount) / 100, rounded once to the currency's minor unit."""
    gross = Decimal(quantity) * Decimal(unit_price)
    net = gross * (HUNDRED - Decimal(discount_percent or 0)) / HUNDRED
    return quantize(net, currency)


def _get(line: Any, name: str, default: Any = None) -> Any:
    if isinstance(line, dict):
        return line.get(name, default)
    return getattr(line, name, default)


def lines_total(lines: Iterable[Any], currency: str) -> Decimal:
    """The sum of the lines' rounded amounts (dicts or OpportunityLine rows alike)."""
    total = Decimal(0)
    for line in lines:
        total += line_amount(
            _get(line, "quantity"),
            _get(line, "unit_price"),
            _get(line, "discount_percent", None) or Decimal(0),
            currency,
        )
    return quantize(total, currency)


def base_equivalent(
    workspace: Workspace, amount: Decimal | None, currency: str, on: dt.date
) -> tuple[Decimal | None, Decimal | None]:
    """(amount in the workspace's base currency, the rate used) at the rate in force on `on`;
    (None, None) when there is no amount or no rate is known for that day."""
    if amount is None or not currency:
        return None, None
    base = workspace.base_currency
    try:
        rate = rate_on(workspace=workspace, from_currency=currency, to_currency=base, on=on)
    except NotFound:
        return None, None
    return quantize(Decimal(amount) * rate, base), rate


# --- cleaning lines from a form or the API ---------------------------------------------------------


def _number(
    value: Any, *, field: str, errors: dict[str, list[Any]], allow_none: bool = False
) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_none:
            return None
        errors.setdefault(field, []).append(_("Enter a number."))
        return None
    if isinstance(value, float):
        value = repr(value)  # the API's JSON numbers: the shortest text that reads back the same
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        errors.setdefault(field, []).append(_("Enter a number."))
        return None
    return number


def clean_lines(
    workspace: Workspace, lines: list[dict[str, Any]], currency: str
) -> list[dict[str, Any]]:
    """Validated lines ready to store: product (own workspace), description, quantity > 0, unit,
    unit price ≥ 0 (a product line without one takes the product's list price in `currency`),
    discount 0–100 %, specs note, and the rounded amount. Errors are keyed `lines.<n>.<field>`
    (n from 0) and raised together."""
    if not isinstance(lines, list | tuple):
        raise ServiceError(
            OpportunityError.BAD_LINE,
            _("Please correct the marked fields."),
            fields={"lines": [_("Lines must be a list.")]},
        )
    if len(lines) > LINES_MAX:
        raise ServiceError(
            OpportunityError.BAD_LINE,
            _("Please correct the marked fields."),
            fields={"lines": [_("At most %(n)s lines.") % {"n": LINES_MAX}]},
        )
    errors: dict[str, list[Any]] = {}
    no_price = False
    product_ids = set()
    for line in lines:
        pid: Any = line.get("product_id") if isinstance(line, dict) else None
        if pid not in (None, ""):
            with contextlib.suppress(TypeError, ValueError):
                product_ids.add(int(pid))
    products = {p.pk: p for p in Product.objects.filter(workspace=workspace, pk__in=product_ids)}
    prices = {
        p.product_id: p.unit_price
        for p in ProductPrice.objects.filter(product_id__in=products, currency=currency)
    }
    cleaned: list[dict[str, Any]] = []
    for i, line in enumerate(lines):
        key = f"lines.{i}"
        if not isinstance(line, dict):
            errors.setdefault(key, []).append(_("Each line must be an object."))
            continue
        product = None
        pid = line.get("product_id")
        if pid is not None and pid != "":
            try:
                product = products.get(int(pid))
            except (TypeError, ValueError):
                product = None
            if product is None:
                errors.setdefault(f"{key}.product_id", []).append(_("Choose a product."))
        description = str(line.get("description") or "").strip()
        if product is None and not description and f"{key}.product_id" not in errors:
            errors.setdefault(f"{key}.description", []).append(
                _("Choose a product or describe the line.")
            )
        if len(description) > 300:
            errors.setdefault(f"{key}.description", []).append(
                _("At most %(n)s characters.") % {"n": 300}
            )
        quantity = _number(line.get("quantity"), field=f"{key}.quantity", errors=errors)
        if quantity is not None and not (0 < quantity <= QUANTITY_MAX):
            errors.setdefault(f"{key}.quantity", []).append(_("Enter a quantity above zero."))
        unit_price = _number(
            line.get("unit_price"), field=f"{key}.unit_price", errors=errors, allow_none=True
        )
        if unit_price is None and f"{key}.unit_price" not in errors:
            if product is not None and product.pk in prices:
                unit_price = prices[product.pk]
            elif product is not None:
                no_price = True
                errors.setdefault(f"{key}.unit_price", []).append(
                    _("This product has no list price in %(currency)s; enter a unit price.")
                    % {"currency": currency}
                )
            elif f"{key}.product_id" not in errors:
                errors.setdefault(f"{key}.unit_price", []).append(_("Enter a unit price."))
        if unit_price is not None and not (0 <= unit_price <= PRICE_MAX):
            errors.setdefault(f"{key}.unit_price", []).append(_("Enter a price of zero or more."))
        discount = _number(
            line.get("discount_percent"),
            field=f"{key}.discount_percent",
            errors=errors,
            allow_none=True,
        )
        discount = discount if discount is not None else Decimal(0)
        if not (0 <= discount <= HUNDRED):
            errors.setdefault(f"{key}.discount_percent", []).append(
                _("Enter a discount between 0 and 100 %.")
            )
        unit = str(line.get("unit") or "").strip() or (product.unit if product else "")
        if len(unit) > 20:
            errors.setdefault(f"{key}.unit", []).append(_("At most %(n)s characters.") % {"n": 20})
        specs_note = str(line.get("specs_note") or "").strip()
        if any(k.startswith(key + ".") or k == key for k in errors):
            continue
        assert quantity is not None and unit_price is not None
        amount = line_amount(quantity, unit_price, discount, currency)
        if amount > AMOUNT_MAX:
            errors.setdefault(f"{key}.quantity", []).append(_("The line amount is too large."))
            continue
        cleaned.append(
            {
                "position": i,
                "product": product,
                "description": description,
                "quantity": quantity.quantize(Decimal("0.001")),
                "unit": unit,
                "unit_price": unit_price.quantize(Decimal("0.0001")),
                "discount_percent": discount.quantize(Decimal("0.01")),
                "specs_note": specs_note,
                "amount": amount,
            }
        )
    if errors:
        code = OpportunityError.BAD_LINE
        if any(k.endswith(".product_id") for k in errors):
            code = OpportunityError.UNKNOWN_PRODUCT
        elif no_price:
            code = OpportunityError.NO_PRICE
        raise ServiceError(code, _("Please correct the marked lines."), fields=errors)
    return cleaned


def line_text(line: Any) -> str:
    """One line as the history shows it: "SKU-1 × 100 @ 2.5 −5%"."""
    product = _get(line, "product")
    what = _get(line, "description") or (product.sku if product is not None else "")
    if product is not None and _get(line, "description"):
        what = f"{product.sku} {what}"
    text = f"{what} × {_get(line, 'quantity').normalize():f} @ {_get(line, 'unit_price').normalize():f}"
    discount = _get(line, "discount_percent") or Decimal(0)
    if discount:
        text += f" −{Decimal(discount).normalize():f}%"
    return text
