"""The follow-up node settings page: list, add, rename in both languages, deactivate, reorder;
admins only; bad input refused with a translated error and nothing changed."""

from __future__ import annotations

import pytest

from tradewind.customers.models_qualification import FollowUpNode
from tradewind.customers.qualification import nodes_of
from tradewind.workspaces.models import AuditEvent


def keys(ws) -> list[str]:
    return [n.key for n in nodes_of(ws, include_inactive=True)]


def test_admin_adds_renames_deactivates_and_moves(world, client_for):
    client = client_for(world.owner)
    page = client.get("/settings/followup-nodes/")
    assert page.status_code == 200 and 'data-testid="followup-nodes"' in page.content.decode()
    assert 'data-testid="settings-followup-nodes"' in page.content.decode()
    assert 'href="/customers/pool/settings/"' in page.content.decode()
    start = keys(world.ws)
    resp = client.post(
        "/settings/followup-nodes/", {"label_en": "Sample sent", "label_zh": "已寄样"}
    )
    assert resp.status_code == 302
    node = FollowUpNode.objects.get(workspace=world.ws, key="sample_sent")
    assert keys(world.ws) == [*start, "sample_sent"]
    resp = client.post(
        f"/settings/followup-nodes/{node.pk}/", {"label_en": "Samples out", "label_zh": "样品已寄"}
    )
    node.refresh_from_db()
    assert resp.status_code == 302 and (node.label_en, node.label_zh) == ("Samples out", "样品已寄")
    client.post(f"/settings/followup-nodes/{node.pk}/move/", {"direction": "up"})
    assert keys(world.ws) == [*start[:-1], "sample_sent", start[-1]]
    client.post(f"/settings/followup-nodes/{node.pk}/move/", {"direction": "down"})
    assert keys(world.ws) == [*start, "sample_sent"]
    client.post(f"/settings/followup-nodes/{node.pk}/move/", {"direction": "down"})  # already last
    assert keys(world.ws) == [*start, "sample_sent"]
    client.post(f"/settings/followup-nodes/{node.pk}/toggle/")
    node.refresh_from_db()
    assert node.active is False
    assert node.key not in [n.key for n in nodes_of(world.ws)]
    client.post(f"/settings/followup-nodes/{node.pk}/toggle/")
    node.refresh_from_db()
    assert node.active is True
    assert AuditEvent.objects.filter(target_type="followup_node", target_id=node.pk).count() >= 4


def test_bad_input_is_refused_translated_and_changes_nothing(world, client_for):
    client = client_for(world.owner)
    start = keys(world.ws)
    resp = client.post(
        "/settings/followup-nodes/",
        {"label_en": " ", "label_zh": ""},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 422 and keys(world.ws) == start
    assert "Give the node a label" not in resp.content.decode()
    node = nodes_of(world.ws)[0]
    resp = client.post(f"/settings/followup-nodes/{node.pk}/", {"label_en": "", "label_zh": ""})
    node.refresh_from_db()
    assert resp.status_code == 422 and (node.label_en or node.label_zh)
    resp = client.post(
        f"/settings/followup-nodes/{node.pk}/move/", {"direction": "sideways"}, follow=True
    )
    assert keys(world.ws) == start and "请将节点上移或下移。" in resp.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "other_workspace", "rep", "manager"])
def test_only_admins_of_the_workspace(world, client, client_for, who):
    node = nodes_of(world.ws)[0]
    label, start = node.label_en, keys(world.ws)
    c = (
        client
        if who == "anonymous"
        else client_for(
            {"other_workspace": world.owner2, "rep": world.rep, "manager": world.manager}[who]
        )
    )
    list_resp = c.get("/settings/followup-nodes/")
    posts = [
        c.post("/settings/followup-nodes/", {"label_en": "Hacked"}),
        c.post(f"/settings/followup-nodes/{node.pk}/", {"label_en": "Hacked"}),
        c.post(f"/settings/followup-nodes/{node.pk}/toggle/"),
        c.post(f"/settings/followup-nodes/{node.pk}/move/", {"direction": "down"}),
    ]
    node.refresh_from_db()
    assert node.label_en == label and node.active and keys(world.ws) == start
    assert not FollowUpNode.objects.filter(workspace=world.ws, label_en="Hacked").exists()
    if who == "anonymous":
        assert list_resp.status_code == 302 and all(r.status_code == 302 for r in posts)
    elif who == "other_workspace":
        # Their own page works; this workspace's node is not found.
        assert list_resp.status_code == 200
        assert f"/settings/followup-nodes/{node.pk}/" not in list_resp.content.decode()
        assert all(r.status_code == 404 for r in posts[1:])
    else:
        assert list_resp.status_code == 403 and all(r.status_code == 403 for r in posts)
