"""The generic half of a spreadsheet import's column and value matching, shared by the lead and the
customer imports: header folding, header -> field detection from a synonym table (bilingual headers
such as "公司名称 Company name" work, as does either half), the header signature a remembered mapping
is found by, choice labels of either language, and countries written in Chinese or English."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.utils import translation
from django_countries import countries


def fold(text: object) -> str:
    """Width, case, spaces and punctuation folded; a trailing '*' (required marker) dropped."""
    value = unicodedata.normalize("NFKC", str(text or "")).lower()
    return re.sub(r"[\s\W_]+", "", value)


def synonym_table(fields: dict[str, tuple[object, tuple[str, ...]]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for name, (_label, words) in fields.items():
        for word in words:
            table.setdefault(fold(word), name)
        table.setdefault(fold(name), name)
    return table


def detect(header: object, table: dict[str, str]) -> str:
    """The field a header names in `table` (from synonym_table), or ""."""
    text = str(header or "")
    if fold(text) in table:
        return table[fold(text)]
    cjk = "".join(ch for ch in text if ord(ch) > 0x2E80)
    latin = "".join(ch if ord(ch) < 0x2E80 else " " for ch in text)
    for part in (cjk, latin):
        if part and fold(part) in table:
            return table[fold(part)]
    return ""


def auto_mapping(headers: list[str], table: dict[str, str]) -> dict[str, str]:
    """{column index: field}, each field taken by its first matching column only."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        name = detect(header, table)
        if name and name not in taken:
            mapping[str(index)] = name
            taken.add(name)
    return mapping


def header_signature(headers: list[str]) -> str:
    return hashlib.sha256("\x1f".join(fold(h) for h in headers).encode()).hexdigest()


def bilingual_header(words: tuple[str, ...]) -> str:
    """The template's header of a field: "<Chinese> <English>" of its first two synonyms."""
    return words[0] if words[0] == words[1] else f"{words[0]} {words[1]}"


def choice_words(choices: Iterable[tuple[Any, Any]], extra: dict[str, str] | None = None) -> dict:
    """folded label (English and Chinese) or value -> value."""
    pairs = list(choices)
    table = {fold(k): str(v) for k, v in (extra or {}).items()}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for value, label in pairs:
                table.setdefault(fold(str(label)), str(value))
                table.setdefault(fold(value), str(value))
    return table


COUNTRY_WORDS = {
    "us": "US",
    "usa": "US",
    "美国": "US",
    "america": "US",
    "unitedstates": "US",
    "unitedkingdom": "GB",
    "greatbritain": "GB",
    "uk": "GB",
    "英国": "GB",
    "england": "GB",
    "中国": "CN",
    "china": "CN",
    "中国大陆": "CN",
    "香港": "HK",
    "台湾": "TW",
    "韩国": "KR",
    "southkorea": "KR",
    "korea": "KR",
    "俄罗斯": "RU",
    "russia": "RU",
    "越南": "VN",
    "vietnam": "VN",
    "阿联酋": "AE",
    "uae": "AE",
}


@lru_cache(maxsize=1)
def _country_words() -> dict[str, str]:
    table = {fold(k): v for k, v in COUNTRY_WORDS.items()}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for code, name in countries:
                table.setdefault(fold(name), code)
    for code in countries:
        table.setdefault(fold(code.code), code.code)
        alpha3 = countries.alpha3(code.code)
        if alpha3:
            table.setdefault(fold(alpha3), code.code)
    return table


def country_value(text: str) -> str:
    """An ISO code for "美国" / "United States" / "USA" / "us"; the text itself when unknown."""
    return _country_words().get(fold(text), text) if text else ""
