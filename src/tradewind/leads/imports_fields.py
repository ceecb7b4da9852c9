"""What an import column can mean: the importable lead fields, header synonyms in Chinese and
English, and the values people write for source, country, size and grade in either language."""

from __future__ import annotations

from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tradewind.core import import_columns

from .choices import CompanySize, LeadSource

# field -> (label, synonyms). The template's header is "<Chinese> <English>" of the first synonyms.
FIELDS: dict[str, tuple[object, tuple[str, ...]]] = {
    "company_name": (
        _("company"),
        (
            "公司名称",
            "Company name",
            "公司",
            "客户名称",
            "企业名称",
            "Company",
            "Customer",
            "Account",
        ),
    ),
    "company_name_alt": (
        _("company (other script)"),
        ("英文名称", "Company name (other script)", "公司英文名", "公司中文名", "English name"),
    ),
    "contact_name": (
        _("contact"),
        ("联系人", "Contact", "姓名", "联系人姓名", "Name", "Contact name", "Contact person"),
    ),
    "contact_title": (_("title"), ("职位", "Title", "职务", "Job title", "Position")),
    "phone": (
        _("phone"),
        ("电话", "Phone", "手机", "手机号", "联系电话", "电话号码", "Mobile", "Tel", "Telephone"),
    ),
    "email": (_("e-mail"), ("邮箱", "E-mail", "电子邮件", "邮件", "电子邮箱", "Email", "Mail")),
    "whatsapp": (_("WhatsApp"), ("WhatsApp", "WhatsApp", "WA")),
    "wechat": (_("WeChat"), ("微信", "WeChat", "微信号", "Weixin")),
    "other_im": (
        _("other IM"),
        ("其他联系方式", "Other IM", "其他即时通讯", "Skype", "Telegram", "LINE", "QQ"),
    ),
    "website": (_("website"), ("网址", "Website", "官网", "网站", "Web", "URL", "Homepage")),
    "country": (
        _("country/region"),
        ("国家", "Country", "国家地区", "国家/地区", "Country/region", "Region"),
    ),
    "city": (_("city"), ("城市", "City")),
    "industry": (_("industry"), ("行业", "Industry")),
    "company_size": (_("company size"), ("规模", "Company size", "公司规模", "人数", "Size")),
    "source": (_("source"), ("来源", "Source", "线索来源", "Lead source")),
    "source_detail": (_("source detail"), ("来源详情", "Source detail", "来源说明")),
    "need": (_("need"), ("需求", "Need", "需求描述", "Requirement", "Inquiry", "询盘")),
    "budget": (_("budget"), ("预算", "Budget")),
    "budget_min": (_("budget from"), ("预算下限", "Budget from", "Budget min")),
    "budget_max": (_("budget to"), ("预算上限", "Budget to", "Budget max")),
    "budget_currency": (_("budget currency"), ("币种", "Currency", "预算币种")),
    "decision_chain": (_("decision chain"), ("决策链", "Decision chain", "决策人")),
    "timeframe": (_("timeframe"), ("时间", "Timeframe", "采购时间", "时间框架")),
    "grade": (_("grade"), ("等级", "Grade", "分级", "级别")),
    "tags": (_("tags"), ("标签", "Tags", "Tag")),
    "owner": (_("owner"), ("负责人", "Owner", "销售", "业务员", "Sales rep")),
}


_fold = import_columns.fold


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, str]:
    table: dict[str, str] = {}
    for field, (_label, words) in FIELDS.items():
        for word in words:
            table.setdefault(_fold(word), field)
        table.setdefault(_fold(field), field)
    return table


def detect_field(header: object) -> str:
    """The lead field a header names, or "". Bilingual headers ("公司名称 Company name") work, as
    do either half alone."""
    table = _synonyms()
    text = str(header or "")
    if _fold(text) in table:
        return table[_fold(text)]
    # "公司名称 Company name" / "公司名称(Company)": try the CJK part and the Latin part on their own.
    cjk = "".join(ch for ch in text if ord(ch) > 0x2E80)
    latin = "".join(ch if ord(ch) < 0x2E80 else " " for ch in text)
    for part in (cjk, latin):
        if part and _fold(part) in table:
            return table[_fold(part)]
    return ""


