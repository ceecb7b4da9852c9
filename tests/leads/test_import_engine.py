"""The spreadsheet engine (core/spreadsheets.py) and the import's row work: encodings, delimiters,
Excel values, formula escaping, header auto-detection in both languages, value synonyms, phones."""

from __future__ import annotations

import codecs
import datetime as dt
import io

import pytest
from openpyxl import Workbook

from tradewind.core.errors import ServiceError
from tradewind.core.spreadsheets import (
    SpreadsheetError,
    detect_kind,
    escape_formula,
    read_rows,
    write_csv,
    write_xlsx,
)
from tradewind.leads.capture import clean_lead
from tradewind.leads.imports_fields import (
    FIELDS,
    auto_mapping,
    country_value,
    detect_field,
    source_value,
    template_headers,
)
from tradewind.leads.imports_rows import RowContext, clean_row
from tradewind.leads.models import LeadPolicy


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- reading ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", codecs.BOM_UTF8), ("utf-8", b""), ("gbk", b""), ("gb18030", b"")],
)
def test_csv_encodings(tmp_path, encoding, prefix):
    text = (
        "公司名称,联系人,电话\n宁波海风电器有限公司,李经理,13800138000\n𠮷野家,张三,021-61234567\n"
    )
    if encoding == "gbk":
        text = text.replace("𠮷野家", "吉野家")  # GBK has no 𠮷; GB18030 does
    path = write(tmp_path, "a.csv", prefix + text.encode(encoding))
    rows = list(read_rows(path, "csv"))
    assert rows[0] == (1, ["公司名称", "联系人", "电话"])
    assert rows[1][1][0] == "宁波海风电器有限公司"
    assert rows[2][1][0] in ("𠮷野家", "吉野家")


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiters(tmp_path, delimiter):
    text = delimiter.join(["Company", "Phone", "Need"]) + "\n"
    text += delimiter.join(["Acme", "+49 30 1234567", '"pumps, valves"']) + "\n"
    path = write(tmp_path, "a.csv", text.encode())
    rows = list(read_rows(path, "csv"))
    assert rows[0][1] == ["Company", "Phone", "Need"]
    assert rows[1][1] == ["Acme", "+49 30 1234567", "pumps, valves"]


def test_csv_skips_empty_rows_and_keeps_row_numbers(tmp_path):
    path = write(tmp_path, "a.csv", b"Company\n\nAcme\n,\nBeta\n")
    assert [n for n, _c in read_rows(path, "csv")] == [1, 3, 5]


def test_xlsx_dates_numbers_and_numbers_as_text(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Company", "Phone", "Date", "Text phone", "Budget"])
    ws.append(["Acme", 13800138000, dt.date(2024, 3, 15), "0086-138 0013 8000", 2.5])
    path = tmp_path / "a.xlsx"
    wb.save(path)
    rows = list(read_rows(path, detect_kind("a.xlsx", path.read_bytes()[:8])))
    assert rows[1] == (
        2,
        ["Acme", "13800138000", dt.date(2024, 3, 15), "0086-138 0013 8000", "2.5"],
    )


def test_detect_kind_refuses_a_fake_excel_file():
    assert detect_kind("x.csv", b"a,b") == "csv"
    assert detect_kind("x.xls", b"\xd0\xcf\x11\xe0....") == "xls"
    with pytest.raises(SpreadsheetError):
        detect_kind("x.xlsx", b"not a zip")


# XLS (BIFF) files are read by the same calamine path as XLSX; there is no writer for the old
# format in our dependencies to make a fixture with, so XLS reading is not exercised here.


# --- writing and formula escaping --------------------------------------------------------------------


def test_formula_escaping_round_trips_through_csv_and_xlsx(tmp_path):
    row = ['=HYPERLINK("http://evil")', "+86 138 0013 8000", "-5", "@SUM(A1)", "plain", "中文"]
    assert escape_formula(row[0]).startswith("'=")
    buf = io.BytesIO()
    write_csv([row], buf)
    data = buf.getvalue()
    assert data.startswith(codecs.BOM_UTF8)
    assert b"'=HYPERLINK" in data and b"'+86" in data and b"plain" in data
    path = write(tmp_path, "x.csv", data)
    assert next(iter(read_rows(path, "csv")))[1] == row

    xbuf = io.BytesIO()
    write_xlsx([row], xbuf)
    xpath = write(tmp_path, "x.xlsx", xbuf.getvalue())
    assert b"<f>" not in _sheet_xml(xpath)  # stored as text, never as a formula
    assert next(iter(read_rows(xpath, "xlsx")))[1] == row


def _sheet_xml(path) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml")


# --- header and value detection --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("公司名称", "company_name"),
        ("客户名称", "company_name"),
        ("Company Name", "company_name"),
        ("公司名称 Company name", "company_name"),
        ("联系人*", "contact_name"),
        ("手机", "phone"),
        ("Tel", "phone"),
        ("E-mail", "email"),
        ("电子邮件", "email"),
        ("国家/地区", "country"),
        ("官网", "website"),
        ("需求描述", "need"),
        ("来源详情", "source_detail"),
        ("负责人", "owner"),
        ("ＷｅＣｈａｔ", "wechat"),
        ("备注", ""),
    ],
)
def test_header_auto_detection(header, field):
    assert detect_field(header) == field


