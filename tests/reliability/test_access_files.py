"""Issue #10 item 1, files: every stored or generated file of the rep — a private library file, a
quote line photo, the lead and customer import error files, the quotation and PI PDFs — opens for
the rep and answers 404 with none of its bytes to a rep of the same team, a rep of another team, a
manager of another subtree and the other workspace, through the page and the API. The company
chop is the workspace's: the other workspace never gets it."""

from __future__ import annotations

import struct
import zlib

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.test_isolation import targets

from .access_probe import call
from .access_support import build_scopes, text_of

SECRET = b"ZQFILE-SECRET"


def png(text: bytes) -> bytes:
    """A 1x1 PNG carrying text in a tEXt chunk (so a leak of the bytes is searchable)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", b"Comment\x00" + text)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def _rep_files(world, client_for, token_for) -> tuple[list[str], list[str], list[str]]:
    """Upload the rep's files through the real routes; answer page urls, API paths, PDF paths."""
    from tradewind.customers.services import customer_create
    from tradewind.orders.documents import document_create
    from tradewind.orders.quotes import quote_create, quote_transition

    objects = targets(world)
    token = token_for(world.rep)
    client = client_for(world.rep)
    library = client.post(
        "/api/v1/library/files",
        {
            "file": SimpleUploadedFile("notes.txt", SECRET + b" library notes"),
            "title": "ZQFILE library",
            "visibility": "private",
        },
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert library.status_code in (200, 201), library.content
    item_id = library.json()["id"]

    # a customer of the rep's own (the walker customer has rep2 as a collaborator)
    own = customer_create(actor=world.actor(world.rep), allow_duplicates=True, name="ZQFILE buyer")
    draft = quote_create(
        actor=world.actor(world.rep),
        customer_id=own.pk,
        title="ZQFILE draft",
        lines=[{"description": "photo line", "quantity": 1, "unit_price": "3"}],
    )
    line = draft.versions.get().lines.get()
    photo = client.post(
        f"/api/v1/quotes/{draft.pk}/lines/{line.pk}/photo",
        {"photo": SimpleUploadedFile("line.png", png(SECRET), content_type="image/png")},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert photo.status_code == 200, photo.content

    for batch in (objects["lead_import"], objects["customer_import"]):
        batch.error_file.save("errors.csv", ContentFile(SECRET + b",bad row\n"), save=True)

    act = world.actor(world.rep)
    quote = quote_create(
        actor=act,
        customer_id=own.pk,
        title="ZQFILE offer",
        lines=[{"description": "ZQFILE item", "quantity": 2, "unit_price": "5"}],
    )
    quote_transition(actor=act, quote_id=quote.pk, to="sent")
    quote_transition(actor=act, quote_id=quote.pk, to="accepted")
    document = document_create(actor=act, quote_id=quote.pk, kind="PI")
    lead_batch, customer_batch = objects["lead_import"], objects["customer_import"]
    pages = [
        f"/library/items/{item_id}/file/",
        f"/quotes/{draft.pk}/lines/{line.pk}/photo.img",
        f"/leads/imports/{lead_batch.pk}/errors.csv",
        f"/customers/imports/{customer_batch.pk}/errors/",
    ]
    apis = [
        f"/library/items/{item_id}/file",
        f"/quotes/{draft.pk}/lines/{line.pk}/photo",
        f"/leads/imports/{lead_batch.pk}/errors",
    ]
    pdfs = [f"/quotes/{quote.pk}/quotation.pdf", f"/documents/{document.pk}/pdf"]
    return pages, apis, pdfs


def test_files_open_for_their_owner_and_answer_404_to_everyone_else(world, client_for, token_for):
    scopes = build_scopes(world)
    pages, apis, pdfs = _rep_files(world, client_for, token_for)
    rep_client, rep_token = client_for(world.rep), token_for(world.rep)
    for url in pages:
        resp = rep_client.get(url)
        assert resp.status_code == 200 and SECRET in text_of(resp), url
    for path in apis:
        resp = call("get", path, rep_token)
        assert resp.status_code == 200 and SECRET in text_of(resp), path
    resp = call("get", pdfs[0], rep_token)
    assert resp.status_code == 200 and text_of(resp).startswith(b"%PDF-")

    outsiders = [world.rep2, world.other_rep, scopes.north_manager, world.owner2]
    for member in outsiders:
        client, token = client_for(member), token_for(member)
        who = member.user.email
        for url in pages:
            resp = client.get(url)
            assert resp.status_code == 404, f"{who}: GET {url} answered {resp.status_code}"
            assert SECRET not in text_of(resp), f"{who}: GET {url} leaked the file"
        for path in apis + pdfs:
            resp = call("get", path, token)
            assert resp.status_code == 404, f"{who}: API GET {path} answered {resp.status_code}"
            assert resp.json()["code"] == "not_found"
            assert b"ALPHA-EAST-SECRET" not in resp.content


def test_the_company_chop_never_reaches_another_workspace(world, client_for, token_for):
    owner = client_for(world.owner)
    chop = png(SECRET)
    resp = owner.post(
        "/api/v1/settings/documents/chop",
        {"chop": SimpleUploadedFile("chop.png", chop, content_type="image/png")},
        HTTP_AUTHORIZATION=f"Bearer {token_for(world.owner)}",
    )
    assert resp.status_code == 200, resp.content
    assert SECRET in text_of(owner.get("/settings/documents/chop.img"))
    other = client_for(world.owner2).get("/settings/documents/chop.img")
    # workspace B has no chop: it gets the transparent placeholder, never A's image
    assert SECRET not in text_of(other) and text_of(other) != chop
