"""Customers and contacts: the services (create, update, contacts), audit, events, bad input,
duplicate detection against customers and contacts, and the lead dedupe seeing them too."""

from __future__ import annotations

import pytest

from tradewind.core.errors import Conflict, PermissionDenied, ServiceError
from tradewind.customers.models import Contact, Customer
from tradewind.customers.services import (
    DuplicateCustomer,
    contact_create,
    contact_update,
    customer_create,
    customer_update,
)
from tradewind.leads.services import DuplicateFound, lead_create
from tradewind.workspaces.models import AuditEvent


def make_customer(world, member=None, **data):
    data.setdefault("name", "Seawind Trading GmbH")
    return customer_create(actor=world.actor(member or world.rep), allow_duplicates=True, **data)


def test_create_numbers_normalises_owns_and_audits(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        customer = customer_create(
            actor=world.actor(world.rep),
            name="  Ningbo Seawind Co., Ltd. ",
            website="https://www.seawind.cn/about",
            email="Sales@Seawind.CN",
            phone="０２１ ６１２３ ４５６７",
            country="cn",
            type="importer",
            rating=4,
            tags="bulbs，led, bulbs",
        )
    assert customer.code.startswith("KH") and customer.owner_id == world.rep.user_id
    assert customer.name == "Ningbo Seawind Co., Ltd."
    assert customer.company_key == "ningboseawind" and customer.web_domain == "seawind.cn"
    assert customer.email == "sales@seawind.cn" and customer.email_domain == "seawind.cn"
    assert customer.phone_e164 == "+862161234567" and str(customer.country) == "CN"
    assert customer.tags == ["bulbs", "led"] and customer.rating == 4
    event = AuditEvent.objects.get(target_type="customer", target_id=customer.pk)
    assert event.verb == "create" and event.changes["name"][1] == customer.name
    assert event.changes["tags"] == [None, "bulbs, led"]  # readable text in the history panel
    assert len(callbacks) == 1


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"name": ""}, "name", "name_required"),
        ({"name": "X", "email": "nope"}, "email", "invalid"),
        ({"name": "X", "phone": "12"}, "phone", "invalid"),
        ({"name": "X", "type": "pirate"}, "type", "invalid"),
        ({"name": "X", "rating": 9}, "rating", "invalid"),
        ({"name": "X", "country": "Germany"}, "country", "invalid"),
    ],
)
def test_bad_input_is_coded_translated_and_changes_nothing(world, data, field, code):
    from django.utils import translation

    before = (Customer.objects.count(), AuditEvent.objects.count())
    with translation.override("zh-hans"), pytest.raises(ServiceError) as exc:
        customer_create(actor=world.actor(world.rep), **data)
    assert exc.value.code == code and field in exc.value.fields
    assert str(exc.value.message) == "请更正标出的字段。"
    assert (Customer.objects.count(), AuditEvent.objects.count()) == before


def test_create_needs_permission(world):
    with pytest.raises(PermissionDenied):
        customer_create(actor=world.actor(world.readonly), name="Nope Ltd")
    assert not Customer.objects.filter(name="Nope Ltd").exists()


def test_update_diffs_versions_and_refuses_stale(world):
    customer = make_customer(world)
    updated = customer_update(
        actor=world.actor(world.rep), customer=customer, version=1, city="Hamburg", rating=None
    )
    assert updated.version == 2 and updated.city == "Hamburg"
    event = AuditEvent.objects.filter(target_type="customer", verb="update").get()
    assert event.changes == {"city": ["", "Hamburg"]}
    with pytest.raises(Conflict) as exc:
        customer_update(actor=world.actor(world.rep), customer=customer, version=1, city="Kiel")
    assert exc.value.code == "stale_version"
    assert Customer.objects.get(pk=customer.pk).city == "Hamburg"


def test_update_needs_edit_permission(world):
    customer = make_customer(world)
    with pytest.raises(PermissionDenied):
        customer_update(actor=world.actor(world.readonly), customer=customer, city="X")
    assert Customer.objects.get(pk=customer.pk).version == 1


