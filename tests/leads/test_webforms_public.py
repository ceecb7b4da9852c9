"""The public web-to-lead endpoint /f/<key>/: posts, honeypot, budget overflow, CORS, languages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from tradewind.leads.choices import LeadSource
from tradewind.leads.models import Lead, LeadPolicy, WebForm, WebFormSubmission
from tradewind.leads.webforms import DUPLICATE_TAG, webform_create, webforms_process_overflow_due

SITE = "https://shop.example.com"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the per-IP rate limit lives in the cache
    yield
    cache.clear()


@pytest.fixture
def form(world) -> WebForm:
    return webform_create(
        actor=world.actor(world.owner),
        name="Contact us",
        fields=["company_name", "contact_name", "email", "need", "country"],
        allowed_origins=[SITE + "/contact"],
        daily_budget=2,
        thank_you_en="Thanks, we will call you.",
        thank_you_zh="谢谢，我们会联系您。",
    )


def post_json(form: WebForm, data: dict, origin: str | None = SITE, **headers: str):
    extra = {"HTTP_ORIGIN": origin} if origin else {}
    return Client().post(
        f"/f/{form.key}/", data=data, content_type="application/json", **extra, **headers
    )


def test_json_post_creates_a_web_form_lead_in_the_pool(form):
    resp = post_json(form, {"company_name": "Hamburg Pumps GmbH", "email": "a@hp.de", "lang": "en"})
    assert resp.status_code == 200
    assert resp.json() == {"ok": True, "message": "Thanks, we will call you."}
    assert resp["Access-Control-Allow-Origin"] == SITE
    lead = Lead.objects.get(company_name="Hamburg Pumps GmbH")
    assert lead.source == LeadSource.WEB_FORM
    assert lead.owner_id is None  # no rule: the pool
    sub = WebFormSubmission.objects.get(form=form)
    assert (sub.state, sub.lead_id) == ("accepted", lead.pk)


def test_plain_form_post_shows_thank_you_page_or_redirects(form):
    resp = Client().post(f"/f/{form.key}/", {"company_name": "Oslo Fish AS", "lang": "zh-hans"})
    assert resp.status_code == 200
    assert "谢谢，我们会联系您。" in resp.content.decode()
    form.redirect_url = "https://shop.example.com/thanks"
    form.save()
    resp = Client().post(f"/f/{form.key}/", {"company_name": "Lima Cotton SAC"})
    assert resp.status_code == 302 and resp["Location"] == "https://shop.example.com/thanks"
    assert Lead.objects.filter(source=LeadSource.WEB_FORM).count() == 2


def test_form_owner_receives_the_leads(world, form):
    form.owner_id = world.rep.user_id
    form.save()
    post_json(form, {"company_name": "Owned Ltd"})
    assert Lead.objects.get(company_name="Owned Ltd").owner_id == world.rep.user_id


def test_honeypot_answers_like_success_and_makes_no_lead(form):
    good = post_json(form, {"company_name": "Real Buyer Ltd"})
    spam = post_json(form, {"company_name": "Cheap Pills", "homepage": "http://spam.test"})
    assert (spam.status_code, spam.content) == (good.status_code, good.content)
    assert not Lead.objects.filter(company_name="Cheap Pills").exists()
    assert WebFormSubmission.objects.filter(form=form, state="spam").count() == 1
    plain_good = Client().post(f"/f/{form.key}/", {"company_name": "Buyer Two"})
    plain_spam = Client().post(f"/f/{form.key}/", {"company_name": "Bot", "homepage": "x"})
    assert plain_spam.status_code == plain_good.status_code
    assert plain_spam.content == plain_good.content


def test_budget_overflow_is_kept_and_becomes_leads_the_next_day(world, form):
    start = timezone.now().replace(hour=3)
    with time_machine.travel(start, tick=False):
        answers = [post_json(form, {"company_name": f"Buyer {i} Co"}) for i in range(4)]
        assert {a.status_code for a in answers} == {200}
        assert len({a.content for a in answers}) == 1  # overflow looks like success
        assert Lead.objects.filter(source=LeadSource.WEB_FORM).count() == 2
        assert WebFormSubmission.objects.filter(form=form, state="overflow").count() == 2
        assert webforms_process_overflow_due() == {}  # same day: waits
    with time_machine.travel(start + dt.timedelta(days=1), tick=False):
        done = webforms_process_overflow_due()
    assert done == {form.pk: {"accepted": 2, "rejected": 0}}
    assert Lead.objects.filter(source=LeadSource.WEB_FORM).count() == 4
    assert not WebFormSubmission.objects.filter(state="overflow").exists()


def test_next_day_processing_respects_that_days_budget(form):
    start = timezone.now().replace(hour=3)
    with time_machine.travel(start, tick=False):
        for i in range(5):
            post_json(form, {"company_name": f"Flood {i} Co"})
    assert WebFormSubmission.objects.filter(state="overflow").count() == 3
    with time_machine.travel(start + dt.timedelta(days=1), tick=False):
        webforms_process_overflow_due()
        assert WebFormSubmission.objects.filter(state="overflow").count() == 1
    with time_machine.travel(start + dt.timedelta(days=2), tick=False):
        webforms_process_overflow_due()
    assert not WebFormSubmission.objects.filter(state="overflow").exists()
    assert Lead.objects.filter(company_name__startswith="Flood").count() == 5


def test_cors_preflight_and_denied_origin(form):
    c = Client()
    ok = c.options(f"/f/{form.key}/", HTTP_ORIGIN=SITE, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert ok.status_code == 204
    assert ok["Access-Control-Allow-Origin"] == SITE
    assert "POST" in ok["Access-Control-Allow-Methods"]
    bad = c.options(f"/f/{form.key}/", HTTP_ORIGIN="https://evil.test")
    assert bad.status_code == 403 and "Access-Control-Allow-Origin" not in bad
    denied = post_json(form, {"company_name": "From Evil"}, origin="https://evil.test")
    assert denied.status_code == 403
    assert denied.json()["code"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in denied
    assert not Lead.objects.filter(company_name="From Evil").exists()
    assert not WebFormSubmission.objects.exists()
    # never "*"
    assert post_json(form, {"company_name": "Fine"})["Access-Control-Allow-Origin"] == SITE


def test_inactive_form_and_wrong_key_answer_404(form):
    assert Client().get("/f/not-a-real-key/").status_code == 404
    assert post_json(form, {"company_name": "X"}, origin=None).status_code == 200
    form.is_active = False
    form.save()
    assert Client().get(f"/f/{form.key}/").status_code == 404
    assert Client().post(f"/f/{form.key}/", {"company_name": "Late"}).status_code == 404
    assert not Lead.objects.filter(company_name="Late").exists()


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "Your workspace requires the contact of every lead."), ("zh-hans", "联系人")],
)
def test_required_fields_answer_in_the_visitors_language(world, form, lang, expected):
    policy = LeadPolicy.for_workspace(world.ws)
    policy.required_fields = ["company_name", "contact_name"]
    policy.save()
    resp = post_json(form, {"company_name": "No Contact Ltd", "lang": lang})
    assert resp.status_code == 422
    body = resp.json()
    assert body["code"] == "invalid"
    assert expected in " ".join(body["fields"]["contact_name"])
    assert not Lead.objects.filter(company_name="No Contact Ltd").exists()
    assert WebFormSubmission.objects.get(form=form).state == "rejected"
    page = Client().post(f"/f/{form.key}/", {"company_name": "No Contact Ltd", "lang": lang})
    assert page.status_code == 422 and expected in page.content.decode()


def test_bad_input_gives_coded_errors_and_changes_nothing(form):
    resp = post_json(form, {"company_name": "Bad Mail Ltd", "email": "not-an-email"})
    assert resp.status_code == 422 and "email" in resp.json()["fields"]
    resp = post_json(form, {"company_name": "x" * 500})
    assert resp.status_code == 422 and "company_name" in resp.json()["fields"]
    resp = Client().post(
        f"/f/{form.key}/", data="[1, 2]", content_type="application/json", HTTP_ORIGIN=SITE
    )
    assert resp.status_code == 422 and resp.json()["code"] == "invalid"
    assert not Lead.objects.filter(source=LeadSource.WEB_FORM).exists()


def test_duplicates_are_created_and_flagged_never_shown(world, form):
    post_json(form, {"company_name": "ALPHA-EAST-SECRET GmbH"})
    resp = post_json(form, {"company_name": "ALPHA-EAST-SECRET GmbH"})
    assert resp.status_code == 200 and b"duplicate" not in resp.content.lower()
    sub = WebFormSubmission.objects.filter(form=form).latest("id")
    assert world.lead.code in sub.duplicate_of
    assert DUPLICATE_TAG in sub.lead.tags


def test_rate_limit_per_ip(form, settings):
    settings.WEBFORM_RATE_PER_MINUTE = 3
    codes = [post_json(form, {"company_name": f"Rapid {i}"}).status_code for i in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    assert WebFormSubmission.objects.count() == 3


def test_public_page_is_bilingual_and_escapes_names(world, form):
    form.name = '<script>alert("x")</script>'
    form.save()
    en = Client().get(f"/f/{form.key}/?lang=en").content.decode()
    zh = Client().get(f"/f/{form.key}/?lang=zh-hans").content.decode()
    assert "<script>alert" not in en and "&lt;script&gt;" in en
    assert "Send" in en and "发送" in zh
    assert 'name="homepage"' in en
    resp = Client().post(
        f"/f/{form.key}/", {"company_name": "", "need": '"><img src=x onerror=alert(1)>'}
    )
    assert resp.status_code == 422
    assert "<img src=x" not in resp.content.decode()
