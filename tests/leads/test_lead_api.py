import pytest

from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create
from tradewind.workspaces.models import AuditEvent


def test_create_defaults_owner_to_caller_and_audits_token(world, api, token_for):
    token = token_for(world.rep)
    resp = api(
        "post",
        "/leads",
        token,
        {"company_name": "API GmbH", "email": "a@api.test", "country": "de"},
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert (
        body["owner_id"] == world.rep.user_id
        and body["country"] == "DE"
        and body["code"].startswith("XL")
    )
    event = AuditEvent.objects.get(target_type="lead", target_id=body["id"])
    assert event.actor_kind == "token" and event.actor_token_id is not None


def test_create_into_pool_with_explicit_null(world, api, token_for):
    resp = api(
        "post", "/leads", token_for(world.rep), {"company_name": "Pool Co", "owner_id": None}
    )
    assert resp.status_code == 201 and resp.json()["owner_id"] is None


def test_validation_errors_are_coded_and_change_nothing(world, api, token_for):
    count = Lead.objects.count()
    resp = api(
        "post",
        "/leads",
        token_for(world.rep),
        {"company_name": "", "email": "nope", "source": "bogus"},
    )
    assert resp.status_code == 422
    body = resp.json()
    assert body["code"] == "invalid" and {"company_name", "source"} <= set(body["fields"])
    resp = api("post", "/leads", token_for(world.rep), {"company_name": "X", "email": "nope"})
    assert resp.status_code == 422 and "email" in resp.json()["fields"]
    resp = api(
        "post",
        "/leads",
        token_for(world.rep),
        {"company_name": "X", "owner_id": world.owner2.user_id},
    )
    assert resp.status_code == 422 and "owner" in resp.json()["fields"]
    assert Lead.objects.count() == count


def test_errors_are_translated(world, api, token_for):
    resp = api(
        "post",
        "/leads",
        token_for(world.readonly),
        {"company_name": "X"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert resp.status_code == 403
    assert resp.json() == {
        "code": "permission_denied",
        "message": "You do not have permission to do this.",
        "fields": {},
    }


def test_permission_matrix_for_patch(world, api, token_for):
    path = f"/leads/{world.lead.pk}"
    assert api("patch", path, None, {"phone": "1"}).status_code == 401
    assert api("patch", path, token_for(world.owner2), {"phone": "1"}).status_code == 404
    assert api("patch", path, token_for(world.readonly), {"phone": "1"}).status_code == 403
    assert Lead.objects.get(pk=world.lead.pk).phone == ""
    resp = api("patch", path, token_for(world.rep), {"phone": "+86 138 0013 8000", "version": 1})
    assert resp.status_code == 200 and resp.json()["version"] == 2


def test_patch_stale_version_is_409(world, api, token_for):
    token = token_for(world.rep)
    api("patch", f"/leads/{world.lead.pk}", token, {"contact_name": "A", "version": 1})
    resp = api("patch", f"/leads/{world.lead.pk}", token, {"contact_name": "B", "version": 1})
    assert resp.status_code == 409 and resp.json()["code"] == "stale_version"


def test_delete(world, api, token_for):
    assert api("delete", f"/leads/{world.lead.pk}", token_for(world.rep)).status_code == 403
    assert api("delete", f"/leads/{world.lead.pk}", token_for(world.manager)).status_code == 204
    assert not Lead.objects.filter(pk=world.lead.pk).exists()


def test_history(world, api, token_for):
    token = token_for(world.rep)
    api("patch", f"/leads/{world.lead.pk}", token, {"contact_name": "Hans"})
    resp = api("get", f"/leads/{world.lead.pk}/history", token, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200
    assert resp.json()[0]["verb"] == "updated"


@pytest.fixture
def many(world):
    for i in range(25):
        lead_create(actor=world.actor(world.rep), company_name=f"Paged {i:02d}")


def test_list_pages_with_cursor_without_overlap(
    world, many, api, token_for, django_assert_max_num_queries
):
    token = token_for(world.rep)
    seen, cursor, pages = [], None, 0
    while True:
        path = "/leads?limit=10" + (f"&cursor={cursor}" if cursor else "")
        with django_assert_max_num_queries(6):
            resp = api("get", path, token)
        body = resp.json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        pages += 1
        if not cursor:
            break
    assert pages == 3 and len(seen) == len(set(seen)) == 27  # 25 + the rep's own + the pool lead
    assert world.other_lead.pk not in seen


def test_list_filters_match_the_page(world, api, token_for):
    resp = api("get", "/leads?owner=none", token_for(world.owner))
    assert [i["company_name"] for i in resp.json()["items"]] == ["ALPHA-POOL Co"]
    resp = api("get", "/leads?q=west", token_for(world.owner))
    assert [i["company_name"] for i in resp.json()["items"]] == ["ALPHA-WEST-SECRET Ltd"]


def test_openapi_schema_and_docs(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    post = schema["paths"]["/api/v1/leads"]["post"]
    assert {"201", "401", "403", "409", "422"} <= set(post["responses"])
    assert client.get("/api/v1/docs").status_code == 200


def test_docs_page_loads_assets_from_our_own_server(client):
    html = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in html and "/static/ninja/" in html
