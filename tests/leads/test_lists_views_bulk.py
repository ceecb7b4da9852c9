"""Saved views and bulk actions: services, pages, API; who may do what; bad input changes nothing."""

import pytest
from django.test import Client
from django.utils import translation

from tradewind.core.errors import ServiceError
from tradewind.leads import bulk
from tradewind.leads.filters import LeadFilter
from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create
from tradewind.workspaces import saved_views
from tradewind.workspaces.models import AuditEvent, SavedView


def test_saved_view_is_private_unless_shared_by_a_manager(world):
    mine = saved_views.saved_view_create(
        actor=world.actor(world.rep),
        module="leads",
        name="  My  A leads ",
        query="?grade=A&cursor=xyz",
    )
    assert mine.name == "My A leads" and mine.query == "grade=A"  # paging state dropped
    assert list(saved_views.saved_views_for(world.rep2, "leads")) == []
    # A rep's "shared" tick is ignored; a manager's is kept.
    rep_shared = saved_views.saved_view_create(
        actor=world.actor(world.rep), module="leads", name="Try share", query="", shared=True
    )
    assert rep_shared.shared is False
    shared = saved_views.saved_view_create(
        actor=world.actor(world.manager),
        module="leads",
        name="Team pool",
        query="owner=none",
        shared=True,
    )
    assert [v.name for v in saved_views.saved_views_for(world.rep2, "leads")] == ["Team pool"]
    # Another workspace never sees it.
    assert list(saved_views.saved_views_for(world.owner2, "leads")) == []
    # Someone else's shared view cannot be deleted by a rep: it does not exist for them to change.
    with pytest.raises(ServiceError):
        saved_views.saved_view_delete(actor=world.actor(world.rep2), view=shared)
    assert SavedView.objects.filter(pk=shared.pk).exists()


def test_saved_view_bad_input_changes_nothing(world):
    saved_views.saved_view_create(
        actor=world.actor(world.rep), module="leads", name="Dup", query=""
    )
    count, audits = SavedView.objects.count(), AuditEvent.objects.count()
    for name in ("", "   ", "Dup"):
        with pytest.raises(ServiceError) as exc:
            saved_views.saved_view_create(
                actor=world.actor(world.rep), module="leads", name=name, query=""
            )
        assert exc.value.code in ("view_name_missing", "view_name_taken")
    assert (SavedView.objects.count(), AuditEvent.objects.count()) == (count, audits)


