"""Normalisation, workspace-required fields and duplicate (撞单) detection on every capture path."""

import pytest

from tradewind.core.errors import ServiceError
from tradewind.leads.models import Lead, LeadPolicy
from tradewind.leads.services import DuplicateFound, lead_create, lead_update


def test_values_are_normalised_and_keys_derived(world):
    lead = lead_create(
        actor=world.actor(world.rep),
        company_name="  Ningbo Seawind Co.,Ltd. ",
        email=" Buyer@Seawind.CN ",
        phone="0086-138-0013-8000",
        website="https://www.seawind.cn/en",
        tags="kettles, CE，kettles",
        budget_min="200,000",
        budget_max="300000",
        budget_currency="cny",
        grade="b",
    )
    lead.refresh_from_db()
    assert (lead.email, lead.email_domain, lead.web_domain) == (
        "buyer@seawind.cn",
        "seawind.cn",
        "seawind.cn",
    )
    assert lead.phone_e164 == "+8613800138000" and lead.company_key == "ningboseawind"
    assert lead.tags == ["CE", "kettles"] and lead.grade == "B" and lead.budget_currency == "CNY"
    assert str(lead.budget_min) == "200000.00"


def test_each_bad_field_gets_its_own_message_and_nothing_is_written(world):
    count = Lead.objects.count()
    with pytest.raises(ServiceError) as exc:
        lead_create(
            actor=world.actor(world.rep),
            company_name="X Ltd",
            phone="12",
            email="a@",
            grade="Z",
            budget_min="500",
            budget_max="100",
            budget_currency="QQQ",
        )
    assert {"phone", "email", "grade", "budget_max", "budget_currency"} <= set(exc.value.fields)
    assert Lead.objects.count() == count


def test_workspace_required_fields_apply_to_create_and_update(world):
    policy = LeadPolicy.for_workspace(world.ws)
    policy.required_fields = ["company_name", "contact_name", "phone", "budget"]
    policy.save()
    with pytest.raises(ServiceError) as exc:
        lead_create(actor=world.actor(world.rep), company_name="Required Co")
    assert {"contact_name", "phone", "budget_min"} <= set(exc.value.fields)
    lead = lead_create(
        actor=world.actor(world.rep),
        company_name="Required Co",
        contact_name="Li",
        phone="13800138000",
        budget_max="1000",
    )
    with pytest.raises(ServiceError) as exc:
        lead_update(actor=world.actor(world.rep), lead=lead, contact_name="")
    assert "contact_name" in exc.value.fields


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("email", "X@East.test", "email"),
        ("company_name", "alpha east secret gmbh.", "company"),
        ("company_name", "ALPHA-EAST-SECRETS GmbH", "similar"),
    ],
)
def test_duplicates_are_refused_with_who_owns_them(world, field, value, reason):
    data = {"company_name": "Unrelated Name Ltd", field: value}
    with pytest.raises(DuplicateFound) as exc:
        lead_create(actor=world.actor(world.rep2), **data)
    match = exc.value.matches[0]
    assert match.lead_id == world.lead.pk and reason in match.reasons
    assert match.owner_name == str(world.rep.user)
    assert exc.value.status == 409 and exc.value.code == "duplicate"


def test_phone_in_another_form_and_pinyin_across_scripts_match(world):
    lead_create(
        actor=world.actor(world.rep), company_name="宁波海风电器有限公司", phone="+86 138 0013 8000"
    )
    with pytest.raises(DuplicateFound) as exc:
        lead_create(actor=world.actor(world.rep2), company_name="Other", phone="13800138000")
    assert "phone" in exc.value.matches[0].reasons
    with pytest.raises(DuplicateFound) as exc:
        lead_create(actor=world.actor(world.rep2), company_name="Ningbo Haifeng Dianqi Co., Ltd.")
    assert "pinyin" in exc.value.matches[0].reasons


def test_public_mail_domains_do_not_make_a_company_match(world):
    lead_create(actor=world.actor(world.rep), company_name="Gmail User One", email="one@gmail.com")
    lead = lead_create(
        actor=world.actor(world.rep2), company_name="Totally Different Two", email="two@gmail.com"
    )
    assert lead.pk


