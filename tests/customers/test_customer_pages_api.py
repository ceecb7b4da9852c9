"""Customer pages and API: list (search, filters, keyset pages, htmx partial), detail, forms,
contacts; the authorization matrix on every write (anonymous / other workspace / no permission /
permission) with the side effect asserted absent."""

from __future__ import annotations

import pytest

from tradewind.customers.models import Contact, Customer
from tradewind.customers.services import contact_create, customer_create


@pytest.fixture
def buyer(world):
    customer = customer_create(
        actor=world.actor(world.rep),
        name="ALPHA-EAST-SECRET Buyer GmbH",
        country="DE",
        type="importer",
    )
    contact_create(
        actor=world.actor(world.rep), customer=customer, name="Hans Weber", email="hans@buyer.de"
    )
    return customer


def test_nav_link_opens_the_real_list(world, buyer, client_for):
    client = client_for(world.rep)
    resp = client.get("/customers/")
    assert resp.status_code == 200 and b"ALPHA-EAST-SECRET Buyer" in resp.content
    assert b'data-nav="customers"' in resp.content and b"not built yet" not in resp.content


def test_list_search_by_contact_filters_and_scope(world, buyer, client_for):
    other = customer_create(actor=world.actor(world.other_rep), name="West Customer Ltd")
    rep = client_for(world.rep)
    assert b"Buyer GmbH" in rep.get("/customers/?q=hans@buyer").content
    assert b"Buyer GmbH" not in rep.get("/customers/?q=nobody").content
    assert b"Buyer GmbH" in rep.get("/customers/?type=importer").content
    assert b"Buyer GmbH" not in rep.get("/customers/?type=retailer").content
    assert b"West Customer" not in rep.get("/customers/").content  # own scope
    assert b"West Customer" in client_for(world.manager).get("/customers/").content
    assert other.code.encode() in client_for(world.owner).get(f"/customers/?q={other.code}").content


