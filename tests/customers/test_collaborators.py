"""Customer collaborators (协作人): the service, visibility through visible_to(), the 360 panel,
the API, the list filter, and who may change them."""

from __future__ import annotations

import pytest
from django.utils import translation

from tradewind.activities.models import Notification
from tradewind.core.errors import ServiceError
from tradewind.customers.collaborators import (
    customer_collaborator_add,
    customer_collaborator_remove,
)
from tradewind.customers.filters import CustomerFilter
from tradewind.customers.models import Contact, Customer, CustomerCollaborator
from tradewind.customers.services import contact_create, customer_create
from tradewind.workspaces.models import AuditEvent

HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "collab-panel"}


@pytest.fixture
def cust(world) -> Customer:
    c = customer_create(actor=world.actor(world.rep), allow_duplicates=True, name="EAST Buyer")
    contact_create(actor=world.actor(world.rep), customer=c, name="Erin East")
    return c


def visible(member, model=Customer):
    return set(model.objects.visible_to(member).values_list("pk", flat=True))


# --- service and visibility ------------------------------------------------------------------------


def test_other_team_rep_sees_customer_only_while_collaborating(world, cust):
    contact = Contact.objects.get(customer=cust)
    assert cust.pk not in visible(world.other_rep)
    assert contact.pk not in visible(world.other_rep, Contact)

    customer_collaborator_add(
        actor=world.actor(world.rep), customer=cust, user_id=world.other_rep.user_id
    )
    assert cust.pk in visible(world.other_rep)
    assert contact.pk in visible(world.other_rep, Contact)
    # one row each, no duplicates from the EXISTS
    assert Customer.objects.visible_to(world.other_rep).filter(pk=cust.pk).count() == 1
    [note] = Notification.objects.filter(user=world.other_rep.user)
    assert note.kind == "customer.collaborator_added" and str(cust.pk) in note.url
    [event] = AuditEvent.objects.filter(target_id=cust.pk, action="collaborator_added")
    assert event.changes["collaborator"][1] == str(world.other_rep.user)

    customer_collaborator_remove(
        actor=world.actor(world.rep), customer=cust, user_id=world.other_rep.user_id
    )
    assert cust.pk not in visible(world.other_rep)
    assert contact.pk not in visible(world.other_rep, Contact)
    assert AuditEvent.objects.filter(target_id=cust.pk, action="collaborator_removed").exists()


def test_visibility_is_one_query(world, cust, django_assert_num_queries):
    customer_collaborator_add(
        actor=world.actor(world.rep), customer=cust, user_id=world.other_rep.user_id
    )
    with django_assert_num_queries(1):
        assert len(list(Customer.objects.visible_to(world.other_rep))) >= 1


@pytest.mark.parametrize(
    ("user", "code"),
    [("owner_self", "is_owner"), ("foreign", "not_a_member"), ("nobody", "not_a_member")],
)
def test_bad_colleague_refused_with_code_and_nothing_written(world, cust, user, code):
    user_id = {
        "owner_self": world.rep.user_id,
        "foreign": world.owner2.user_id,
        "nobody": 987654,
    }[user]
    with translation.override("zh-hans"), pytest.raises(ServiceError) as exc:
        customer_collaborator_add(actor=world.actor(world.rep), customer=cust, user_id=user_id)
    assert exc.value.code == code
    assert not str(exc.value.message).isascii()
    assert not CustomerCollaborator.objects.exists()
    assert not Notification.objects.exists()


def test_adding_twice_is_a_conflict(world, cust):
    actor = world.actor(world.rep)
    customer_collaborator_add(actor=actor, customer=cust, user_id=world.rep2.user_id)
    with pytest.raises(ServiceError) as exc:
        customer_collaborator_add(actor=actor, customer=cust, user_id=world.rep2.user_id)
    assert exc.value.code == "already_collaborator" and exc.value.status == 409
    assert CustomerCollaborator.objects.count() == 1


def test_only_owner_or_assign_holder_manages_but_collaborator_may_leave(world, cust):
    with pytest.raises(ServiceError) as exc:
        customer_collaborator_add(
            actor=world.actor(world.rep2), customer=cust, user_id=world.other_rep.user_id
        )
    assert exc.value.status == 403
    customer_collaborator_add(
        actor=world.actor(world.manager), customer=cust, user_id=world.rep2.user_id
    )
    customer_collaborator_add(
        actor=world.actor(world.rep), customer=cust, user_id=world.other_rep.user_id
    )
    with pytest.raises(ServiceError):  # a collaborator cannot remove another one
        customer_collaborator_remove(
            actor=world.actor(world.rep2), customer=cust, user_id=world.other_rep.user_id
        )
    customer_collaborator_remove(
        actor=world.actor(world.rep2), customer=cust, user_id=world.rep2.user_id
    )
    assert list(CustomerCollaborator.objects.values_list("user_id", flat=True)) == [
        world.other_rep.user_id
    ]


