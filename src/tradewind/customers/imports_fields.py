"""What a customer import column can mean: customer and contact fields, their header synonyms in
Chinese and English, and the values people write for type, size, source, rating and decision role
in either language. Generic matching lives in core/import_columns.py (shared with leads)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.utils.translation import gettext_lazy as _

from tradewind.core import import_columns

from .choices import CustomerSize, CustomerSource, CustomerType, DecisionRole

# field -> (label, synonyms). The template's header is "<Chinese> <English>" of the first two.
# contact_* columns describe one contact of the row's customer.
FIELDS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "name": (
        _("company"),
        ("公司名称", "Company name", "公司", "客户名称", "企业名称", "Company", "Customer"),
    ),
    "name_alt": (_("company (other script)"), ("英文名称", "Company name (other script)")),
    "short_name": (_("short name"), ("简称", "Short name", "客户简称")),
    "country": (_("country/region"), ("国家", "Country", "国家/地区", "Country/region")),
    "city": (_("city"), ("城市", "City")),
    "type": (_("customer type"), ("客户类型", "Customer type", "类型", "Type")),
    "size": (_("company size"), ("规模", "Company size", "公司规模", "Size")),
    "industry": (_("industry"), ("行业", "Industry")),
    "main_products": (_("main products"), ("主营产品", "Main products", "产品", "Products")),
    "website": (_("website"), ("网址", "Website", "官网", "网站", "Web", "URL")),
    "email": (_("company e-mail"), ("公司邮箱", "Company e-mail", "Company email")),
    "phone": (_("company phone"), ("公司电话", "Company phone", "总机")),
    "rating": (_("rating"), ("星级", "Rating", "评级", "Stars")),
    "source": (_("source"), ("来源", "Source", "客户来源")),
    "tags": (_("tags"), ("标签", "Tags", "Tag")),
    "owner": (_("owner"), ("负责人", "Owner", "销售", "业务员", "Sales rep")),
    "contact_name": (_("contact"), ("联系人", "Contact", "联系人姓名", "Contact name")),
    "contact_title": (_("title"), ("职位", "Title", "职务", "Job title", "Position")),
    "contact_role": (_("decision role"), ("决策角色", "Decision role", "角色", "Role")),
    "contact_phone": (_("phone"), ("电话", "Phone", "手机", "联系电话", "Mobile", "Tel")),
    "contact_email": (_("e-mail"), ("邮箱", "E-mail", "电子邮件", "Email", "Mail")),
    "contact_whatsapp": (_("WhatsApp"), ("WhatsApp", "WhatsApp", "WA")),
    "contact_wechat": (_("WeChat"), ("微信", "WeChat", "微信号")),
    "contact_linkedin": (_("LinkedIn"), ("领英", "LinkedIn")),
}
CUSTOMER_FIELDS = [f for f in FIELDS if not f.startswith("contact_")]
CONTACT_FIELDS = {f: f.removeprefix("contact_") for f in FIELDS if f.startswith("contact_")}
CONTACT_FIELDS["contact_role"] = "decision_role"


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    return import_columns.synonym_table(FIELDS)


def detect_field(header: object) -> str:
    return import_columns.detect(header, _table())


def auto_mapping(headers: list[str]) -> dict[str, str]:
    return import_columns.auto_mapping(headers, _table())


def header(field: str) -> str:
    return import_columns.bilingual_header(FIELDS[field][1])


def template_headers(workspace: Any = None) -> list[str]:
    """Bilingual headers of the customer and contact fields, then the workspace's active customer
    custom fields ("中文 English", or the one label), then its contact custom fields."""
    return (
        [header(field) for field in FIELDS]
        + [d.header for d in _custom(workspace)]
        + [contact_custom_header(d) for d in _custom(workspace, "contact")]
    )


def _custom(workspace: Any, target: str = "customer") -> list:
    from tradewind.workspaces.custom_fields import definitions

    return definitions(workspace, target) if workspace is not None else []


def contact_custom_header(defn: Any) -> str:
    """A contact custom field's column: "联系人<中文> Contact <English>", so it cannot be taken for
    a customer field of the same label."""
    zh = defn.label_zh or defn.label_en or defn.key
    en = defn.label_en or defn.label_zh or defn.key
    return f"联系人{zh} Contact {en}"


def _contact_words(defn: Any) -> tuple[str, ...]:
    zh = defn.label_zh or defn.label_en or defn.key
    en = defn.label_en or defn.label_zh or defn.key
    return (
        contact_custom_header(defn),
        f"contact_{defn.key}",
        f"contact_{defn.param}",
        f"Contact {en}",
        f"联系人{zh}",
    )


def custom_columns(
    defs: list,
    headers: list[str],
    mapping: dict[str, str],
    *,
    contact: bool = False,
    taken: set[int] | None = None,
) -> list[tuple[int, Any, str]]:
    """Columns whose header names an active custom field and that no field (nor a column in
    `taken`) took: (index, definition, header). A customer custom field is named by its key,
    cf_<key>, either label or "中文 English"; a contact one (`contact=True`) by the same words
    prefixed with "联系人" or "Contact " (contact_custom_header)."""
    from tradewind.workspaces.custom_fields import fold

    names: dict[str, Any] = {}
    for defn in defs:
        words = (
            _contact_words(defn)
            if contact
            else (defn.key, defn.param, defn.label_en, defn.label_zh, defn.header)
        )
        for word in words:
            if word:
                names.setdefault(fold(word), defn)
    taken = {int(i) for i, name in mapping.items() if name} | (taken or set())
    found, seen = [], set()
    for index, text in enumerate(headers):
        defn = names.get(fold(text))
        if index not in taken and defn is not None and defn.key not in seen:
            found.append((index, defn, str(text)))
            seen.add(defn.key)
    return found


TEMPLATE_EXAMPLE = {
    "name": "Seawind Trading GmbH",
    "name_alt": "海风贸易有限公司",
    "country": "德国",
    "city": "Hamburg",
    "type": "进口商",
    "size": "51-200",
    "main_products": "LED lighting",
    "website": "www.seawind.example",
    "rating": "4",
    "source": "展会",
    "tags": "展会2024, 欧洲",
    "contact_name": "Hans Weber",
    "contact_title": "Purchasing manager",
    "contact_phone": "+49 40 1234567",
    "contact_email": "hans@seawind.example",
    "contact_whatsapp": "+49 151 2345678",
}


def template_example_row(workspace: Any = None) -> list[str]:
    return (
        [TEMPLATE_EXAMPLE.get(field, "") for field in FIELDS]
        + ["" for _d in _custom(workspace)]
        + ["" for _d in _custom(workspace, "contact")]
    )


SOURCE_WORDS = {
    "展会": CustomerSource.TRADE_SHOW,
    "广交会": CustomerSource.TRADE_SHOW,
    "exhibition": CustomerSource.TRADE_SHOW,
    "阿里巴巴": CustomerSource.ALIBABA_RFQ,
    "alibaba": CustomerSource.ALIBABA_RFQ,
    "转介绍": CustomerSource.REFERRAL,
    "海关数据": CustomerSource.CUSTOMS_DATA,
    "其他": CustomerSource.OTHER,
}
TYPE_WORDS = {"进口商": "importer", "批发商": "wholesaler", "零售商": "retailer", "品牌商": "brand"}


@lru_cache(maxsize=1)
def _words() -> dict[str, dict[str, str]]:
    return {
        "type": import_columns.choice_words(CustomerType.choices, TYPE_WORDS),
        "size": import_columns.choice_words(CustomerSize.choices),
        "source": import_columns.choice_words(CustomerSource.choices, SOURCE_WORDS),
        "decision_role": import_columns.choice_words(DecisionRole.choices),
    }


def choice_value(field: str, text: str) -> str:
    """A stored value for a label of either language; the text itself when unknown (the cleaning
    then refuses it with its coded message)."""
    if not text:
        return ""
    return _words()[field].get(import_columns.fold(text), text)


def rating_value(text: str) -> str:
    """ "4", "4.0", "★★★★" -> "4"."""
    text = text.strip()
    if text and set(text) <= {"★", "☆"}:
        return str(text.count("★"))
    return text.split(".")[0] if text.replace(".", "", 1).isdigit() else text
