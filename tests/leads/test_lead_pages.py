"""Pages: the permission matrix (anonymous / other workspace / no permission / permission) with the
side effect asserted absent, htmx partials from the same view, constant query counts."""

import pytest
from django.test import Client

from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create
from tradewind.workspaces.models import AuditEvent

FORM = {"company_name": "Matrix GmbH", "source": "trade_show", "country": "DE", "owner": ""}


def test_create_matrix(world, client_for):
    count = Lead.objects.count()
    resp = Client().post("/leads/new/", FORM)
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    resp = client_for(world.readonly).post("/leads/new/", FORM)
    assert resp.status_code == 403
    assert Lead.objects.count() == count
    resp = client_for(world.rep).post("/leads/new/", FORM)
    assert resp.status_code == 302
    lead = Lead.objects.get(company_name="Matrix GmbH")
    assert lead.workspace_id == world.ws.pk and lead.owner_id is None


def test_edit_matrix(world, client_for):
    url = f"/leads/{world.lead.pk}/edit/"
    data = {**FORM, "company_name": "Renamed", "version": 1}
    assert Client().post(url, data).status_code == 302
    assert client_for(world.owner2).post(url, data).status_code == 404
    assert client_for(world.other_rep).post(url, data).status_code == 404
    assert client_for(world.readonly).post(url, data).status_code == 403
    assert Lead.objects.get(pk=world.lead.pk).company_name == "ALPHA-EAST-SECRET GmbH"
    assert client_for(world.rep).post(url, data).status_code == 302
    assert Lead.objects.get(pk=world.lead.pk).company_name == "Renamed"


def test_edit_with_stale_version_shows_translated_error(world, client_for):
    url = f"/leads/{world.lead.pk}/edit/"
    client_for(world.rep).post(url, {**FORM, "company_name": "First", "version": 1})
    resp = client_for(world.manager).post(
        url, {**FORM, "company_name": "Second", "version": 1}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert resp.status_code == 200
    assert "Someone else changed this lead" in resp.content.decode()
    assert Lead.objects.get(pk=world.lead.pk).company_name == "First"


def test_bad_input_changes_nothing(world, client_for):
    count = AuditEvent.objects.count()
    resp = client_for(world.rep).post(
        "/leads/new/", {"company_name": "", "email": "not-an-email", "source": "nope"}
    )
    assert resp.status_code == 200 and b"is-invalid" in resp.content
    assert AuditEvent.objects.count() == count


def test_delete_matrix(world, client_for):
    url = f"/leads/{world.lead.pk}/delete/"
    assert client_for(world.rep).post(url).status_code == 403  # reps may not delete
    assert client_for(world.owner2).post(url).status_code == 404
    assert Lead.objects.filter(pk=world.lead.pk).exists()
    assert client_for(world.manager).post(url).status_code == 302
    assert not Lead.objects.filter(pk=world.lead.pk).exists()


def test_detail_shows_history(world, client_for):
    resp = client_for(world.rep).get(f"/leads/{world.lead.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200
    assert b'data-testid="history"' in resp.content


def test_list_htmx_returns_only_the_partial(world, client_for):
    client = client_for(world.owner)
    full = client.get("/leads/?q=ALPHA-WEST")
    part = client.get("/leads/?q=ALPHA-WEST", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="lead-results")
    assert b"<html" in full.content and b"<html" not in part.content
    assert b"ALPHA-WEST-SECRET" in part.content and b"ALPHA-EAST-SECRET" not in part.content


@pytest.fixture
def many_leads(world):
    for i in range(60):
        lead_create(actor=world.actor(world.rep), company_name=f"Bulk {i:03d}")


def test_list_query_count_is_constant(world, many_leads, client_for, django_assert_max_num_queries):
    client = client_for(world.manager)
    client.get("/leads/")  # warm the session
    with django_assert_max_num_queries(8) as first:
        resp = client.get("/leads/")
    assert resp.status_code == 200
    cursor = resp.context["page"].next_cursor
    assert cursor
    with django_assert_max_num_queries(len(first.captured_queries)):
        resp = client.get(f"/leads/?cursor={cursor}")
    assert resp.status_code == 200 and resp.context["page"].items
