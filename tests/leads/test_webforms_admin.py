"""Web form settings: service validation, pages (list, create, detail with snippet, toggle,
process overflow) and the admin API, with the authorization matrix."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from tradewind.core.errors import PermissionDenied, ServiceError
from tradewind.leads.models import Lead, LeadPolicy, WebForm, WebFormSubmission
from tradewind.leads.webforms import webform_create, webform_process_overflow, webform_submit

SITE = "https://shop.example.com"


@pytest.fixture
def form(world) -> WebForm:
    cache.clear()
    return webform_create(
        actor=world.actor(world.owner), name="Fair 2026", allowed_origins=[SITE], daily_budget=1
    )


def test_create_normalises_origins_and_checks_required_fields(world):
    actor = world.actor(world.owner)
    f = webform_create(
        actor=actor, name="x", allowed_origins="https://Shop.Example.com/path\nhttp://a.test:8080"
    )
    assert f.allowed_origins == ["https://shop.example.com", "http://a.test:8080"]
    assert len(f.key) >= 24
    policy = LeadPolicy.for_workspace(world.ws)
    policy.required_fields = ["company_name", "phone"]
    policy.save()
    with pytest.raises(ServiceError) as exc:
        webform_create(actor=actor, name="y", fields=["company_name"], allowed_origins=["ftp://x"])
    assert set(exc.value.fields) == {"fields", "allowed_origins"}
    with pytest.raises(PermissionDenied):
        webform_create(actor=world.actor(world.manager), name="z")
    assert WebForm.objects.count() == 1


def test_admin_processes_overflow_now(world, form):
    for i in range(3):
        webform_submit(form=form, payload={"company_name": f"Over {i} Co"})
    assert WebFormSubmission.objects.filter(state="overflow").count() == 2
    with pytest.raises(PermissionDenied):
        webform_process_overflow(actor=world.actor(world.manager), form=form)
    counts = webform_process_overflow(actor=world.actor(world.owner), form=form)
    assert counts == {"accepted": 2, "rejected": 0}
    assert Lead.objects.filter(company_name__startswith="Over").count() == 3


# --- pages ------------------------------------------------------------------------------------------


def test_pages_list_create_detail_toggle(world, client_for):
    client = client_for(world.owner)
    empty = client.get("/leads/webforms/")
    assert empty.status_code == 200 and b'data-testid="empty-state"' in empty.content
    resp = client.post(
        "/leads/webforms/new/",
        {
            "name": "Website <b>contact</b>",
            "is_active": "on",
            "fields": ["company_name", "email"],
            "source": "web_form",
            "allowed_origins": SITE,
            "daily_budget": "50",
            "owner": "",
        },
    )
    assert resp.status_code == 302
    f = WebForm.objects.get(name="Website <b>contact</b>")
    detail = client.get(f"/leads/webforms/{f.pk}/").content.decode()
    assert f"/f/{f.key}/" in detail
    assert "fetch(" in detail and "&lt;form class=&quot;tw-webform&quot;" in detail
    assert "<b>contact</b>" not in detail
    client.post(f"/leads/webforms/{f.pk}/toggle/")
    assert WebForm.objects.get(pk=f.pk).is_active is False
    assert Client().get(f"/f/{f.key}/").status_code == 404


def test_page_bad_input_shows_translated_errors(world, client_for):
    client = client_for(world.owner)
    resp = client.post(
        "/leads/webforms/new/",
        {
            "name": "x",
            "fields": ["company_name"],
            "source": "web_form",
            "allowed_origins": "not a site",
            "daily_budget": "5",
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 200
    assert "不是" in resp.content.decode()
    assert not WebForm.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"), [("anon", 302), ("owner2", 404), ("manager", 403), ("owner", 302)]
)
def test_process_overflow_page_authorization(world, form, client_for, who, status):
    webform_submit(form=form, payload={"company_name": "One Co"})
    webform_submit(form=form, payload={"company_name": "Two Co"})
    client = Client() if who == "anon" else client_for(getattr(world, who))
    resp = client.post(f"/leads/webforms/{form.pk}/process-overflow/")
    assert resp.status_code == status
    assert WebFormSubmission.objects.filter(state="overflow").exists() is (who != "owner")


def test_submissions_page_filters_by_state(world, form, client_for):
    webform_submit(form=form, payload={"company_name": "Accepted Co"})
    webform_submit(form=form, payload={"company_name": "Overflow Co"})
    webform_submit(form=form, payload={"company_name": "Spam Co", "homepage": "x"})
    page = client_for(world.owner).get(f"/leads/webforms/{form.pk}/?state=overflow")
    body = page.content.decode()
    assert "Overflow Co" in body and "Accepted Co" not in body and "Spam Co" not in body


# --- API --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"), [(None, 401), ("owner2", 404), ("manager", 404), ("owner", 200)]
)
def test_api_update_authorization_matrix(world, form, api, token_for, who, status):
    token = token_for(getattr(world, who)) if who else None
    resp = api("patch", f"/leads/webforms/{form.pk}", token=token, json={"name": "hijack"})
    assert resp.status_code == status
    assert (WebForm.objects.get(pk=form.pk).name == "hijack") is (who == "owner")


def test_api_crud_and_bad_input(world, api, token_for):
    token = token_for(world.owner)
    resp = api(
        "post",
        "/leads/webforms",
        token=token,
        json={"name": "API form", "allowed_origins": [SITE], "fields": ["company_name"]},
    )
    assert resp.status_code == 201
    body = resp.json()
    assert body["url"].endswith(f"/f/{body['key']}/")
    bad = api(
        "post",
        "/leads/webforms",
        token=token,
        json={"name": "x", "fields": ["password"]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 422 and "fields" in bad.json()["fields"]
    assert [f["name"] for f in api("get", "/leads/webforms", token=token).json()] == ["API form"]
    assert api("get", "/leads/webforms", token=token_for(world.manager)).status_code == 403
    assert api("get", f"/leads/webforms/{body['id']}/submissions", token=token).json() == []
    assert api("post", f"/leads/webforms/{body['id']}/process-overflow", token=token).json() == {
        "accepted": 0,
        "rejected": 0,
    }
    assert api("delete", f"/leads/webforms/{body['id']}", token=token).status_code == 204
    assert not WebForm.objects.exists()
