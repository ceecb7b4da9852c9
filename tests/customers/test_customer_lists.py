"""Customer lists: filters, sorts, saved views, presets, bulk actions (with the authorization matrix),
export (formula escaping, round trip through the import), and constant query counts."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone

from tradewind.customers.filters import CustomerFilter
from tradewind.customers.models import Contact, Customer
from tradewind.customers.services import contact_create, customer_create
from tradewind.workspaces.models import AuditEvent, SavedView


def make(world, member=None, **data):
    data.setdefault("name", "Customer")
    return customer_create(actor=world.actor(member or world.rep), allow_duplicates=True, **data)


@pytest.fixture
def three(world):
    a = make(world, name="Alpha Lights", source="trade_show", tags=["eu"], rating=5, country="DE")
    b = make(world, name="Beta Lamps", source="referral", tags=["us"], rating=2, country="US")
    c = make(world, name="ALPHA-EAST-SECRET Other", member=world.other_rep)
    return a, b, c


def names(resp) -> list[str]:
    return [c.name for c in resp.context["page"].items]


def test_filters_sorts_and_scope(world, three, client_for):
    a, _b, _c = three
    rep = client_for(world.rep)
    assert names(rep.get("/customers/?source=trade_show")) == ["Alpha Lights"]
    assert names(rep.get("/customers/?tag=us")) == ["Beta Lamps"]
    assert names(rep.get("/customers/?rating=4")) == ["Alpha Lights"]
    assert names(rep.get("/customers/?country=us")) == ["Beta Lamps"]
    assert names(rep.get("/customers/?sort=name")) == ["Alpha Lights", "Beta Lamps"]
    assert names(rep.get("/customers/?source=nonsense&sort=bogus")) == [
        "Beta Lamps",
        "Alpha Lights",
    ]
    Customer.objects.filter(pk=a.pk).update(
        next_followup_at=timezone.now() - timezone.timedelta(days=1)
    )
    assert names(rep.get("/customers/?due=overdue&sort=due")) == ["Alpha Lights"]
    assert names(rep.get("/customers/?due=none")) == ["Beta Lamps"]
    assert names(rep.get("/customers/?idle=30")) == ["Beta Lamps", "Alpha Lights"]
    assert "ALPHA-EAST-SECRET Other" in names(client_for(world.owner).get("/customers/"))
    assert CustomerFilter.from_params({"created_from": "junk"}).created_from is None


def test_presets_and_saved_views_page_and_api(world, three, client_for, api, token_for):
    rep = client_for(world.rep)
    resp = rep.get("/customers/?owner=me")
    assert resp.context["active_preset"] == "mine"
    resp = rep.post("/customers/views/save/", {"name": "EU", "query": "tag=eu&cursor=x"})
    view = SavedView.objects.get(module="customers", name="EU")
    assert resp.status_code == 302 and view.query == "tag=eu"
    assert b"EU" in rep.get("/customers/").content
    assert rep.post("/customers/views/save/", {"name": "", "query": ""}).status_code == 302
    assert SavedView.objects.filter(module="customers").count() == 1
    token = token_for(world.rep)
    listed = api("get", "/customers/views", token=token).json()
    assert {"mine", "pool"} <= {v["key"] for v in listed if v["builtin"]}
    made = api("post", "/customers/views", token=token, json={"name": "US", "query": "tag=us"})
    assert made.status_code == 201
    dup = api("post", "/customers/views", token=token, json={"name": "US", "query": ""})
    assert dup.status_code == 409 and dup.json()["code"] == "view_name_taken"
    other = api("delete", f"/customers/views/{view.pk}", token=token_for(world.rep2))
    assert other.status_code == 404
    assert client_for(world.rep2).post(f"/customers/views/{view.pk}/delete/").status_code == 404
    assert rep.post(f"/customers/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_bulk_rate_and_tag_by_ids_and_by_filter(world, three, client_for):
    a, b, c = three
    rep = client_for(world.rep)
    resp = rep.post(
        "/customers/bulk/", {"action": "rate", "value_rate": "3", "ids": [a.pk, b.pk, c.pk]}
    )
    assert resp.status_code == 302
    assert sorted(Customer.objects.filter(rating=3).values_list("pk", flat=True)) == [a.pk, b.pk]
    rep.post(
        "/customers/bulk/",
        {"action": "tag", "value_tag": "fair", "scope": "all", "query": "source=referral"},
    )
    assert sorted(Customer.objects.get(pk=b.pk).tags) == ["fair", "us"]
    assert Customer.objects.get(pk=a.pk).tags == ["eu"]
    rep.post("/customers/bulk/", {"action": "untag", "value_untag": "fair", "ids": [b.pk]})
    assert Customer.objects.get(pk=b.pk).tags == ["us"]
    assert (
        AuditEvent.objects.filter(target_type="customer", target_id=b.pk, verb="update").count()
        == 3
    )


def test_bulk_authorization_matrix(world, three, client_for, client, api, token_for):
    a, b, _c = three
    before = list(Customer.objects.order_by("pk").values_list("pk", "version", "owner_id"))
    # anonymous: sent to sign in, nothing changed
    resp = client.post("/customers/bulk/", {"action": "rate", "value_rate": "1", "ids": [a.pk]})
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    assert api("post", "/customers/bulk", json={"action": "rate", "ids": [a.pk]}).status_code == 401
    # other workspace: sees none of them -> "select at least one", nothing changed
    out = api(
        "post",
        "/customers/bulk",
        token=token_for(world.owner2),
        json={"action": "rate", "value": "1", "ids": [a.pk]},
    )
    assert out.status_code == 422 and out.json()["code"] == "nothing_selected"
    # no permission: read-only cannot edit; a rep cannot delete or assign
    ro = api(
        "post",
        "/customers/bulk",
        token=token_for(world.readonly),
        json={"action": "rate", "value": "1", "ids": [a.pk]},
    )
    assert ro.status_code == 403
    assert (
        client_for(world.rep)
        .post("/customers/bulk/", {"action": "delete", "ids": [a.pk]})
        .status_code
        == 403
    )
    rep_assign = api(
        "post",
        "/customers/bulk",
        token=token_for(world.rep),
        json={"action": "assign", "value": str(world.rep2.user_id), "ids": [a.pk]},
    )
    assert rep_assign.status_code == 403
    assert list(Customer.objects.order_by("pk").values_list("pk", "version", "owner_id")) == before
    # permission: the manager assigns, the owner deletes
    done = api(
        "post",
        "/customers/bulk",
        token=token_for(world.manager),
        json={"action": "assign", "value": str(world.rep2.user_id), "ids": [a.pk, b.pk]},
    )
    assert done.status_code == 200 and done.json()["done"] == 2
    assert set(Customer.objects.filter(pk__in=[a.pk, b.pk]).values_list("owner_id", flat=True)) == {
        world.rep2.user_id
    }
    gone = api(
        "post",
        "/customers/bulk",
        token=token_for(world.owner),
        json={"action": "delete", "filters": {"q": "Beta"}},
    )
    assert gone.json() == {"done": 1, "skipped": {}}
    assert not Customer.objects.filter(pk=b.pk).exists()
    assert AuditEvent.objects.filter(target_type="customer", target_id=b.pk, verb="delete").exists()


def test_bulk_bad_input_changes_nothing_and_skips_with_reasons(world, three, api, token_for):
    from tradewind.sales.services import opportunity_create

    a, b, _c = three
    token = token_for(world.owner)
    before = list(Customer.objects.order_by("pk").values_list("pk", "version"))
    bad = api(
        "post", "/customers/bulk", token=token, json={"action": "rate", "value": "9", "ids": [a.pk]}
    )
    assert bad.status_code == 422 and bad.json()["code"] == "unknown_action"
    none = api(
        "post",
        "/customers/bulk",
        token=token,
        json={"action": "release", "value": "", "ids": [a.pk]},
    )
    assert none.status_code == 422
    nothing = api(
        "post", "/customers/bulk", token=token, json={"action": "tag", "value": "x", "ids": []}
    )
    assert nothing.json()["code"] == "nothing_selected"
    assert (
        api("post", "/customers/bulk", token=token, json={"action": "explode"}).status_code == 422
    )
    assert list(Customer.objects.order_by("pk").values_list("pk", "version")) == before
    opportunity_create(actor=world.actor(world.rep), customer=a, name="Keeps it")
    mixed = api(
        "post", "/customers/bulk", token=token, json={"action": "delete", "ids": [a.pk, b.pk]}
    )
    assert mixed.json()["done"] == 1 and sum(mixed.json()["skipped"].values()) == 1
    assert Customer.objects.filter(pk=a.pk).exists()


def test_list_query_count_constant(world, client_for, django_assert_max_num_queries):
    client = client_for(world.manager)
    client.get("/customers/")
    for i in range(30):
        make(world, name=f"Many {i}", tags=["t"])
    with django_assert_max_num_queries(14):
        resp = client.get("/customers/?tag=t&sort=name")
    assert resp.status_code == 200 and len(resp.context["page"].items) == 30


def test_export_escapes_formulas_and_reimports_to_the_same_values(world, client_for):
    rep = client_for(world.rep)
    c = make(
        world,
        name="=HYPERLINK(1)",
        source="referral",
        type="importer",
        country="DE",
        rating=4,
        tags=["eu", "fair"],
        website="www.roundtrip.example",
    )
    contact_create(
        actor=world.actor(world.rep),
        customer=c,
        name="Anna",
        email="anna@roundtrip.example",
        decision_role="buyer",
        whatsapp="+49 151 111",
    )
    resp = rep.get("/customers/export/?format=csv&q=HYPERLINK", HTTP_ACCEPT_LANGUAGE="zh-hans")
    data = b"".join(resp.streaming_content)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][1].startswith("编号") is False and "公司名称 Company name" in rows[0]
    assert rows[1][rows[0].index("公司名称 Company name")] == "'=HYPERLINK(1)"
    xlsx = rep.get("/customers/export/?format=xlsx")
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"
    expected = (
        Customer.objects.filter(pk=c.pk)
        .values("name", "type", "country", "rating", "tags", "source", "web_domain")
        .get()
    )
    contact = (
        Contact.objects.filter(customer=c)
        .values("name", "email", "decision_role", "whatsapp")
        .get()
    )
    Customer.objects.filter(pk=c.pk).delete()
    upload = io.BytesIO(data)
    upload.name = "export.csv"
    resp = rep.post("/customers/imports/", {"file": upload})
    batch = resp.url.rstrip("/").split("/")[-1]
    detail = rep.get(f"/customers/imports/{batch}/")
    mapping = {f"col_{i}": chosen for i, _h, chosen in detail.context["columns"]}
    rep.post(f"/customers/imports/{batch}/", mapping)
    rep.post(f"/customers/imports/{batch}/run/")
    again = Customer.objects.get(name="=HYPERLINK(1)")
    got = Customer.objects.filter(pk=again.pk).values(*expected).get()
    assert got == expected
    assert Contact.objects.filter(customer=again).values(*contact).get() == contact


def test_export_scope_and_permission(world, three, client_for, api, token_for):
    resp = api("get", "/customers/export?format=csv", token=token_for(world.rep))
    body = b"".join(resp.streaming_content).decode("utf-8-sig")
    assert "Alpha Lights" in body and "ALPHA-EAST-SECRET" not in body
    other = api("get", "/customers/export?format=csv", token=token_for(world.owner2))
    assert "Alpha Lights" not in b"".join(other.streaming_content).decode("utf-8-sig")
