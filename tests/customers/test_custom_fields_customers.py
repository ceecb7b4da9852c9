"""Custom fields beyond leads: the customer list's cf_ filters, sorts and filter inputs (and the
leads list's inputs), customer export and import round trip with per-row errors, contact values on
the 360 page, opportunity values on its page and in the API."""

from __future__ import annotations

import csv
import io

import pytest

from tradewind.core.spreadsheets import write_csv
from tradewind.customers import imports
from tradewind.customers.models import Customer
from tradewind.customers.services import contact_create, customer_create
from tradewind.sales.services import opportunity_create
from tradewind.workspaces.custom_fields_services import custom_field_create


@pytest.fixture
def fields(world):
    act = world.actor(world.owner)
    return {
        "employees": custom_field_create(
            actor=act, target="customer", type="number", label_en="Employees", label_zh="员工数"
        ),
        "channel": custom_field_create(
            actor=act,
            target="customer",
            type="choice",
            label_en="Channel",
            label_zh="渠道",
            choices="Distributor | 经销商\nDirect | 直销",
        ),
        "remark": custom_field_create(
            actor=act, target="customer", type="text", label_en="Remark", label_zh="备注说明"
        ),
        "vip": custom_field_create(
            actor=act, target="customer", type="boolean", label_en="VIP", label_zh="重点"
        ),
    }


def make(world, name, member=None, **custom):
    return customer_create(
        actor=world.actor(member or world.rep), allow_duplicates=True, name=name, custom=custom
    )


@pytest.fixture
def three(world, fields):
    return [
        make(world, "CF Alpha", employees="500", channel="Direct", remark="big buyer", vip="yes"),
        make(world, "CF Beta", employees="20", channel="Distributor", remark="small"),
        make(world, "CF Gamma"),
    ]


def names(resp) -> list[str]:
    return [c.name for c in resp.context["page"].items]


# --- list: filters, sorts, inputs ------------------------------------------------------------------


def test_customer_list_filters_and_sorts_by_custom_fields(world, client_for, three):
    client = client_for(world.rep)
    assert names(client.get("/customers/?cf_channel=Direct")) == ["CF Alpha"]
    assert names(client.get("/customers/?cf_channel=经销商")) == ["CF Beta"]
    assert names(client.get("/customers/?cf_remark=BIG")) == ["CF Alpha"]
    assert names(client.get("/customers/?cf_vip=yes")) == ["CF Alpha"]
    assert names(client.get("/customers/?cf_employees=20")) == ["CF Beta"]
    # A value the field cannot hold matches nothing; an unknown key is ignored.
    assert names(client.get("/customers/?cf_employees=lots")) == []
    assert len(names(client.get("/customers/?cf_nosuch=1"))) == 3
    # Numbers sort as numbers, empty values first ascending and last descending.
    assert names(client.get("/customers/?sort=cf_employees")) == ["CF Gamma", "CF Beta", "CF Alpha"]
    assert names(client.get("/customers/?sort=-cf_employees")) == [
        "CF Alpha",
        "CF Beta",
        "CF Gamma",
    ]
    # Paging through a custom sort (keyset cursor over the annotation).
    first = client.get("/customers/?sort=cf_employees&cf_remark=")
    assert first.context["filters"].sort == "cf_employees"
    page = client.get("/customers/", {"sort": "-cf_employees"})
    assert page.context["filters"].querystring() == "sort=-cf_employees"
    # The sort menu lists the custom sorts; "more filters" has one input per field, filled in.
    resp = client.get("/customers/?cf_channel=direct", HTTP_HX_REQUEST="true")
    assert resp.status_code == 200
    full = client.get("/customers/?cf_channel=direct&cf_remark=big")
    html = full.content.decode()
    assert 'value="cf_employees"' in html and 'value="-cf_employees"' in html
    assert 'name="cf_channel"' in html and 'name="cf_remark"' in html and 'name="cf_vip"' in html
    assert '<option value="Direct" selected>' in html
    assert 'name="cf_remark" value="big"' in html
    assert full.context["filters"].params()["cf_channel"] == "direct"


