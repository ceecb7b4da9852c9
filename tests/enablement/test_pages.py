"""Library, review and daily-report pages: they render for the right people, htmx partials, forms
with translated errors, the suggestion panel on records, the copy counter, sending by e-mail, and
bounded query counts on the lists."""

from __future__ import annotations

import pytest

from tests.enablement.conftest import objection, script
from tradewind.enablement import library
from tradewind.enablement.models import DailyReport, LibraryItem, LibraryUsage
from tradewind.sales.closing import opportunity_close


def test_library_page_lists_shared_and_own_items_and_searches(world, client_for):
    script(world, title="Shared opener", body="Good morning, 您好")
    library.item_create(
        actor=world.actor(world.rep),
        kind="script",
        title="Rep's note",
        body="x",
        visibility="private",
    )
    page = client_for(world.rep).get("/library/")
    assert page.status_code == 200
    assert b"Shared opener" in page.content and b"Rep&#x27;s note" in page.content
    other = client_for(world.rep2).get("/library/")
    assert b"Shared opener" in other.content and b"Rep&#x27;s note" not in other.content
    # The search answers the list partial to htmx.
    part = client_for(world.rep).get(
        "/library/?q=您好", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="items"
    )
    assert part.status_code == 200 and b"<html" not in part.content
    assert b"Shared opener" in part.content and b"Rep&#x27;s note" not in part.content
    empty = client_for(world.rep).get("/library/?q=nothing-like-this")
    assert b'data-testid="empty-state"' in empty.content


def test_library_list_query_count_is_flat(world, client_for, django_assert_max_num_queries):
    for i in range(25):
        script(world, title=f"Script {i}", stages="quotation", objections=f"o{i}")
    client = client_for(world.rep)
    client.get("/library/")
    with django_assert_max_num_queries(14):
        resp = client.get("/library/")
    assert resp.content.count(b'data-testid="library-item"') == 25


