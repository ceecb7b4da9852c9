"""The one place quote and document totals are computed.

The rounding rule (docs/quotes-documents.md):

    line amount = round(quantity × unit price × (100 − discount %) / 100)   per line,
    total       = the sum of the rounded line amounts,

each rounding ROUND_HALF_UP to the currency's minor unit (core.money.quantize: USD 2 decimals,
JPY 0, KWD 3). The service stores the result, and the page, the PDF, the API and the CSV export all
call `quote_totals()` on the stored lines, so they print the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal

from tradewind.core.money import minor_units, quantize

HUNDRED = Decimal(100)


def line_amount(
    quantity: Decimal, unit_price: Decimal, discount_percent: Decimal | None, currency: str
) -> Decimal:
    """quantity × unit price × (100 − discount) / 100, rounded once to the currency's minor unit."""
    gross = Decimal(quantity) * Decimal(unit_price)
    net = gross * (HUNDRED - Decimal(discount_percent or 0)) / HUNDRED
    return quantize(net, currency)


def _get(line: Any, name: str, default: Any = None) -> Any:
    if isinstance(line, dict):
        return line.get(name, default)
    return getattr(line, name, default)


@dataclass(frozen=True)
class Totals:
    currency: str
    line_amounts: list[Decimal] = field(default_factory=list)
    total: Decimal = Decimal(0)
    quantities: dict[str, Decimal] = field(default_factory=dict)  # total quantity per unit


def quote_totals(lines: Iterable[Any], currency: str) -> Totals:
    """Line amounts and the total of quote lines (model rows or dicts alike)."""
    amounts: list[Decimal] = []
    quantities: dict[str, Decimal] = {}
    for line in lines:
        quantity = Decimal(_get(line, "quantity"))
        amounts.append(
            line_amount(
                quantity,
                Decimal(_get(line, "unit_price")),
                _get(line, "discount_percent"),
                currency,
            )
        )
        unit = str(_get(line, "unit", "") or "")
        quantities[unit] = quantities.get(unit, Decimal(0)) + quantity
    total = quantize(sum(amounts, Decimal(0)), currency)
    return Totals(currency=currency, line_amounts=amounts, total=total, quantities=quantities)


def plain(amount: Decimal, currency: str) -> str:
    """The amount with exactly the currency's minor digits and no grouping: "1250.00", "1250"."""
    return f"{quantize(Decimal(amount), currency):f}"


def grouped(amount: Decimal, currency: str) -> str:
    """The amount as documents print it: "1,250.00" (JPY "1,250")."""
    digits = minor_units(currency)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(quantize(Decimal(amount), currency), format=pattern, locale="en_US")


def quantity_text(quantity: Decimal) -> str:
    """A quantity without trailing zeros: 100, 2.5."""
    value = Decimal(quantity).normalize()
    return f"{value:f}"


def price_text(unit_price: Decimal, currency: str) -> str:
    """A unit price with at least the currency's minor digits, more when the price has them."""
    value = Decimal(unit_price)
    digits = max(minor_units(currency), -value.normalize().as_tuple().exponent)  # type: ignore[operator]
    return f"{value.quantize(Decimal(1).scaleb(-digits)):f}"
