"""Comments with @mentions: the service, safe rendering, the panel (htmx), the API and who may
read, write, edit and delete."""

from __future__ import annotations

import pytest

from tradewind.activities import comments
from tradewind.activities.comments_render import render_body
from tradewind.activities.models import Comment, Notification
from tradewind.core.errors import NotFound, PermissionDenied, ServiceError
from tradewind.workspaces.models import AuditEvent


def add(world, member, body, target=None, **kw):
    return comments.comment_add(
        actor=world.actor(member), target=target or world.lead, body=body, **kw
    )


def test_mention_notifies_colleagues_who_can_open_the_record(world):
    # rep2 ("rep2") is in the rep's team but with scope "own": cannot open the rep's lead
    comment = add(world, world.rep, "@manager please check, and @rep2 too; @nobody")
    assert comment.mentions == sorted([world.manager.user_id, world.rep2.user_id])
    told = set(
        Notification.objects.filter(kind="comment.mention").values_list("user_id", flat=True)
    )
    assert told == {world.manager.user_id}
    note = Notification.objects.get(kind="comment.mention")
    assert note.url == f"/leads/{world.lead.pk}/#comment-{comment.pk}"
    assert AuditEvent.objects.filter(target_type="comment", target_id=comment.pk).count() == 1
    # editing tells only the newly mentioned, once
    comments.comment_edit(
        actor=world.actor(world.rep), comment=comment, body="@manager @Boss A have a look"
    )
    told = list(
        Notification.objects.filter(kind="comment.mention").values_list("user_id", flat=True)
    )
    assert sorted(told) == sorted([world.manager.user_id, world.owner.user_id])


def test_longest_name_wins_and_explicit_ids_must_be_members():
    people = [(1, "Li"), (2, "Li Lei"), (3, "Wang")]
    assert comments.find_mentions("hi @li lei", people) == [2]
    assert comments.find_mentions("@Li and @Li Lei", people) == [1, 2]
    assert comments.find_mentions("no one", people, explicit=[3, 99, "x"]) == [3]


def test_body_is_escaped_before_mentions_are_marked():
    html = render_body(
        '<script>alert(1)</script> @Bob <b>"x"</b>\nline', {7: "Bob", 8: "<img>"}, [7, 8]
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<span class="mention">@Bob</span>' in html
    assert "<img>" not in html and "<br>" in html


def test_empty_or_long_body_is_refused_and_nothing_is_written(world):
    for body in ("  ", "x" * 5001):
        with pytest.raises(ServiceError) as exc:
            add(world, world.rep, body)
        assert exc.value.code == "comment_invalid" and "body" in exc.value.fields
    assert not Comment.objects.exists()


def test_only_the_author_edits_or_deletes(world):
    comment = add(world, world.rep, "first")
    with pytest.raises(NotFound):
        comments.own_comment_get(member=world.manager, pk=comment.pk)
    with pytest.raises(NotFound):
        comments.comment_edit(actor=world.actor(world.manager), comment=comment, body="hijack")
    with pytest.raises(PermissionDenied):
        add(world, world.readonly, "read-only people do not comment")
    comments.comment_delete(actor=world.actor(world.rep), comment=comment)
    assert not Comment.objects.exists()
    assert AuditEvent.objects.filter(target_type="comment", verb="delete").exists()


def test_panel_posts_through_htmx_and_renders_safely(world, client_for):
    client = client_for(world.rep)
    url = f"/comments/lead/{world.lead.pk}/"
    resp = client.post(url, {"body": "<b>bold</b> @manager"}, HTTP_HX_REQUEST="true")
    assert resp.status_code == 200
    assert b"&lt;b&gt;bold&lt;/b&gt;" in resp.content and b"<b>bold" not in resp.content
    assert b'<span class="mention">@manager</span>' in resp.content
    bad = client.post(url, {"body": ""}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and Comment.objects.count() == 1
    plain = client.post(url, {"body": "without htmx"})
    assert plain.status_code == 302 and plain["Location"] == f"/leads/{world.lead.pk}/#comments"
    page = client.get(f"/leads/{world.lead.pk}/")
    assert b"without htmx" in page.content and b"mention-people" in page.content


def test_page_authorization_matrix(world, client, client_for):
    url = f"/comments/lead/{world.lead.pk}/"
    assert client.post(url, {"body": "x"}).status_code == 302  # to sign-in
    assert client_for(world.owner2).post(url, {"body": "x"}).status_code == 404
    assert client_for(world.other_rep).post(url, {"body": "x"}).status_code == 404
    assert client_for(world.readonly).post(url, {"body": "x"}).status_code == 403
    assert not Comment.objects.exists()
    comment = add(world, world.rep, "mine")
    edit = f"/comments/{comment.pk}/edit/"
    assert client_for(world.manager).post(edit, {"body": "theirs"}).status_code == 404
    assert client_for(world.rep).post(edit, {"body": "still mine"}).status_code == 302
    comment.refresh_from_db()
    assert comment.body == "still mine" and comment.edited_at is not None


def test_api_list_add_edit_delete(world, api, token_for):
    token = token_for(world.rep)
    q = f"?target_type=lead&target_id={world.lead.pk}"
    resp = api(
        "post", f"/comments{q}", token, {"body": "<i>hi</i>", "mentions": [world.manager.user_id]}
    )
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert data["mentions"] == [world.manager.user_id] and "&lt;i&gt;" in data["html"]
    assert [c["id"] for c in api("get", f"/comments{q}", token).json()] == [data["id"]]
    edited = api("patch", f"/comments/{data['id']}", token, {"body": "hello"})
    assert edited.status_code == 200 and edited.json()["edited_at"]
    assert api("delete", f"/comments/{data['id']}", token).status_code == 204


def test_api_authorization_matrix(world, api, token_for):
    q = f"?target_type=lead&target_id={world.lead.pk}"
    assert api("get", f"/comments{q}").status_code == 401
    for member in (world.owner2, world.other_rep):
        token = token_for(member)
        assert api("get", f"/comments{q}", token).status_code == 404
        assert api("post", f"/comments{q}", token, {"body": "x"}).status_code == 404
    assert (
        api("get", "/comments?target_type=invoice&target_id=1", token_for(world.rep)).status_code
        == 404
    )
    assert api("post", f"/comments{q}", token_for(world.readonly), {"body": "x"}).status_code == 403
    assert not Comment.objects.exists()
    comment = add(world, world.rep, "mine")
    other = api("patch", f"/comments/{comment.pk}", token_for(world.manager), {"body": "theirs"})
    assert other.status_code == 404
    bad = api("post", f"/comments{q}", token_for(world.rep), {"body": ""})
    assert bad.status_code == 422 and bad.json()["code"] == "comment_invalid"
    assert list(Comment.objects.values_list("body", flat=True)) == ["mine"]