def test_list_htmx_partial_and_keyset_pages(world, client_for):
    for i in range(55):
        customer_create(actor=world.actor(world.rep), allow_duplicates=True, name=f"Bulk {i:03d}")
    client = client_for(world.rep)
    part = client.get("/customers/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="customer-results")
    assert b"<html" not in part.content and b"Bulk 054" in part.content
    page1 = client.get("/customers/")
    assert b"Bulk 000" not in page1.content and b'data-testid="next-page"' in page1.content
    cursor = page1.context["page"].next_cursor
    page2 = client.get(f"/customers/?cursor={cursor}")
    assert b"Bulk 000" in page2.content and b"Bulk 054" not in page2.content


def test_list_query_count_is_constant(world, client_for, django_assert_max_num_queries):
    client = client_for(world.manager)
    client.get("/customers/")  # warm the session
    for i in range(30):
        customer_create(actor=world.actor(world.rep), allow_duplicates=True, name=f"Many {i}")
    with django_assert_max_num_queries(12):
        resp = client.get("/customers/?q=Many")
    assert resp.status_code == 200 and b"Many 29" in resp.content


def test_empty_state(world, client_for):
    resp = client_for(world.rep).get("/customers/")
    assert b'data-testid="empty-state"' in resp.content


def test_detail_shows_contacts_history_and_is_404_outside_scope(world, buyer, client_for):
    from tradewind.customers.services import customer_update

    customer_update(actor=world.actor(world.rep), customer=buyer, tags=["vip", "eu"])
    resp = client_for(world.rep).get(f"/customers/{buyer.pk}/")
    assert b"vip" in resp.content
    assert resp.status_code == 200
    assert b"Hans Weber" in resp.content and b'data-testid="timeline"' in resp.content
    assert client_for(world.other_rep).get(f"/customers/{buyer.pk}/").status_code == 404
    assert client_for(world.owner2).get(f"/customers/{buyer.pk}/").status_code == 404


def test_create_page_warns_on_duplicates_then_creates(world, buyer, client_for):
    client = client_for(world.rep2)
    resp = client.post("/customers/new/", {"name": "Alpha-East-Secret Buyer", "source": "other"})
    assert resp.status_code == 200 and b'data-testid="duplicates"' in resp.content
    assert buyer.code.encode() in resp.content
    assert f'href="/customers/{buyer.pk}/"'.encode() not in resp.content  # rep2 cannot open it
    assert Customer.objects.count() == 1
    resp = client.post(
        "/customers/new/",
        {"name": "Alpha-East-Secret Buyer", "source": "other", "confirm_duplicate": "on"},
    )
    assert resp.status_code == 302 and Customer.objects.count() == 2


def test_create_page_bad_input(world, client_for):
    resp = client_for(world.rep).post(
        "/customers/new/", {"name": "X", "email": "nope", "source": "other"}
    )
    assert resp.status_code == 200 and b"invalid-feedback" in resp.content
    assert not Customer.objects.exists()


def test_edit_and_contact_pages(world, buyer, client_for):
    client = client_for(world.rep)
    assert client.get(f"/customers/{buyer.pk}/edit/").status_code == 200
    resp = client.post(
        f"/customers/{buyer.pk}/edit/",
        {"name": buyer.name, "city": "Bremen", "source": "other", "version": 1, "country": "DE"},
    )
    assert resp.status_code == 302
    buyer.refresh_from_db()
    assert buyer.city == "Bremen" and buyer.version == 2
    resp = client.post(
        f"/customers/{buyer.pk}/contacts/new/", {"name": "Eva", "phone": "+49 30 1234567"}
    )
    assert resp.status_code == 302
    eva = Contact.objects.get(name="Eva")
    resp = client.post(f"/customers/contacts/{eva.pk}/edit/", {"name": "Eva Roth", "version": 1})
    assert resp.status_code == 302 and Contact.objects.get(pk=eva.pk).name == "Eva Roth"


@pytest.mark.parametrize("who", ["anonymous", "owner2", "other_rep", "readonly"])
def test_page_writes_authorization_matrix(world, buyer, client_for, client, who):
    c = client if who == "anonymous" else client_for(getattr(world, who))
    expected = {"anonymous": 302, "owner2": 404, "other_rep": 404, "readonly": 403}[who]
    contact = Contact.objects.get(customer=buyer)
    assert c.post(f"/customers/{buyer.pk}/edit/", {"name": "hijack"}).status_code == expected
    assert (
        c.post(f"/customers/{buyer.pk}/contacts/new/", {"name": "hijack"}).status_code == expected
    )
    assert (
        c.post(f"/customers/contacts/{contact.pk}/edit/", {"name": "hijack"}).status_code
        == expected
    )
    # Creating is not a write on the buyer: members who may create do (in their own workspace).
    new = c.post("/customers/new/", {"name": "Fresh Ltd", "source": "other"}).status_code
    assert new == {"anonymous": 302, "owner2": 302, "other_rep": 302, "readonly": 403}[who]
    assert not Customer.objects.filter(name="hijack", workspace=world.ws).exists()
    assert not Contact.objects.filter(name="hijack").exists()
    buyer.refresh_from_db()
    assert buyer.version == 1


# --- API --------------------------------------------------------------------------------------


def test_api_create_get_list_update(world, api, token_for):
    token = token_for(world.rep)
    resp = api("post", "/customers", token, {"name": "API Buyer", "country": "us", "rating": 5})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["code"].startswith("KH") and body["country"] == "US" and body["contacts"] == []
    cid = body["id"]
    resp = api(
        "post", f"/customers/{cid}/contacts", token, {"name": "Joe", "email": "joe@api.test"}
    )
    assert resp.status_code == 201 and resp.json()["is_primary"] is True
    contact_id = resp.json()["id"]
    assert api("get", f"/customers/{cid}", token).json()["contacts"][0]["name"] == "Joe"
    assert [c["name"] for c in api("get", f"/customers/{cid}/contacts", token).json()] == ["Joe"]
    listed = api("get", "/customers?q=joe@api", token).json()
    assert [c["id"] for c in listed["items"]] == [cid]
    resp = api("patch", f"/customers/{cid}", token, {"city": "Austin", "version": 1})
    assert resp.status_code == 200 and resp.json()["version"] == 2
    resp = api("patch", f"/customers/{cid}", token, {"city": "Dallas", "version": 1})
    assert resp.status_code == 409 and resp.json()["code"] == "stale_version"
    resp = api("patch", f"/customers/contacts/{contact_id}", token, {"title": "Buyer"})
    assert resp.status_code == 200 and resp.json()["title"] == "Buyer"


def test_api_duplicate_409_then_allow(world, buyer, api, token_for):
    token = token_for(world.rep2)
    resp = api("post", "/customers", token, {"name": "ALPHA-EAST-SECRET Buyer"})
    assert resp.status_code == 409 and resp.json()["code"] == "duplicate"
    assert buyer.code in resp.json()["fields"]
    resp = api(
        "post", "/customers?allow_duplicates=true", token, {"name": "ALPHA-EAST-SECRET Buyer"}
    )
    assert resp.status_code == 201


def test_api_bad_input_is_coded_and_translated(world, api, token_for):
    resp = api(
        "post", "/customers", token_for(world.rep), {"name": ""}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert resp.status_code == 422 and resp.json()["code"] == "name_required"
    assert resp.json()["fields"]["name"] == ["请输入公司名称。"]
    assert not Customer.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "owner2", "other_rep", "readonly"])
def test_api_authorization_matrix(world, buyer, api, token_for, who):
    token = None if who == "anonymous" else token_for(getattr(world, who))
    expected = {"anonymous": 401, "owner2": 404, "other_rep": 404, "readonly": 403}[who]
    contact = Contact.objects.get(customer=buyer)
    assert api("patch", f"/customers/{buyer.pk}", token, {"name": "hijack"}).status_code == expected
    assert (
        api("post", f"/customers/{buyer.pk}/contacts", token, {"name": "hijack"}).status_code
        == expected
    )
    assert (
        api("patch", f"/customers/contacts/{contact.pk}", token, {"name": "hijack"}).status_code
        == expected
    )
    read = api("get", f"/customers/{buyer.pk}", token).status_code
    assert read == {"anonymous": 401, "owner2": 404, "other_rep": 404, "readonly": 200}[who]
    assert not Contact.objects.filter(name="hijack").exists()
    buyer.refresh_from_db()
    assert buyer.version == 1 and buyer.name.startswith("ALPHA")
