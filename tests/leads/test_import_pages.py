"""Import pages and API: the steps upload -> map -> preview -> start -> progress -> result -> undo,
templates, error file, and who may do what (anonymous, other workspace, other team, no permission)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from python_calamine import CalamineWorkbook

from tests.leads.test_import_run import HEADER, MIXED, csv_bytes, upload
from tradewind.leads.imports import lead_import_preview
from tradewind.leads.models import Lead, LeadImport
from tradewind.leads.models_imports import ImportStatus


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def csv_upload(rows=MIXED, name="leads.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_bytes(rows), content_type="text/csv")


# --- pages -----------------------------------------------------------------------------------------


def test_leads_list_links_to_imports_and_the_list_has_an_empty_state(world, client_for):
    client = client_for(world.rep)
    assert b'data-testid="imports-link"' in client.get("/leads/").content
    resp = client.get("/leads/imports/")
    assert resp.status_code == 200 and b'data-testid="imports-empty"' in resp.content
    readonly = client_for(world.readonly)
    assert b'data-testid="imports-link"' not in readonly.get("/leads/").content


def test_the_whole_flow_through_the_pages(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.rep)
    resp = client.post("/leads/imports/new/", {"file": csv_upload(), "mode": "skip_bad_rows"})
    batch = LeadImport.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/leads/imports/{batch.pk}/"
    page = client.get(f"/leads/imports/{batch.pk}/").content.decode()
    assert 'data-testid="mapping-form"' in page
    assert '<option value="phone" selected>' in page  # auto-detected from 电话

    mapping = {f"col_{i}": f for i, f in batch.mapping.items()}
    resp = client.post(
        f"/leads/imports/{batch.pk}/preview/",
        {**mapping, "mode": "skip_bad_rows", "remember": "on"},
    )
    assert resp.status_code == 302
    page = client.get(f"/leads/imports/{batch.pk}/").content.decode()
    assert 'data-testid="preview-totals"' in page and "电话" in page
    assert world.lead.code in page  # the duplicate shows the lead it matches
    assert Lead.objects.filter(import_batch=batch).count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(f"/leads/imports/{batch.pk}/start/")
    assert resp.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE and batch.created_count == 2

    resp = client.get(
        f"/leads/imports/{batch.pk}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="import-progress"
    )
    body = resp.content.decode()
    assert body.lstrip().startswith('<div id="import-progress"')
    assert "hx-trigger" not in body  # finished: polling stops
    assert 'data-testid="error-file"' in body and 'data-testid="import-undo"' in body

    errors = client.get(f"/leads/imports/{batch.pk}/errors.csv")
    content = b"".join(errors.streaming_content).decode("utf-8-sig")
    assert errors.status_code == 200 and "Broken Phone Ltd" in content and "第 3 行" in content

    resp = client.post(f"/leads/imports/{batch.pk}/undo/", follow=True)
    assert resp.status_code == 200
    assert Lead.objects.filter(import_batch=batch).count() == 0
    assert "导入已撤销" in resp.content.decode()


def test_progress_partial_polls_while_the_job_runs(world, client_for):
    batch = lead_import_preview(actor=world.actor(world.rep), batch=upload(world))
    LeadImport.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING, processed_rows=3)
    resp = client_for(world.rep).get(
        f"/leads/imports/{batch.pk}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="import-progress"
    )
    body = resp.content.decode()
    assert 'hx-trigger="every 1s"' in body and "50%" in body and "3 / 6" in body


def test_bad_upload_shows_a_translated_error_and_creates_nothing(world, client_for):
    client = client_for(world.rep)
    resp = client.post(
        "/leads/imports/new/",
        {"file": SimpleUploadedFile("x.xlsx", b"not excel"), "mode": "skip_bad_rows"},
    )
    assert resp.status_code == 200
    assert "无法读取此文件" in resp.content.decode()
    assert not LeadImport.objects.exists()


def test_bad_mapping_is_refused_on_the_page(world, client_for):
    batch = upload(world)
    resp = client_for(world.rep).post(
        f"/leads/imports/{batch.pk}/preview/",
        {"col_0": "phone", "col_2": "phone", "mode": "skip_bad_rows"},
    )
    assert resp.status_code == 422 and "多个列" in resp.content.decode()
    assert LeadImport.objects.get(pk=batch.pk).status == ImportStatus.UPLOADED


def test_templates_have_bilingual_headers(world, client_for, tmp_path):
    client = client_for(world.rep)
    xlsx = client.get("/leads/imports/template.xlsx")
    path = tmp_path / "t.xlsx"
    path.write_bytes(xlsx.content)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "公司名称 Company name" and rows[1][4] == "+86 138 0013 8000"
    csv_resp = client.get("/leads/imports/template.csv")
    assert csv_resp.content.startswith(b"\xef\xbb\xbf")
    assert "电话 Phone" in csv_resp.content.decode("utf-8-sig")
    assert "'+86 138 0013 8000" in csv_resp.content.decode(
        "utf-8-sig"
    )  # escaped, reads back as +86


# --- who may ----------------------------------------------------------------------------------------


def test_page_authorization_matrix(world, client_for, django_capture_on_commit_callbacks):
    batch = lead_import_preview(actor=world.actor(world.rep), batch=upload(world))
    anonymous = Client()
    for url in ("/leads/imports/", f"/leads/imports/{batch.pk}/"):
        assert anonymous.get(url).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert anonymous.post(f"/leads/imports/{batch.pk}/start/").status_code == 302
        # another workspace and a rep of another team: 404, nothing happens
        for member in (world.owner2, world.other_rep):
            client = client_for(member)
            assert client.get(f"/leads/imports/{batch.pk}/").status_code == 404
            assert client.post(f"/leads/imports/{batch.pk}/start/").status_code == 404
        # no permission to create leads: 403 for every import page
        readonly = client_for(world.readonly)
        assert readonly.get("/leads/imports/").status_code == 403
        assert readonly.post(f"/leads/imports/{batch.pk}/start/").status_code == 403
        assert readonly.post("/leads/imports/new/", {"file": csv_upload()}).status_code == 403
    assert LeadImport.objects.get(pk=batch.pk).status == ImportStatus.PREVIEWED
    assert LeadImport.objects.count() == 1
    # the rep's manager sees the batch (team scope); the importer starts it
    assert client_for(world.manager).get(f"/leads/imports/{batch.pk}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(world.rep).post(f"/leads/imports/{batch.pk}/start/").status_code == 302
    assert LeadImport.objects.get(pk=batch.pk).status == ImportStatus.DONE


def test_undo_by_a_colleague_who_can_see_it_is_refused(
    world, client_for, django_capture_on_commit_callbacks
):
    from tradewind.workspaces.choices import DataScope

    with django_capture_on_commit_callbacks(execute=True):
        from tradewind.leads.imports import lead_import_start

        batch = lead_import_preview(actor=world.actor(world.rep), batch=upload(world))
        lead_import_start(actor=world.actor(world.rep), batch=batch)
    world.rep2.data_scope = DataScope.TEAM
    world.rep2.save()
    resp = client_for(world.rep2).post(f"/leads/imports/{batch.pk}/undo/")
    assert resp.status_code == 403
    assert Lead.objects.filter(import_batch=batch).count() == 2


# --- API -------------------------------------------------------------------------------------------


def api_client(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_api_flow(world, token_for, django_capture_on_commit_callbacks):
    client = api_client(token_for(world.rep))
    resp = client.post("/api/v1/leads/imports", {"file": csv_upload(), "mode": "stop_on_error"})
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert (
        data["headers"] == HEADER
        and data["mapping"]["2"] == "phone"
        and data["mode"] == "stop_on_error"
    )
    pk = data["id"]

    resp = client.post(
        f"/api/v1/leads/imports/{pk}/preview",
        {"mapping": {"0": "company_name", "0b": "phone"}},
        content_type="application/json",
    )
    assert resp.status_code == 422 and resp.json()["code"] == "bad_mapping"

    resp = client.post(
        f"/api/v1/leads/imports/{pk}/preview",
        {"mode": "skip_bad_rows"},
        content_type="application/json",
    )
    assert resp.status_code == 200
    preview = resp.json()["preview"]
    assert preview["totals"] == {"rows": 6, "valid": 2, "errors": 2, "duplicates": 2}

    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(f"/api/v1/leads/imports/{pk}/start", {}, content_type="application/json")
    assert resp.status_code == 202
    status = client.get(f"/api/v1/leads/imports/{pk}").json()
    assert status["status"] == "done" and status["percent"] == 100
    assert (status["created_count"], status["duplicate_count"], status["error_count"]) == (2, 2, 2)
    assert status["has_error_file"] is True

    errors = client.get(f"/api/v1/leads/imports/{pk}/errors")
    assert errors.status_code == 200 and b"Broken Phone Ltd" in b"".join(errors.streaming_content)

    resp = client.post(f"/api/v1/leads/imports/{pk}/start", {}, content_type="application/json")
    assert resp.status_code == 409 and resp.json()["code"] == "import_not_editable"

    listing = client.get("/api/v1/leads/imports").json()
    assert [i["id"] for i in listing["items"]] == [pk]

    resp = client.post(f"/api/v1/leads/imports/{pk}/undo", {}, content_type="application/json")
    assert resp.status_code == 200 and resp.json()["undone_count"] == 2


def test_api_template_and_bad_file(world, token_for):
    client = api_client(token_for(world.rep))
    resp = client.get("/api/v1/leads/imports/template?format=csv")
    assert resp.status_code == 200 and "公司名称 Company name" in resp.content.decode("utf-8-sig")
    assert client.get("/api/v1/leads/imports/template").status_code == 200
    with translation.override("en"):
        resp = client.post(
            "/api/v1/leads/imports",
            {"file": SimpleUploadedFile("x.csv", csv_bytes([])), "mode": "skip_bad_rows"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert resp.status_code == 422 and resp.json()["code"] == "empty_file"
    assert not LeadImport.objects.exists()


def test_api_authorization_matrix(world, token_for, django_capture_on_commit_callbacks):
    batch = lead_import_preview(actor=world.actor(world.rep), batch=upload(world))
    assert Client().get(f"/api/v1/leads/imports/{batch.pk}").status_code == 401
    with django_capture_on_commit_callbacks(execute=True):
        for member in (world.owner2, world.other_rep):
            client = api_client(token_for(member))
            assert client.get(f"/api/v1/leads/imports/{batch.pk}").status_code == 404
            resp = client.post(
                f"/api/v1/leads/imports/{batch.pk}/start", {}, content_type="application/json"
            )
            assert resp.status_code == 404 and resp.json()["code"] == "not_found"
        readonly = api_client(token_for(world.readonly))
        resp = readonly.post(
            f"/api/v1/leads/imports/{batch.pk}/start", {}, content_type="application/json"
        )
        assert resp.status_code == 403
        resp = readonly.post("/api/v1/leads/imports", {"file": csv_upload()})
        assert resp.status_code == 403
        assert readonly.get("/api/v1/leads/imports").status_code == 403
    assert LeadImport.objects.get(pk=batch.pk).status == ImportStatus.PREVIEWED
    assert LeadImport.objects.count() == 1
    assert not Lead.objects.filter(import_batch=batch).exists()


def test_a_lead_page_says_which_import_created_it(
    world, client_for, django_capture_on_commit_callbacks
):
    from tradewind.leads.imports import lead_import_start

    batch = lead_import_preview(actor=world.actor(world.rep), batch=upload(world))
    with django_capture_on_commit_callbacks(execute=True):
        lead_import_start(actor=world.actor(world.rep), batch=batch)
    lead = Lead.objects.filter(import_batch=batch).first()
    lead.owner_id = world.rep.user_id
    lead.save()
    page = client_for(world.rep).get(f"/leads/{lead.pk}/").content.decode()
    assert f"由导入 #{batch.pk} 创建" in page and f"/leads/imports/{batch.pk}/" in page
    assert (
        'data-testid="lead-import-origin"'
        not in client_for(world.rep).get(f"/leads/{world.lead.pk}/").content.decode()
    )
