"""Library services: scripts and files in folders, shared or private, tags, the rules of who may
change what, sniffed file types and downloads served as attachments."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.utils import translation

from tests.enablement.conftest import script
from tradewind.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from tradewind.enablement import files, library
from tradewind.enablement.models import LibraryFolder, LibraryItem, LibraryTag
from tradewind.sales.models_products import Product
from tradewind.workspaces.models import AuditEvent


def visible_titles(member) -> set[str]:
    return set(LibraryItem.objects.visible_to(member).values_list("title", flat=True))


def test_private_items_are_seen_by_their_owner_only(world):
    script(world, title="Shared opener")
    library.item_create(
        actor=world.actor(world.rep),
        kind="script",
        title="My own opener",
        body="Hi!",
        visibility="private",
    )
    assert visible_titles(world.rep) == {"Shared opener", "My own opener"}
    # Not the manager, not the owner of the workspace, not a colleague, not workspace B.
    for member in (world.manager, world.owner, world.rep2, world.readonly):
        assert visible_titles(member) == {"Shared opener"}, member
    assert visible_titles(world.owner2) == set()
    mine = LibraryItem.objects.get(title="My own opener")
    with pytest.raises(NotFound):
        library.item_get(world.manager, mine.pk)


def test_who_may_add_and_change_what(world):
    # Sharing is the curators' (EMAIL_MANAGE: owner, manager, marketing); a rep keeps it private.
    with pytest.raises(PermissionDenied):
        script(world, world.rep, title="Shared by a rep")
    own = script(world, world.rep, title="Rep's", visibility="private")
    shared = script(world, world.manager, title="Manager's")
    with pytest.raises(PermissionDenied):
        library.item_update(actor=world.actor(world.rep), item_id=shared.pk, title="x")
    with pytest.raises(PermissionDenied):  # read-only: no private items either
        script(world, world.readonly, title="Viewer's", visibility="private")
    library.item_update(actor=world.actor(world.rep), item_id=own.pk, title="Rep's, better")
    library.item_update(actor=world.actor(world.owner), item_id=shared.pk, title="Owner edits")
    # A rep may not share their private item; a curator may not take a rep's item private-to-them.
    with pytest.raises(PermissionDenied):
        library.item_update(actor=world.actor(world.rep), item_id=own.pk, visibility="shared")
    assert LibraryItem.objects.get(pk=own.pk).title == "Rep's, better"
    assert LibraryItem.objects.get(pk=shared.pk).title == "Owner edits"
    with pytest.raises(NotFound):  # another workspace
        library.item_update(actor=world.actor(world.owner2), item_id=shared.pk, title="x")
    library.item_delete(actor=world.actor(world.rep), item_id=own.pk)
    assert not LibraryItem.objects.filter(pk=own.pk).exists()
    actions = AuditEvent.objects.filter(target_type="library_item").values_list("verb", flat=True)
    assert set(actions) == {"create", "update", "delete"}


def test_bad_input_is_refused_with_translated_messages_and_nothing_written(world):
    before = LibraryItem.objects.count()
    with translation.override("zh-hans"), pytest.raises(ServiceError) as err:
        script(world, title="", body="")
    assert err.value.code == "library_title_required"
    assert set(err.value.fields) == {"title", "body"}
    assert err.value.fields["title"] == ["请输入标题。"]
    with pytest.raises(ServiceError) as err:
        script(world, kind="review", title="x")
    assert err.value.code == "library_use_review_form"
    with pytest.raises(ServiceError) as err:
        script(world, products=[987654])
    assert err.value.code == "library_bad_product"
    other = Product.objects.create(workspace=world.ws2, sku="B-1", name_en="Other workspace")
    with pytest.raises(ServiceError):
        script(world, products=[other.pk])
    with pytest.raises(ServiceError) as err:
        script(world, objections=["x" * 121])
    assert err.value.code == "library_bad_tag"
    assert LibraryItem.objects.count() == before


def test_tags_fold_and_stages_keep_their_key_in_both_languages(world):
    product = Product.objects.create(workspace=world.ws, sku="LX-1", name_en="LED panel")
    item = script(
        world,
        industries="Manufacturing， manufacturing ; 制造业",
        stages=["报价", "Negotiation", "Own stage"],
        objections="Price too high\n价格太高",
        products=[product.pk],
    )
    tags = {(t.kind, t.key) for t in LibraryTag.objects.filter(item=item)}
    assert tags == {
        ("industry", "manufacturing"),
        ("industry", "制造业"),
        ("stage", "quotation"),
        ("stage", "negotiation"),
        ("stage", "own stage"),
        ("objection", "price too high"),
        ("objection", "价格太高"),
        ("product", str(product.pk)),
    }
    # Updating one kind keeps the others.
    library.item_update(actor=world.actor(world.owner), item_id=item.pk, objections=["Delivery"])
    kinds = LibraryTag.objects.filter(item=item).values_list("kind", "key")
    assert ("objection", "delivery") in kinds and ("stage", "quotation") in kinds
    assert ("objection", "price too high") not in kinds


def test_folders_tree_rules(world):
    act = world.actor(world.owner)
    top = library.folder_create(actor=act, name="Catalogues")
    sub = library.folder_create(actor=act, name="2024", parent_id=top.pk)
    mine = library.folder_create(actor=world.actor(world.rep), name="Mine", visibility="private")
    with pytest.raises(PermissionDenied):
        library.folder_create(actor=world.actor(world.rep), name="Shared by rep")
    with pytest.raises(ServiceError) as err:  # shared folder inside a private one
        library.folder_create(actor=act, name="x", parent_id=mine.pk)
    assert err.value.code == "library_bad_folder"  # the owner cannot even see it
    with pytest.raises(ServiceError) as err:
        library.folder_update(actor=act, folder_id=top.pk, parent_id=sub.pk)
    assert err.value.code == "library_folder_cycle"
    # A shared item cannot sit in a private folder; nobody files into a folder they cannot see.
    owners = library.folder_create(actor=act, name="Owner's own", visibility="private")
    with translation.override("en"), pytest.raises(ServiceError) as err:
        script(world, folder_id=owners.pk)
    assert err.value.fields["folder"] == ["A company-shared item cannot be in a private folder."]
    with pytest.raises(ServiceError):
        script(world, world.manager, folder_id=mine.pk)
    item = script(world, world.rep, title="In mine", visibility="private", folder_id=mine.pk)
    with pytest.raises(Conflict):
        library.folder_delete(actor=world.actor(world.rep), folder_id=mine.pk)
    library.item_delete(actor=world.actor(world.rep), item_id=item.pk)
    library.folder_delete(actor=world.actor(world.rep), folder_id=mine.pk)
    assert not LibraryFolder.objects.filter(pk=mine.pk).exists()
    assert set(LibraryFolder.objects.visible_to(world.rep2).values_list("name", flat=True)) == {
        "Catalogues",
        "2024",
    }


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n...", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "image/png"),
        (b"GIF89a....", "image/gif"),
        (b"<html><script>alert(1)</script></html>", "text/plain"),
        (b"\x00\x01\x02binary", "application/octet-stream"),
        (b"PK\x03\x04not really a zip", "application/octet-stream"),
        ("价格表 price list".encode(), "text/plain"),
    ],
)
def test_types_come_from_the_bytes(data, expected):
    assert files.sniff(data) == expected


def test_office_files_are_recognised():
    assert files.sniff(_docx()).endswith("wordprocessingml.document")


def test_file_upload_is_stored_under_a_random_name_and_served_as_attachment(world, media):
    item = library.item_create(
        actor=world.actor(world.owner),
        kind="file",
        title="Catalogue 2024",
        file_name="../../catalogue 目录.html",
        file_data=b"<html><script>alert(1)</script></html>",
    )
    assert item.file_name == "catalogue 目录.html"
    assert item.file_type == "text/plain" and item.file_size == 38
    assert "catalogue" not in item.file.name and item.file.name.startswith(
        f"library/{world.ws.pk}/"
    )
    response = files.download(item)
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "catalogue%20%E7%9B%AE%E5%BD%95.html" in response["Content-Disposition"]
    with pytest.raises(ServiceError) as err:
        library.item_create(actor=world.actor(world.owner), kind="file", title="x", file_data=b"")
    assert err.value.code == "library_file_required"
    with pytest.raises(ServiceError) as err:
        library.item_create(
            actor=world.actor(world.owner),
            kind="file",
            title="x",
            file_name="big.bin",
            file_data=b"0" * (files.MAX_BYTES + 1),
        )
    assert err.value.code == "library_file_too_large"