def test_confirmed_duplicate_is_created(world):
    lead = lead_create(
        actor=world.actor(world.rep2), company_name="ALPHA-EAST-SECRET GmbH", allow_duplicates=True
    )
    assert lead.pk and lead.company_key == world.lead.company_key


def test_other_workspace_is_not_a_duplicate(world):
    lead = lead_create(actor=world.actor(world.owner2), company_name="ALPHA-EAST-SECRET GmbH")
    assert lead.workspace_id == world.ws2.pk


def test_form_warns_then_creates_on_confirmation(world, client_for):
    client = client_for(world.rep2)
    data = {"company_name": "Alpha East Secret GmbH", "source": "trade_show", "owner": ""}
    resp = client.post("/leads/new/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200 and b'data-testid="duplicates"' in resp.content
    assert world.lead.code.encode() in resp.content
    assert not Lead.objects.filter(company_name="Alpha East Secret GmbH").exists()
    resp = client.post("/leads/new/", {**data, "confirm_duplicate": "on"})
    assert resp.status_code == 302
    assert Lead.objects.filter(company_name="Alpha East Secret GmbH").exists()


def test_api_answers_409_with_matches_then_accepts_when_allowed(world, api, token_for):
    token = token_for(world.rep2)
    resp = api("post", "/leads", token, {"company_name": "alpha-east-secret gmbh"})
    assert resp.status_code == 409
    body = resp.json()
    assert body["code"] == "duplicate" and world.lead.code in body["fields"]
    resp = api(
        "post", "/leads?allow_duplicates=true", token, {"company_name": "alpha-east-secret gmbh"}
    )
    assert resp.status_code == 201


def test_api_round_trips_the_capture_fields(world, api, token_for):
    token = token_for(world.rep)
    payload = {
        "company_name": "科技有限公司 Retrofit",
        "contact_name": "李经理",
        "contact_title": "Head of production",
        "phone": "+86 21 6123 4567",
        "source": "trade_show",
        "source_detail": "2026 Canton Fair booth 12.1",
        "need": "automated production-line retrofit",
        "budget_min": "200000",
        "budget_max": "300000",
        "budget_currency": "CNY",
        "decision_chain": "production dept + GM",
        "grade": "B",
        "tags": ["retrofit"],
    }
    resp = api("post", "/leads", token, payload)
    assert resp.status_code == 201, resp.content
    body = api("get", f"/leads/{resp.json()['id']}", token).json()
    assert (
        body["budget_min"] == "200000.00" and body["grade"] == "B" and body["tags"] == ["retrofit"]
    )
    assert body["source_detail"] == "2026 Canton Fair booth 12.1"
    resp = api("patch", f"/leads/{body['id']}", token, {"grade": "Q"})
    assert resp.status_code == 422 and "grade" in resp.json()["fields"]


def test_grade_filter_is_shared_by_page_and_api(world, api, token_for, client_for):
    lead_create(actor=world.actor(world.rep), company_name="Grade A Buyer", grade="A")
    items = api("get", "/leads?grade=a", token_for(world.rep)).json()["items"]
    assert [i["company_name"] for i in items] == ["Grade A Buyer"]
    page = client_for(world.rep).get("/leads/?grade=A")
    assert [lead.company_name for lead in page.context["page"].items] == ["Grade A Buyer"]


def test_prose_keeps_chinese_punctuation_while_keys_fold_width(world):
    lead = lead_create(
        actor=world.actor(world.rep),
        company_name="宁波海风（中国）电器有限公司",
        need="咖啡机 OEM，预算 USD 80k，年底前下单。",
        phone="１３８００１３８０００",
    )
    lead.refresh_from_db()
    assert lead.need == "咖啡机 OEM，预算 USD 80k，年底前下单。"
    assert lead.company_name == "宁波海风（中国）电器有限公司"
    assert lead.company_key == "宁波海风中国电器" and lead.phone_e164 == "+8613800138000"
