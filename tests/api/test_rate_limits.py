"""Per-caller rate limits on /api/v1 (issue #8 item 8): a token or a session spends its budget,
over it the API answers 429 with Retry-After and changes nothing; anonymous callers are refused
(401) before counting; the counter is atomic across processes sharing the file cache."""

from __future__ import annotations

import datetime as dt
import multiprocessing

import pytest
import time_machine
from django.core.cache import cache
from django.core.cache.backends.filebased import FileBasedCache
from django.test import override_settings

from tradewind.leads.models import Lead
from tradewind.workspaces.api_limits import hit, is_heavy, parse_rate

# 10 s into a minute: the window ends in 50 s.
T0 = dt.datetime(2026, 3, 11, 2, 0, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_parse_rate():
    assert parse_rate("600/m").limit == 600 and parse_rate("600/m").window == 60
    assert parse_rate("10/s").window == 1
    assert parse_rate("5000/h").window == 3600
    assert parse_rate("100/5m").window == 300
    assert parse_rate("off") is None and parse_rate("0") is None
    with pytest.raises(ValueError):
        parse_rate("many/m")
    with pytest.raises(ValueError):
        parse_rate("10/fortnight")
    with pytest.raises(ValueError):
        parse_rate("10/5")


def test_which_calls_are_heavy():
    assert is_heavy("GET", "/api/v1/leads/export")
    assert is_heavy("GET", "/api/v1/workspace/export")
    assert is_heavy("GET", "/api/v1/quotes/5/quotation.pdf")
    assert is_heavy("GET", "/api/v1/documents/5/pdf")
    assert is_heavy("POST", "/api/v1/leads/imports")
    assert is_heavy("POST", "/api/v1/customers/imports/5/run")
    assert is_heavy("POST", "/api/v1/products/import")
    assert is_heavy("POST", "/api/v1/workspace/erasures")
    # Polling an import's progress and ordinary calls are not.
    assert not is_heavy("GET", "/api/v1/leads/imports/5")
    assert not is_heavy("GET", "/api/v1/leads")
    assert not is_heavy("POST", "/api/v1/leads")


@override_settings(TRADEWIND_API_RATE="3/m")
def test_token_over_budget_gets_429_with_retry_after(world, api, token_for):
    token = token_for(world.rep)
    with time_machine.travel(T0, tick=False):
        answers = [api("get", "/me", token=token) for _ in range(3)]
        assert [r.status_code for r in answers] == [200, 200, 200]
        assert [r["RateLimit-Remaining"] for r in answers] == ["2", "1", "0"]
        assert answers[0]["RateLimit-Limit"] == "3" and answers[0]["RateLimit-Reset"] == "50"
        refused = api("get", "/me", token=token, HTTP_ACCEPT_LANGUAGE="en")
        assert refused.status_code == 429
        assert refused["Retry-After"] == "50"
        body = refused.json()
        assert body["code"] == "rate_limited"
        assert body["message"] == "Too many requests: try again in 50 seconds."
        zh = api("get", "/me", token=token, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert zh.status_code == 429 and "50" in zh.json()["message"]
        assert zh.json()["message"] != body["message"]  # translated
    # The next window has a fresh budget.
    with time_machine.travel(T0 + dt.timedelta(seconds=50), tick=False):
        assert api("get", "/me", token=token).status_code == 200


@override_settings(TRADEWIND_API_RATE="2/m")
def test_refused_create_changes_nothing(world, api, token_for):
    token = token_for(world.rep)
    with time_machine.travel(T0, tick=False):
        for _ in range(2):
            assert api("get", "/me", token=token).status_code == 200
        before = Lead.objects.count()
        resp = api("post", "/leads", token=token, json={"company_name": "Refused Trading Co"})
        assert resp.status_code == 429
        assert Lead.objects.count() == before
        assert not Lead.objects.filter(company_name="Refused Trading Co").exists()


@override_settings(TRADEWIND_API_RATE="2/m")
def test_anonymous_is_401_and_spends_nothing(world, api, token_for):
    token = token_for(world.rep)
    with time_machine.travel(T0, tick=False):
        for _ in range(5):
            resp = api("get", "/me")
            assert resp.status_code == 401 and resp.json()["code"] == "unauthenticated"
            assert "RateLimit-Limit" not in resp
        bad = api("get", "/me", token="tw_nope_nope")
        assert bad.status_code == 401
        assert api("get", "/me", token=token).status_code == 200
        assert api("get", "/me", token=token).status_code == 200
        assert api("get", "/me", token=token).status_code == 429


@override_settings(TRADEWIND_API_RATE="2/m")
def test_each_token_and_session_has_its_own_budget(world, api, token_for, client_for):
    first, second = token_for(world.rep), token_for(world.rep)
    with time_machine.travel(T0, tick=False):
        for _ in range(2):
            assert api("get", "/me", token=first).status_code == 200
        assert api("get", "/me", token=first).status_code == 429
        assert api("get", "/me", token=second).status_code == 200
        browser = client_for(world.rep)
        assert browser.get("/api/v1/me").status_code == 200
        assert browser.get("/api/v1/me").status_code == 200
        refused = browser.get("/api/v1/me")
        assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
        # Another member's session is another caller.
        assert client_for(world.rep2).get("/api/v1/me").status_code == 200


@override_settings(TRADEWIND_API_RATE="100/m", TRADEWIND_API_RATE_HEAVY="2/m")
def test_exports_spend_the_smaller_heavy_budget(world, api, token_for):
    token = token_for(world.owner)
    with time_machine.travel(T0, tick=False):
        for _ in range(2):
            assert api("get", "/leads/export", token=token).status_code == 200
        refused = api("get", "/leads/export", token=token)
        assert refused.status_code == 429 and refused["Retry-After"] == "50"
        # Ordinary calls still have their budget.
        ok = api("get", "/me", token=token)
        assert ok.status_code == 200 and ok["RateLimit-Limit"] == "100"


@override_settings(TRADEWIND_API_RATE="off")
def test_off_means_no_limit(world, api, token_for):
    token = token_for(world.rep)
    for _ in range(5):
        resp = api("get", "/me", token=token)
        assert resp.status_code == 200 and "RateLimit-Limit" not in resp


def _count_in_child(directory: str, key: str, times: int, out) -> None:
    shared = FileBasedCache(directory, {})
    out.put([hit(shared, key, 60) for _ in range(times)])


def test_file_cache_counter_is_atomic_across_processes(tmp_path):
    """Four processes (as gunicorn workers) count into one file cache: no update is lost."""
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    workers = [
        ctx.Process(target=_count_in_child, args=(str(tmp_path), "k", 40, out)) for _ in range(4)
    ]
    for w in workers:
        w.start()
    seen = [n for _ in workers for n in out.get(timeout=60)]
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    assert sorted(seen) == list(range(1, 161))
    assert FileBasedCache(str(tmp_path), {}).get("k") == 160


@override_settings(TRADEWIND_API_RATE="lots")
def test_a_mistyped_rate_stops_the_start():
    from django.core.exceptions import ImproperlyConfigured

    from tradewind.workspaces.api_limits import CallerRateThrottle

    with pytest.raises(ImproperlyConfigured, match="TRADEWIND_API_RATE"):
        CallerRateThrottle()
