"""Issue #10, item 3: properties of the normalisers and of money, over generated input.

The normalisers (core/normalize.py) feed every dedupe key: the same company, address or phone typed
with another case, width or spacing must give the same key, and no text at all may make them fail
with anything but the ValueError the forms turn into a message. Money (core/money.py,
orders/totals.py, workspaces/rates.py): Decimal only, one rounding rule, totals equal the sum of
their lines, formatting and conversion lose no more than the stated rounding.

Example counts stay small (max_examples 50) so the suite's time does not grow with them.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tradewind.core.errors import ServiceError
from tradewind.core.money import Money, minor_units, quantize, to_decimal
from tradewind.core.normalize import (
    LEGAL_SUFFIXES,
    clean_text,
    company_key,
    company_pinyin,
    company_similarity,
    email_domain,
    normalize_email,
    normalize_phone,
    phone_digits,
    trim_text,
    website_domain,
)
from tradewind.orders.totals import grouped, line_amount, plain, price_text, quote_totals

BOUNDED = settings(max_examples=50, deadline=None, database=None)
CURRENCIES = ["USD", "CNY", "EUR", "JPY", "KWD", "KRW"]
currencies = st.sampled_from(CURRENCIES)

# Any text, including control characters, surrogates-free astral planes, RTL marks, full width.
any_text = st.text(st.characters(codec="utf-8"), max_size=80)


def full_width(text: str) -> str:
    """ASCII as a Chinese IME types it in full-width mode (Ａ, １, ＠, and the ideographic space)."""
    return "".join(
        "\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text
    )


def spaced(text: str, gap: str) -> str:
    """Every single space widened to `gap`, plus white space around."""
    return f"{gap}{text.replace(' ', gap)}{gap}"


gaps = st.sampled_from(["  ", "\t", " \u3000 ", "\u00a0", " \n "])


# --- text ----------------------------------------------------------------------------------------


@BOUNDED
@given(any_text)
def test_text_cleaners_never_fail_and_are_idempotent(text):
    for clean in (clean_text, trim_text):
        once = clean(text)
        assert clean(once) == once
        assert once == once.strip()
    assert "  " not in trim_text(text)
    # No invisible controls survive (NUL fails on PostgreSQL, XLSX writers refuse them all).
    assert not re.search(r"[\x00-\x08\x0e-\x1b\x7f]", clean_text(text) + trim_text(text))


# --- phone ---------------------------------------------------------------------------------------


@BOUNDED
@given(any_text, st.sampled_from(["CN", "US", "DE", "", "zz"]))
def test_any_text_is_a_phone_or_a_value_error(text, region):
    try:
        e164 = normalize_phone(text, region)
    except ValueError:
        return
    if clean_text(text):  # "" only for text that is empty once cleaned
        assert e164.startswith("+") and e164[1:].isdigit()
        assert normalize_phone(e164, region) == e164  # idempotent
    phone_digits(text)  # never fails either


mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
layouts = st.sampled_from(["{}", "+86 {}", "0086-{}", "+86-{}", "(+86) {}", "86{}"])


@BOUNDED
@given(mobiles, layouts, st.sampled_from([" ", "-", ""]), st.booleans())
def test_a_mobile_in_any_layout_or_width_has_one_e164(mobile, layout, sep, wide):
    grouped_digits = sep.join([mobile[:3], mobile[3:7], mobile[7:]])
    typed = layout.format(grouped_digits)
    if layout == "86{}":
        typed = "+" + typed  # bare "86…" is a different (Chinese domestic) number
    if wide:
        typed = full_width(typed)
    assert normalize_phone(typed) == "+86" + mobile


# --- e-mail --------------------------------------------------------------------------------------


@BOUNDED
@given(any_text)
def test_any_text_is_an_address_or_a_value_error(text):
    try:
        address = normalize_email(text)
    except ValueError:
        return
    assert address == address.lower()
    assert normalize_email(address) == address  # idempotent
    assert email_domain(address) in ("", address.rpartition("@")[2])


local_parts = st.from_regex(r"[a-z0-9]{1,12}(\.[a-z0-9]{1,8})?", fullmatch=True)
domains = st.from_regex(r"[a-z][a-z0-9]{0,10}\.(com|cn|de|com\.cn|co\.uk)", fullmatch=True)


@BOUNDED
@given(local_parts, domains, st.booleans(), st.booleans(), gaps)
def test_an_address_typed_in_another_case_or_width_is_the_same_key(local, domain, upper, wide, gap):
    plain_address = f"{local}@{domain}"
    typed = plain_address.upper() if upper else plain_address
    typed = full_width(typed) if wide else typed
    typed = f"{gap}{typed}{gap}"
    assert normalize_email(typed) == normalize_email(plain_address) == plain_address


# --- company names and web domains ----------------------------------------------------------------

latin_words = st.lists(st.from_regex(r"[A-Za-z][a-z]{1,9}", fullmatch=True), min_size=1, max_size=4)
cjk_names = st.text(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=2, max_size=8
)
suffixes = st.sampled_from(["", *[s for s in LEGAL_SUFFIXES if s.isascii()]])
cjk_suffixes = st.sampled_from(["", *[s for s in LEGAL_SUFFIXES if not s.isascii()]])


@BOUNDED
@given(any_text, any_text)
def test_company_keys_never_fail_and_are_idempotent(a, b):
    key = company_key(a)
    assert " " not in key and key == key.lower()
    assert company_key(key) == key or not key
    company_pinyin(a)
    assert 0 <= company_similarity(a, b) <= 100
    website_domain(a)


@BOUNDED
@given(latin_words, suffixes, gaps, st.booleans(), st.sampled_from([str, str.upper, str.title]))
def test_a_latin_name_in_another_case_width_or_spacing_is_the_same_company(
    words, suffix, gap, wide, case
):
    name = " ".join([*words, suffix]).strip()
    typed = spaced(case(name), gap)
    typed = full_width(typed) if wide else typed
    assert company_key(typed) == company_key(name)
    assert company_pinyin(typed) == company_pinyin(name)
    assert company_similarity(typed, name) == 100


@BOUNDED
@given(cjk_names, cjk_suffixes, st.sampled_from(["", " ", "\u3000", "（", "("]))
def test_a_chinese_name_with_its_legal_form_or_spacing_is_the_same_company(name, suffix, gap):
    typed = f"{gap}{name}{gap}{suffix}" if gap not in "（(" else f"{name}{suffix}"
    key = company_key(typed)
    assert key == company_key(name + suffix)
    assert company_pinyin(typed) == company_pinyin(name + suffix)


@BOUNDED
@given(domains, st.sampled_from(["", "http://", "https://", "HTTPS://www.", "www."]), gaps)
def test_a_website_in_any_form_gives_its_domain(domain, prefix, gap):
    typed = f"{gap}{prefix}{domain}/path?q=1{gap}"
    assert website_domain(typed) == domain
    assert website_domain(full_width(f"{prefix}{domain}")) == domain


# --- money ---------------------------------------------------------------------------------------

amounts = st.decimals(min_value="-1e12", max_value="1e12", places=4)
positive = st.decimals(min_value="0", max_value="1e7", places=4)


@BOUNDED
@given(st.one_of(any_text, st.text(string.digits + ".,-+eE ", max_size=20)), currencies)
@example("1e999", "USD")  # parsed, finite, and once made quantize() raise InvalidOperation
@example("-1E+23", "KWD")
def test_any_text_is_an_amount_or_a_coded_refusal(text, currency):
    try:
        amount = to_decimal(text)
    except ServiceError as exc:
        assert exc.code == "invalid"
        return
    assert amount.is_finite()
    money = Money.of(text, currency)
    assert money.rounded().amount == quantize(amount, currency)


@BOUNDED
@given(amounts, currencies)
def test_formatting_loses_nothing_but_the_rounding(amount, currency):
    rounded = quantize(amount, currency)
    assert Decimal(plain(amount, currency)) == rounded
    assert Decimal(grouped(amount, currency).replace(",", "")) == rounded
    assert len(plain(amount, currency).partition(".")[2]) == minor_units(currency)
    Money(amount, currency).format("en")
    Money(amount, currency).format("zh-hans")


@BOUNDED
@given(st.decimals(min_value="0", max_value="1e6", places=6), currencies)
def test_a_unit_price_is_printed_without_loss(price, currency):
    text = price_text(price, currency)
    assert Decimal(text) == price
    assert len(text.partition(".")[2]) >= minor_units(currency)


lines = st.lists(
    st.fixed_dictionaries(
        {
            "quantity": st.decimals(min_value="0", max_value="100000", places=3),
            "unit_price": st.decimals(min_value="0", max_value="100000", places=4),
            "discount_percent": st.one_of(
                st.none(), st.decimals(min_value="0", max_value="100", places=2)
            ),
            "unit": st.sampled_from(["pcs", "set", "kg", ""]),
        }
    ),
    max_size=12,
)


@BOUNDED
@given(lines, currencies)
def test_a_total_is_the_sum_of_its_rounded_lines(rows, currency):
    totals = quote_totals(rows, currency)
    assert totals.total == sum(totals.line_amounts, Decimal(0))  # no second rounding changes it
    assert totals.total == quantize(totals.total, currency)
    for row, amount in zip(rows, totals.line_amounts, strict=True):
        gross = quantize(row["quantity"] * row["unit_price"], currency)
        assert Decimal(0) <= amount <= gross  # a discount never adds, never goes below zero
        assert amount == line_amount(
            row["quantity"], row["unit_price"], row["discount_percent"], currency
        )
    for unit in {row["unit"] for row in rows}:
        assert totals.quantities[unit] == sum(
            (row["quantity"] for row in rows if row["unit"] == unit), Decimal(0)
        )


@BOUNDED
@given(
    st.decimals(min_value="0", max_value="100000", places=3),
    st.decimals(min_value="0", max_value="100000", places=4),
    st.decimals(min_value="0", max_value="100", places=2),
    st.decimals(min_value="0", max_value="100", places=2),
    currencies,
)
def test_a_bigger_discount_never_costs_more(quantity, price, d1, d2, currency):
    low, high = sorted([d1, d2])
    assert line_amount(quantity, price, high, currency) <= line_amount(
        quantity, price, low, currency
    )
    assert line_amount(quantity, price, Decimal(100), currency) == 0


rates = st.decimals(min_value="0.0001", max_value="2000", places=6).filter(lambda r: r > 0)
pairs = st.sampled_from([("USD", "CNY"), ("EUR", "USD"), ("USD", "JPY"), ("KWD", "KRW")])


@pytest.mark.django_db
@settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(pair=pairs, rate=rates, amount=positive)
def test_a_conversion_there_and_back_loses_only_the_stated_rounding(world, pair, rate, amount):
    """Only one direction is stored: the way back uses its inverse, kept to 10 decimal places (the
    rate column's precision). So the round trip may drift by the two roundings to minor units plus
    the inverse's own rounding (5e-11) times the converted amount, and by no more."""
    from tradewind.workspaces.models import ExchangeRate
    from tradewind.workspaces.rates import convert

    source, target = pair
    day = dt.date(2024, 3, 1)
    ExchangeRate.objects.update_or_create(
        workspace=world.ws,
        from_currency=source,
        to_currency=target,
        on_date=day,
        defaults={"rate": rate},
    )
    money = Money(quantize(amount, source), source)
    there = convert(workspace=world.ws, money=money, to_currency=target, on=day)
    back = convert(workspace=world.ws, money=there, to_currency=source, on=day)
    assert there.currency == target and back.currency == source
    assert there.amount == quantize(money.amount * rate, target)
    unit = {c: Decimal(1).scaleb(-minor_units(c)) for c in pair}
    drift = unit[source] / 2 + unit[target] / 2 / rate + there.amount * Decimal("5e-11")
    assert abs(back.amount - money.amount) <= drift + Decimal("1e-9")
