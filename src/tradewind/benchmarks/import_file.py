"""The bench import file: a deterministic 100,000-row lead spreadsheet as people send them.

Mixed rows — Chinese and Latin company names, the phone forms of the issue (`+86 138 0013 8000`,
`0086-138…`, `(021) 6123-4567`, `13800138000`), e-mails, countries and sources written in either
language — with ~2% bad rows (unreadable e-mail, phone, country or source), ~3% duplicates of
leads already in the workspace (same e-mail or phone, written differently), and a few rows naming
a customer or contact the workspace already has. Same seed and same workspace -> the same file.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from .generate import (
    CITIES,
    CITY_PINYIN,
    CN_GIVEN,
    CN_SUFFIXES,
    CN_SURNAMES,
    EN_INDUSTRIES,
    FIRST,
    FOREIGN_WEIGHTS,
    INDUSTRIES,
    LAST,
    LEGAL,
    NEEDS,
    ROOT_A,
    ROOT_B,
    TLD,
)

FILE_VERSION = 1  # bump when the rows change: cached files are rewritten
SEED = 20261124
BAD_SHARE = 0.02
LEAD_DUP_SHARE = 0.03
CUSTOMER_DUP_SHARE = 0.004  # rows naming a customer's company or a contact's e-mail / phone

HEADERS = [
    "公司名称 Company name",
    "联系人 Contact",
    "电话 Phone",
    "邮箱 E-mail",
    "网址 Website",
    "国家 Country",
    "来源 Source",
    "城市 City",
    "行业 Industry",
    "需求 Need",
    "标签 Tags",
]
# A larger character set than the 1M generator's brands, so imported companies are new ones.
BRANDS = list(
    "安邦宝诚创达德福东方飞鸿丰华广通国泰海联浩然恒通鸿运华美嘉禾建业金鼎锦程巨力凯达朗盛立信隆丰"
    "美达明辉鹏程千禧瑞丰润泽三和盛世顺通泰和天成通达万和伟业祥瑞协力新宇鑫源星辰亚泰耀华一品永盛"
    "优创远大云帆泽润正大至诚中天卓越宏图金桥富源"
)
COUNTRY_WORDS = {
    "CN": ["中国", "China", "CN", "中国大陆"],
    "HK": ["香港", "Hong Kong", "HK"],
    "US": ["美国", "USA", "United States", "US"],
    "DE": ["德国", "Germany", "DE"],
    "GB": ["英国", "UK", "United Kingdom"],
    "RU": ["俄罗斯", "Russia"],
    "AE": ["阿联酋", "UAE"],
    "VN": ["越南", "Vietnam"],
}
SOURCE_WORDS = [
    "展会", "Trade show", "阿里巴巴", "alibaba_rfq", "海关数据", "Customs data", "邮件", "Email",
    "转介绍", "Referral", "官网", "Website", "黄页", "LinkedIn", "其他", "",
]  # fmt: skip
CALLING = {"US": "1", "DE": "49", "GB": "44", "RU": "7", "AE": "971", "VN": "84"}
AREA_CODES = ["021", "0574", "0579", "0755", "020", "0571", "0512", "0769", "0532", "010"]
BAD_EMAILS = ["sales@", "info at example.com", "li@@163.com", "wang@qq", "@ningbo-trade.cn"]
BAD_PHONES = ["123", "电话待补充", "+86 1", "n/a 000", "tel:"]
BAD_COUNTRIES = ["Atlantis", "火星", "Europe", "XX-1"]
BAD_SOURCES = ["朋友圈广告2", "cold call list B", "抖音直播"]


@dataclass(frozen=True)
class Known:
    """A row already in the workspace that some import rows repeat: e-mail and phone (E.164)."""

    company: str
    contact: str
    email: str
    phone: str
    country: str


def spaced_cn_mobile(digits: str) -> str:
    return f"{digits[:3]} {digits[3:7]} {digits[7:]}"


def cn_phone(rng: random.Random) -> str:
    mobile = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
    r = rng.random()
    if r < 0.35:
        return "+86 " + spaced_cn_mobile(mobile)
    if r < 0.55:
        return f"0086-{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}"
    if r < 0.80:
        return mobile
    area = rng.choice(AREA_CODES)
    local = f"{rng.randrange(2, 9)}{rng.randrange(10**6, 10**7 - 1):07d}"
    if len(area) == 4:
        local = local[:7]
    return f"({area}) {local[:4]}-{local[4:]}"


def foreign_phone(rng: random.Random, country: str) -> str:
    code = CALLING.get(country, "1")
    number = f"{rng.randrange(2, 9)}{rng.randrange(10**8, 10**9):09d}"
    if rng.random() < 0.5:
        return f"+{code} {number[:3]} {number[3:6]} {number[6:]}"
    return f"00{code}{number}"


def write_phone(e164: str, rng: random.Random) -> str:
    """An existing E.164 number as a person would type it again."""
    if e164.startswith("+86") and len(e164) == 14:
        mobile = e164[3:]
        return rng.choice(
            ["+86 " + spaced_cn_mobile(mobile), f"0086-{mobile}", mobile, f"+86-{mobile}"]
        )
    return rng.choice([e164, "00" + e164[1:], f"{e164[:3]} {e164[3:]}"])


def _country_word(rng: random.Random, code: str) -> str:
    words = COUNTRY_WORDS.get(code)
    return rng.choice(words) if words else code


def _new_row(rng: random.Random, n: int) -> list[str]:
    if rng.random() < 0.48:
        c = rng.randrange(len(CITIES))
        brand = "".join(rng.choice(BRANDS) for _ in range(3))
        industry = rng.choice(INDUSTRIES)
        suffix = rng.choice([s for s, _w in CN_SUFFIXES])
        company = f"{CITIES[c]}{brand}{industry}{suffix}"
        contact = rng.choice(CN_SURNAMES) + rng.choice(CN_GIVEN)
        if rng.random() < 0.3:
            contact += rng.choice(["经理", "总", "女士", "先生"])
        code = "CN" if rng.random() < 0.93 else "HK"
        r = rng.random()
        if r < 0.35:
            email = f"{rng.randrange(10_000_000, 3_000_000_000)}@qq.com"
        elif r < 0.55:
            email = f"{CITY_PINYIN[c]}{rng.randrange(1, 99_999)}@163.com"
        else:
            email = f"sales{rng.randrange(1, 99)}@{CITY_PINYIN[c]}{n:06d}.cn"
        phone = cn_phone(rng)
        website = (
            f"www.{CITY_PINYIN[c]}{n:06d}.cn" if "@163" not in email and rng.random() < 0.3 else ""
        )
        city, industry_text = CITIES[c], industry
    else:
        code = rng.choices(list(FOREIGN_WEIGHTS), list(FOREIGN_WEIGHTS.values()))[0]
        root = rng.choice(ROOT_A) + rng.choice(ROOT_B)
        last = rng.choice(LAST)
        industry_text = rng.choice(EN_INDUSTRIES)
        partner = rng.choice(LAST)
        company = f"{root} {last} & {partner} {industry_text} {LEGAL[code]}"
        first = rng.choice(FIRST)
        contact = f"{first} {rng.choice(LAST)}"
        domain = f"{root.lower()}{n:06d}.{TLD.get(code, 'com')}"
        email = f"{first.lower()}@{domain}"
        if rng.random() < 0.15:
            email = email.upper() if rng.random() < 0.5 else f" {email} "
        phone = foreign_phone(rng, code)
        website = f"https://www.{domain}/" if rng.random() < 0.4 else ""
        city = ""
    r = rng.random()
    if r < 0.08:
        email = ""
    elif r < 0.18:
        phone = ""
    tags = rng.choice(["", "", "展会2026", "广交会, VIP", "RFQ;hot", "samples sent"])
    need = NEEDS[rng.randrange(len(NEEDS))] if rng.random() < 0.4 else ""
    return [
        company,
        contact,
        phone,
        email,
        website,
        _country_word(rng, code),
        rng.choice(SOURCE_WORDS),
        city,
        industry_text,
        need,
        tags,
    ]


def _spoil(rng: random.Random, row: list[str]) -> None:
    r = rng.random()
    if r < 0.35:
        row[3] = rng.choice(BAD_EMAILS)
    elif r < 0.65:
        row[2] = rng.choice(BAD_PHONES)
    elif r < 0.85:
        row[5] = rng.choice(BAD_COUNTRIES)
    else:
        row[6] = rng.choice(BAD_SOURCES)


def _repeat(rng: random.Random, known: Known) -> list[str]:
    """A row repeating a lead, customer or contact: same e-mail or phone, written differently."""
    email, phone = known.email, write_phone(known.phone, rng) if known.phone else ""
    if email and phone and rng.random() < 0.5:
        phone = ""  # one matching key is enough
    if email and rng.random() < 0.3:
        email = email.upper()
    if not email and not phone:
        email = known.email
    return [
        known.company,
        known.contact,
        phone,
        email,
        "",
        _country_word(rng, known.country or "CN"),
        rng.choice(SOURCE_WORDS),
        "",
        "",
        "",
        "",
    ]


def rows(
    n: int, leads: list[Known], customers: list[Known], *, seed: int = SEED
) -> Iterator[list[str]]:
    """The header row, then n data rows."""
    rng = random.Random(seed)  # noqa: S311 - test data
    yield list(HEADERS)
    for i in range(n):
        r = rng.random()
        if r < LEAD_DUP_SHARE and leads:
            yield _repeat(rng, leads[rng.randrange(len(leads))])
        elif r < LEAD_DUP_SHARE + CUSTOMER_DUP_SHARE and customers:
            yield _repeat(rng, customers[rng.randrange(len(customers))])
        else:
            row = _new_row(rng, i)
            if rng.random() < BAD_SHARE:
                _spoil(rng, row)
            yield row
