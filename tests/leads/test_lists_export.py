"""Export of the current view: the visible rows only, bilingual headers, formula text escaped."""

import csv
import io

from django.test import Client
from openpyxl import load_workbook

from tradewind.leads.services import lead_create


def _csv_rows(resp) -> list[list[str]]:
    data = b"".join(resp.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_export_follows_filters_and_visibility(world, client_for):
    lead_create(
        actor=world.actor(world.rep),
        company_name='=HYPERLINK("http://evil")',
        contact_name="+1 call me",
        owner=world.rep.user_id,
        allow_duplicates=True,
    )
    resp = client_for(world.rep).get("/leads/export/?format=csv", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert resp.status_code == 200 and resp["Content-Disposition"].startswith("attachment")
    rows = _csv_rows(resp)
    assert rows[0][1] == "公司名称 Company name"
    companies = [r[1] for r in rows[1:]]
    # The rep sees their own lead and the pool, never a colleague's lead in another team.
    assert "ALPHA-WEST-SECRET Ltd" not in "".join(companies)
    evil = next(r for r in rows[1:] if "HYPERLINK" in r[1])
    assert evil[1].startswith("'=") and evil[3].startswith("'+")
    # The same filters as the list.
    rows = _csv_rows(client_for(world.rep).get("/leads/export/?format=csv&owner=none"))
    owner = rows[0].index("负责人 Owner")
    assert [r[owner] for r in rows[1:]] == [""] * (len(rows) - 1)


def test_xlsx_export_keeps_formula_text_as_text(world, client_for):
    lead_create(actor=world.actor(world.owner), company_name="@SUM(A1)", owner=world.owner.user_id)
    resp = client_for(world.owner).get("/leads/export/?q=SUM")
    assert resp.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == "@SUM(A1)"  # a string cell, not a formula
    assert sheet.cell(row=2, column=2).data_type == "s"


def test_export_matrix(world, client_for, api, token_for):
    assert Client().get("/leads/export/").status_code == 302
    body = b"".join(client_for(world.owner2).get("/leads/export/?format=csv").streaming_content)
    assert b"ALPHA" not in body
    resp = api("get", "/leads/export?format=csv&grade=A", token=token_for(world.owner))
    assert resp.status_code == 200 and b"Company name" in b"".join(resp.streaming_content)
    assert api("get", "/leads/export").status_code == 401


def test_export_reimports_to_the_same_values(
    world, client_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile

    from tradewind.leads.imports import lead_import_preview, lead_import_start, lead_import_upload
    from tradewind.leads.models import Lead
    from tradewind.leads.services import lead_delete

    settings.MEDIA_ROOT = tmp_path / "media"
    act = world.actor(world.owner)
    fields = dict(
        company_name="=Round Trip 贸易有限公司",
        contact_name="-Anna",
        phone="+86 138 0013 8000",
        email="anna@roundtrip.example",
        country="DE",
        source="trade_show",
        company_size="51-200",
        grade="B",
        tags=["展会", "vip"],
        need="+200 pallets",
        budget_min=Decimal("1000.00"),
        budget_max=Decimal("2000.00"),
        budget_currency="EUR",
        owner=world.rep.user_id,
    )
    lead_create(actor=act, **fields)
    names = [*fields]
    before = Lead.objects.filter(company_name__contains="Round Trip").values(*names).get()
    for fmt in ("csv", "xlsx"):
        resp = client_for(world.owner).get(
            f"/leads/export/?q=Round&format={fmt}", HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        data = b"".join(resp.streaming_content)
        lead_delete(actor=act, lead=Lead.objects.get(company_name__contains="Round Trip"))
        batch = lead_import_upload(
            actor=act,
            file=SimpleUploadedFile(f"x.{fmt}", data),
            file_name=f"x.{fmt}",
            mode="skip_bad_rows",
        )
        batch = lead_import_preview(actor=act, batch=batch)
        with django_capture_on_commit_callbacks(execute=True):
            lead_import_start(actor=act, batch=batch)
        after = Lead.objects.filter(company_name__contains="Round Trip").values(*names).get()
        assert after == before, fmt
