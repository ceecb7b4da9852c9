"""Product import: GBK CSV with Chinese headers, XLSX with English headers, header detection,
dry run with per-row errors writing nothing, rerun updating by SKU, skip mode, export round trip."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from tradewind.core.errors import ServiceError
from tradewind.core.spreadsheets import write_xlsx
from tradewind.sales import products, products_import
from tradewind.sales.models_products import Product, ProductPrice
from tradewind.sales.product_selectors import ProductFilter
from tradewind.sales.products_export import export_rows
from tradewind.workspaces.models import AuditEvent

CN_HEADERS = ["货号", "品名", "规格", "单位", "海关编码", "起订量", "价格 USD", "单价(人民币)"]
CN_ROWS = [
    ["LED-A60", "LED球泡灯 9W", "E27 806lm", "个", "8539.52.00", "1000", "0.85", "5.80"],
    ["ＬＥＤ－Ｔ８", "LED灯管", "1200mm", "支", "85395200", "500", "2.10", ""],
    ["VAL-01", "Brass valve", "DN15", "pcs", "8481.80", "", "3.5", ""],
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def gbk_csv(rows) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode("gbk")


def xlsx(rows) -> bytes:
    out = io.BytesIO()
    write_xlsx(rows, out)
    return out.getvalue()


def run(world, data: bytes, name: str, *, dry_run=False, skip_errors=False, mapping=None):
    act = world.actor(world.manager)
    upload = products_import.upload_store(actor=act, name=name, data=data)
    try:
        return products_import.product_import(
            actor=act, upload=upload, mapping=mapping, dry_run=dry_run, skip_errors=skip_errors
        )
    finally:
        products_import.upload_discard(upload)


def test_header_detection_in_both_languages():
    detect = products_import.detect_field
    assert detect("货号") == "sku" and detect("SKU") == "sku"
    assert detect("品名/Name") == "name" and detect("英文品名 English name") == "name_en"
    assert detect("规格") == "specs" and detect("Specs") == "specs"
    assert detect("海关编码 HS code") == "hs_code" and detect("起订量") == "moq"
    assert detect("价格 USD") == "price:USD" and detect("Price EUR") == "price:EUR"
    assert detect("单价(人民币)") == "price:CNY" and detect("USD") == "price:USD"
    assert detect("Unit") == "unit" and detect("备注") == ""


def test_gbk_csv_with_chinese_headers_dry_run_then_run(world):
    data = gbk_csv([CN_HEADERS, *CN_ROWS])
    report = run(world, data, "产品.csv", dry_run=True)
    assert (report.created, report.updated, report.error_rows) == (3, 0, 0)
    assert not Product.objects.filter(workspace=world.ws).exists()  # a dry run writes nothing
    report = run(world, data, "产品.csv")
    assert report.written and report.created == 3
    bulb = Product.objects.get(workspace=world.ws, sku="LED-A60")
    assert bulb.name_zh == "LED球泡灯 9W" and bulb.name_en == "" and bulb.unit == "个"
    assert bulb.moq == Decimal("1000") and bulb.hs_code == "8539.52.00"
    assert {p.currency: p.unit_price for p in bulb.prices.all()} == {
        "USD": Decimal("0.85"),
        "CNY": Decimal("5.80"),
    }
    tube = Product.objects.get(workspace=world.ws, sku="LED-T8")  # full-width SKU folded
    assert tube.hs_code == "85395200" and list(tube.prices.values_list("currency", flat=True)) == [
        "USD"
    ]
    valve = Product.objects.get(workspace=world.ws, sku="VAL-01")
    assert valve.name_en == "Brass valve" and valve.name_zh == "" and valve.moq is None
    assert AuditEvent.objects.filter(target_type="product", action="imported").count() == 3


def test_rerun_updates_by_sku_without_duplicates(world):
    data = gbk_csv([CN_HEADERS, *CN_ROWS])
    run(world, data, "a.csv")
    again = run(world, data, "a.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    changed = [row[:] for row in CN_ROWS]
    changed[0][6] = "0.80"
    changed[2][2] = ""  # an empty cell keeps the stored value
    report = run(world, gbk_csv([CN_HEADERS, *changed]), "b.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert Product.objects.filter(workspace=world.ws).count() == 3
    assert ProductPrice.objects.get(product__sku="LED-A60", currency="USD").unit_price == Decimal(
        "0.80"
    )
    assert Product.objects.get(sku="VAL-01").specs == "DN15"


def test_xlsx_with_english_headers(world):
    products.product_create(
        actor=world.actor(world.manager), sku="OLD-1", name_en="Old", prices=[("USD", "9")]
    )
    rows = [
        ["SKU", "English name", "Chinese name", "Unit", "HS code", "MOQ", "Active", "Price USD"],
        ["OLD-1", "Old lamp", "", "", "", "", "no", "8.5"],
        ["NEW-1", "New lamp", "新灯", "sets", "940540", "20", "yes", "12"],
    ]
    report = run(world, xlsx(rows), "catalogue.xlsx")
    assert (report.created, report.updated) == (1, 1)
    old = Product.objects.get(sku="OLD-1")
    assert old.name_en == "Old lamp" and not old.is_active and old.version == 2
    assert old.prices.get().unit_price == Decimal("8.5")
    new = Product.objects.get(sku="NEW-1")
    assert new.name_zh == "新灯" and new.moq == Decimal("20") and new.is_active


def test_errors_per_row_and_a_run_with_errors_writes_nothing(world):
    rows = [
        CN_HEADERS,
        ["A-1", "好的", "", "", "", "", "1", ""],
        ["", "无货号", "", "", "", "", "", ""],
        ["A-2", "", "", "", "", "", "", ""],
        ["A-3", "坏编码", "", "", "85-39", "", "", ""],
        ["A-4", "坏价格", "", "", "", "-5", "abc", ""],
        ["A-1", "重复", "", "", "", "", "", ""],
    ]
    report = run(world, gbk_csv(rows), "bad.csv", dry_run=True)
    assert report.error_rows == 5 and report.created == 1
    by_row = {}
    for error in report.errors:
        by_row.setdefault(error["row"], []).append(error["column"])
    assert by_row[3] == ["货号"] and by_row[5] == ["海关编码"]
    assert set(by_row[6]) == {"起订量", "价格 USD"} and by_row[7] == ["货号"]
    with pytest.raises(products_import.ImportRefused) as exc:
        run(world, gbk_csv(rows), "bad.csv")
    assert exc.value.code == "product_rows_have_errors" and exc.value.report.error_rows == 5
    assert not Product.objects.filter(workspace=world.ws).exists()
    assert not AuditEvent.objects.filter(target_type="product").exists()
    skipped = run(world, gbk_csv(rows), "bad.csv", skip_errors=True)
    assert skipped.written and list(Product.objects.values_list("sku", flat=True)) == ["A-1"]


def test_mapping_must_name_the_sku_and_unreadable_files(world):
    data = gbk_csv([["品名", "规格"], ["灯", "x"]])
    with pytest.raises(ServiceError) as exc:
        run(world, data, "x.csv", dry_run=True)
    assert exc.value.code == "sku_not_mapped"
    with pytest.raises(ServiceError) as exc:
        run(world, data, "x.csv", dry_run=True, mapping={"0": "sku", "1": "sku"})
    assert exc.value.code == "product_bad_mapping"
    report = run(world, data, "x.csv", dry_run=True, mapping={"1": "sku", "0": "name"})
    assert report.created == 1
    with pytest.raises(ServiceError) as exc:
        run(world, b"PK\x03\x04garbage", "x.xlsx", dry_run=True)
    assert exc.value.code == "product_file_unreadable"


def test_rep_may_not_import(world):
    with pytest.raises(ServiceError) as exc:
        products_import.upload_store(
            actor=world.actor(world.rep), name="a.csv", data=gbk_csv([CN_HEADERS, *CN_ROWS])
        )
    assert exc.value.status == 403


def test_export_reimports_to_the_same_catalogue(world):
    run(world, gbk_csv([CN_HEADERS, *CN_ROWS]), "a.csv")
    products.product_create(
        actor=world.actor(world.manager), sku="=HYPERLINK(1)", name_en="formula"
    )
    rows = list(export_rows(actor=world.actor(world.rep), filters=ProductFilter(status="all")))
    assert rows[0][:3] == ["货号 SKU", "中文品名 Chinese name", "英文品名 English name"]
    assert "价格 Price CNY" in rows[0] and "价格 Price USD" in rows[0]
    report = run(world, xlsx(rows), "export.xlsx", dry_run=True)
    assert (report.created, report.updated, report.error_rows) == (0, 0, 0)
    assert report.unchanged == 4
    out = io.BytesIO()
    write_xlsx(rows, out)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue())).get_sheet_by_index(0)
    assert any(r[0] == "=HYPERLINK(1)" for r in sheet.to_python())
