"""Money: Decimal with a currency, never a float, rounded to the currency's minor units."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewind.core.errors import ServiceError
from tradewind.core.money import Money, minor_units, quantize, to_decimal, total, validate_currency

CURRENCIES = ["USD", "CNY", "EUR", "JPY", "KWD", "GBP", "KRW"]


@pytest.mark.parametrize(
    ("currency", "units"),
    [("USD", 2), ("CNY", 2), ("EUR", 2), ("JPY", 0), ("KRW", 0), ("KWD", 3), ("BHD", 3)],
)
def test_minor_units(currency, units):
    assert minor_units(currency) == units


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1.005", "USD", "1.01"),  # half up, not banker's rounding
        ("1.004", "USD", "1.00"),
        ("2.5", "JPY", "3"),
        ("3.5", "JPY", "4"),
        ("-2.5", "JPY", "-3"),  # half away from zero
        ("1234.4999", "JPY", "1234"),
        ("0.0005", "KWD", "0.001"),
    ],
)
def test_quantize_rounds_half_up_to_minor_units(amount, currency, expected):
    result = quantize(Decimal(amount), currency)
    assert result == Decimal(expected)
    assert str(result) == expected


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        Money(1.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.of(0.1, "USD")
    with pytest.raises(TypeError):
        to_decimal(2.0)
    with pytest.raises(TypeError):
        Money(Decimal("1"), "USD") * 1.1  # type: ignore[operator]


def test_money_refuses_mixed_currencies():
    usd, eur = Money(Decimal("1"), "USD"), Money(Decimal("1"), "EUR")
    with pytest.raises(ValueError, match="USD and EUR"):
        usd + eur
    with pytest.raises(ValueError):
        usd - eur
    with pytest.raises(ValueError):
        total([usd, eur], "USD")


def test_money_refuses_unknown_currencies():
    with pytest.raises(ValueError):
        Money(Decimal("1"), "XYZ")
    with pytest.raises(ServiceError) as exc:
        Money.of("1", "xyz")
    assert exc.value.code == "invalid"
    assert validate_currency(" usd ") == "USD"


@pytest.mark.parametrize(
    ("raw", "expected"), [("1,234.50", "1234.50"), (" 7 ", "7"), (3, "3"), (Decimal("0.1"), "0.1")]
)
def test_to_decimal_parses_text_and_ints(raw, expected):
    assert to_decimal(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["", "abc", "1.2.3", "¥100"])
def test_to_decimal_refuses_garbage_with_a_code(raw):
    with pytest.raises(ServiceError) as exc:
        to_decimal(raw)
    assert exc.value.code == "invalid"


@pytest.mark.parametrize("raw", ["NaN", "nan", "Infinity", "-inf", "sNaN"])
def test_to_decimal_refuses_non_finite_amounts(raw):
    with pytest.raises(ServiceError):
        Money.of(raw, "USD")


def test_arithmetic_and_totals():
    a = Money.of("10.10", "usd")
    b = Money.of("0.205", "USD")
    assert a + b == Money(Decimal("10.305"), "USD")
    assert (a + b).rounded() == Money(Decimal("10.31"), "USD")
    assert a - b == Money(Decimal("9.895"), "USD")
    assert a * 3 == Money(Decimal("30.30"), "USD")
    assert a * Decimal("0.5") == Money(Decimal("5.05"), "USD")
    assert total([a, b, b], "USD") == Money(Decimal("10.51"), "USD")
    assert total([], "JPY") == Money(Decimal("0"), "JPY")
    assert str(Money.of("1234.5", "JPY")) == "1235 JPY"
    assert str(Money.of("7", "USD")) == "7.00 USD"


def test_format_by_language():
    m = Money.of("1234.5", "USD")
    assert m.format("en") == "$1,234.50"
    assert "1,234.50" in m.format("zh-hans") and "US$" in m.format("zh-hans")


# --- properties ---------------------------------------------------------------------------------------

amounts = st.decimals(
    min_value=-(10**12), max_value=10**12, places=4, allow_nan=False, allow_infinity=False
)
currencies = st.sampled_from(CURRENCIES)


@settings(max_examples=300, deadline=None, database=None)
@given(amount=amounts, currency=currencies)
def test_quantize_is_idempotent(amount, currency):
    once = quantize(amount, currency)
    assert quantize(once, currency) == once
    assert -once.as_tuple().exponent == minor_units(currency)
    assert abs(once - amount) <= Decimal(1).scaleb(-minor_units(currency)) / 2


@settings(max_examples=300, deadline=None, database=None)
@given(a=amounts, b=amounts, c=amounts, currency=currencies)
def test_addition_is_associative_and_commutative(a, b, c, currency):
    x, y, z = Money(a, currency), Money(b, currency), Money(c, currency)
    assert (x + y) + z == x + (y + z)
    assert x + y == y + x
    assert (x + y) - y == x


@settings(max_examples=200, deadline=None, database=None)
@given(items=st.lists(amounts, max_size=20), currency=currencies)
def test_total_is_the_rounded_exact_sum(items, currency):
    money = [Money(v, currency) for v in items]
    assert total(money, currency) == Money(quantize(sum(items, Decimal(0)), currency), currency)