def test_auto_mapping_takes_each_field_once_and_template_headers_map_back():
    assert auto_mapping(["公司", "Company", "电话"]) == {"0": "company_name", "2": "phone"}
    headers = template_headers()
    mapping = auto_mapping(headers)
    assert len(mapping) == len(headers)
    assert headers[0] == "公司名称 Company name"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("展会", "trade_show"),
        ("Trade show", "trade_show"),
        ("trade_show", "trade_show"),
        ("转介绍", "referral"),
        ("海关数据", "customs_data"),
    ],
)
def test_source_in_either_language(text, value):
    assert source_value(text) == value


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("美国", "US"),
        ("United States", "US"),
        ("US", "US"),
        ("USA", "US"),
        ("德国", "DE"),
        ("Germany", "DE"),
        ("DEU", "DE"),
        ("ｕｓ", "US"),
    ],
)
def test_country_in_either_language(text, code):
    assert country_value(text).upper() == code


# --- cleaning rows ---------------------------------------------------------------------------------


def ctx_for(world, fields: list[str]) -> RowContext:
    return RowContext.load(
        workspace=world.ws, headers=fields, mapping={str(i): f for i, f in enumerate(fields)}
    )


@pytest.mark.parametrize(
    "phone",
    [
        "+86 138 0013 8000",
        "0086-138-0013-8000",
        "13800138000",
        "１３８００１３８０００",
        "+86 (138) 0013-8000",
    ],
)
def test_phone_forms_normalise_to_e164(world, phone):
    values, errors = clean_row(ctx_for(world, ["company_name", "phone"]), ["Acme", phone])
    assert errors == []
    assert values["phone_e164"] == "+8613800138000"


def test_landline_with_area_code_uses_the_workspace_country(world):
    values, errors = clean_row(
        ctx_for(world, ["company_name", "phone"]), ["Acme", "(021) 6123-4567"]
    )
    assert errors == [] and values["phone_e164"] == "+862161234567"


def test_full_width_text_is_folded_in_identifiers(world):
    ctx = ctx_for(world, ["company_name", "email", "country", "grade"])
    values, errors = clean_row(
        ctx, ["ＡＣＭＥ　Ｃｏ．，Ｌｔｄ．", "ＳＡＬＥＳ＠ＡＣＭＥ．ＣＯＭ", "ＤＥ", "ｂ"]
    )
    assert errors == []
    assert values["email"] == "sales@acme.com"
    assert values["country"] == "DE" and values["grade"] == "B"
    assert values["company_key"] == "acme"


def test_budget_ranges_and_units(world):
    ctx = ctx_for(world, ["company_name", "budget"])
    values, errors = clean_row(ctx, ["Acme", "20万-30万 CNY"])
    assert errors == []
    assert (values["budget_min"], values["budget_max"], values["budget_currency"]) == (
        200000,
        300000,
        "CNY",
    )
    _values, errors = clean_row(ctx, ["Acme", "a lot"])
    assert errors and errors[0][0] == "budget"


def test_bad_values_name_row_column_and_reason_and_match_the_form(world):
    """The import says what the form says, field by field (parity with capture.clean_lead)."""
    policy = LeadPolicy.for_workspace(world.ws)
    policy.required_fields = ["company_name", "need"]
    policy.save()
    ctx = RowContext.load(
        workspace=world.ws,
        headers=["公司", "邮箱", "电话", "来源", "等级"],
        mapping={"0": "company_name", "1": "email", "2": "phone", "3": "source", "4": "grade"},
    )
    _values, errors = clean_row(ctx, ["Acme", "not-an-email", "12", "carrier pigeon", "Z"])
    columns = [c for c, _r in errors]
    assert columns == ["邮箱", "电话", "来源", "等级", str(FIELDS["need"][0])]
    with pytest.raises(ServiceError) as exc:
        clean_lead(
            workspace=world.ws,
            data={
                "company_name": "Acme",
                "email": "not-an-email",
                "phone": "12",
                "source": "x",
                "grade": "Z",
            },
        )
    form_messages = {m for msgs in exc.value.fields.values() for m in msgs}
    assert {r for _c, r in errors} == {str(m) for m in form_messages}


def test_owner_by_email_or_name(world):
    ctx = ctx_for(world, ["company_name", "owner"])
    values, errors = clean_row(ctx, ["Acme", "REP@a.test"])
    assert errors == [] and values["owner_id"] == world.rep.user_id
    values, errors = clean_row(ctx, ["Acme", world.rep2.user.full_name])
    assert values["owner_id"] == world.rep2.user_id
    _values, errors = clean_row(ctx, ["Acme", "boss@b.test"])  # a member of another workspace
    assert errors and errors[0][0] == "owner"


@pytest.mark.parametrize(
    "email",
    [
        "a@b.co",
        "A+B@X.COM",
        "first.last@sub.example.com",
        "a..b@x.com",
        ".a@x.com",
        "a.@x.com",
        "a@x.local",
        "a@printer.localhost",
        "a@x.123",
        "a@-x.com",
        "a@x-.com",
        "a@x.test",
        "a@localhost",
        "x" * 65 + "@x.com",
        "用户@例子.中国",
        "a b@x.com",
    ],
)
def test_the_fast_email_path_agrees_with_normalize_email(email):
    from tradewind.core.normalize import normalize_email
    from tradewind.leads.imports_rows import fast_email

    try:
        expected = normalize_email(email)
    except ValueError:
        expected = "invalid"
    try:
        got = fast_email(email)
    except ValueError:
        got = "invalid"
    assert got == expected


@pytest.mark.parametrize(
    "name", ["Acme Trading Co., Ltd.", "宁波海风电器有限公司", "Müller GmbH", "ＡＢＣ 公司"]
)
def test_the_pinyin_shortcut_agrees_with_company_pinyin(world, name):
    from tradewind.core.normalize import company_pinyin

    values, _errors = clean_row(ctx_for(world, ["company_name"]), [name])
    assert values["company_pinyin"] == company_pinyin(name)
