"""Lead scoring (线索评分) and grading: each fact, negative points, thresholds and the suggested
grade, hand grades that the suggestion never overwrites, the breakdown on the page and the API,
the settings page and its authorization, the rescore job, constant queries per chunk."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from tradewind.activities.models import FollowUp
from tradewind.core.errors import ServiceError
from tradewind.leads.followups import lead_followup_record
from tradewind.leads.models import Lead, LeadPolicy, ScoringRule
from tradewind.leads.scoring import (
    active_rules,
    lead_grade_set,
    score_breakdown,
    score_leads,
    suggested_grade,
    title_matches,
)
from tradewind.leads.scoring_rules import lead_policy_scoring_update, scoring_rule_create
from tradewind.leads.services import lead_create, lead_update
from tradewind.workspaces.models import AuditEvent, ExchangeRate


def only_rule(world, **fields) -> ScoringRule:
    """Replace the default rules with one rule."""
    LeadPolicy.for_workspace(world.ws)
    active_rules(world.ws)
    ScoringRule.objects.filter(workspace=world.ws).delete()
    return ScoringRule.objects.create(workspace=world.ws, name="r", **fields)


def score_of(world, lead: Lead) -> int:
    score_leads(workspace=world.ws, lead_ids=[lead.pk])
    return Lead.objects.get(pk=lead.pk).score


def new_lead(world, **data) -> Lead:
    return lead_create(
        actor=world.actor(world.rep), allow_duplicates=True, company_name="Scored Co", **data
    )


# --- the facts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "hit", "miss"),
    [
        ({"fact": "source_is", "value": "alibaba_rfq, web_form"}, {"source": "web_form"}, {"source": "other"}),
        ({"fact": "company_size_is", "value": "201-1000"}, {"company_size": "201-1000"}, {"company_size": "1-10"}),
        ({"fact": "country_in", "value": "US, de"}, {"country": "DE"}, {"country": "FR"}),
        ({"fact": "industry_contains", "value": "化工, chemical"}, {"industry": "Fine Chemicals"}, {"industry": "Textiles"}),
        ({"fact": "title_decision_maker", "value": "CEO, 采购经理"}, {"contact_title": "高级采购经理"}, {"contact_title": "Intern"}),
        ({"fact": "has_email"}, {"email": "a@b-corp.test"}, {}),
        ({"fact": "has_phone"}, {"phone": "+1 415 555 0100"}, {}),
        ({"fact": "has_website"}, {"website": "b-corp.test"}, {}),
        ({"fact": "need_longer_than", "number": 10}, {"need": "We need 500 pumps monthly"}, {"need": "pumps"}),
        ({"fact": "budget_at_least", "amount": Decimal(1000), "currency": "CNY"}, {"budget_max": Decimal(5000), "budget_currency": "CNY"}, {"budget_max": Decimal(50), "budget_currency": "CNY"}),
    ],
)  # fmt: skip
def test_each_fact_gives_its_points_only_when_it_holds(world, rule, hit, miss):
    only_rule(world, points=7, **rule)
    assert score_of(world, new_lead(world, **hit)) == 7
    assert score_of(world, new_lead(world, **miss)) == 0


def test_negative_points_lower_the_score(world):
    only_rule(world, fact="source_is", value="directory", points=-5)
    assert score_of(world, new_lead(world, source="directory")) == -5


def test_has_replied_counts_after_a_responded_follow_up(world):
    only_rule(world, fact="has_replied", points=25)
    lead = new_lead(world)
    actor = world.actor(world.rep)
    lead_followup_record(
        actor=actor, lead=lead, channel="phone", summary="rang", result="no_response"
    )
    assert Lead.objects.get(pk=lead.pk).score == 0
    outcome = lead_followup_record(
        actor=actor, lead=lead, channel="email", summary="wrote back", result="responded"
    )
    assert outcome.lead.score == 25 and Lead.objects.get(pk=lead.pk).score == 25


def test_budget_is_converted_with_the_workspace_rate(world):
    only_rule(world, fact="budget_at_least", amount=Decimal(70000), currency="CNY", points=20)
    ExchangeRate.objects.create(
        workspace=world.ws, on_date=dt.date(2020, 1, 1), from_currency="USD", to_currency="CNY",
        rate=Decimal("7.2"),
    )  # fmt: skip
    assert score_of(world, new_lead(world, budget_max=Decimal(10000), budget_currency="USD")) == 20
    assert score_of(world, new_lead(world, budget_max=Decimal(9000), budget_currency="USD")) == 0
    # No rate for EUR: the rule does not match and the breakdown says why.
    lead = new_lead(world, budget_max=Decimal(10**6), budget_currency="EUR")
    [line] = score_breakdown(lead, active_rules(world.ws))
    assert not line.matched and "EUR" in line.note


def test_title_keywords_match_whole_latin_words_and_chinese_anywhere():
    words = ["CEO", "owner", "总经理"]
    assert title_matches("Co-owner & CEO", words)
    assert title_matches("副总经理", words)
    assert not title_matches("CEOffice assistant", words)


def test_default_rules_are_created_once_on_first_use(world):
    first = active_rules(world.ws)
    again = active_rules(world.ws)
    assert len(first) == len(again) >= 8
    assert {r.fact for r in first} >= {"source_is", "has_replied", "title_decision_maker"}
    assert any(r.points < 0 for r in first)
    # Deleting every rule does not bring the defaults back.
    ScoringRule.objects.filter(workspace=world.ws).delete()
    assert active_rules(world.ws) == []


def test_capture_scores_a_lead_with_the_default_rules(world):
    lead = new_lead(
        world,
        source="alibaba_rfq",
        email="buyer@importer.test",
        contact_title="Purchasing Manager",
    )
    assert lead.score == 20 + 5 + 15
    assert Lead.objects.get(pk=lead.pk).score == lead.score


# --- grades ---------------------------------------------------------------------------------------


def test_thresholds_suggest_the_grade(world):
    policy = LeadPolicy.for_workspace(world.ws)
    assert [suggested_grade(s, policy) for s in (70, 69, 40, 39, -3)] == ["A", "B", "B", "C", "C"]


def test_auto_grade_applies_the_suggestion_but_never_over_a_hand_grade(world):
    only_rule(world, fact="has_email", points=50)
    policy = LeadPolicy.for_workspace(world.ws)
    policy.auto_grade = True
    policy.save()
    auto = new_lead(world, email="a@auto.test")
    assert (auto.grade, Lead.objects.get(pk=auto.pk).grade) == ("B", "B")
    by_hand = new_lead(world, email="b@hand.test", grade="C")
    assert Lead.objects.get(pk=by_hand.pk).grade == "C"
    assert Lead.objects.get(pk=by_hand.pk).grade_set_by_hand is True
    # Edited by hand later: the suggestion stays away.
    lead_grade_set(actor=world.actor(world.rep), lead=auto, grade="A")
    score_leads(workspace=world.ws, lead_ids=[auto.pk])
    assert Lead.objects.get(pk=auto.pk).grade == "A"
    # Cleared: the suggestion decides again at once.
    cleared = lead_grade_set(actor=world.actor(world.rep), lead=auto, grade="")
    assert (cleared.grade, cleared.grade_set_by_hand) == ("B", False)


def test_grade_chosen_on_the_edit_form_counts_as_by_hand(world):
    lead = new_lead(world)
    updated = lead_update(actor=world.actor(world.rep), lead=lead, grade="A")
    assert Lead.objects.get(pk=updated.pk).grade_set_by_hand is True


def test_hand_grade_is_audited_and_bad_grade_changes_nothing(world):
    lead = world.lead
    lead_grade_set(actor=world.actor(world.rep), lead=lead, grade="b")
    event = AuditEvent.objects.filter(target_type="lead", target_id=lead.pk).latest("id")
    assert event.changes["grade"] == ["", "B"] and event.actor_user_id == world.rep.user_id
    before = Lead.objects.get(pk=lead.pk)
    with translation.override("zh-hans"), pytest.raises(ServiceError) as exc:
        lead_grade_set(actor=world.actor(world.rep), lead=lead, grade="Z")
    assert exc.value.code == "unknown_grade" and "A" in str(exc.value.message)
    assert str(exc.value.message) != "Choose grade A, B or C."
    assert Lead.objects.get(pk=lead.pk).version == before.version


# --- page and API ---------------------------------------------------------------------------------


def test_score_panel_shows_the_breakdown_and_applies_the_suggestion(world, client_for):
    only_rule(world, fact="has_email", points=45)
    client = client_for(world.rep)
    detail = client.get(f"/leads/{world.lead.pk}/")
    assert b'data-testid="score-panel-loader"' in detail.content
    panel = client.get(
        f"/leads/{world.lead.pk}/score/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="score-panel"
    )
    assert panel.status_code == 200 and b"<html" not in panel.content
    assert b'data-testid="score-total">45<' in panel.content
    assert b'data-testid="score-suggested">B<' in panel.content
    resp = client.post(f"/leads/{world.lead.pk}/grade/", {"grade": "B"}, HTTP_HX_REQUEST="true")
    assert resp.status_code == 200 and b'data-testid="score-grade">B<' in resp.content
    assert Lead.objects.get(pk=world.lead.pk).grade_set_by_hand is True
    bad = client.post(f"/leads/{world.lead.pk}/grade/", {"grade": "Q"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and b"alert-danger" in bad.content
    assert Lead.objects.get(pk=world.lead.pk).grade == "B"


def test_score_api_breakdown_and_grade(world, api, token_for):
    only_rule(world, fact="has_email", points=12)
    token = token_for(world.rep)
    resp = api("get", f"/leads/{world.lead.pk}/score", token=token)
    body = resp.json()
    assert resp.status_code == 200 and body["score"] == 12 and body["suggested_grade"] == "C"
    assert body["breakdown"][0]["matched"] is True and body["breakdown"][0]["points"] == 12
    ok = api("post", f"/leads/{world.lead.pk}/grade", token=token, json={"grade": "A"})
    assert ok.status_code == 200 and ok.json()["grade"] == "A"
    bad = api("post", f"/leads/{world.lead.pk}/grade", token=token, json={"grade": "X"})
    assert bad.status_code == 422 and bad.json()["code"] == "unknown_grade"


@pytest.mark.parametrize(
    ("who", "status"), [("anon", 401), ("owner2", 404), ("other_rep", 404), ("readonly", 403)]
)
def test_grade_api_authorization(world, api, token_for, who, status):
    token = None if who == "anon" else token_for(getattr(world, who))
    resp = api("post", f"/leads/{world.lead.pk}/grade", token=token, json={"grade": "A"})
    assert resp.status_code == status
    assert Lead.objects.get(pk=world.lead.pk).grade == ""


@pytest.mark.parametrize(
    ("who", "status"), [("anon", 302), ("owner2", 404), ("other_rep", 404), ("readonly", 403)]
)
def test_grade_page_authorization(world, client, client_for, who, status):
    c = client if who == "anon" else client_for(getattr(world, who))
    resp = c.post(f"/leads/{world.lead.pk}/grade/", {"grade": "A"})
    assert resp.status_code == status
    assert Lead.objects.get(pk=world.lead.pk).grade == ""


# --- settings -------------------------------------------------------------------------------------


def test_settings_page_adds_a_rule_and_rescores(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.owner)
    page = client.get("/leads/scoring/")
    assert page.status_code == 200 and b'data-testid="scoring-rule"' in page.content
    ScoringRule.objects.filter(workspace=world.ws).delete()
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            "/leads/scoring/",
            {"form": "rule", "new-name": "Email", "new-fact": "has_email", "new-points": "9",
             "new-active": "on"},
        )  # fmt: skip
    assert resp.status_code == 302
    assert Lead.objects.get(pk=world.lead.pk).score == 9  # the rescore ran (huey immediate)


def test_settings_refuses_a_bad_rule_with_a_coded_translated_error(world, client_for):
    client = client_for(world.owner)
    count = ScoringRule.objects.filter(workspace=world.ws).count()
    with translation.override("zh-hans"):
        resp = client.post(
            "/leads/scoring/",
            {"form": "rule", "new-name": "x", "new-fact": "source_is", "new-value": "nonsense",
             "new-points": "5"},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )  # fmt: skip
    assert resp.status_code == 422
    assert ScoringRule.objects.filter(workspace=world.ws).count() == count
    with pytest.raises(ServiceError) as exc:
        scoring_rule_create(
            actor=world.actor(world.owner), name="x", fact="source_is", value="?", points=1
        )
    assert exc.value.code == "bad_scoring_rule"


def test_thresholds_must_be_ordered(world):
    with pytest.raises(ServiceError) as exc:
        lead_policy_scoring_update(
            actor=world.actor(world.owner), grade_a_min=10, grade_b_min=20, auto_grade=False,
            recycle_after_days={"A": 1, "B": 1, "C": 1, "": 1},
        )  # fmt: skip
    assert exc.value.code == "bad_grade_thresholds"
    assert LeadPolicy.for_workspace(world.ws).grade_a_min == 70


@pytest.mark.parametrize("path", ["/leads/scoring/", "/leads/scoring/rescore/"])
def test_settings_need_workspace_manage(world, client, client_for, path):
    assert client.get(path).status_code in (302, 405)
    for member in (world.manager, world.rep):
        c = client_for(member)
        assert c.post(path, {"form": "rule", "new-name": "x", "new-fact": "has_email",
                             "new-points": "1"}).status_code == 403  # fmt: skip
    assert not ScoringRule.objects.filter(workspace=world.ws, name="x").exists()


def test_other_workspace_cannot_edit_a_rule(world, client_for):
    rule = active_rules(world.ws)[0]
    c = client_for(world.owner2)
    assert c.post(f"/leads/scoring/rules/{rule.pk}/", {"name": "hijack"}).status_code == 404
    assert c.post(f"/leads/scoring/rules/{rule.pk}/delete/").status_code == 404
    assert ScoringRule.objects.get(pk=rule.pk).name == rule.name


# --- the chunked scorer ---------------------------------------------------------------------------


def bulk_leads(world, n: int, start: int = 0) -> list[int]:
    Lead.objects.bulk_create(
        [
            Lead(workspace=world.ws, code=f"B{start + i}", company_name=f"Bulk {i}",
                 email=f"b{i}@x.test" if i % 2 else "")
            for i in range(n)
        ]
    )  # fmt: skip
    return list(
        Lead.objects.filter(workspace=world.ws, code__startswith="B").values_list("pk", flat=True)
    )


def test_score_leads_queries_do_not_grow_with_the_leads(world, django_assert_max_num_queries):
    active_rules(world.ws)
    FollowUp.objects.all()
    small = bulk_leads(world, 10)
    with django_assert_max_num_queries(20) as first:
        score_leads(workspace=world.ws, lead_ids=small)
    Lead.objects.filter(pk__in=small).delete()
    many = bulk_leads(world, 150, start=100)
    with django_assert_max_num_queries(len(first.captured_queries)):
        score_leads(workspace=world.ws, lead_ids=many)
    assert Lead.objects.filter(pk__in=many, score__gt=0).count() == 75  # the ones with e-mail
