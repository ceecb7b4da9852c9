"""Product catalogue services: cleaning (SKU folding, names, HS code, MOQ, prices), uniqueness,
optimistic locking, deactivate/reactivate, prices, audit, price_for and the picker search."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradewind.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from tradewind.sales import products
from tradewind.sales.models_products import Product, ProductPrice
from tradewind.sales.product_selectors import price_for, product_search
from tradewind.workspaces.models import AuditEvent


@pytest.fixture
def bulb(world):
    return products.product_create(
        actor=world.actor(world.manager),
        sku=" ＬＥＤ－Ａ６０ ",
        name_zh="LED球泡灯",
        name_en="LED bulb",
        unit="pcs",
        hs_code="8539.52.00",
        moq="1000",
        prices=[("usd", "0.85"), ("CNY", "5.8")],
    )


def test_create_folds_sku_cleans_and_audits(world, bulb):
    assert bulb.sku == "LED-A60"
    assert bulb.moq == Decimal("1000") and bulb.is_active
    assert {p.currency: p.unit_price for p in bulb.prices.all()} == {
        "USD": Decimal("0.85"),
        "CNY": Decimal("5.8"),
    }
    event = AuditEvent.objects.get(target_type="product", target_id=bulb.pk, verb="create")
    assert event.changes["sku"] == [None, "LED-A60"]
    assert event.changes["price USD"] == [None, "0.85"]


def test_sku_unique_per_workspace_after_folding(world, bulb):
    with pytest.raises(ServiceError) as exc:
        products.product_create(actor=world.actor(world.owner), sku="LED-A60 ", name_en="Other")
    assert exc.value.code == "sku_taken" and exc.value.status == 409
    assert Product.objects.filter(workspace=world.ws).count() == 1
    # another workspace may use the same SKU
    other = products.product_create(actor=world.actor(world.owner2), sku="LED-A60", name_en="x")
    assert other.workspace_id == world.ws2.pk


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"sku": "", "name_en": "x"}, "sku", "sku_required"),
        ({"sku": "A1"}, "name_en", "product_name_required"),
        ({"sku": "A1", "name_en": "x", "hs_code": "85AB"}, "hs_code", "bad_hs_code"),
        ({"sku": "A1", "name_en": "x", "hs_code": "12345"}, "hs_code", "bad_hs_code"),
        ({"sku": "A1", "name_en": "x", "hs_code": "12345678901"}, "hs_code", "bad_hs_code"),
        ({"sku": "A1", "name_en": "x", "moq": "0"}, "moq", "bad_moq"),
        ({"sku": "A1", "name_en": "x", "moq": "abc"}, "moq", "bad_moq"),
        ({"sku": "A1", "name_en": "x", "moq": "1.2345"}, "moq", "bad_moq"),
    ],
)
def test_create_refuses_bad_values_and_writes_nothing(world, data, field, code):
    with pytest.raises(ServiceError) as exc:
        products.product_create(actor=world.actor(world.manager), **data)
    assert exc.value.code == code and field in exc.value.fields
    assert not Product.objects.filter(workspace=world.ws).exists()
    assert not AuditEvent.objects.filter(target_type="product").exists()


def test_hs_code_digits_and_dots(world):
    ok = products.product_create(
        actor=world.actor(world.manager), sku="H1", name_zh="阀门", hs_code="８４８１.８０"
    )
    assert ok.hs_code == "8481.80"


def test_bad_price_on_create_writes_nothing(world):
    with pytest.raises(ServiceError) as exc:
        products.product_create(
            actor=world.actor(world.manager), sku="P1", name_en="x", prices=[("XYZ", "1")]
        )
    assert exc.value.code == "product_unknown_currency"
    assert not Product.objects.exists()


def test_rep_may_not_manage(world, bulb):
    with pytest.raises(PermissionDenied):
        products.product_create(actor=world.actor(world.rep), sku="X", name_en="x")
    with pytest.raises(PermissionDenied):
        products.product_update(actor=world.actor(world.rep), product=bulb, name_en="hijack")
    with pytest.raises(PermissionDenied):
        products.product_price_set(
            actor=world.actor(world.rep), product=bulb, currency="EUR", unit_price="1"
        )
    with pytest.raises(PermissionDenied):
        products.product_deactivate(actor=world.actor(world.readonly), product=bulb)
    bulb.refresh_from_db()
    assert bulb.name_en == "LED bulb" and bulb.is_active and bulb.prices.count() == 2


def test_update_with_version_and_names(world, bulb):
    act = world.actor(world.manager)
    updated = products.product_update(
        actor=act, product=bulb, version=bulb.version, name_en="LED bulb A60", specs="E27"
    )
    assert updated.version == 2
    with pytest.raises(Conflict):
        products.product_update(actor=act, product=bulb, version=1, name_en="stale")
    with pytest.raises(ServiceError) as exc:
        products.product_update(actor=act, product=bulb, name_en="", name_zh="")
    assert exc.value.code == "product_name_required"
    # one name is enough
    products.product_update(actor=act, product=bulb, name_en="")
    bulb.refresh_from_db()
    assert bulb.name_en == "" and bulb.name_zh == "LED球泡灯" and bulb.specs == "E27"
    other = products.product_create(actor=act, sku="B2", name_en="b")
    with pytest.raises(ServiceError) as exc:
        products.product_update(actor=act, product=other, sku="led-a60".upper())
    assert exc.value.code == "sku_taken"


def test_deactivate_reactivate_audited_and_idempotent(world, bulb):
    act = world.actor(world.manager)
    products.product_deactivate(actor=act, product=bulb)
    products.product_deactivate(actor=act, product=bulb)
    bulb.refresh_from_db()
    assert not bulb.is_active
    assert AuditEvent.objects.filter(target_id=bulb.pk, action="deactivated").count() == 1
    assert product_search(member=world.rep, q="LED") == []
    products.product_reactivate(actor=act, product=bulb)
    bulb.refresh_from_db()
    assert bulb.is_active
    assert [p.pk for p in product_search(member=world.rep, q="LED")] == [bulb.pk]


def test_prices_set_replace_delete(world, bulb):
    act = world.actor(world.manager)
    products.product_price_set(actor=act, product=bulb, currency="eur", unit_price="0.79")
    products.product_price_set(actor=act, product=bulb, currency="USD", unit_price="0.9")
    assert price_for(bulb, "EUR") == Decimal("0.79")
    assert price_for(bulb, "usd") == Decimal("0.9")
    assert ProductPrice.objects.filter(product=bulb).count() == 3
    products.product_price_delete(actor=act, product=bulb, currency="CNY")
    assert price_for(bulb, "CNY") is None
    with pytest.raises(NotFound):
        products.product_price_delete(actor=act, product=bulb, currency="GBP")
    for bad in ("-1", "1.23456", "abc", ""):
        with pytest.raises(ServiceError) as exc:
            products.product_price_set(actor=act, product=bulb, currency="USD", unit_price=bad)
        assert exc.value.code == "bad_price"
    with pytest.raises(ServiceError) as exc:
        products.product_price_set(actor=act, product=bulb, currency="US", unit_price="1")
    assert exc.value.code == "product_unknown_currency"
    assert price_for(bulb, "USD") == Decimal("0.9")
    actions = list(
        AuditEvent.objects.filter(target_id=bulb.pk, target_type="product").values_list(
            "action", flat=True
        )
    )
    assert actions.count("price_set") == 2 and actions.count("price_deleted") == 1


def test_search_by_sku_name_hs_and_exact_first(world, bulb):
    act = world.actor(world.manager)
    products.product_create(actor=act, sku="LED-A60-X", name_en="LED bulb big")
    found = product_search(member=world.rep, q="led-a60", currency="USD")
    assert [p.sku for p in found] == ["LED-A60", "LED-A60-X"]
    assert price_for(found[0], "USD") == Decimal("0.85") and price_for(found[1], "USD") is None
    assert [p.pk for p in product_search(member=world.rep, q="球泡")] == [bulb.pk]
    assert [p.pk for p in product_search(member=world.rep, q="85395200")] == [bulb.pk]
    assert [p.pk for p in product_search(member=world.rep, q="8539.52")] == [bulb.pk]
    assert product_search(member=world.owner2, q="LED") == []
    for i in range(25):
        products.product_create(actor=act, sku=f"M{i:02}", name_en="many")
    assert len(product_search(member=world.rep, q="many")) == 20
