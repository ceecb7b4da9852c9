"""Normalising what people type, so the same company, person or phone is recognised on every path.

Pure functions: no models. Used by capture forms, the API, imports and dedupe.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pypinyin import lazy_pinyin
from rapidfuzz import fuzz

# Free mail providers: sharing one of these says nothing about being the same company.
PUBLIC_MAIL_DOMAINS = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "qq.com",
        "vip.qq.com",
        "foxmail.com",
        "163.com",
        "126.com",
        "yeah.net",
        "139.com",
        "sina.com",
        "sina.cn",
        "sohu.com",
        "aliyun.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.co.jp",
        "icloud.com",
        "me.com",
        "aol.com",
        "protonmail.com",
        "proton.me",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.ru",
        "yandex.ru",
        "yandex.com",
        "naver.com",
        "daum.net",
        "rediffmail.com",
        "zoho.com",
    ]
)

# Longest first, so "股份有限公司" goes before "有限公司" and "co ltd" before "co".
LEGAL_SUFFIXES = sorted(
    [
        "有限责任公司",
        "股份有限公司",
        "集团有限公司",
        "有限公司",
        "集团",
        "公司",
        "工厂",
        "厂",
        "co ltd",
        "co limited",
        "company limited",
        "limited",
        "ltd",
        "inc",
        "incorporated",
        "corporation",
        "corp",
        "company",
        "co",
        "llc",
        "gmbh",
        "ag",
        "sa de cv",
        "sa",
        "srl",
        "sarl",
        "bv",
        "nv",
        "pty",
        "plc",
        "jsc",
        "oy",
        "ab",
        "as",
        "sp z oo",
        "sac",
        "pvt",
        "private",
        "pt",
        "ooo",
        "spa",
        "kg",
        "kk",
        "sl",
        "ltda",
        "llp",
        "coltd",
    ],
    key=len,
    reverse=True,
)
# Longest first (LEGAL_SUFFIXES is sorted so): a Latin suffix must follow a space, a Chinese one
# may follow anything.
_SUFFIX_AT_END = re.compile(
    "(?:"
    + "|".join(
        (r"(?<= )" if suffix.isascii() else "") + re.escape(suffix) for suffix in LEGAL_SUFFIXES
    )
    + ")$"
)
_PUNCT = re.compile(r"[\W_]+", re.UNICODE)
_SPACES = re.compile(r"\s+")
# Control characters that are not white space (NUL, BEL, ESC, DEL…): invisible, refused by
# PostgreSQL (NUL) and by XLSX writers, so a later export would fail. The spreadsheet reader drops
# the same ones (core/spreadsheets.CONTROL); white-space controls are folded like spaces.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")


def drop_controls(value: str) -> str:
    """The text without its non-white-space control characters (NUL, BEL, ESC, DEL…)."""
    return _CONTROL.sub("", value)


def clean_text(value: str | None) -> str:
    """Full-width to half-width (NFKC), trimmed, inner white space folded."""
    if not value:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", _CONTROL.sub("", str(value)))).strip()


def trim_text(value: str | None) -> str:
    """Trimmed, inner runs of white space folded; characters otherwise as typed."""
    if not value:
        return ""
    return _SPACES.sub(" ", _CONTROL.sub("", str(value))).strip()


def normalize_email(value: str | None) -> str:
    """A valid address in lower case, or "" when empty. Raises ValueError when malformed."""
    text = clean_text(value).lower()
    if not text:
        return ""
    try:
        result = validate_email(text, check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc
    return result.normalized.lower()


def email_domain(email: str) -> str:
    """The company domain of an address; "" for free mail providers."""
    domain = email.rpartition("@")[2].lower()
    return "" if domain in PUBLIC_MAIL_DOMAINS else domain


def website_domain(url: str | None) -> str:
    text = clean_text(url).lower()
    if not text:
        return ""
    if "://" not in text:
        text = "http://" + text
    try:
        host = (urlsplit(text).hostname or "").removeprefix("www.")
    except ValueError:  # "http://[": an unbalanced IPv6 bracket; a non-URL has no domain to match
        return ""
    return host if "." in host else ""


def normalize_phone(value: str | None, default_region: str = "CN") -> str:
    """E.164 (+8613800138000) or "" when empty. Raises ValueError when it cannot be a phone number.

    Accepts +86 138…, 0086-138…, (021) 6123-4567, 13800138000, full-width digits.
    """
    text = clean_text(value)
    if not text:
        return ""
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, (default_region or "CN").upper())
    except phonenumbers.NumberParseException as exc:
        raise ValueError(str(exc)) from exc
    if not phonenumbers.is_possible_number(number):
        raise ValueError("not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_digits(value: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", value or ""))


@lru_cache(maxsize=4096)
def company_key(name: str | None) -> str:
    """A company name reduced to what identifies it: no width, case, punctuation or legal suffix.

    "Ningbo Seawind Co., Ltd." and "NINGBO SEAWIND CO LTD" give "ningboseawind";
    "宁波海风电器有限公司" gives "宁波海风电器".
    """
    # Dots go first so abbreviations stay whole: "S.A." -> "sa", "Co.,Ltd" -> "co ltd".
    text = clean_text(name).lower().replace(".", "")
    text = _SPACES.sub(" ", _PUNCT.sub(" ", text)).strip()
    # One anchored regex per pass instead of a loop over every suffix (70 -> ~10 µs a name; the
    # import cleans tens of thousands). A name that is only a suffix keeps it.
    while text:
        match = _SUFFIX_AT_END.search(text)
        if match is None or match.start() == 0:
            break
        text = text[: match.start()].strip()
    return text.replace(" ", "")


@lru_cache(maxsize=4096)
def company_pinyin(name: str | None) -> str:
    """The key spelt in pinyin, so 宁波海风 meets "Ningbo Haifeng"."""
    return "".join(lazy_pinyin(company_key(name))).lower()


def company_similarity(a: str, b: str) -> int:
    """0–100: the better of the direct and the pinyin comparison of the two keys."""
    ka, kb = company_key(a), company_key(b)
    if not ka or not kb:
        return 0
    direct = fuzz.ratio(ka, kb)
    spelled = fuzz.ratio(company_pinyin(a), company_pinyin(b))
    return round(max(direct, spelled))
