"""Customer import: template, Chinese/English header mapping, dry-run preview with per-row errors and
duplicates, skip and stop modes, the error file, undo, XLSX, the API and who may."""

from __future__ import annotations

import csv
import io

import pytest

from tradewind.core.spreadsheets import write_csv, write_xlsx
from tradewind.customers import imports
from tradewind.customers.imports_models import CustomerImport
from tradewind.customers.models import Contact, Customer
from tradewind.customers.services import customer_create, customer_update

HEADERS = ["公司名称", "Country", "类型", "星级", "联系人", "邮箱", "标签", "负责人", "备注"]
ROWS = [
    [
        "Nordlicht GmbH",
        "德国",
        "进口商",
        "5",
        "Jan",
        "jan@nordlicht.example",
        "eu, fair",
        "rep@a.test",
        "x",
    ],
    ["Nordlicht GmbH", "Germany", "Importer", "5", "Eva", "eva@nordlicht.example", "", "", ""],
    ["Bad Mail Ltd", "UK", "", "", "Tom", "not-an-email", "", "", ""],
    ["", "US", "", "", "", "", "", "", ""],
    ["Existing Co", "US", "wholesaler", "", "", "", "", "", ""],
    ["Sol Trading", "美国", "批发商", "★★★", "Ana", "ana@sol.example", "", "nobody@x.test", ""],
    ["Luna Imports", "CN", "retailer", "3", "", "", "", "", ""],
]


def csv_bytes(rows) -> bytes:
    out = io.BytesIO()
    write_csv(rows, out)
    return out.getvalue()


@pytest.fixture
def existing(world):
    return customer_create(actor=world.actor(world.rep), name="Existing Co")


def upload(world, member, rows=None, name="customers.csv") -> CustomerImport:
    return imports.customer_import_upload(
        actor=world.actor(member), name=name, data=csv_bytes([HEADERS, *(rows or ROWS)])
    )


def test_template_has_bilingual_headers(world, client_for):
    resp = client_for(world.rep).get("/customers/imports/template/?format=csv")
    text = b"".join(resp.streaming_content).decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert "公司名称 Company name" in header and "联系人 Contact" in header
    xlsx = client_for(world.rep).get("/customers/imports/template/")
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"


def test_auto_mapping_preview_errors_duplicates(world, existing):
    batch = upload(world, world.rep)
    assert batch.total_rows == 7
    assert batch.mapping == {
        "0": "name", "1": "country", "2": "type", "3": "rating", "4": "contact_name",
        "5": "contact_email", "6": "tags", "7": "owner",
    }  # fmt: skip
    imports.customer_import_preview(
        actor=world.actor(world.rep), batch=batch, mapping=batch.mapping
    )
    batch.refresh_from_db()
    totals = batch.preview["totals"]
    assert totals == {"good": 2, "contacts": 2, "errors": 3, "duplicates": 1}
    rows_with_errors = {e["row"] for e in batch.preview["errors"]}
    assert rows_with_errors == {4, 5, 7}
    assert (
        batch.preview["duplicates"][0]["row"] == 6
        and existing.code in batch.preview["duplicates"][0]["match"]
    )
    assert Customer.objects.count() == 1  # a dry run writes nothing


def test_skip_mode_run_error_file_and_undo(world, existing, client_for):
    actor = world.actor(world.rep)
    batch = upload(world, world.rep)
    imports.customer_import_preview(actor=actor, batch=batch, mapping=batch.mapping)
    batch = imports.customer_import_run(actor=actor, batch=batch)
    assert (batch.created_count, batch.contact_count, batch.error_count, batch.duplicate_count) == (
        2,
        2,
        3,
        1,
    )
    nord = Customer.objects.get(name="Nordlicht GmbH")
    assert nord.type == "importer" and nord.country.code == "DE" and nord.rating == 5
    assert sorted(nord.tags) == ["eu", "fair"] and nord.owner_id == world.rep.user_id
    assert sorted(Contact.objects.filter(customer=nord).values_list("name", "is_primary")) == [
        ("Eva", False),
        ("Jan", True),
    ]
    errors = client_for(world.rep).get(f"/customers/imports/{batch.pk}/errors/")
    text = b"".join(errors.streaming_content).decode("utf-8-sig")
    assert "Bad Mail Ltd" in text and ("Row 4" in text or "第 4 行" in text)
    # undo keeps what someone worked on
    luna = Customer.objects.get(name="Luna Imports")
    customer_update(actor=actor, customer=luna, city="Shanghai")
    batch = imports.customer_import_undo(actor=actor, batch=batch)
    assert (batch.undone_count, batch.kept_count) == (1, 1)
    assert not Customer.objects.filter(name="Nordlicht GmbH").exists()
    assert Customer.objects.filter(name="Luna Imports").exists()


def test_stop_mode_writes_nothing(world):
    actor = world.actor(world.rep)
    batch = upload(world, world.rep)
    imports.customer_import_preview(
        actor=actor, batch=batch, mapping=batch.mapping, mode="stop_on_error"
    )
    with pytest.raises(imports.ServiceError) as exc:
        imports.customer_import_run(actor=actor, batch=batch)
    assert exc.value.code == "rows_have_errors"
    assert Customer.objects.count() == 0
    good = upload(world, world.rep, rows=[ROWS[0], ROWS[6]])
    imports.customer_import_preview(
        actor=actor, batch=good, mapping=good.mapping, mode="stop_on_error"
    )
    assert imports.customer_import_run(actor=actor, batch=good).created_count == 2


