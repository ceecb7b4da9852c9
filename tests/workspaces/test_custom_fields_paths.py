"""Custom fields on every path: the lead form and detail page, the API (values and definitions),
the settings page, list filters and sorts, export and the import round trip."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tradewind.customers.services import customer_create
from tradewind.leads.imports import lead_import_preview, lead_import_start, lead_import_upload
from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create, lead_delete
from tradewind.workspaces.custom_fields_services import custom_field_create
from tradewind.workspaces.models_custom_fields import CustomFieldDefinition


@pytest.fixture
def fields(world):
    act = world.actor(world.owner)
    return {
        "employees": custom_field_create(
            actor=act, target="lead", type="number", label_en="Employees", label_zh="员工数"
        ),
        "channel": custom_field_create(
            actor=act,
            target="lead",
            type="choice",
            label_en="Channel",
            label_zh="渠道",
            choices="Distributor | 经销商\nDirect | 直销",
        ),
        "products": custom_field_create(
            actor=act,
            target="lead",
            type="multi_choice",
            label_en="Products",
            label_zh="产品",
            choices=["Pumps | 泵", "Valves | 阀门"],
        ),
        "vip": custom_field_create(
            actor=act, target="lead", type="boolean", label_en="VIP", label_zh="重点"
        ),
        "fair_date": custom_field_create(
            actor=act, target="lead", type="date", label_en="Fair date", label_zh="展会日期"
        ),
        "deposit": custom_field_create(
            actor=act, target="lead", type="money", label_en="Deposit", label_zh="定金"
        ),
        "remark": custom_field_create(
            actor=act, target="lead", type="text", label_en="Remark", label_zh="备注说明"
        ),
    }


def _lead(world, name, **custom):
    return lead_create(
        actor=world.actor(world.rep), allow_duplicates=True, company_name=name, custom=custom
    )


# --- form, detail page, API ----------------------------------------------------------------------


def test_lead_form_shows_fields_and_refuses_bad_values(world, client_for, fields):
    client = client_for(world.rep)
    page = client.get("/leads/new/")
    assert b'name="cf_employees"' in page.content and b'name="cf_deposit__currency"' in page.content
    count = Lead.objects.count()
    resp = client.post(
        "/leads/new/",
        {
            "company_name": "Form Custom Ltd",
            "source": "other",
            "owner": world.rep.user_id,
            "cf_employees": "lots",
            "cf_vip": "yes",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert resp.status_code == 200 and b"Enter a number." in resp.content
    assert Lead.objects.count() == count
    resp = client.post(
        "/leads/new/",
        {
            "company_name": "Form Custom Ltd",
            "source": "other",
            "owner": world.rep.user_id,
            "cf_employees": "120",
            "cf_vip": "yes",
            "cf_products": ["Valves", "Pumps"],
            "cf_deposit": "300",
            "cf_deposit__currency": "USD",
        },
    )
    assert resp.status_code == 302
    lead = Lead.objects.get(company_name="Form Custom Ltd")
    assert lead.custom == {
        "employees": "120",
        "vip": True,
        "products": ["Pumps", "Valves"],
        "deposit": {"amount": "300", "currency": "USD"},
    }
    detail = client.get(f"/leads/{lead.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "员工数".encode() in detail.content and "泵, 阀门".encode() in detail.content
    edit = client.get(f"/leads/{lead.pk}/edit/")
    assert b'value="120"' in edit.content


def test_lead_api_reads_and_writes_custom_values(world, api, token_for, fields):
    token = token_for(world.rep)
    resp = api(
        "post",
        "/leads",
        token=token,
        json={"company_name": "API Custom", "custom": {"channel": "直销"}},
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["custom"] == {"channel": "Direct"}
    resp = api("patch", f"/leads/{body['id']}", token=token, json={"custom": {"vip": "maybe"}})
    assert resp.status_code == 422 and "cf_vip" in resp.json()["fields"]
    assert Lead.objects.get(pk=body["id"]).custom == {"channel": "Direct"}
    resp = api("patch", f"/leads/{body['id']}", token=token, json={"custom": {"vip": False}})
    assert resp.json()["custom"] == {"channel": "Direct", "vip": False}


def test_customer_api_and_form_take_custom_values(world, api, token_for, client_for):
    custom_field_create(
        actor=world.actor(world.owner), target="customer", type="text", label_en="Port"
    )
    token = token_for(world.rep)
    resp = api(
        "post",
        "/customers",
        token=token,
        json={"name": "Port Kunde", "custom": {"port": "Hamburg"}},
    )
    assert resp.status_code == 201 and resp.json()["custom"] == {"port": "Hamburg"}
    page = client_for(world.rep).get(f"/customers/{resp.json()['id']}/edit/")
    assert b'name="cf_port"' in page.content and b"Hamburg" in page.content


# --- definitions: settings page and API, authorization ---------------------------------------------


def test_settings_page_creates_edits_deactivates_and_moves(world, client_for):
    client = client_for(world.owner)
    page = client.get("/settings/custom-fields/?target=customer")
    assert page.status_code == 200 and b"custom-field-form" in page.content
    resp = client.post(
        "/settings/custom-fields/",
        {
            "target": "customer",
            "type": "choice",
            "label_en": "Region",
            "label_zh": "区域",
            "choices": "North | 北\nSouth | 南",
        },
    )
    assert resp.status_code == 302
    field = CustomFieldDefinition.objects.get(workspace=world.ws, key="region")
    assert field.choices[1] == {"value": "South", "en": "South", "zh": "南"}
    bad = client.post(
        "/settings/custom-fields/", {"target": "lead", "type": "choice", "label_en": "X"}
    )
    assert bad.status_code == 200 and CustomFieldDefinition.objects.count() == 1
    client.post(
        f"/settings/custom-fields/{field.pk}/",
        {
            "label_en": "Sales region",
            "label_zh": "区域",
            "choices": "North | 北\nSouth | 南",
            "version": field.version,
        },
    )
    client.post(f"/settings/custom-fields/{field.pk}/toggle/")
    field.refresh_from_db()
    assert field.label_en == "Sales region" and field.active is False
    assert (
        client.post(f"/settings/custom-fields/{field.pk}/move/", {"direction": "up"}).status_code
        == 302
    )


@pytest.mark.parametrize("who", ["manager", "rep", "readonly"])
def test_only_admins_manage_definitions(world, client_for, api, token_for, who, fields):
    member = getattr(world, who)
    client = client_for(member)
    field = fields["vip"]
    assert client.get("/settings/custom-fields/").status_code == 403
    assert (
        client.post(
            "/settings/custom-fields/", {"target": "lead", "type": "text", "label_en": "Sneaky"}
        ).status_code
        == 403
    )
    assert client.post(f"/settings/custom-fields/{field.pk}/toggle/").status_code == 403
    token = token_for(member)
    assert (
        api(
            "post",
            "/custom-fields",
            token=token,
            json={"target": "lead", "type": "text", "label_en": "Sneaky"},
        ).status_code
        == 403
    )
    assert (
        api("patch", f"/custom-fields/{field.pk}", token=token, json={"active": False}).status_code
        == 404
    )
    listed = api("get", "/custom-fields?target=lead", token=token)
    assert listed.status_code == 200 and len(listed.json()) == len(fields)
    field.refresh_from_db()
    assert field.active and not CustomFieldDefinition.objects.filter(label_en="Sneaky").exists()


def test_definition_api_for_admins_and_other_workspace(world, api, token_for, client):
    token = token_for(world.owner)
    resp = api(
        "post",
        "/custom-fields",
        token=token,
        json={"target": "contact", "type": "boolean", "label_zh": "决策人", "key": "decider"},
    )
    assert resp.status_code == 201 and resp.json()["key"] == "decider"
    field_id = resp.json()["id"]
    bad = api(
        "post",
        "/custom-fields",
        token=token,
        json={"target": "contact", "type": "boolean", "label_en": "Dup", "key": "decider"},
    )
    assert bad.status_code == 409 and bad.json()["code"] == "custom_field_key_taken"
    resp = api(
        "patch", f"/custom-fields/{field_id}", token=token, json={"label_en": "Decision maker"}
    )
    assert resp.json()["label_en"] == "Decision maker"
    other = token_for(world.owner2)
    assert api("get", f"/custom-fields/{field_id}", token=other).status_code == 404
    assert api("get", "/custom-fields", token=other).json() == []
    assert api("get", "/custom-fields").status_code == 401
    assert client.get("/settings/custom-fields/").status_code == 302  # anonymous: sign in


# --- list filters and sorts ---------------------------------------------------------------------


def test_leads_list_filters_and_sorts_by_custom_fields(world, client_for, api, token_for, fields):
    a = _lead(
        world,
        "CF-A Ltd",
        employees="9",
        channel="Direct",
        products=["Pumps"],
        vip=True,
        fair_date="2026-04-15",
        deposit={"amount": "100", "currency": "USD"},
        remark="near Hamburg port",
    )
    b = _lead(
        world,
        "CF-B Ltd",
        employees="120",
        channel="Distributor",
        products=["Pumps", "Valves"],
        vip=False,
    )
    c = _lead(world, "CF-C Ltd", employees="30")
    token = token_for(world.rep)

    def ids(query):
        resp = api("get", f"/leads?q=CF-&limit=200&{query}", token=token)
        assert resp.status_code == 200, resp.content
        return [row["id"] for row in resp.json()["items"]]

    assert ids("cf_channel=Direct") == [a.pk]
    assert ids("cf_channel=经销商") == [b.pk]
    assert set(ids("cf_products=Pumps")) == {a.pk, b.pk}
    assert ids("cf_products=Valves") == [b.pk]
    assert ids("cf_vip=yes") == [a.pk] and ids("cf_vip=no") == [b.pk]
    assert ids("cf_employees=120") == [b.pk]
    assert ids("cf_fair_date=2026-04-15") == [a.pk]
    assert ids("cf_deposit=100") == [a.pk]
    assert ids("cf_remark=hamburg") == [a.pk]
    assert ids("cf_employees=abc") == []
    assert len(ids("cf_unknown=1")) == 3  # an unknown field is ignored
    assert ids("sort=cf_employees") == [a.pk, c.pk, b.pk]  # numbers, not text order
    assert ids("sort=-cf_employees") == [b.pk, c.pk, a.pk]
    # keyset pages over a custom sort
    first = api("get", "/leads?q=CF-&limit=2&sort=cf_employees", token=token).json()
    second = api(
        "get", f"/leads?q=CF-&limit=2&sort=cf_employees&cursor={first['next_cursor']}", token=token
    ).json()
    assert [r["id"] for r in first["items"] + second["items"]] == [a.pk, c.pk, b.pk]
    page = client_for(world.rep).get("/leads/?cf_channel=Direct&sort=-cf_employees")
    assert (
        page.status_code == 200 and b"CF-A Ltd" in page.content and b"CF-B Ltd" not in page.content
    )
    assert b'value="-cf_employees"' in page.content  # offered in the sort menu


def test_other_workspace_fields_do_not_filter(world, api, token_for, fields):
    _lead(world, "CF-X Ltd", channel="Direct")
    token = token_for(world.owner2)
    resp = api("get", "/leads?cf_channel=Direct", token=token)
    assert resp.status_code == 200
    assert all("CF-X" not in row["company_name"] for row in resp.json()["items"])


# --- export and import ------------------------------------------------------------------------------


def _csv(resp) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(resp.streaming_content).decode("utf-8-sig"))))


def test_export_and_reimport_round_trip(
    world, client_for, settings, tmp_path, django_capture_on_commit_callbacks, fields
):
    settings.MEDIA_ROOT = tmp_path / "media"
    act = world.actor(world.owner)
    values = {
        "employees": "12.5",
        "channel": "Distributor",
        "products": ["Pumps", "Valves"],
        "vip": True,
        "fair_date": "2026-04-15",
        "deposit": {"amount": "300", "currency": "USD"},
        "remark": "引荐, 老客户",
    }
    lead_create(actor=act, company_name="Round Custom 有限公司", custom=values)
    for fmt, language in (("csv", "zh-hans"), ("xlsx", "en")):
        resp = client_for(world.owner).get(
            f"/leads/export/?q=Round Custom&format={fmt}", HTTP_ACCEPT_LANGUAGE=language
        )
        data = b"".join(resp.streaming_content)
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
            assert "渠道 Channel" in rows[0] and "经销商" in rows[1] and "是" in rows[1]
        lead_delete(actor=act, lead=Lead.objects.get(company_name="Round Custom 有限公司"))
        batch = lead_import_upload(
            actor=act,
            file=SimpleUploadedFile(f"x.{fmt}", data),
            file_name=f"x.{fmt}",
            mode="skip_bad_rows",
        )
        batch = lead_import_preview(actor=act, batch=batch)
        with django_capture_on_commit_callbacks(execute=True):
            lead_import_start(actor=act, batch=batch)
        assert Lead.objects.get(company_name="Round Custom 有限公司").custom == values, fmt


def test_import_refuses_bad_custom_values_row_by_row(
    world, settings, tmp_path, django_capture_on_commit_callbacks, fields
):
    settings.MEDIA_ROOT = tmp_path / "media"
    custom_field_create(
        actor=world.actor(world.owner),
        target="lead",
        type="text",
        label_en="PO",
        key="po",
        required=True,
    )
    act = world.actor(world.owner)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["Company", "员工数", "channel", "PO"])
    writer.writerow(["Import Good GmbH", "1,200", "直销", "PO-1"])
    writer.writerow(["Import Bad GmbH", "many", "Direct", "PO-2"])
    writer.writerow(["Import NoPO GmbH", "5", "Direct", ""])
    with translation.override("en"):
        batch = lead_import_upload(
            actor=act,
            file=SimpleUploadedFile("x.csv", buf.getvalue().encode("utf-8-sig")),
            file_name="x.csv",
            mode="skip_bad_rows",
        )
        batch = lead_import_preview(actor=act, batch=batch)
        with django_capture_on_commit_callbacks(execute=True):
            lead_import_start(actor=act, batch=batch)
    assert Lead.objects.get(company_name="Import Good GmbH").custom == {
        "employees": "1200",
        "channel": "Direct",
        "po": "PO-1",
    }
    assert not Lead.objects.filter(
        company_name__in=["Import Bad GmbH", "Import NoPO GmbH"]
    ).exists()


def test_import_template_lists_custom_columns(world, client_for, fields):
    resp = client_for(world.rep).get("/leads/imports/template.csv")
    assert resp.status_code == 200
    data = b"".join(resp.streaming_content) if resp.streaming else resp.content
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert "员工数 Employees" in header and "渠道 Channel" in header


def test_customer_with_custom_fields_survives_conversion_paths(world):
    # creating from services without custom values keeps {} (lead conversion, imports)
    customer = customer_create(actor=world.actor(world.rep), name="Plain Kunde")
    assert customer.custom == {}


def test_required_customer_field_is_checked_on_form_and_api_not_on_conversion(
    world, api, token_for, client_for
):
    custom_field_create(
        actor=world.actor(world.owner),
        target="customer",
        type="text",
        label_en="VAT",
        required=True,
    )
    token = token_for(world.rep)
    resp = api("post", "/customers", token=token, json={"name": "No VAT AG"})
    assert resp.status_code == 422 and "cf_vat" in resp.json()["fields"]
    page = client_for(world.rep).post("/customers/new/", {"name": "No VAT AG", "source": "other"})
    assert page.status_code == 200
    from tradewind.customers.models import Customer

    assert not Customer.objects.filter(name="No VAT AG").exists()
    # services called without custom values (lead conversion) are not refused
    assert customer_create(actor=world.actor(world.rep), name="Converted AG").custom == {}
