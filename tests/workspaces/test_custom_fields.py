"""Custom fields: definitions (service, settings page, API, authorization) and the one validator
`clean_custom` for every type, through the lead and customer services, forms and API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from tradewind.core.errors import ServiceError
from tradewind.customers.services import contact_create, customer_create, customer_update
from tradewind.leads.models import Lead
from tradewind.leads.services import lead_create, lead_update
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.custom_fields import clean_custom, display_value
from tradewind.workspaces.custom_fields_services import (
    custom_field_create,
    custom_field_move,
    custom_field_update,
)
from tradewind.workspaces.models import AuditEvent
from tradewind.workspaces.models_custom_fields import CustomFieldDefinition


def make_fields(world, target="lead"):
    act = Actor.for_member(world.owner)
    return {
        "industry_code": custom_field_create(
            actor=act, target=target, type="text", label_en="Industry code", label_zh="行业代码"
        ),
        "notes": custom_field_create(actor=act, target=target, type="long_text", label_en="Notes"),
        "employees": custom_field_create(
            actor=act, target=target, type="number", label_en="Employees", label_zh="员工数"
        ),
        "deposit": custom_field_create(actor=act, target=target, type="money", label_en="Deposit"),
        "fair_date": custom_field_create(
            actor=act, target=target, type="date", label_en="Fair date"
        ),
        "channel": custom_field_create(
            actor=act,
            target=target,
            type="choice",
            label_en="Channel",
            label_zh="渠道",
            choices="Distributor | 经销商\nDirect | 直销",
        ),
        "products": custom_field_create(
            actor=act,
            target=target,
            type="multi_choice",
            label_en="Products",
            choices=["Pumps | 泵", "Valves | 阀门", "Motors | 电机"],
        ),
        "vip": custom_field_create(actor=act, target=target, type="boolean", label_en="VIP"),
    }


def test_every_type_is_cleaned_to_its_stored_form(world):
    make_fields(world)
    cleaned = clean_custom(
        world.ws,
        "lead",
        {
            "industry_code": "  A-12 ",
            "notes": "line 1\nline 2",
            "employees": "1,250",
            "deposit": "USD 5,000.50",
            "fair_date": "2026年4月15日",
            "channel": "经销商",
            "products": "valves，Pumps",
            "vip": "是",
        },
    )
    assert cleaned == {
        "industry_code": "A-12",
        "notes": "line 1\nline 2",
        "employees": "1250",
        "deposit": {"amount": "5000.5", "currency": "USD"},
        "fair_date": "2026-04-15",
        "channel": "Distributor",
        "products": ["Pumps", "Valves"],
        "vip": True,
    }
    # money without a currency takes the workspace's base currency; API numbers are fine too
    assert clean_custom(world.ws, "lead", {"deposit": 100, "employees": 12.5}) == {
        "deposit": {"amount": "100", "currency": "CNY"},
        "employees": "12.5",
    }


@pytest.mark.parametrize(
    ("key", "value", "message_en", "message_zh"),
    [
        ("employees", "many", "Enter a number.", "请输入数字。"),
        ("deposit", "12 ZZZ", "Unknown currency code.", "未知的币种代码。"),
        ("deposit", "-5", "Enter an amount, e.g. 200000.", None),
        ("fair_date", "2026-02-30", "Enter a valid date (YYYY-MM-DD).", None),
        ("channel", "Retail", "Choose one of: Distributor, Direct.", None),
        ("products", ["Pumps", "Nope"], "Choose one of:", None),
        ("vip", "maybe", "Answer yes or no.", "请回答是或否。"),
        ("industry_code", "x" * 501, "At most 500 characters.", None),
        ("nope", "1", "There is no active custom field with this key.", None),
    ],
)
def test_bad_values_are_refused_with_a_translated_message_per_field(
    world, key, value, message_en, message_zh
):
    make_fields(world)
    with translation.override("en"), pytest.raises(ServiceError) as exc:
        clean_custom(world.ws, "lead", {key: value})
    assert exc.value.code == "custom_field_invalid"
    assert message_en in str(exc.value.fields[f"cf_{key}"][0])
    if message_zh:
        with translation.override("zh-hans"), pytest.raises(ServiceError) as zh:
            clean_custom(world.ws, "lead", {key: value})
        assert str(zh.value.fields[f"cf_{key}"][0]) == message_zh


def test_required_fields_on_create_and_on_edit(world):
    act = Actor.for_member(world.owner)
    custom_field_create(
        actor=act, target="lead", type="text", label_en="PO number", key="po", required=True
    )
    with translation.override("en"), pytest.raises(ServiceError) as exc:
        clean_custom(world.ws, "lead", {})
    assert "PO number is required." in str(exc.value.fields["cf_po"][0])
    # an edit that does not touch the field keeps the record as it is; clearing it is refused
    assert clean_custom(world.ws, "lead", {}, existing={}) == {}
    with pytest.raises(ServiceError):
        clean_custom(world.ws, "lead", {"po": ""}, existing={"po": "1"})


def test_lead_service_validates_and_audits_custom_values(world):
    make_fields(world)
    rep = Actor.for_member(world.rep)
    count = Lead.objects.count()
    with pytest.raises(ServiceError) as exc:
        lead_create(actor=rep, company_name="Custom GmbH", custom={"employees": "lots"})
    assert "cf_employees" in exc.value.fields
    assert Lead.objects.count() == count  # nothing written
    lead = lead_create(
        actor=rep, company_name="Custom GmbH", custom={"employees": "12", "vip": True}
    )
    assert Lead.objects.get(pk=lead.pk).custom == {"employees": "12", "vip": True}
    lead = lead_update(actor=rep, lead=lead, custom={"employees": "", "channel": "Direct"})
    lead.refresh_from_db()
    assert lead.custom == {"vip": True, "channel": "Direct"}
    event = AuditEvent.objects.filter(target_type="lead", target_id=lead.pk).latest("id")
    assert event.changes["custom"][1] == {"vip": True, "channel": "Direct"}
    with pytest.raises(ServiceError):
        lead_update(actor=rep, lead=lead, custom={"vip": "perhaps"})
    lead.refresh_from_db()
    assert lead.custom == {"vip": True, "channel": "Direct"}


def test_customer_and_contact_services_take_custom_values(world):
    make_fields(world, "customer")
    act = Actor.for_member(world.owner)
    custom_field_create(actor=act, target="contact", type="boolean", label_en="Decision maker")
    rep = Actor.for_member(world.rep)
    customer = customer_create(actor=rep, name="Custom Kunde AG", custom={"channel": "Direct"})
    assert customer.custom == {"channel": "Direct"}
    with pytest.raises(ServiceError):
        customer_update(actor=rep, customer=customer, custom={"fair_date": "soon"})
    customer_update(actor=rep, customer=customer, custom={"fair_date": "2026-05-01"})
    customer.refresh_from_db()
    assert customer.custom == {"channel": "Direct", "fair_date": "2026-05-01"}
    contact = contact_create(
        actor=rep, customer=customer, name="Anna", custom={"decision_maker": "yes"}
    )
    assert contact.custom == {"decision_maker": True}


def test_opportunity_create_validates_custom_values(world):
    from tradewind.sales.models import Opportunity
    from tradewind.sales.services import opportunity_create

    act = Actor.for_member(world.owner)
    custom_field_create(actor=act, target="opportunity", type="number", label_en="Units")
    rep = Actor.for_member(world.rep)
    customer = customer_create(actor=rep, name="Opp Kunde AG")
    with pytest.raises(ServiceError):
        opportunity_create(actor=rep, customer=customer, name="Pumps", custom={"units": "x"})
    assert not Opportunity.objects.filter(customer=customer).exists()
    opp = opportunity_create(actor=rep, customer=customer, name="Pumps", custom={"units": "40"})
    assert opp.custom == {"units": "40"}


def test_definition_service_rules(world):
    act = Actor.for_member(world.owner)
    field = custom_field_create(
        actor=act, target="lead", type="choice", label_zh="等级", choices="Gold | 金\nSilver"
    )
    assert field.key == "field_1"  # no English label: a generated key
    with pytest.raises(ServiceError) as exc:
        custom_field_create(
            actor=act, target="lead", type="choice", label_en="Tier", key="field_1", choices="A"
        )
    assert exc.value.status == 409
    with pytest.raises(ServiceError) as exc:
        custom_field_create(actor=act, target="lead", type="choice", label_en="Empty")
    assert "choices" in exc.value.fields
    with pytest.raises(ServiceError):
        custom_field_create(actor=act, target="nope", type="text", label_en="X")
    with pytest.raises(ServiceError):
        custom_field_create(actor=act, target="lead", type="text", key="Bad Key", label_en="X")
    # relabelling a choice keeps its stored value
    field = custom_field_update(actor=act, field=field, choices="Gold+ | 金\nSilver")
    assert field.choices[0] == {"value": "Gold", "en": "Gold+", "zh": "金"}
    with translation.override("zh-hans"):
        assert display_value(field, "Gold") == "金"
    with translation.override("en"):
        assert display_value(field, "Gold") == "Gold+"
    second = custom_field_create(actor=act, target="lead", type="text", label_en="Second")
    custom_field_move(actor=act, field=second, direction=-1)
    order = list(CustomFieldDefinition.objects.filter(workspace=world.ws).order_by("position"))
    assert [f.pk for f in order] == [second.pk, field.pk]
    custom_field_update(actor=act, field=second, active=False)
    with pytest.raises(ServiceError):  # an inactive field takes no values
        clean_custom(world.ws, "lead", {"second": "x"})


def test_definitions_need_workspace_manage(world):
    with pytest.raises(ServiceError) as exc:
        custom_field_create(
            actor=Actor.for_member(world.manager), target="lead", type="text", label_en="X"
        )
    assert exc.value.status == 403
    assert not CustomFieldDefinition.objects.exists()


def test_money_amounts_are_decimal_text(world):
    make_fields(world)
    cleaned = clean_custom(world.ws, "lead", {"deposit": {"amount": "0.10", "currency": "eur"}})
    assert cleaned["deposit"] == {"amount": "0.1", "currency": "EUR"}
    assert Decimal(cleaned["deposit"]["amount"]) == Decimal("0.1")
