"""Documents: a bilingual PI with Chinese lines read back by the real `pdftotext`, frozen
snapshots, the settings page (letterhead, bank, chop, clauses, payment terms), PI/SC creation rules
and their authorization, amounts in words."""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.orders.conftest import act
from tradewind.core.errors import PermissionDenied, ServiceError
from tradewind.orders import documents, quotes
from tradewind.orders.models import DocumentProfile, PaymentTerm, SalesDocument
from tradewind.orders.settings_services import payment_term_save, profile_update
from tradewind.orders.words import amount_in_words_en, amount_in_words_zh

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)


def png(color: str = "red") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGBA", (40, 40), color).save(buffer, format="PNG")
    return SimpleUploadedFile("chop.png", buffer.getvalue(), content_type="image/png")


def accepted_quote(world, qw):
    rep = act(world.rep)
    quote = quotes.quote_create(actor=rep, opportunity_id=qw.opportunity.pk)
    quotes.quote_transition(actor=rep, quote_id=quote.pk, to="sent")
    return quotes.quote_transition(actor=rep, quote_id=quote.pk, to="accepted")


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout


def test_words():
    assert (
        amount_in_words_en(Decimal("1200.50"), "USD")
        == "SAY TOTAL US DOLLARS ONE THOUSAND TWO HUNDRED AND 50/100 ONLY"
    )
    assert amount_in_words_zh(Decimal("1200.50"), "CNY") == "人民币壹仟贰佰元伍角整"
    assert amount_in_words_zh(Decimal("1200"), "CNY") == "人民币壹仟贰佰元整"
    assert amount_in_words_zh(Decimal("1295.45"), "USD") == "美元壹仟贰佰玖拾伍元肆角伍分"
    assert amount_in_words_en(Decimal("1250"), "JPY") == (
        "SAY TOTAL JAPANESE YEN ONE THOUSAND TWO HUNDRED AND FIFTY ONLY"
    )


@needs_pdftotext
def test_bilingual_pi_pdf_has_extractable_chinese_and_totals(world, qw, tmp_path):
    profile_update(
        actor=act(world.owner),
        fields={
            "seller_name_en": "Ningbo Bright Lighting Co., Ltd.",
            "seller_name_zh": "宁波明亮照明有限公司",
            "bank_beneficiary": "Ningbo Bright Lighting Co., Ltd.",
            "bank_account": "3901 0000 1234",
            "bank_name": "Bank of China, Ningbo Branch",
            "bank_swift": "BKCHCNBJ92A",
        },
        chop=png(),
    )
    quote = accepted_quote(world, qw)
    document = documents.document_create(
        actor=act(world.rep),
        quote_id=quote.pk,
        kind="PI",
        language="bi",
        port_of_loading="Ningbo",
        partial_shipment=True,
        store_pdf=True,
    )
    text = pdf_text(document.pdf.read(), tmp_path)
    for expected in (
        "形式发票",
        "宁波明亮照明有限公司",
        "LED面板灯",
        "安装支架",
        "美元壹仟贰佰玖拾伍元肆角伍分",
        "1,295.45",
        "1,250.00",
        "45.45",
        "SAY TOTAL US DOLLARS ONE THOUSAND TWO HUNDRED AND NINETY-FIVE AND 45/100 ONLY",
        "BKCHCNBJ92A",
        "Ningbo",
        "110%",  # CIF: the insurance line
        document.number,
    ):
        assert expected in text, expected
    # English only: no Chinese labels, the same total.
    english = pdf_text(documents.render_pdf(document.snapshot, "en"), tmp_path)
    assert "形式发票" not in english and "1,295.45" in english


def test_snapshot_is_frozen(world, qw):
    quote = accepted_quote(world, qw)
    document = documents.document_create(actor=act(world.rep), quote_id=quote.pk, kind="SC")
    before = documents.render_html(document.snapshot, "bi")
    profile_update(actor=act(world.owner), fields={"seller_name_en": "Renamed Ltd"})
    qw.product.name_zh = "改名"
    qw.product.save()
    document.refresh_from_db()
    assert documents.render_html(document.snapshot, "bi") == before
    assert "Arbitration" in before and "仲裁" in before  # SC clauses
    version = quote.versions.get(number=1)
    assert documents.draft_snapshot(quote, version) == version.snapshot


def test_documents_only_from_accepted_quotes(world, qw):
    quote = quotes.quote_create(actor=act(world.rep), opportunity_id=qw.opportunity.pk)
    with pytest.raises(ServiceError) as exc:
        documents.document_create(actor=act(world.rep), quote_id=quote.pk, kind="PI")
    assert exc.value.code == "not_accepted"
    quote = accepted_quote(world, qw)
    with pytest.raises(ServiceError) as exc:
        documents.document_create(actor=act(world.rep), quote_id=quote.pk, kind="XX")
    assert exc.value.code == "bad_kind"
    pi = documents.document_create(actor=act(world.rep), quote_id=quote.pk, kind="PI")
    sc = documents.document_create(actor=act(world.rep), quote_id=quote.pk, kind="SC")
    assert pi.number.startswith("PI") and sc.number.startswith("SC")
    assert pi.valid_until is not None and pi.port_of_destination == "Hamburg"