def auto_mapping(headers: list[str]) -> dict[str, str]:
    """{column index: field}, each field taken by its first matching column only."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        field = detect_field(header)
        if field and field not in taken:
            mapping[str(index)] = field
            taken.add(field)
    return mapping


def template_headers(workspace: object = None) -> list[str]:
    """Bilingual headers of the lead fields, then the workspace's active lead custom fields."""
    return [
        words[0] if words[0] == words[1] else f"{words[0]} {words[1]}"
        for _field, (_label, words) in FIELDS.items()
    ] + [d.header for d in _custom(workspace)]


def _custom(workspace: object) -> list:
    from tradewind.workspaces.custom_fields import definitions

    return definitions(workspace, "lead") if workspace is not None else []  # type: ignore[arg-type]


TEMPLATE_EXAMPLE = {
    "company_name": "宁波海风电器有限公司",
    "contact_name": "李经理",
    "contact_title": "生产部经理",
    "phone": "+86 138 0013 8000",
    "email": "li@seawind.example",
    "website": "www.seawind.example",
    "country": "中国",
    "city": "宁波",
    "industry": "制造业",
    "company_size": "51-200",
    "source": "展会",
    "need": "自动化产线改造",
    "budget": "200000-300000 CNY",
    "grade": "B",
    "tags": "展会2024, 自动化",
}


def template_example_row(workspace: object = None) -> list[str]:
    return [TEMPLATE_EXAMPLE.get(field, "") for field in FIELDS] + ["" for _d in _custom(workspace)]


# --- values in either language ---------------------------------------------------------------------

SOURCE_WORDS = {
    "展会": LeadSource.TRADE_SHOW,
    "展览会": LeadSource.TRADE_SHOW,
    "广交会": LeadSource.TRADE_SHOW,
    "exhibition": LeadSource.TRADE_SHOW,
    "网站": LeadSource.WEB_FORM,
    "官网": LeadSource.WEB_FORM,
    "网站表单": LeadSource.WEB_FORM,
    "website": LeadSource.WEB_FORM,
    "阿里巴巴": LeadSource.ALIBABA_RFQ,
    "alibaba": LeadSource.ALIBABA_RFQ,
    "rfq": LeadSource.ALIBABA_RFQ,
    "邮件": LeadSource.EMAIL,
    "电子邮件": LeadSource.EMAIL,
    "email": LeadSource.EMAIL,
    "转介绍": LeadSource.REFERRAL,
    "推荐": LeadSource.REFERRAL,
    "海关数据": LeadSource.CUSTOMS_DATA,
    "名录": LeadSource.DIRECTORY,
    "黄页": LeadSource.DIRECTORY,
    "数据库": LeadSource.DIRECTORY,
    "社交媒体": LeadSource.SOCIAL,
    "linkedin": LeadSource.SOCIAL,
    "facebook": LeadSource.SOCIAL,
    "其他": LeadSource.OTHER,
    "其它": LeadSource.OTHER,
}
COUNTRY_WORDS = import_columns.COUNTRY_WORDS


@lru_cache(maxsize=1)
def _choice_words() -> tuple[dict[str, str], dict[str, str]]:
    sources = {_fold(k): str(v) for k, v in SOURCE_WORDS.items()}
    sizes: dict[str, str] = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for value, label in LeadSource.choices:
                sources.setdefault(_fold(label), value)
                sources.setdefault(_fold(value), value)
            for value, label in CompanySize.choices:
                sizes.setdefault(_fold(label), value)
    for value in CompanySize.values:
        sizes[_fold(value)] = value
    return sources, sizes


def source_value(text: str) -> str:
    """A LeadSource value for "展会" / "Trade show" / "trade_show"; the text itself when unknown
    (capture then refuses it with its coded message)."""
    return _choice_words()[0].get(_fold(text), text) if text else ""


def size_value(text: str) -> str:
    return _choice_words()[1].get(_fold(text), text) if text else ""


country_value = import_columns.country_value
