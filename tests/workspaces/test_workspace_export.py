"""Workspace export: one zip (XLSX workbook + JSON per model) of every record of the workspace,
never another workspace's rows, no secrets, formulas kept as text; owners only, audited."""

from __future__ import annotations

import io
import json
import zipfile

from openpyxl import load_workbook

from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create
from tradewind.sales.models import Stage
from tradewind.workspaces.export_all import exported_models, write_export
from tradewind.workspaces.models import ApiToken, AuditEvent


def _zip(content: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(content))


def _all_bytes(archive: zipfile.ZipFile) -> bytes:
    """Every entry, with the workbook's own zip opened too (its XML is compressed)."""
    parts = []
    for name in archive.namelist():
        data = archive.read(name)
        if name.endswith(".xlsx"):
            inner = _zip(data)
            parts += [inner.read(n) for n in inner.namelist()]
        else:
            parts.append(data)
    return b"\n".join(parts)


def _export(world) -> zipfile.ZipFile:
    out = io.BytesIO()
    write_export(world.ws, out)
    return _zip(out.getvalue())


def test_models_are_found_generically_with_their_children():
    lookups = {e.label: e.lookup for e in exported_models()}
    for label in ("leads.lead", "customers.customer", "customers.contact", "sales.opportunity"):
        assert lookups[label] == "workspace_id"
    assert lookups["sales.opportunityline"] == "opportunity__workspace_id"
    assert lookups["orders.orderline"] == "order__workspace_id"
    assert lookups["orders.quoteline"] == "version__quote__workspace_id"
    assert lookups["sales.stagetask"] == "stage__pipeline__workspace_id"
    assert lookups["sales.opportunity_contacts"] == "opportunity__workspace_id"
    assert "workspaces.workspace" not in lookups
    for label in ("orders.quote", "orders.order", "orders.shipment", "orders.receipt"):
        assert label in lookups
    for label in ("activities.followup", "activities.task", "activities.comment"):
        assert label in lookups
    assert "workspaces.customfielddefinition" in lookups and "workspaces.membership" in lookups


def test_export_holds_this_workspace_only_and_no_secrets(world, token_for):
    token_for(world.owner)  # a token whose hash must not leave
    token_for(world.owner2)
    archive = _export(world)
    names = set(archive.namelist())
    assert {"manifest.json", "workspace.xlsx", "json/leads.lead.json"} <= names
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["workspace"]["id"] == world.ws.pk

    leads = json.loads(archive.read("json/leads.lead.json"))
    assert {row["id"] for row in leads} == set(
        Lead.objects.filter(workspace=world.ws).values_list("id", flat=True)
    )
    assert manifest["counts"]["leads.lead"] == len(leads) == 3
    stages = json.loads(archive.read("json/sales.stage.json"))
    assert {row["id"] for row in stages} == set(
        Stage.objects.filter(pipeline__workspace=world.ws).values_list("id", flat=True)
    )
    members = json.loads(archive.read("json/workspaces.membership.json"))
    assert {m["user__email"] for m in members} >= {"boss@a.test", "rep@a.test"}
    assert "boss@b.test" not in {m["user__email"] for m in members}
    assert all("password" not in m for m in members)

    everything = _all_bytes(archive)
    assert b"BETA-SECRET" not in everything and b"boss@b.test" not in everything
    assert b"ALPHA-EAST-SECRET" in everything
    for token in ApiToken.objects.all():
        assert token.token_hash.encode() not in everything
    assert world.owner.user.password.encode() not in everything
    for name in names:
        if name.startswith("json/"):
            for row in json.loads(archive.read(name)):
                if "workspace_id" in row:
                    assert row["workspace_id"] == world.ws.pk, name


def test_workbook_has_a_sheet_per_model_and_formulas_stay_text(world):
    lead_create(
        actor=world.actor(world.owner),
        allow_duplicates=True,
        company_name='=HYPERLINK("http://evil.test","x")',
        contact_name="@SUM(1+1)",
    )
    archive = _export(world)
    book = load_workbook(io.BytesIO(archive.read("workspace.xlsx")), read_only=False)
    assert len(book.sheetnames) == len(exported_models())
    sheet = book["leads lead"]
    header = [c.value for c in sheet[1]]
    company = header.index("company_name")
    cells = [row[company] for row in sheet.iter_rows(min_row=2)]
    evil = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert evil.data_type == "s"  # text, not a formula
    rows = json.loads(archive.read("json/leads.lead.json"))
    assert '=HYPERLINK("http://evil.test","x")' in {r["company_name"] for r in rows}


def test_page_and_api_download_are_audited(world, client_for, api, token_for):
    before = AuditEvent.objects.filter(action="workspace_exported").count()
    page = client_for(world.owner).get("/settings/data/")
    assert page.status_code == 200 and b'data-testid="workspace-export"' in page.content
    resp = client_for(world.owner).post("/settings/data/export/")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/zip"
    assert "attachment" in resp["Content-Disposition"]
    archive = _zip(b"".join(resp.streaming_content))
    assert "workspace.xlsx" in archive.namelist()

    resp = api("get", "/workspace/export", token=token_for(world.owner))
    assert resp.status_code == 200
    assert "json/customers.customer.json" in _zip(b"".join(resp.streaming_content)).namelist()
    events = AuditEvent.objects.filter(action="workspace_exported").order_by("id")
    assert events.count() == before + 2
    assert events.last().workspace_id == world.ws.pk


def test_export_refused_without_workspace_manage(world, client_for, api, token_for):
    assert api("get", "/workspace/export").status_code == 401
    for member in (world.manager, world.rep, world.readonly):
        assert api("get", "/workspace/export", token=token_for(member)).status_code == 403
        assert client_for(member).post("/settings/data/export/").status_code == 403
        assert client_for(member).get("/settings/data/").status_code == 403
    anonymous = client_for(world.owner)
    anonymous.logout()
    assert anonymous.post("/settings/data/export/").status_code == 302
    assert not AuditEvent.objects.filter(action="workspace_exported").exists()


def test_other_workspace_owner_exports_only_theirs(world, api, token_for):
    resp = api("get", "/workspace/export", token=token_for(world.owner2))
    assert resp.status_code == 200
    everything = _all_bytes(_zip(b"".join(resp.streaming_content)))
    assert b"BETA-SECRET" in everything and b"ALPHA-" not in everything
