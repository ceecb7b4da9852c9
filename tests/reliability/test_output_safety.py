"""Output safety on the server side: the Content-Security-Policy headers, uploads served with safe
types (an image by its bytes, never by the uploaded name; error files as attachments), and
CSV/XLSX exports that escape formula triggers and re-import to exactly the original values."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tradewind.core import csp
from tradewind.core.spreadsheets import read_rows, write_csv, write_xlsx
from tradewind.leads.imports import lead_import_preview, lead_import_start, lead_import_upload
from tradewind.leads.models import Lead, LeadImport
from tradewind.leads.services import lead_create, lead_delete

TRIGGERS = ["=1+1", "+86 138 0013 8000", "-5", "@home", "\tTab first", "\rCR first", "=SUM(A1)"]
TRICKY_TEXT = ["a\r\nb", "literal _x000D_ text", "_x005F_x0041_", "中文 😀 שלום"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- Content-Security-Policy ------------------------------------------------------------------------


def test_every_response_carries_the_policy(world, client_for, api, token_for):
    for resp in (
        client_for(world.rep).get("/leads/"),
        client_for(world.rep).get("/accounts/login/"),
        api("get", "/leads", token=token_for(world.rep)),
    ):
        enforced = resp["Content-Security-Policy"]
        for part in (
            "default-src 'self'",
            "img-src 'self' data:",
            "style-src 'self' 'unsafe-inline'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ):
            assert part in enforced
        # The strict script policy is enforced (tests/browser/test_csp_enforced.py walks the pages).
        assert enforced.startswith("script-src 'self';") and "unsafe-eval" not in enforced
        assert "Content-Security-Policy-Report-Only" not in resp
        assert resp["X-Content-Type-Options"] == "nosniff"
        assert resp["X-Frame-Options"] == "DENY"


def test_the_policy_is_settings_driven(world, client_for, settings):
    settings.CONTENT_SECURITY_POLICY = "default-src 'self'"
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = csp.STYLE_TARGET
    resp = client_for(world.rep).get("/leads/")
    assert resp["Content-Security-Policy"] == "default-src 'self'"
    assert resp["Content-Security-Policy-Report-Only"] == csp.STYLE_TARGET
    settings.CONTENT_SECURITY_POLICY = ""
    assert "Content-Security-Policy" not in client_for(world.rep).get("/leads/")


# --- uploads served safely ------------------------------------------------------------------------


def png_with_html() -> bytes:
    """A valid PNG (Pillow opens it) that carries HTML in a text chunk: a classic polyglot."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "<html><script>alert(1)</script></html>")
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG", pnginfo=info)
    return out.getvalue()


def test_the_chop_is_served_by_its_bytes_not_its_uploaded_name(world, client_for):
    from tradewind.orders.settings_services import profile_get

    profile = profile_get(world.ws)
    profile.chop.save("evil.html", ContentFile(png_with_html()))
    resp = client_for(world.owner).get("/settings/documents/chop.img")
    assert resp.status_code == 200
    assert resp["Content-Type"] == "image/png"
    assert resp["X-Content-Type-Options"] == "nosniff"
    # not an image at all (written past the checks): a download, never rendered
    profile.chop.save("evil.html", ContentFile(b"<script>alert(1)</script>"))
    resp = client_for(world.owner).get("/settings/documents/chop.img")
    assert resp["Content-Type"] == "application/octet-stream"
    assert resp["Content-Disposition"].startswith("attachment")
    # others: refused, as before
    assert client_for(world.rep).get("/settings/documents/chop.img").status_code == 403


def test_the_import_error_file_is_an_attachment(
    world, client_for, django_capture_on_commit_callbacks
):
    act = world.actor(world.rep)
    data = "公司名称,Email\n<script>alert(1)</script>,not-an-email\n".encode("utf-8-sig")
    batch = lead_import_upload(
        actor=act, file=SimpleUploadedFile("x.html", data), file_name="x.html"
    )
    batch = lead_import_preview(actor=act, batch=batch, mapping={"0": "company_name", "1": "email"})
    with django_capture_on_commit_callbacks(execute=True):
        lead_import_start(actor=act, batch=batch)
    batch = LeadImport.objects.get(pk=batch.pk)
    assert batch.error_count == 1
    resp = client_for(world.rep).get(f"/leads/imports/{batch.pk}/errors.csv")
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("text/csv")
    assert resp["Content-Disposition"].startswith("attachment")
    assert resp["X-Content-Type-Options"] == "nosniff"


# --- export -> re-import round trip ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_writers_escape_triggers_and_the_reader_restores_them_exactly(tmp_path, fmt):
    out = io.BytesIO()
    values = TRIGGERS + TRICKY_TEXT
    (write_csv if fmt == "csv" else write_xlsx)([["value"], *([t] for t in values)], out)
    raw = out.getvalue()
    if fmt == "csv":
        text = raw.decode("utf-8-sig")
        for trigger in TRIGGERS:
            assert "'" + trigger in text  # a leading apostrophe: Excel shows it as text
    path = tmp_path / f"x.{fmt}"
    path.write_bytes(raw)
    assert [cells[0] for _n, cells in read_rows(path, fmt)][1:] == values


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_lead_exported_and_reimported_keeps_its_values_exactly(
    world, client_for, fmt, django_capture_on_commit_callbacks
):
    act = world.actor(world.owner)
    fields = dict(
        company_name="=1+1 Trading",
        contact_name="@home",
        phone="+86 138 0013 8000",
        need="-5 pallets\tthen\rmore",
        email="round@trip.example",
    )
    lead = lead_create(actor=act, **fields)
    names = [*fields, "phone_e164"]
    before = Lead.objects.filter(pk=lead.pk).values(*names).get()
    resp = client_for(world.owner).get(f"/leads/export/?q=Trading&format={fmt}")
    data = b"".join(resp.streaming_content)
    if fmt == "csv":
        assert b"'=1+1 Trading" in data and b"'@home" in data and b"'+86 138" in data
    lead_delete(actor=act, lead=lead)
    batch = lead_import_upload(
        actor=act, file=SimpleUploadedFile(f"x.{fmt}", data), file_name=f"x.{fmt}"
    )
    batch = lead_import_preview(actor=act, batch=batch)
    with django_capture_on_commit_callbacks(execute=True):
        lead_import_start(actor=act, batch=batch)
    after = Lead.objects.filter(email="round@trip.example").values(*names).get()
    assert after == before