def test_bad_input_is_refused_with_codes(world):
    actor = world.actor(world.rep)
    with pytest.raises(imports.ServiceError) as exc:
        imports.customer_import_upload(actor=actor, name="x.xlsx", data=b"not a zip file")
    assert exc.value.code == "file_unreadable"
    batch = upload(world, world.rep)
    with pytest.raises(imports.ServiceError) as exc:
        imports.customer_import_preview(actor=actor, batch=batch, mapping={"1": "country"})
    assert exc.value.code == "name_not_mapped"
    with pytest.raises(imports.ServiceError) as exc:
        imports.customer_import_preview(
            actor=actor, batch=batch, mapping={"0": "name", "1": "name"}
        )
    assert exc.value.code == "bad_mapping"
    with pytest.raises(imports.ServiceError) as exc:
        imports.customer_import_run(actor=actor, batch=batch)
    assert exc.value.code == "not_previewed"
    assert Customer.objects.count() == 0


def test_xlsx_pages_flow(world, client_for):
    out = io.BytesIO()
    write_xlsx([["Company name", "E-mail", "Contact"], ["Xlsx Ltd", "a@xlsx.example", "Ann"]], out)
    out.name = "c.xlsx"
    out.seek(0)
    rep = client_for(world.rep)
    resp = rep.post("/customers/imports/", {"file": out})
    assert resp.status_code == 302
    pk = int(resp.url.rstrip("/").split("/")[-1])
    page = rep.get(resp.url)
    assert page.status_code == 200 and b'data-testid="mapping-form"' in page.content
    assert (
        rep.post(
            resp.url,
            {
                "col_0": "name",
                "col_1": "contact_email",
                "col_2": "contact_name",
                "mode": "skip_bad_rows",
            },
        ).status_code
        == 302
    )
    assert b'data-testid="import-preview"' in rep.get(resp.url).content
    rep.post(f"/customers/imports/{pk}/run/")
    assert Contact.objects.get(customer__name="Xlsx Ltd").email == "a@xlsx.example"
    assert b'data-testid="undo-import"' in rep.get(resp.url).content
    bad = rep.post("/customers/imports/", {})
    assert bad.status_code == 422


def test_authorization_matrix(world, client, client_for, api, token_for):
    batch = upload(world, world.rep)
    url = f"/customers/imports/{batch.pk}/"
    assert client.get(url).status_code == 302
    assert client_for(world.readonly).get(url).status_code == 403  # no customer.create
    assert client_for(world.owner2).get(url).status_code == 404
    assert client_for(world.other_rep).post(f"{url}run/").status_code == 404
    assert client_for(world.manager).get(url).status_code == 200  # the rep's manager
    token = token_for(world.rep)
    assert (
        api(
            "post", f"/customers/imports/{batch.pk}/preview", token=token_for(world.owner2), json={}
        ).status_code
        == 404
    )
    assert (
        api(
            "post", f"/customers/imports/{batch.pk}/run", token=token_for(world.readonly), json={}
        ).status_code
        == 403
    )
    prev = api(
        "post",
        f"/customers/imports/{batch.pk}/preview",
        token=token,
        json={"mode": "skip_bad_rows"},
    )
    assert prev.status_code == 200 and prev.json()["preview"]["totals"]["good"] == 3
    run = api("post", f"/customers/imports/{batch.pk}/run", token=token, json={})
    assert run.status_code == 200 and run.json()["created_count"] == 3
    again = api("post", f"/customers/imports/{batch.pk}/run", token=token, json={})
    assert again.status_code == 409 and again.json()["code"] == "not_previewed"
    assert (
        api(
            "post", f"/customers/imports/{batch.pk}/undo", token=token_for(world.rep2), json={}
        ).status_code
        == 404
    )
    undo = api("post", f"/customers/imports/{batch.pk}/undo", token=token, json={})
    assert undo.status_code == 200 and undo.json()["undone_count"] == 3


def test_api_upload(world, api, token_for, client):
    from django.test import Client

    token = token_for(world.rep)
    c = Client()
    f = io.BytesIO(csv_bytes([["Company", "Email"], ["Api Co", "x@api.example"]]))
    f.name = "api.csv"
    resp = c.post("/api/v1/customers/imports", {"file": f}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert resp.status_code == 201 and resp.json()["mapping"] == {"0": "name", "1": "email"}
    got = api("get", f"/customers/imports/{resp.json()['id']}", token=token)
    assert got.status_code == 200 and got.json()["total_rows"] == 1


def test_a_batch_whose_stored_file_is_gone_gets_a_coded_answer(world, api, token_for):
    """Found by the access probes: the preview answered 500 when the stored upload was missing."""
    import os

    batch = upload(world, world.rep)
    os.remove(batch.file.path)
    resp = api(
        "post",
        f"/customers/imports/{batch.pk}/preview",
        token=token_for(world.rep),
        json={"mapping": batch.mapping},
    )
    assert resp.status_code == 422, resp.content
    assert resp.json()["code"] == "file_unreadable"
    assert Customer.objects.count() == 0