def test_saved_view_pages(world, client_for):
    client = client_for(world.rep)
    resp = client.post(
        "/leads/views/save/", {"name": "Pool B", "query": "owner=none&grade=B&cursor=abc"}
    )
    view = SavedView.objects.get(name="Pool B")
    assert resp.status_code == 302 and resp["Location"].endswith(
        f"?owner=none&grade=B&view={view.pk}"
    )
    assert view.query == "owner=none&grade=B"
    body = client.get(resp["Location"]).content.decode()
    assert "Pool B" in body and 'data-testid="saved-view"' in body
    # Other people cannot delete it (404), nor anonymous users.
    assert client_for(world.rep2).post(f"/leads/views/{view.pk}/delete/").status_code == 404
    assert client_for(world.owner2).post(f"/leads/views/{view.pk}/delete/").status_code == 404
    assert Client().post(f"/leads/views/{view.pk}/delete/").status_code == 302
    assert SavedView.objects.filter(pk=view.pk).exists()
    assert client.post(f"/leads/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_saved_view_api(world, api, token_for):
    token = token_for(world.rep)
    resp = api("post", "/leads/views", token=token, json={"name": "Hot", "query": "grade=A&evil=1"})
    assert resp.status_code == 201 and resp.json()["query"] == "grade=A"
    listed = api("get", "/leads/views", token=token).json()
    assert any(v["builtin"] and v["key"] == "mine" for v in listed)
    assert any(v["name"] == "Hot" for v in listed)
    resp = api(
        "post", "/leads/views", token=token, json={"name": "Hot"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert resp.status_code == 409 and resp.json()["code"] == "view_name_taken"
    assert "Hot" in resp.json()["message"] and "已有" in resp.json()["message"]
    view_id = resp_id = next(v["id"] for v in listed if v["name"] == "Hot")
    assert api("delete", f"/leads/views/{resp_id}", token=token_for(world.rep2)).status_code == 404
    assert api("delete", f"/leads/views/{view_id}", token=token).status_code == 204


@pytest.fixture
def many(world):
    act = world.actor(world.rep)
    return [
        lead_create(
            actor=act, company_name=f"Bulk {i} Ltd", owner=world.rep.user_id, allow_duplicates=True
        )
        for i in range(4)
    ]


def test_bulk_grade_and_release_with_skips(world, many):
    selection = bulk.bulk_selection(
        member=world.rep, ids=[lead.pk for lead in many] + [world.pool_lead.pk]
    )
    result = bulk.leads_bulk_apply(
        actor=world.actor(world.rep), selection=selection, action="grade", value="b"
    )
    assert result.done == 5
    assert set(
        Lead.objects.filter(pk__in=[lead.pk for lead in many]).values_list("grade", flat=True)
    ) == {"B"}
    # Releasing: the pool lead is already in the pool, so it is skipped with its reason.
    with translation.override("en"):
        result = bulk.leads_bulk_apply(
            actor=world.actor(world.rep),
            selection=selection,
            action="release",
            value="Not my market",
        )
    assert result.done == 4 and result.skipped_total == 1
    assert "already in the pool" in next(iter(result.skipped))
    assert not Lead.objects.filter(pk__in=[lead.pk for lead in many], owner__isnull=False).exists()


def test_bulk_only_touches_what_the_actor_sees(world, many):
    # other_rep ticks ids of rep's leads: invisible, so nothing is selected and nothing changes.
    selection = bulk.bulk_selection(member=world.other_rep, ids=[lead.pk for lead in many])
    with pytest.raises(ServiceError) as exc:
        bulk.leads_bulk_apply(
            actor=world.actor(world.other_rep), selection=selection, action="grade", value="A"
        )
    assert exc.value.code == "nothing_selected"
    assert not Lead.objects.filter(grade="A", pk__in=[lead.pk for lead in many]).exists()


def test_bulk_refuses_bad_input_and_missing_permission(world, many):
    audits = AuditEvent.objects.count()
    ids = [lead.pk for lead in many]
    selection = bulk.bulk_selection(member=world.rep, ids=ids)
    for action, value, code in (
        ("explode", "", "unknown_action"),
        ("grade", "Z", "unknown_action"),
        ("release", "  ", "unknown_action"),
    ):
        with pytest.raises(ServiceError) as exc:
            bulk.leads_bulk_apply(
                actor=world.actor(world.rep), selection=selection, action=action, value=value
            )
        assert exc.value.code == code
    # A rep may not delete leads: refused before anything is touched.
    with pytest.raises(ServiceError) as exc:
        bulk.leads_bulk_apply(actor=world.actor(world.rep), selection=selection, action="delete")
    assert exc.value.code == "permission_denied"
    assert Lead.objects.filter(pk__in=ids).count() == 4
    assert AuditEvent.objects.count() == audits


def test_bulk_cap(world, many, monkeypatch):
    monkeypatch.setattr(bulk, "BULK_MAX", 3)
    selection = bulk.bulk_selection(member=world.rep, filters=LeadFilter.from_params({"q": "Bulk"}))
    with pytest.raises(ServiceError) as exc:
        bulk.leads_bulk_apply(
            actor=world.actor(world.rep), selection=selection, action="grade", value="C"
        )
    assert exc.value.code == "too_many"
    assert not Lead.objects.filter(grade="C").exists()


def test_bulk_page_with_all_matching(world, client_for, many):
    resp = client_for(world.manager).post(
        "/leads/bulk/",
        {"scope": "all", "query": "q=Bulk", "action": "grade", "value_grade": "A"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert "4 leads done." in resp.content.decode()
    assert Lead.objects.filter(grade="A", company_name__startswith="Bulk").count() == 4


def test_bulk_page_matrix(world, client_for, many):
    ids = [lead.pk for lead in many]
    data = {"ids": ids, "action": "delete"}
    assert Client().post("/leads/bulk/", data).status_code == 302
    assert client_for(world.owner2).post("/leads/bulk/", data, follow=True).status_code == 200
    assert client_for(world.readonly).post("/leads/bulk/", data).status_code == 403
    assert client_for(world.rep).post("/leads/bulk/", data).status_code == 403
    assert Lead.objects.filter(pk__in=ids).count() == 4
    client_for(world.owner).post("/leads/bulk/", data)
    assert Lead.objects.filter(pk__in=ids).count() == 0
    assert AuditEvent.objects.filter(verb="delete", target_id__in=ids).count() == 4


def test_bulk_api(world, api, token_for, many):
    token = token_for(world.manager)
    resp = api(
        "post",
        "/leads/bulk",
        token=token,
        json={"action": "grade", "value": "C", "ids": [m.pk for m in many]},
    )
    assert resp.status_code == 200 and resp.json() == {"done": 4, "skipped": {}}
    resp = api(
        "post",
        "/leads/bulk",
        token=token,
        json={"action": "grade", "value": "B", "filters": {"q": "Bulk 1"}},
    )
    assert resp.json()["done"] == 1
    resp = api(
        "post",
        "/leads/bulk",
        token=token_for(world.rep),
        json={"action": "delete", "ids": [many[0].pk]},
    )
    assert resp.status_code == 403
    resp = api(
        "post", "/leads/bulk", token=token, json={"action": "grade", "value": "B", "ids": []}
    )
    assert resp.status_code == 422 and resp.json()["code"] == "nothing_selected"


def test_bulk_assign_through_the_assignment_service(world, client_for, many):
    ids = [lead.pk for lead in many]
    resp = client_for(world.manager).post(
        "/leads/bulk/", {"ids": ids, "action": "assign", "value_assign": str(world.rep2.user_id)}
    )
    assert resp.status_code == 302
    assert set(Lead.objects.filter(pk__in=ids).values_list("owner_id", flat=True)) == {
        world.rep2.user_id
    }
    # A rep lacks lead.assign: refused before anything changes.
    assert (
        client_for(world.rep)
        .post("/leads/bulk/", {"ids": ids, "action": "assign", "value_assign": "none"})
        .status_code
        == 403
    )
    assert not Lead.objects.filter(pk__in=ids, owner__isnull=True).exists()
    # To the pool.
    client_for(world.manager).post(
        "/leads/bulk/", {"ids": ids, "action": "assign", "value_assign": "none"}
    )
    assert Lead.objects.filter(pk__in=ids, owner__isnull=True).count() == 4
