"""Customer import: a remembered column mapping comes back for a file with the same header row
(page and API), and contact custom fields are read from "联系人<label>" / "Contact <label>" columns."""

from __future__ import annotations

import io

import pytest

from tradewind.core.spreadsheets import write_csv
from tradewind.customers import imports
from tradewind.customers.imports_fields import template_headers
from tradewind.customers.models import Contact, Customer
from tradewind.workspaces.custom_fields_services import custom_field_create
from tradewind.workspaces.models import ColumnMapping

# "Firma" and "Land" are not known synonyms: the automatic mapping leaves them unmapped.
HEADERS = ["Firma", "Land", "联系人", "联系人生日 Contact birthday", "Contact WeChat group"]


def csv_bytes(rows) -> bytes:
    out = io.BytesIO()
    write_csv(rows, out)
    return out.getvalue()


def upload(world, member, rows, headers=HEADERS):
    return imports.customer_import_upload(
        actor=world.actor(member), name="c.csv", data=csv_bytes([headers, *rows])
    )


@pytest.fixture
def contact_fields(world):
    act = world.actor(world.owner)
    custom_field_create(
        actor=act,
        target="contact",
        type="date",
        key="birthday",
        label_en="birthday",
        label_zh="生日",
    )
    custom_field_create(
        actor=act,
        target="contact",
        type="text",
        key="group",
        label_en="WeChat group",
        label_zh="微信群",
        required=True,
    )


def test_a_remembered_mapping_is_proposed_for_the_same_headers(world):
    first = upload(world, world.rep, [["Acme", "DE", "", "", ""]])
    assert "0" not in first.mapping
    imports.customer_import_preview(
        actor=world.actor(world.rep),
        batch=first,
        mapping={"0": "name", "1": "country"},
        remember=True,
    )
    assert ColumnMapping.objects.filter(workspace=world.ws, kind="customers").count() == 1
    again = upload(world, world.rep2, [["Beta", "FR", "", "", ""]])
    assert again.mapping == {"0": "name", "1": "country"}
    # Another workspace does not see it.
    other = imports.customer_import_upload(
        actor=world.actor(world.owner2),
        name="c.csv",
        data=csv_bytes([HEADERS, ["X", "", "", "", ""]]),
    )
    assert "0" not in other.mapping


def test_without_remember_nothing_is_stored(world):
    batch = upload(world, world.rep, [["Acme", "DE", "", "", ""]])
    imports.customer_import_preview(
        actor=world.actor(world.rep), batch=batch, mapping={"0": "name"}
    )
    assert not ColumnMapping.objects.filter(workspace=world.ws).exists()


def test_the_page_remembers_when_ticked(world, client_for):
    batch = upload(world, world.rep, [["Acme", "DE", "", "", ""]])
    resp = client_for(world.rep).post(
        f"/customers/imports/{batch.pk}/",
        {"col_0": "name", "col_1": "country", "mode": "skip_bad_rows", "remember": "on"},
    )
    assert resp.status_code == 302
    assert ColumnMapping.objects.get(workspace=world.ws, kind="customers").mapping == {
        "0": "name",
        "1": "country",
    }


def test_the_api_remembers(world, api, token_for):
    token = token_for(world.rep)
    batch = upload(world, world.rep, [["Acme", "DE", "", "", ""]])
    resp = api(
        "post",
        f"/customers/imports/{batch.pk}/preview",
        token=token,
        json={"mapping": {"0": "name"}, "remember": True},
    )
    assert resp.status_code == 200, resp.content
    assert ColumnMapping.objects.filter(workspace=world.ws, kind="customers").exists()


def test_contact_custom_fields_are_imported(world, contact_fields):
    rows = [
        ["Acme", "DE", "Jan", "1980-02-03", "acme-buyers"],
        ["Bolt", "DE", "Eva", "", ""],  # the required WeChat group is missing
        ["Cobalt", "DE", "", "1990-01-01", ""],  # contact values without a contact
        ["Delta", "DE", "", "", ""],  # no contact at all: required contact fields not asked
    ]
    batch = upload(world, world.rep, rows)
    batch = imports.customer_import_preview(
        actor=world.actor(world.rep),
        batch=batch,
        mapping={"0": "name", "2": "contact_name"},
        mode="skip_bad_rows",
    )
    errors = {(e["row"], e["column"]) for e in batch.preview["errors"]}
    assert (3, "Contact WeChat group") in errors
    assert (4, "联系人生日 Contact birthday") in errors
    assert batch.preview["totals"]["good"] == 2
    imports.customer_import_run(actor=world.actor(world.rep), batch=batch)
    jan = Contact.objects.get(customer__name="Acme")
    assert jan.custom == {"birthday": "1980-02-03", "group": "acme-buyers"}
    assert Customer.objects.filter(name="Delta").exists()
    assert not Customer.objects.filter(name__in=["Bolt", "Cobalt"]).exists()


def test_the_template_lists_contact_custom_fields(world, contact_fields):
    headers = template_headers(world.ws)
    assert "联系人生日 Contact birthday" in headers
    assert "联系人微信群 Contact WeChat group" in headers
