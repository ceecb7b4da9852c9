"""Product pages and API: list (search, status, sort, keyset pages, empty state), create, edit,
prices, deactivate, import via page and API, export, the picker search, and who may do what."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from tradewind.sales import products
from tradewind.sales.models_products import Product, ProductPrice

HEADERS = ["货号", "品名", "价格 USD"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def bulb(world):
    return products.product_create(
        actor=world.actor(world.manager),
        sku="LED-A60",
        name_zh="LED球泡灯",
        name_en="LED bulb",
        unit="pcs",
        moq="1000",
        prices=[("USD", "0.85")],
    )


def gbk_csv(rows) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode("gbk")


def body(resp) -> bytes:
    return b"".join(resp.streaming_content) if resp.streaming else resp.content


def state(world) -> list:
    return list(
        Product.objects.filter(workspace=world.ws)
        .order_by("pk")
        .values_list("pk", "sku", "name_en", "is_active", "version")
    ) + list(ProductPrice.objects.order_by("pk").values_list("currency", "unit_price"))


# --- pages -----------------------------------------------------------------------------------------


def test_list_search_status_sort_and_empty_state(world, client_for, bulb):
    act = world.actor(world.manager)
    old = products.product_create(actor=act, sku="OLD-9", name_en="Retired lamp")
    products.product_deactivate(actor=act, product=old)
    client = client_for(world.rep)
    resp = client.get("/products/")
    assert resp.status_code == 200 and b"LED-A60" in resp.content and b"OLD-9" not in resp.content
    assert b"/products/new/" not in resp.content  # a rep may not manage the catalogue
    assert b"OLD-9" in client.get("/products/?status=inactive").content
    resp = client.get("/products/?status=all&sort=-sku")
    assert resp.content.index(b"OLD-9") < resp.content.index(b"LED-A60")
    assert b"LED-A60" in client.get("/products/?q=%E7%90%83%E6%B3%A1").content  # 球泡
    resp = client.get("/products/?q=nothing-like-it")
    assert b'data-testid="empty-state"' in resp.content
    resp = client.get("/products/?q=LED", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="product-results")
    assert b"<html" not in resp.content and b"LED-A60" in resp.content
    assert b"LED-A60" not in client_for(world.owner2).get("/products/").content


def test_list_pages_by_keyset(world, client_for):
    act = world.actor(world.manager)
    for i in range(55):
        products.product_create(actor=act, sku=f"P{i:03}", name_en=f"Item {i}")
    client = client_for(world.rep)
    first = client.get("/products/")
    assert b"P049" in first.content and b"P050" not in first.content
    cursor = first.context["page"].next_cursor
    second = client.get(f"/products/?cursor={cursor}")
    assert b"P050" in second.content and b"P054" in second.content and b"P049" not in second.content


def test_empty_catalogue_invites_a_manager(world, client_for):
    resp = client_for(world.manager).get("/products/")
    assert b'data-testid="empty-state"' in resp.content and b"/products/new/" in resp.content


def test_create_edit_and_prices_by_page(world, client_for):
    client = client_for(world.manager)
    resp = client.post("/products/new/", {"sku": "", "name_en": ""})
    assert resp.status_code == 422 and not Product.objects.exists()
    resp = client.post(
        "/products/new/", {"sku": "VAL-01", "name_en": "Brass valve", "hs_code": "8481.80"}
    )
    product = Product.objects.get(sku="VAL-01")
    assert resp.status_code == 302 and resp["Location"] == f"/products/{product.pk}/"
    page = client.get(f"/products/{product.pk}/")
    assert page.status_code == 200 and b'data-testid="no-prices"' in page.content
    resp = client.post(
        f"/products/{product.pk}/",
        {"sku": "VAL-01", "name_en": "Brass valve DN15", "hs_code": "12", "version": 1},
    )
    assert resp.status_code == 422 and "hs_code" in resp.context["form"].errors
    client.post(
        f"/products/{product.pk}/",
        {"sku": "VAL-01", "name_en": "Brass valve DN15", "hs_code": "8481.80", "version": 1},
    )
    product.refresh_from_db()
    assert product.name_en == "Brass valve DN15" and product.version == 2
    stale = client.post(
        f"/products/{product.pk}/", {"sku": "VAL-01", "name_en": "stale", "version": 1}
    )
    assert stale.status_code == 422 and stale.context["form"].non_field_errors()
    product.refresh_from_db()
    assert product.name_en == "Brass valve DN15"
    client.post(f"/products/{product.pk}/prices/", {"currency": "eur", "unit_price": "3.20"})
    assert product.prices.get().currency == "EUR"
    resp = client.post(
        f"/products/{product.pk}/prices/", {"currency": "EUR", "unit_price": "x"}, follow=True
    )
    assert [m.level_tag for m in resp.context["messages"]][-1] == "error"
    assert product.prices.get().unit_price == Decimal("3.20")
    client.post(f"/products/{product.pk}/prices/delete/", {"currency": "EUR"})
    assert not product.prices.exists()
    client.post(f"/products/{product.pk}/deactivate/")
    product.refresh_from_db()
    assert not product.is_active
    client.post(f"/products/{product.pk}/reactivate/")
    product.refresh_from_db()
    assert product.is_active


def test_page_writes_need_product_manage(world, client_for, bulb):
    before = state(world)
    client = client_for(world.rep)
    assert client.get("/products/new/").status_code == 403
    assert client.post("/products/new/", {"sku": "X", "name_en": "x"}).status_code == 403
    assert client.post(f"/products/{bulb.pk}/", {"sku": "X", "name_en": "x"}).status_code == 403
    assert client.post(f"/products/{bulb.pk}/deactivate/").status_code == 403
    assert client.post(f"/products/{bulb.pk}/prices/", {"currency": "EUR"}).status_code == 403
    assert (
        client.post(f"/products/{bulb.pk}/prices/delete/", {"currency": "USD"}).status_code == 403
    )
    assert client.get("/products/import/").status_code == 403
    detail = client.get(f"/products/{bulb.pk}/")  # but they read it
    assert detail.status_code == 200 and b'data-testid="product-form"' not in detail.content
    outsider = client_for(world.owner2)
    assert outsider.get(f"/products/{bulb.pk}/").status_code == 404
    assert outsider.post(f"/products/{bulb.pk}/deactivate/").status_code == 404
    assert (
        outsider.post(
            f"/products/{bulb.pk}/prices/", {"currency": "EUR", "unit_price": "1"}
        ).status_code
        == 404
    )
    anonymous = client_for(world.rep).__class__()
    assert anonymous.post(f"/products/{bulb.pk}/deactivate/").status_code == 302
    assert state(world) == before


def test_import_page_upload_dry_run_and_run(world, client_for):
    client = client_for(world.manager)
    data = gbk_csv([HEADERS, ["LED-A60", "球泡灯", "0.85"], ["", "坏行", "1"]])
    upload = io.BytesIO(data)
    upload.name = "产品.csv"
    resp = client.post("/products/import/", {"file": upload})
    assert resp.status_code == 200 and b'data-testid="import-report"' in resp.content
    assert not Product.objects.exists()
    token = resp.context["upload"].token
    mapping = {"col_0": "sku", "col_1": "name", "col_2": "price:USD"}
    refused = client.post("/products/import/", {"token": token, "action": "run", **mapping})
    assert refused.status_code == 422 and not Product.objects.exists()
    done = client.post(
        "/products/import/", {"token": token, "action": "run", "skip_errors": "on", **mapping}
    )
    assert done.status_code == 302 and Product.objects.get().name_zh == "球泡灯"
    gone = client.post("/products/import/", {"token": token, "action": "run", **mapping})
    assert gone.status_code == 409  # the stored file is removed after the run
    # another member cannot use someone else's token
    assert (
        client_for(world.owner)
        .post("/products/import/", {"token": token, "action": "run", **mapping})
        .status_code
        == 409
    )


def test_template_and_export_downloads(world, client_for, bulb):
    client = client_for(world.rep)
    resp = client.get("/products/import/template/?format=csv")
    header = next(csv.reader(io.StringIO(body(resp).decode("utf-8-sig"))))
    assert header[0] == "货号 SKU" and "价格 Price USD" in header
    resp = client.get("/products/export/?format=csv")
    rows = list(csv.reader(io.StringIO(body(resp).decode("utf-8-sig"))))
    assert rows[1][0] == "LED-A60" and rows[1][-1] == "0.8500"
    assert resp["Content-Type"].startswith("text/csv")
    xlsx = client.get("/products/export/")
    assert body(xlsx)[:2] == b"PK"


def test_search_endpoint_for_the_line_editor(world, client_for, bulb):
    act = world.actor(world.manager)
    other = products.product_create(actor=act, sku="LED-B", name_en="Other bulb")
    gone = products.product_create(actor=act, sku="LED-C", name_en="Gone")
    products.product_deactivate(actor=act, product=gone)
    world.rep.user.language = "en"
    world.rep.user.save()
    client = client_for(world.rep)
    items = client.get("/products/search/?q=led&currency=usd").json()
    assert [i["sku"] for i in items] == ["LED-A60", "LED-B"]
    assert items[0] == {
        "id": bulb.pk,
        "sku": "LED-A60",
        "name": "LED bulb",
        "unit": "pcs",
        "unit_price": "0.8500",
        "moq": "1000",
    }
    assert items[1]["unit_price"] is None and items[1]["id"] == other.pk
    world.rep.user.language = "zh-hans"
    world.rep.user.save()
    zh = client.get("/products/search/?q=LED-A60&currency=EUR")
    assert zh.json()[0]["name"] == "LED球泡灯" and zh.json()[0]["unit_price"] is None
    assert client_for(world.owner2).get("/products/search/?q=LED").json() == []


# --- API -------------------------------------------------------------------------------------------


def test_api_crud_prices_and_lifecycle(world, api, token_for):
    token = token_for(world.manager)
    resp = api(
        "post",
        "/products",
        token=token,
        json={
            "sku": "ＡＰＩ-1",
            "name_en": "Api item",
            "moq": "10",
            "prices": [{"currency": "usd", "unit_price": "1.5"}],
        },
    )
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert data["sku"] == "API-1" and data["prices"] == [
        {"currency": "USD", "unit_price": "1.5000"}
    ]
    pk = data["id"]
    dup = api("post", "/products", token=token, json={"sku": "API-1", "name_en": "x"})
    assert dup.status_code == 409 and dup.json()["code"] == "sku_taken"
    bad = api("post", "/products", token=token, json={"sku": "B", "hs_code": "1"})
    assert bad.status_code == 422 and {"hs_code", "name_en"} <= set(bad.json()["fields"])
    resp = api("patch", f"/products/{pk}", token=token, json={"name_zh": "接口", "version": 1})
    assert resp.status_code == 200 and resp.json()["version"] == 2
    stale = api("patch", f"/products/{pk}", token=token, json={"name_zh": "x", "version": 1})
    assert stale.status_code == 409
    resp = api(
        "put", f"/products/{pk}/prices", token=token, json={"currency": "EUR", "unit_price": "1.2"}
    )
    assert [p["currency"] for p in resp.json()["prices"]] == ["EUR", "USD"]
    resp = api("delete", f"/products/{pk}/prices?currency=USD", token=token)
    assert [p["currency"] for p in resp.json()["prices"]] == ["EUR"]
    missing = api("delete", f"/products/{pk}/prices?currency=GBP", token=token)
    assert missing.status_code == 404 and missing.json()["code"] == "price_not_found"
    assert api("post", f"/products/{pk}/deactivate", token=token).json()["is_active"] is False
    listed = api("get", "/products", token=token).json()
    assert listed["items"] == []
    listed = api("get", "/products?status=all&q=api", token=token).json()
    assert [i["id"] for i in listed["items"]] == [pk]
    assert api("post", f"/products/{pk}/reactivate", token=token).json()["is_active"] is True
    assert api("get", f"/products/{pk}", token=token_for(world.rep)).json()["name_zh"] == "接口"


def test_api_authorization_matrix(world, api, token_for, bulb):
    before = state(world)
    writes = [
        ("post", "/products", {"sku": "HIJACK", "name_en": "x"}),
        ("patch", f"/products/{bulb.pk}", {"name_en": "hijack"}),
        ("post", f"/products/{bulb.pk}/deactivate", {}),
        ("put", f"/products/{bulb.pk}/prices", {"currency": "EUR", "unit_price": "1"}),
        ("delete", f"/products/{bulb.pk}/prices?currency=USD", None),
    ]
    for method, path, payload in writes:
        assert api(method, path, json=payload).status_code == 401
        assert api(method, path, token=token_for(world.rep), json=payload).status_code == 403
        if "{" not in path and str(bulb.pk) in path:
            pass
        if str(bulb.pk) in path:
            resp = api(method, path, token=token_for(world.owner2), json=payload)
            assert resp.status_code == 404 and resp.json()["code"] == "not_found"
    assert api("get", f"/products/{bulb.pk}", token=token_for(world.owner2)).status_code == 404
    assert state(world) == before
    # the permission holder may
    resp = api(
        "patch", f"/products/{bulb.pk}", token=token_for(world.manager), json={"name_en": "ok"}
    )
    assert resp.status_code == 200


def test_api_import_dry_run_run_and_export(world, client, token_for):
    token = token_for(world.manager)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    data = gbk_csv([HEADERS, ["LED-A60", "球泡灯", "0.85"], ["LED-T8", "灯管", "2"]])

    def post(**fields):
        upload = io.BytesIO(data)
        upload.name = "p.csv"
        return client.post("/api/v1/products/import", {"file": upload, **fields}, **headers)

    dry = post()
    assert dry.status_code == 200 and dry.json()["created"] == 2 and not dry.json()["written"]
    assert not Product.objects.exists()
    done = post(dry_run="false")
    assert done.json()["written"] and Product.objects.count() == 2
    again = post(dry_run="false")
    assert again.json()["unchanged"] == 2 and Product.objects.count() == 2
    bad = io.BytesIO(gbk_csv([HEADERS, ["", "x", "1"]]))
    bad.name = "bad.csv"
    refused = client.post("/api/v1/products/import", {"file": bad, "dry_run": "false"}, **headers)
    assert refused.status_code == 422, refused.content
    assert refused.json()["report"]["error_rows"] == 1, refused.content
    rep = client.post(
        "/api/v1/products/import",
        {"file": io.BytesIO(data)},
        HTTP_AUTHORIZATION=f"Bearer {token_for(world.rep)}",
    )
    assert rep.status_code == 403
    export = client.get("/api/v1/products/export?format=csv", **headers)
    text = body(export).decode("utf-8-sig")
    assert "LED-A60" in text and "LED-T8" in text