def test_document_routes_authorization(world, qw, client, client_for, api, token_for):
    quote = accepted_quote(world, qw)
    url = f"/quotes/{quote.pk}/documents/"
    assert client.post(url, {"kind": "PI"}).status_code == 302  # anonymous
    assert client_for(world.owner2).post(url, {"kind": "PI"}).status_code == 404
    assert client_for(world.other_rep).post(url, {"kind": "PI"}).status_code == 404
    assert client_for(world.readonly).post(url, {"kind": "PI"}).status_code == 403
    path = f"/quotes/{quote.pk}/documents"
    assert api("post", path, json={"kind": "PI"}).status_code == 401
    assert api("post", path, token=token_for(world.owner2), json={"kind": "PI"}).status_code == 404
    assert (
        api("post", path, token=token_for(world.readonly), json={"kind": "PI"}).status_code == 403
    )
    assert SalesDocument.objects.count() == 0
    resp = client_for(world.rep).post(url, {"kind": "PI", "language": "zh"})
    assert resp.status_code == 302
    document = SalesDocument.objects.get()
    resp = api("post", path, token=token_for(world.rep), json={"kind": "SC"})
    assert resp.status_code == 201 and resp.json()["total"] == "1295.45"
    c = client_for(world.rep)
    pdf = c.get(f"/quotes/documents/{document.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    html = c.get(f"/quotes/documents/{document.pk}.html?lang=bi")
    assert "形式发票" in html.content.decode()
    assert (
        client_for(world.other_rep).get(f"/quotes/documents/{document.pk}.pdf").status_code == 404
    )
    resp = api("get", f"/documents/{document.pk}/pdf", token=token_for(world.rep))
    assert resp.status_code == 200 and resp.content.startswith(b"%PDF")
    assert api("get", f"/documents/{document.pk}", token=token_for(world.owner2)).status_code == 404
    quotation = c.get(f"/quotes/{quote.pk}/quotation.pdf?lang=en")
    assert quotation.status_code == 200 and quotation["Content-Type"] == "application/pdf"


def test_settings_page_and_permissions(world, client_for):
    assert client_for(world.rep).get("/settings/documents/").status_code == 403
    with pytest.raises(PermissionDenied):
        profile_update(actor=act(world.manager), fields={"phone": "1"})
    c = client_for(world.owner)
    page = c.get("/settings/documents/")
    assert page.status_code == 200 and "T/T 30% deposit" in page.content.decode()
    resp = c.post(
        "/settings/documents/",
        {
            "seller_name_en": "Bright",
            "seller_name_zh": "明亮",
            "bank_swift": "X" * 30,
            "chop": png(),
        },
    )
    assert resp.status_code == 200 and b"form-errors" in resp.content  # SWIFT too long
    resp = c.post("/settings/documents/", {"seller_name_en": "Bright", "chop": png()})
    assert resp.status_code == 302
    profile = DocumentProfile.objects.get(workspace=world.ws)
    assert profile.seller_name_en == "Bright" and profile.chop
    assert c.get("/settings/documents/chop.img").status_code == 200
    bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    with pytest.raises(ServiceError) as exc:
        profile_update(actor=act(world.owner), fields={}, chop=bad)
    assert exc.value.code == "bad_chop"
    resp = c.post("/settings/documents/payment-terms/", {"label_en": "CAD", "label_zh": "付款交单"})
    assert resp.status_code == 302
    term = PaymentTerm.objects.get(workspace=world.ws, label_en="CAD")
    assert (
        client_for(world.rep)
        .post(f"/settings/documents/payment-terms/{term.pk}/", {"label_en": "x"})
        .status_code
        == 403
    )
    assert (
        client_for(world.owner2)
        .post(f"/settings/documents/payment-terms/{term.pk}/", {"label_en": "x"})
        .status_code
        == 404
    )
    with pytest.raises(ServiceError):
        payment_term_save(actor=act(world.owner), label_en="CAD")  # duplicate
    assert PaymentTerm.objects.get(pk=term.pk).label_en == "CAD"


def test_line_photo_upload_and_render(world, qw, client_for):
    quote = quotes.quote_create(actor=act(world.rep), opportunity_id=qw.opportunity.pk)
    line = quote.versions.get().lines.order_by("position").first()
    c = client_for(world.rep)
    photo = png("blue")
    photo.name = "panel.png"
    resp = c.post(f"/quotes/{quote.pk}/lines/{line.pk}/photo/", {"photo": photo})
    assert resp.status_code == 302
    line.refresh_from_db()
    assert line.photo
    assert c.get(f"/quotes/{quote.pk}/lines/{line.pk}/photo.img").status_code == 200
    assert (
        client_for(world.owner2).get(f"/quotes/{quote.pk}/lines/{line.pk}/photo.img").status_code
        == 404
    )
    html = c.get(f"/quotes/{quote.pk}/quotation.html?lang=en").content.decode()
    assert "data:image/png;base64," in html
    revised = quotes.quote_transition(actor=act(world.rep), quote_id=quote.pk, to="sent")
    revised = quotes.quote_revise(actor=act(world.rep), quote_id=quote.pk)
    assert revised.versions.get(number=2).lines.exclude(photo="").count() == 1