def test_new_script_form_permissions_and_errors(world, client_for):
    client = client_for(world.rep)
    page = client.get("/library/items/new/?kind=script")
    assert page.status_code == 200 and b'data-testid="f-vis-private"' in page.content
    resp = client.post(
        "/library/items/new/",
        {"kind": "script", "title": "", "body": "", "visibility": "private"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 422
    assert "请输入标题。".encode() in resp.content and "请填写话术内容。".encode() in resp.content
    assert LibraryItem.objects.count() == 0
    # A rep cannot share (403, nothing made); a private script is fine.
    resp = client.post(
        "/library/items/new/", {"kind": "script", "title": "T", "body": "B", "visibility": "shared"}
    )
    assert resp.status_code == 403 and LibraryItem.objects.count() == 0
    resp = client.post(
        "/library/items/new/",
        {"kind": "script", "title": "T", "body": "B", "visibility": "private", "stages": "报价"},
    )
    item = LibraryItem.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/library/items/{item.pk}/"
    assert client_for(world.readonly).get("/library/items/new/").status_code == 403


def test_file_page_upload_and_download(world, client_for, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(world.manager)
    resp = client.post(
        "/library/items/new/?kind=file",
        {
            "kind": "file",
            "title": "Certificate",
            "visibility": "shared",
            "file": SimpleUploadedFile("cert.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 30),
        },
    )
    item = LibraryItem.objects.get()
    assert resp.status_code == 302 and item.file_type == "image/png"
    download = client_for(world.rep).get(f"/library/items/{item.pk}/file/")
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith('attachment; filename="cert.png"')
    assert client_for(world.owner2).get(f"/library/items/{item.pk}/file/").status_code == 404


def test_copy_counter_and_mark_as_sent(world, client_for, opp):
    item = script(world, title="Opener")
    client = client_for(world.rep)
    resp = client.post(
        f"/library/items/{item.pk}/use/",
        {"action": "copied", "target_type": "opportunity", "target_id": opp.pk},
        HTTP_HX_REQUEST="true",
    )
    assert resp.status_code == 200
    resp = client.post(f"/library/items/{item.pk}/use/", {"action": "sent", "next": "/library/"})
    assert resp.status_code == 302 and resp["Location"] == "/library/"
    item.refresh_from_db()
    assert (item.copy_count, item.send_count) == (1, 1)
    assert (
        client_for(world.readonly)
        .post(f"/library/items/{item.pk}/use/", {"action": "copied"})
        .status_code
        == 403
    )
    assert (
        client.post(
            f"/library/items/{item.pk}/use/",
            {"action": "copied", "target_type": "lead", "target_id": world.other_lead.pk},
            HTTP_HX_REQUEST="true",
        ).status_code
        == 404
    )
    assert LibraryUsage.objects.count() == 2


def test_records_load_the_panel_and_the_panel_suggests(world, client_for, opp, customer):
    script(world, title="Price at quotation", stages="quotation", objections="price too high")
    objection(world, opp, "price too high again")
    client = client_for(world.rep)
    for url in (
        f"/opportunities/{opp.pk}/",
        f"/customers/{customer.pk}/",
        f"/leads/{world.lead.pk}/",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert b'data-testid="library-panel-loader"' in page.content, url
        assert b"tradewind/library.js" in page.content
    panel = client.get(f"/library/suggest/opportunity/{opp.pk}/")
    assert panel.status_code == 200
    assert b"Price at quotation" in panel.content and b'data-reason="objection"' in panel.content
    assert b"price too high again" in panel.content
    typed = client.get(f"/library/suggest/opportunity/{opp.pk}/?objection=delivery")
    assert b'data-reason="objection"' not in typed.content
    assert (
        client_for(world.other_rep).get(f"/library/suggest/opportunity/{opp.pk}/").status_code
        == 404
    )
    assert client.get(f"/library/suggest/order/{opp.pk}/").status_code == 404


def test_closed_opportunity_offers_a_review(world, client_for, opp):
    client = client_for(world.rep)
    assert (
        b'data-testid="add-review"'
        not in client.get(f"/library/suggest/opportunity/{opp.pk}/").content
    )
    opportunity_close(actor=world.actor(world.rep), opportunity_id=opp.pk, outcome="won")
    panel = client.get(f"/library/suggest/opportunity/{opp.pk}/")
    assert b'data-testid="add-review"' in panel.content
    form = client.get(f"/library/reviews/new/{opp.pk}/")
    assert form.status_code == 200 and opp.code.encode() in form.content
    resp = client.post(
        f"/library/reviews/new/{opp.pk}/", {"title": "T", "worked": "", "failed": ""}
    )
    assert resp.status_code == 422 and LibraryItem.objects.count() == 0
    resp = client.post(
        f"/library/reviews/new/{opp.pk}/",
        {"title": "Won with a demo", "worked": "Live demo", "industries": "Manufacturing"},
    )
    review = LibraryItem.objects.get(kind="review")
    assert resp.status_code == 302 and resp["Location"] == f"/library/items/{review.pk}/"
    panel = client.get(f"/library/suggest/opportunity/{opp.pk}/")
    assert b'data-testid="review-link"' in panel.content
    assert client.get(f"/library/reviews/new/{opp.pk}/")["Location"] == (
        f"/library/reviews/{review.pk}/edit/"
    )
    month = client.get("/library/reviews/monthly/")
    assert month.status_code == 200 and b"Won with a demo" in month.content
    assert client.get("/library/usage/").status_code == 200
    assert client_for(world.readonly).get(f"/library/reviews/new/{opp.pk}/").status_code == 403


def test_send_by_email_attaches_the_file_and_counts_it(world, client_for, customer, media):
    pytest.importorskip("tradewind.mailing.sending")
    from tradewind.mailing.models import EmailMessage

    item = library.item_create(
        actor=world.actor(world.owner),
        kind="file",
        title="Catalogue",
        file_name="cat.pdf",
        file_data=b"%PDF-1.4 catalogue",
    )
    client = client_for(world.rep)
    form = client.get(
        f"/library/items/{item.pk}/email/?target_type=customer&target_id={customer.pk}"
    )
    assert form.status_code == 200
    resp = client.post(
        f"/library/items/{item.pk}/email/",
        {
            "to": "buyer@example.test",
            "subject": "Our catalogue",
            "body": "Please find it attached.",
            "target_type": "customer",
            "target_id": customer.pk,
            "next": f"/customers/{customer.pk}/",
        },
    )
    assert resp.status_code == 302, resp.content
    email = EmailMessage.objects.get()
    assert email.to == ["buyer@example.test"]
    assert email.target_type == "customer" and email.target_id == customer.pk
    assert [a["name"] for a in email.attachments] == ["cat.pdf"]
    usage = LibraryUsage.objects.get()
    assert (usage.action, usage.target_type, usage.target_id) == ("sent", "customer", customer.pk)
    bad = client.post(
        f"/library/items/{item.pk}/email/", {"to": "not an address", "subject": "x", "body": "y"}
    )
    assert bad.status_code == 422 and EmailMessage.objects.count() == 1


def test_daily_report_pages(world, client_for):
    rep = client_for(world.rep)
    page = rep.get("/reports/daily/mine/")
    assert page.status_code == 200 and b'data-testid="preview-note"' in page.content
    assert DailyReport.objects.count() == 0  # a preview writes nothing
    resp = rep.post("/reports/daily/mine/", {})
    report = DailyReport.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/reports/daily/{report.pk}/"
    assert rep.get("/reports/daily/mine/")["Location"] == f"/reports/daily/{report.pk}/"
    resp = rep.post(f"/reports/daily/{report.pk}/", {"action": "submit", "comment": "Done"})
    assert resp.status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted" and report.comment == "Done"
    manager = client_for(world.manager)
    team = manager.get("/reports/daily/")
    assert team.status_code == 200 and b'data-status="submitted"' in team.content
    assert team.content.count(b'data-testid="daily-row"') == 3
    detail = manager.get(f"/reports/daily/{report.pk}/")
    assert detail.status_code == 200 and b'data-testid="report-form"' not in detail.content
    resp = manager.post(f"/reports/daily/{report.pk}/comment/", {"body": "Well done"})
    assert resp.status_code == 302
    assert b"Well done" in manager.get(f"/reports/daily/{report.pk}/").content
    assert manager.post(f"/reports/daily/{report.pk}/", {"action": "submit"}).status_code == 403
    assert client_for(world.rep2).get(f"/reports/daily/{report.pk}/").status_code == 404
    assert rep.get("/reports/daily/?day=bogus").status_code == 200


def test_hub_and_nav_list_the_new_pages(world, client_for):
    hub = client_for(world.rep).get("/reports/")
    for url in (b"/reports/daily/", b"/library/reviews/monthly/", b"/library/usage/"):
        assert url in hub.content
    assert b'data-nav="library"' in hub.content