def test_contacts_first_is_primary_and_one_primary_at_a_time(world):
    customer = make_customer(world)
    actor = world.actor(world.rep)
    first = contact_create(actor=actor, customer=customer, name="Li Ming", phone="13800138000")
    assert first.is_primary and first.phone_e164 == "+8613800138000"
    second = contact_create(
        actor=actor, customer=customer, name="Anna", email="ANNA@x.test", is_primary=True
    )
    first.refresh_from_db()
    assert second.is_primary and not first.is_primary and second.email == "anna@x.test"
    contact_update(actor=actor, contact=first, is_primary=True, title="GM")
    second.refresh_from_db()
    assert not second.is_primary
    assert AuditEvent.objects.filter(target_type="contact").count() == 3
    assert (
        AuditEvent.objects.filter(
            target_type="customer", target_id=customer.pk, action="contact_added"
        ).count()
        == 2
    )


def test_contact_bad_input_and_permission(world):
    customer = make_customer(world)
    with pytest.raises(ServiceError) as exc:
        contact_create(actor=world.actor(world.rep), customer=customer, name="")
    assert exc.value.code == "contact_name_required"
    with pytest.raises(ServiceError) as exc:
        contact_create(
            actor=world.actor(world.rep), customer=customer, name="A", decision_role="king"
        )
    assert "decision_role" in exc.value.fields
    with pytest.raises(PermissionDenied):
        contact_create(actor=world.actor(world.readonly), customer=customer, name="A")
    assert not Contact.objects.exists()


# --- duplicates across customers and contacts --------------------------------------------------


def test_customer_create_refuses_a_duplicate_customer_by_name_pinyin_and_domain(world):
    make_customer(world, name="宁波海风电器有限公司", website="seawind.cn")
    for data in (
        {"name": "宁波海风电器"},
        {"name": "Ningbo Haifeng Dianqi"},
        {"name": "Other", "email": "buyer@seawind.cn"},
    ):
        with pytest.raises(DuplicateCustomer) as exc:
            customer_create(actor=world.actor(world.rep2), **data)
        [match] = exc.value.matches
        assert match.kind == "customer" and match.owner_name == str(world.rep.user)
        assert exc.value.code == "duplicate" and exc.value.status == 409
    assert Customer.objects.count() == 1
    customer_create(actor=world.actor(world.rep2), allow_duplicates=True, name="宁波海风电器")
    assert Customer.objects.count() == 2


def test_customer_create_matches_a_contact_by_phone(world):
    customer = make_customer(world, name="Alpha Buyer")
    contact_create(actor=world.actor(world.rep), customer=customer, name="Li", phone="13800138000")
    with pytest.raises(DuplicateCustomer) as exc:
        customer_create(actor=world.actor(world.rep2), name="Zeta", phone="+86 138 0013 8000")
    kinds = {m.kind for m in exc.value.matches}
    assert "contact" in kinds
    contact_match = next(m for m in exc.value.matches if m.kind == "contact")
    assert contact_match.contact_name == "Li" and contact_match.code == customer.code


def test_lead_create_sees_customers_and_contacts(world):
    customer = make_customer(world, name="Seawind Lighting Ltd", website="seawind-light.com")
    contact_create(
        actor=world.actor(world.rep), customer=customer, name="Hans", email="hans@gmx.de"
    )
    with pytest.raises(DuplicateFound) as exc:
        lead_create(actor=world.actor(world.rep2), company_name="Other GmbH", email="hans@gmx.de")
    [match] = exc.value.matches
    assert match.kind == "contact" and match.lead_id is None and match.customer_id == customer.pk
    assert "Hans" in match.reason_labels[0]
    with pytest.raises(DuplicateFound) as exc:
        lead_create(actor=world.actor(world.rep2), company_name="SEAWIND LIGHTING LIMITED")
    assert [m.kind for m in exc.value.matches] == ["customer"]
    assert exc.value.fields[customer.code][0].startswith("Seawind Lighting Ltd · ")


def test_with_links_only_for_records_the_member_can_open(world):
    from tradewind.leads.dedupe import find_duplicates, with_links

    customer = make_customer(world, name="Seawind Lighting Ltd")
    keys = {"company_name": "Seawind Lighting", "company_key": "seawindlighting"}
    matches = find_duplicates(workspace=world.ws, keys=keys)
    [own] = with_links(matches, world.rep)
    [other] = with_links(matches, world.other_rep)
    assert own.url == f"/customers/{customer.pk}/" and other.url == ""
    assert other.owner_name == str(world.rep.user)  # named, not opened


def test_dedupe_is_per_workspace(world):
    make_customer(world, name="Seawind Lighting Ltd")
    customer_create(actor=world.actor(world.owner2), name="Seawind Lighting Ltd")
    assert Customer.objects.filter(workspace=world.ws2).count() == 1
