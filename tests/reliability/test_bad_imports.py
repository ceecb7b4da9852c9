"""Bad-input corpus for the three imports (leads, customers, products), through their services.

Every hostile file is generated here (nothing binary is committed). A file that cannot be read is
refused at upload with the import's coded error and a message in the member's language, and no
lead, customer, contact or product is written; text that is merely unusual (formulas, control
characters, RTL, emoji, dates in many forms) is read, stored exactly, or refused row by row.
"""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tradewind.core import spreadsheets
from tradewind.core.errors import ServiceError
from tradewind.core.spreadsheets import read_rows, write_xlsx
from tradewind.customers import imports as customer_imports
from tradewind.customers.models import Contact, Customer
from tradewind.leads.imports import (
    lead_import_preview,
    lead_import_start,
    lead_import_upload,
)
from tradewind.leads.models import Lead, LeadImport
from tradewind.sales import products_import
from tradewind.sales.models_products import Product
from tradewind.workspaces.custom_fields_services import custom_field_create

LEAD_HEADER = ["公司名称 Company name", "联系人", "Email", "需求"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def xlsx(rows) -> bytes:
    out = io.BytesIO()
    write_xlsx(rows, out)
    return out.getvalue()


def csv_text(rows) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue()


def zip_bomb() -> bytes:
    """A real XLSX whose sheet inflates ~1000x: 40 MB of rows in a file of a few tens of KB."""
    good = zipfile.ZipFile(io.BytesIO(xlsx([["SKU", "Name"], ["A", "B"]])))
    row = b'<row><c t="inlineStr"><is><t>AAAAAAAAAAAAAAAA</t></is></c></row>'
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org'
        b'/spreadsheetml/2006/main"><sheetData>' + row * (40 * 1024 * 1024 // len(row))
    ) + b"</sheetData></worksheet>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for info in good.infolist():
            data = sheet if info.filename.endswith("sheet1.xml") else good.read(info)
            bomb.writestr(info.filename, data)
    return out.getvalue()


def bad_files() -> dict[str, tuple[str, bytes]]:
    whole = xlsx([["公司名称", "SKU", "Name"], ["Acme", "A-1", "Pump"]])
    return {
        "truncated_xlsx": ("a.xlsx", whole[: len(whole) // 2]),
        "corrupt_zip": ("a.xlsx", b"PK\x03\x04" + bytes(range(256)) * 40),
        "not_xlsx": ("a.xlsx", b"hello, this is text named .xlsx"),
        "zip_bomb": ("bomb.xlsx", zip_bomb()),
        "huge_cell": ("a.csv", csv_text([["公司名称", "SKU"], ["x" * 40_000, "A"]]).encode()),
        "huge_row": ("a.csv", csv_text([["公司名称", "SKU"], ["Acme"] * 2_000]).encode()),
        "mixed_encodings": (
            "a.csv",
            ("公司名称,SKU\n" + ("Acme" * 25 + ",A\n") * 3_000).encode() + "宁波,B\n".encode("gbk"),
        ),
        "csv_field_over_limit": ("a.csv", b"name,sku\n" + b'"' + b"y" * 200_000 + b'",A\n'),
    }


# --- the engine's limits -------------------------------------------------------------------------


def test_the_zip_bomb_is_refused_from_its_directory_without_inflating(tmp_path):
    data = zip_bomb()
    assert len(data) < 200_000  # small on disk ...
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(data)
    with pytest.raises(spreadsheets.SpreadsheetError, match="inflates"):
        list(read_rows(path, "xlsx"))


def test_total_uncompressed_size_is_capped(tmp_path, monkeypatch):
    path = tmp_path / "a.xlsx"
    path.write_bytes(xlsx([["a"] * 50] * 200))
    assert len(list(read_rows(path, "xlsx"))) == 200
    monkeypatch.setattr(spreadsheets, "MAX_UNCOMPRESSED", 10_000)
    with pytest.raises(spreadsheets.SpreadsheetError, match="beyond the limit"):
        list(read_rows(path, "xlsx"))


def test_a_cell_at_excels_limit_is_read(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(csv_text([["name"], ["x" * spreadsheets.MAX_CELL]]))
    assert len(list(read_rows(path, "csv"))[1][1][0]) == spreadsheets.MAX_CELL


# --- refused files: coded, translated, nothing written --------------------------------------------


def lead_upload(world, name, data):
    return lead_import_upload(
        actor=world.actor(world.rep), file=SimpleUploadedFile(name, data), file_name=name
    )


def customer_upload(world, name, data):
    return customer_imports.customer_import_upload(
        actor=world.actor(world.rep), name=name, data=data
    )


def product_upload(world, name, data):
    return products_import.upload_store(actor=world.actor(world.manager), name=name, data=data)


IMPORTERS = {
    "leads": (lead_upload, "bad_file", "读取"),
    "customers": (customer_upload, "file_unreadable", "读取"),
    "products": (product_upload, "product_file_unreadable", "读取"),
}


def counts() -> tuple[int, ...]:
    return (
        Lead.objects.count(),
        LeadImport.objects.count(),
        Customer.objects.count(),
        Contact.objects.count(),
        Product.objects.count(),
    )


@pytest.mark.parametrize("importer", list(IMPORTERS))
@pytest.mark.parametrize("case", list(bad_files()))
def test_bad_files_are_refused_with_a_translated_message(world, importer, case):
    name, data = bad_files()[case]
    call, code, chinese = IMPORTERS[importer]
    before = counts()
    with translation.override("en"), pytest.raises(ServiceError) as english:
        call(world, name, data)
    assert english.value.code == code
    assert "read" in english.value.message
    with translation.override("zh-hans"), pytest.raises(ServiceError) as chinese_error:
        call(world, name, data)
    assert chinese_error.value.code == code
    assert chinese in chinese_error.value.message, chinese_error.value.message
    assert counts() == before


# --- unusual text: read and stored exactly ---------------------------------------------------------


TRICKY = [
    ["=1+1 Trading", '=HYPERLINK("http://evil.test","x")'],
    ["+86 Imports", "@SUM(A1:A2)"],
    ["-5 Widgets", "\tleading tab"],
    ["شركة النور للتجارة", "‏مرحبا‎ RTL ‮txt.exe"],
    ["😀 Emoji Co 🚢", "备注 👍🏽 family 👨‍👩‍👧"],
    ["Ctl\x07Bell\x00Null Co", "line1\nline2\r\nline3"],
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_lead_import_stores_formulas_rtl_and_emoji_exactly(
    world, fmt, django_capture_on_commit_callbacks
):
    rows = [LEAD_HEADER] + [
        [company, f"Contact {i}", f"c@tricky{i}.example", note]
        for i, (company, note) in enumerate(TRICKY)
    ]
    if fmt == "csv":
        data = csv_text(rows).encode("utf-8-sig")
    else:
        # openpyxl itself refuses control characters in a cell, so the XLSX carries none
        data = xlsx([[c.replace("\x00", "").replace("\x07", "") for c in row] for row in rows])
    actor = world.actor(world.rep)
    batch = lead_upload(world, f"tricky.{fmt}", data)
    batch.mapping = {"0": "company_name", "1": "contact_name", "2": "email", "3": "need"}
    batch = lead_import_preview(actor=actor, batch=batch, mapping=batch.mapping)
    with django_capture_on_commit_callbacks(execute=True):
        lead_import_start(actor=actor, batch=batch)
    batch = LeadImport.objects.get(pk=batch.pk)
    stored = {
        lead.email: (lead.company_name, lead.need)
        for lead in Lead.objects.filter(email__contains="@tricky")
    }
    assert (batch.error_count, batch.duplicate_count, len(stored)) == (0, 0, len(TRICKY))
    for i, (company, note) in enumerate(TRICKY[:5]):
        got = stored[f"c@tricky{i}.example"]
        assert got[0] == company  # formulas stay text; RTL and emoji are kept as written
        assert got[1].strip() == note.strip()
    # control characters are dropped (PostgreSQL refuses NUL); the lead's one-line text fields
    # fold line breaks into spaces
    assert stored["c@tricky5.example"] == ("CtlBellNull Co", "line1 line2 line3")


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1", "cp1252"])
def test_foreign_encodings_never_write_garbage_silently(world, encoding):
    """Text in an encoding we do not sniff: either refused, or read into columns nobody maps."""
    text = csv_text([["Company", "Email"], ["Café Müller", "cafe@muller.example"]])
    data = text.encode(encoding)
    try:
        batch = customer_upload(world, "a.csv", data)
    except ServiceError as exc:
        assert exc.code == "file_unreadable"
        assert Customer.objects.count() == 0
        return
    if encoding == "utf-16":
        assert Customer.objects.count() == 0
        return
    # latin-1 bytes decode as GB18030: the header is still ASCII, the accented name changes
    # visibly (the preview shows it before anything is written)
    assert batch.headers == ["Company", "Email"]
    customer_imports.customer_import_preview(
        actor=world.actor(world.rep), batch=batch, mapping={"0": "name", "1": "email"}
    )
    batch.refresh_from_db()
    assert Customer.objects.count() == 0  # the dry run wrote nothing
    assert "Café Müller" not in str(batch.preview.get("rows", ""))


def test_dates_in_many_forms_through_a_custom_date_field(world):
    custom_field_create(
        actor=world.actor(world.owner), target="customer", type="date", label_en="Founded"
    )
    forms = {
        "ISO": ("2024-03-05", "2024-03-05"),
        "Slashes": ("2024/3/5", "2024-03-05"),
        "Chinese": ("2024年3月5日", "2024-03-05"),
        "Fullwidth": ("２０２４－０３－０５", "2024-03-05"),
        "Dots": ("2024.03.05", "2024-03-05"),
        "With time": ("2024-03-05T10:30", "2024-03-05"),
        "European": ("05/03/2024", None),
        "Words": ("next Tuesday", None),
        "Impossible": ("2024-02-30", None),
    }
    rows = [["公司名称", "Founded"]] + [[name, text] for name, (text, _) in forms.items()]
    actor = world.actor(world.rep)
    with translation.override("zh-hans"):
        batch = customer_upload(world, "dates.xlsx", xlsx(rows))
        mapping = {"0": "name"}
        customer_imports.customer_import_preview(actor=actor, batch=batch, mapping=mapping)
        batch.refresh_from_db()
        errors = {e["row"]: str(e) for e in batch.preview["errors"]}
        batch = customer_imports.customer_import_run(actor=actor, batch=batch)
    bad_rows = {i + 2 for i, (_, want) in enumerate(forms.values()) if want is None}
    assert set(errors) == bad_rows
    assert all("日期" in message for message in errors.values()), errors
    stored = dict(Customer.objects.values_list("name", "custom"))
    for name, (_text, want) in forms.items():
        if want is None:
            assert name not in stored  # refused rows are not half-written
        else:
            assert list(stored[name].values()) == [want], (name, stored[name])
