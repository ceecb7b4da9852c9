"""Money: Decimal amounts with an ISO 4217 currency. Never floats.

Totals are computed here once and reused by pages, PDFs, the API and exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel.core import Locale
from babel.numbers import (
    format_currency,
    get_currency_name,
    get_currency_precision,
    list_currencies,
)
from django.utils.translation import gettext as _

from .errors import ErrorCode, ServiceError

# The currencies exporters actually quote in come first in choosers.
MAX_INTEGER_DIGITS = 22  # + up to 4 minor digits stays within Decimal's default 28 digits
COMMON_CURRENCIES = ("USD", "CNY", "EUR", "GBP", "JPY", "HKD", "AUD", "CAD", "AED", "RUB", "INR")


@lru_cache(maxsize=1)
def all_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def validate_currency(code: str) -> str:
    code = (code or "").strip().upper()
    if code not in all_currencies():
        raise ServiceError(
            ErrorCode.INVALID, _("Unknown currency code: %(code)s") % {"code": code or "—"}
        )
    return code


def minor_units(currency: str) -> int:
    return get_currency_precision(currency)


def quantize(amount: Decimal, currency: str) -> Decimal:
    exponent = Decimal(1).scaleb(-minor_units(currency))
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


def to_decimal(value: object) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money never comes from a float")
    try:
        amount: Decimal | None = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        amount = None
    # "NaN", "Infinity" and "1e999" parse, but are not money: the last one is beyond every money
    # column (24 digits at most) and makes quantize() raise InvalidOperation.
    if amount is None or not amount.is_finite() or amount.adjusted() > MAX_INTEGER_DIGITS - 1:
        raise ServiceError(ErrorCode.INVALID, _("Not a valid amount: %(value)s") % {"value": value})
    return amount


def _babel_locale(language: str) -> Locale:
    return Locale.parse("zh_Hans_CN" if language.startswith("zh") else "en_US")


def currency_label(code: str, language: str) -> str:
    return f"{code} · {get_currency_name(code, locale=_babel_locale(language))}"


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money.amount must be a Decimal")
        if self.currency not in all_currencies():
            raise ValueError(f"unknown currency {self.currency!r}")

    @classmethod
    def of(cls, amount: object, currency: str) -> Money:
        return cls(to_decimal(amount), validate_currency(currency))

    def rounded(self) -> Money:
        return Money(quantize(self.amount, self.currency), self.currency)

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, float):
            raise TypeError("money is never multiplied by a float")
        return Money(self.amount * Decimal(factor), self.currency)

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise ValueError(f"cannot combine {self.currency} and {other.currency}")

    def format(self, language: str = "en") -> str:
        return format_currency(
            quantize(self.amount, self.currency), self.currency, locale=_babel_locale(language)
        )

    def __str__(self) -> str:
        return f"{quantize(self.amount, self.currency)} {self.currency}"


def total(items: list[Money], currency: str) -> Money:
    result = Money(Decimal(0), currency)
    for item in items:
        result = result + item
    return result.rounded()
