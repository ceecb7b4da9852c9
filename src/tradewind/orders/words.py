"""Amounts in words for documents: English "SAY TOTAL US DOLLARS ONE THOUSAND TWO HUNDRED AND
50/100 ONLY" and Chinese capital numerals (大写) "人民币壹仟贰佰元伍角整".

The amount is first rounded to the currency's minor unit (core.money.quantize), so the words say
exactly the figure printed beside them."""

from __future__ import annotations

from decimal import Decimal

import cn2an
from babel.numbers import get_currency_name
from num2words import num2words

from tradewind.core.money import minor_units, quantize


def amount_in_words_en(amount: Decimal, currency: str) -> str:
    value = quantize(Decimal(amount), currency)
    sign = "MINUS " if value < 0 else ""
    value = abs(value)
    whole = int(value)
    digits = minor_units(currency)
    name = get_currency_name(currency, count=2, locale="en").upper()
    words = num2words(whole, lang="en").replace(",", "").upper()
    text = f"SAY TOTAL {name} {sign}{words}"
    if digits:
        cents = int((value - whole) * (10**digits))
        if cents:
            text += f" AND {cents:0{digits}d}/{10**digits}"
    return f"{text} ONLY"


def amount_in_words_zh(amount: Decimal, currency: str) -> str:
    """大写金额 with the currency's Chinese name in front. Amounts are rounded to at most two
    decimals (角, 分); "整" closes an amount without 分, as banks write it."""
    value = quantize(Decimal(amount), currency)
    if minor_units(currency) > 2:
        value = quantize(value, "CNY")
    sign = "负" if value < 0 else ""
    value = abs(value)
    name = get_currency_name(currency, locale="zh_Hans_CN")
    if value == 0:
        return f"{name}零元整"
    words = cn2an.an2cn(f"{value:f}", "rmb")
    if not words.endswith(("整", "分")):
        words += "整"
    return f"{name}{sign}{words}"