def test_filter_collab_me(world, cust):
    other = customer_create(actor=world.actor(world.rep), allow_duplicates=True, name="Other")
    customer_collaborator_add(
        actor=world.actor(world.rep), customer=cust, user_id=world.rep2.user_id
    )
    f = CustomerFilter.from_params({"collab": "me"})
    qs = f.apply(
        Customer.objects.visible_to(world.rep2), user_id=world.rep2.user_id, member=world.rep2
    )
    assert list(qs.values_list("pk", flat=True)) == [cust.pk]
    assert other.pk not in qs.values_list("pk", flat=True)
    assert f.params() == {"collab": "me"}
    assert CustomerFilter.from_params({"collab": "x"}).collab == ""


# --- pages ----------------------------------------------------------------------------------------


def test_panel_page_and_htmx_add_remove(world, cust, client_for):
    c = client_for(world.rep)
    page = c.get(f"/customers/{cust.pk}/")
    assert b"collab-panel-loader" in page.content
    panel = c.get(f"/customers/{cust.pk}/collaborators/", **HX)
    assert panel.status_code == 200 and b"<html" not in panel.content
    assert b"collab-empty" in panel.content
    resp = c.post(
        f"/customers/{cust.pk}/collaborators/add/", {"user_id": world.other_rep.user_id}, **HX
    )
    assert resp.status_code == 200 and b"collab-row" in resp.content
    assert CustomerCollaborator.objects.filter(user=world.other_rep.user).exists()
    resp = c.post(f"/customers/{cust.pk}/collaborators/add/", {"user_id": "x"}, **HX)
    assert b"collab-error" in resp.content
    resp = c.post(f"/customers/{cust.pk}/collaborators/{world.other_rep.user_id}/remove/")
    assert resp.status_code == 302 and resp.url == f"/customers/{cust.pk}/"
    assert not CustomerCollaborator.objects.exists()


def test_collaborator_opens_the_360_page_and_list_filter(world, cust, client_for):
    c = client_for(world.other_rep)
    assert c.get(f"/customers/{cust.pk}/").status_code == 404
    customer_collaborator_add(
        actor=world.actor(world.rep), customer=cust, user_id=world.other_rep.user_id
    )
    assert c.get(f"/customers/{cust.pk}/").status_code == 200
    listing = c.get("/customers/?collab=me")
    assert b"EAST Buyer" in listing.content
    # leaving sends them to the list, the customer is hidden again
    resp = c.post(f"/customers/{cust.pk}/collaborators/{world.other_rep.user_id}/remove/")
    assert resp.status_code == 302 and resp.url == "/customers/"
    assert c.get(f"/customers/{cust.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "other_ws", "readonly", "rep2"])
def test_page_authorization_matrix(world, cust, client, client_for, who):
    c = (
        client
        if who == "anonymous"
        else client_for(
            {"other_ws": world.owner2, "readonly": world.readonly, "rep2": world.rep2}[who]
        )
    )
    resp = c.post(f"/customers/{cust.pk}/collaborators/add/", {"user_id": world.other_rep.user_id})
    assert (
        resp.status_code
        in {"anonymous": (302,), "other_ws": (404,), "readonly": (403, 404), "rep2": (404,)}[who]
    )
    assert not CustomerCollaborator.objects.exists()


# --- API ------------------------------------------------------------------------------------------


def test_api_list_add_remove(world, cust, api, token_for):
    token = token_for(world.rep)
    path = f"/customers/{cust.pk}/collaborators"
    assert api("get", path, token=token).json() == []
    resp = api("post", path, token=token, json={"user_id": world.rep2.user_id})
    assert resp.status_code == 201 and resp.json()["user_id"] == world.rep2.user_id
    assert [r["user_id"] for r in api("get", path, token=token).json()] == [world.rep2.user_id]
    resp = api("post", path, token=token, json={"user_id": world.rep2.user_id})
    assert resp.status_code == 409 and resp.json()["code"] == "already_collaborator"
    resp = api("post", path, token=token, json={"user_id": world.owner2.user_id})
    assert resp.status_code == 422 and resp.json()["code"] == "not_a_member"
    assert api("delete", f"{path}/{world.rep2.user_id}", token=token).status_code == 204
    resp = api("delete", f"{path}/{world.rep2.user_id}", token=token)
    assert resp.status_code == 404 and resp.json()["code"] == "not_collaborator"


def test_api_authorization_matrix(world, cust, api, token_for):
    path = f"/customers/{cust.pk}/collaborators"
    body = {"user_id": world.other_rep.user_id}
    assert api("post", path, json=body).status_code == 401
    assert api("post", path, token=token_for(world.owner2), json=body).status_code == 404
    assert api("post", path, token=token_for(world.other_rep), json=body).status_code == 404
    assert api("post", path, token=token_for(world.readonly), json=body).status_code in (403, 404)
    assert not CustomerCollaborator.objects.exists()
    assert api("post", path, token=token_for(world.manager), json=body).status_code == 201