def test_customer_list_paging_under_custom_sort(world, client_for, fields):
    for n in range(5):
        make(world, f"Paged {n}", employees=str(n * 10))
    from tradewind.customers import selectors
    from tradewind.customers.filters import CustomerFilter

    filters = CustomerFilter.from_params({"sort": "-cf_employees"})
    seen, cursor = [], None
    while True:
        page = selectors.customer_list(member=world.rep, filters=filters, cursor=cursor, limit=2)
        seen += [c.name for c in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    assert seen == [f"Paged {n}" for n in (4, 3, 2, 1, 0)]


def test_customer_list_api_filters_sorts_and_scope(world, api, token_for, three):
    rep = token_for(world.rep)
    resp = api("get", "/customers?cf_channel=direct", token=rep)
    assert resp.status_code == 200 and [c["name"] for c in resp.json()["items"]] == ["CF Alpha"]
    resp = api("get", "/customers?sort=cf_employees", token=rep)
    assert [c["name"] for c in resp.json()["items"]] == ["CF Gamma", "CF Beta", "CF Alpha"]
    # Another workspace: its own (no) fields, none of these customers, whatever the filter.
    other = api("get", "/customers?cf_channel=direct", token=token_for(world.owner2))
    assert other.status_code == 200 and other.json()["items"] == []
    # A rep sees only their own customers, filter or not.
    make(world, "West Direct", member=world.other_rep, channel="Direct")
    resp = api("get", "/customers?cf_channel=direct", token=rep)
    assert [c["name"] for c in resp.json()["items"]] == ["CF Alpha"]
    assert api("get", "/customers?cf_channel=direct").status_code == 401


def test_list_pages_need_sign_in(world, client, three):
    resp = client.get("/customers/?cf_channel=direct")
    assert resp.status_code == 302 and "/login" in resp.url


def test_leads_list_has_custom_filter_inputs(world, client_for):
    custom_field_create(
        actor=world.actor(world.owner),
        target="lead",
        type="choice",
        label_en="Region",
        label_zh="区域",
        choices="North | 北方\nSouth | 南方",
    )
    resp = client_for(world.rep).get("/leads/?cf_region=south", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = resp.content.decode()
    assert 'name="cf_region"' in html and '<option value="South" selected>南方</option>' in html
    assert "区域" in html and "不限" in html
    # A workspace without lead fields shows no custom inputs.
    other = client_for(world.owner2).get("/leads/")
    assert 'data-testid="custom-filter"' not in other.content.decode()


# --- export and import -----------------------------------------------------------------------------


def test_export_and_reimport_round_trip(world, client_for, three):
    rep = client_for(world.rep)
    resp = rep.get("/customers/export/?format=csv&q=CF", HTTP_ACCEPT_LANGUAGE="zh-hans")
    data = b"".join(resp.streaming_content)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header = rows[0]
    assert header[-4:] == ["员工数 Employees", "渠道 Channel", "备注说明 Remark", "重点 VIP"]
    alpha = next(r for r in rows if "CF Alpha" in r)
    assert alpha[-4:] == ["500", "直销", "big buyer", "是"]
    # Filtered by a custom field, the export holds the matching rows only.
    only = rep.get("/customers/export/?format=csv&cf_channel=distributor")
    only_rows = list(csv.reader(io.StringIO(b"".join(only.streaming_content).decode("utf-8-sig"))))
    assert len(only_rows) == 2 and "CF Beta" in only_rows[1]
    before = {c.name: c.custom for c in Customer.objects.filter(name__startswith="CF ")}
    Customer.objects.filter(name__startswith="CF ").delete()
    upload = io.BytesIO(data)
    upload.name = "export.csv"
    resp = rep.post("/customers/imports/", {"file": upload})
    batch = resp.url.rstrip("/").split("/")[-1]
    detail = rep.get(f"/customers/imports/{batch}/")
    mapping = {f"col_{i}": chosen for i, _h, chosen in detail.context["columns"]}
    rep.post(f"/customers/imports/{batch}/", mapping)
    rep.post(f"/customers/imports/{batch}/run/")
    after = {c.name: c.custom for c in Customer.objects.filter(name__startswith="CF ")}
    assert after == before
    assert after["CF Alpha"] == {
        "employees": "500",
        "channel": "Direct",
        "remark": "big buyer",
        "vip": True,
    }


def _upload(world, rows):
    out = io.BytesIO()
    write_csv(rows, out)
    return imports.customer_import_upload(
        actor=world.actor(world.rep), name="c.csv", data=out.getvalue()
    )


def test_import_refuses_bad_custom_values_row_by_row(world, fields):
    batch = _upload(
        world,
        [
            ["公司名称", "员工数", "Channel", "cf_vip"],
            ["Good Row Ltd", "1,250", "经销商", "否"],
            ["Bad Number Ltd", "lots", "", ""],
            ["Bad Choice Ltd", "", "Retail", ""],
        ],
    )
    batch = imports.customer_import_preview(
        actor=world.actor(world.rep), batch=batch, mapping=batch.mapping
    )
    errors = {(e["row"], e["column"]) for e in batch.preview["errors"]}
    assert errors == {(3, "员工数"), (4, "Channel")}
    assert batch.preview["totals"]["good"] == 1 and batch.preview["totals"]["errors"] == 2
    batch = imports.customer_import_run(actor=world.actor(world.rep), batch=batch)
    good = Customer.objects.get(name="Good Row Ltd")
    assert good.custom == {"employees": "1250", "channel": "Distributor", "vip": False}
    assert not Customer.objects.filter(name__in=["Bad Number Ltd", "Bad Choice Ltd"]).exists()


def test_import_checks_required_custom_fields(world, fields):
    custom_field_create(
        actor=world.actor(world.owner),
        target="customer",
        type="text",
        label_en="Tax ID",
        label_zh="税号",
        required=True,
    )
    batch = _upload(world, [["公司名称", "税号"], ["Has Tax Ltd", "DE123"], ["No Tax Ltd", ""]])
    batch = imports.customer_import_preview(
        actor=world.actor(world.rep), batch=batch, mapping=batch.mapping
    )
    assert [(e["row"], e["column"]) for e in batch.preview["errors"]] == [(3, "税号")]


def test_import_template_lists_custom_columns(world, client_for, fields):
    resp = client_for(world.rep).get("/customers/imports/template/?format=csv")
    header = next(csv.reader(io.StringIO(b"".join(resp.streaming_content).decode("utf-8-sig"))))
    assert header[-4:] == ["员工数 Employees", "渠道 Channel", "备注说明 Remark", "重点 VIP"]
    other = client_for(world.owner2).get("/customers/imports/template/?format=csv")
    text = b"".join(other.streaming_content).decode("utf-8-sig")
    assert "Employees" not in text


# --- contacts and opportunities --------------------------------------------------------------------


def test_contact_cards_show_custom_values(world, client_for):
    custom_field_create(
        actor=world.actor(world.owner),
        target="contact",
        type="choice",
        label_en="Language",
        label_zh="语言",
        choices="German | 德语\nEnglish | 英语",
    )
    customer = make(world, "Contact Custom GmbH")
    contact_create(
        actor=world.actor(world.rep), customer=customer, name="Jan", custom={"language": "德语"}
    )
    contact_create(actor=world.actor(world.rep), customer=customer, name="Eva")
    resp = client_for(world.rep).get(f"/customers/{customer.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert '<dd class="col-7 col-sm-8 text-break" data-custom-field="language">德语</dd>' in html
    assert html.count('data-custom-field="language"') == 1  # Eva has no value: no row
    english = client_for(world.rep).get(f"/customers/{customer.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'data-custom-field="language">German</dd>' in english.content.decode()


@pytest.fixture
def opportunity(world):
    custom_field_create(
        actor=world.actor(world.owner),
        target="opportunity",
        type="money",
        label_en="Deposit",
        label_zh="定金",
    )
    customer = make(world, "Opp Custom Ltd")
    return opportunity_create(
        actor=world.actor(world.rep),
        customer=customer,
        name="Pump order",
        custom={"deposit": "USD 3,000"},
    )


def test_opportunity_page_and_api_show_custom_values(
    world, client_for, api, token_for, opportunity
):
    resp = client_for(world.rep).get(f"/opportunities/{opportunity.pk}/")
    assert resp.status_code == 200
    assert 'data-custom-field="deposit">3000 USD</dd>' in resp.content.decode()
    data = api("get", f"/opportunities/{opportunity.pk}", token=token_for(world.rep)).json()
    assert data["custom"] == {"deposit": {"amount": "3000", "currency": "USD"}}
    # Other workspace, another rep: 404, no values leak.
    assert client_for(world.owner2).get(f"/opportunities/{opportunity.pk}/").status_code == 404
    other = api("get", f"/opportunities/{opportunity.pk}", token=token_for(world.owner2))
    assert other.status_code == 404 and b"3000" not in other.content
    west = api("get", f"/opportunities/{opportunity.pk}", token=token_for(world.other_rep))
    assert west.status_code == 404
