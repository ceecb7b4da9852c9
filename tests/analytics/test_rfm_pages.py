"""RFM and churn pages, API, export and settings: figures, drill-down, authorization."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from tests.analytics.rfm_helpers import build
from tradewind.analytics.settings_store import analytics_settings
from tradewind.workspaces.models import AuditEvent

NOON = dt.datetime(2025, 6, 30, 4, 0, tzinfo=dt.UTC)  # 12:00 in Asia/Shanghai, 2025-06-30
FORM = {"rfm_window_days": "30", "reorder_soon_ratio": "0.8", "churn_risk_ratio": "1.5"}


@pytest.fixture
def data(world):
    d = build(world)
    with time_machine.travel(NOON, tick=False):
        yield d


# --- pages --------------------------------------------------------------------------------------


def test_rfm_page_shows_segments_chart_and_customers(world, data, client_for):
    r = client_for(world.owner).get(reverse("analytics:rfm"))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="rfm-chart"' in html and 'id="rfm-data"' in html
    assert 'data-segment="key_value"' in html
    assert "20,123.40" in html or "20123.40" in html
    for code in ("C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8"):
        assert f'data-customer="{code}"' in html
    assert "BETA-SECRET" not in html
    assert reverse("customers:detail", args=[data.customers["C1"].pk]) in html
    assert f"{reverse('orders:list')}?customer={data.customers['C1'].pk}" in html


def test_rfm_page_segment_drill_down_and_htmx_partial(world, data, client_for):
    c = client_for(world.owner)
    r = c.get(reverse("analytics:rfm"), {"segment": "key_keep"})
    html = r.content.decode()
    assert 'data-customer="C2"' in html and 'data-customer="C1"' not in html
    r = c.get(
        reverse("analytics:rfm"),
        {"segment": "regular_winback"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="rfm-customers",
    )
    html = r.content.decode()
    assert "<html" not in html and 'data-customer="C8"' in html and 'data-customer="C2"' not in html


def test_rfm_page_in_chinese_names_the_seed_segments(world, data, client_for):
    c = client_for(world.owner)
    r = c.get(reverse("analytics:rfm"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = r.content.decode()
    for name in (
        "重要价值客户",
        "重要保持客户",
        "重要发展客户",
        "重要挽留客户",
        "一般价值客户",
        "一般保持客户",
        "一般发展客户",
        "一般挽留客户",
    ):
        assert name in html


def test_rep_sees_own_customers_only(world, data, client_for):
    html = client_for(world.rep).get(reverse("analytics:rfm")).content.decode()
    assert {
        c
        for c in ("C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8")
        if f'data-customer="{c}"' in html
    } == {"C1", "C2", "C7", "C8"}
    html = client_for(world.rep).get(reverse("analytics:churn"), {"status": "all"}).content.decode()
    assert 'data-customer="C1"' in html and 'data-customer="C4"' not in html


def test_other_workspace_and_anonymous(world, data, client_for, client):
    for name in ("analytics:rfm", "analytics:churn"):
        r = client.get(reverse(name))
        assert r.status_code == 302
        html = client_for(world.owner2).get(reverse(name)).content.decode()
        assert "Customer C" not in html


def test_empty_states(world, client_for):
    for name in ("analytics:rfm", "analytics:churn"):
        html = client_for(world.owner).get(reverse(name)).content.decode()
        assert 'data-testid="empty-state"' in html


def test_churn_page_lists_and_chart(world, data, client_for):
    c = client_for(world.owner)
    html = c.get(reverse("analytics:churn")).content.decode()  # default: likely to reorder soon
    assert 'data-testid="churn-chart"' in html and 'id="churn-data"' in html
    assert 'data-customer="C1"' in html and 'data-customer="C2"' not in html
    html = c.get(reverse("analytics:churn"), {"status": "risk"}).content.decode()
    assert html.index('data-customer="C4"') < html.index('data-customer="C2"')
    assert "10.41" in html and "8.03" in html


def test_exports(world, data, client_for):
    c = client_for(world.owner)
    r = c.get(reverse("analytics:rfm"), {"export": "xlsx"})
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    rows = list(load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.values)
    segments = {row[0]: row[2] for row in rows[4:12]}
    assert segments["重要价值客户"] == 1 and len(segments) == 8  # the default language: zh-Hans
    customers = [row for row in rows if row and row[0] in {f"C{i}" for i in range(1, 10)}]
    assert [row[0] for row in customers] == ["C3", "C2", "C1", "C4", "C5", "C6", "C7", "C8"]
    assert Decimal(str(customers[2][8])) == Decimal("20123.40")
    r = c.get(reverse("analytics:churn"), {"status": "risk", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.values)
    assert [row[0] for row in rows if row and row[0] in ("C2", "C4")] == ["C4", "C2"]
    r = client_for(world.rep).get(reverse("analytics:rfm"), {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.values)
    assert {
        row[0] for row in rows if row and str(row[0]).startswith("C") and len(str(row[0])) == 2
    } == {"C1", "C2", "C7", "C8"}


# --- settings page ------------------------------------------------------------------------------


def test_settings_page_saves_and_audits(world, data, client_for):
    c = client_for(world.manager)
    assert c.get(reverse("analytics:customer_settings")).status_code == 200
    r = c.post(
        reverse("analytics:customer_settings"),
        {
            "rfm_window_days": "180",
            "rfm_recency_days": "30",
            "rfm_frequency": "",
            "rfm_monetary": "20000",
            "reorder_soon_ratio": "0.7",
            "churn_risk_ratio": "2",
            "back": "analytics:churn",
        },
    )
    assert r.status_code == 302 and r["Location"] == reverse("analytics:churn")
    row = analytics_settings(world.ws)
    assert (row.rfm_window_days, row.rfm_recency_days, row.rfm_frequency, row.rfm_monetary) == (
        180,
        30,
        None,
        Decimal("20000.00"),
    )
    assert (row.reorder_soon_ratio, row.churn_risk_ratio) == (Decimal("0.70"), Decimal("2.00"))
    event = AuditEvent.objects.filter(
        workspace=world.ws, target_type="analytics.analyticssettings"
    ).get()
    assert event.changes["rfm_window_days"] == [365, 180]


def test_settings_page_errors(world, data, client_for):
    c = client_for(world.owner)
    r = c.post(
        reverse("analytics:customer_settings"),
        {"rfm_window_days": "0", "reorder_soon_ratio": "1.2", "churn_risk_ratio": "abc"},
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert html.count("invalid-feedback") >= 3
    assert analytics_settings(world.ws).rfm_window_days == 365


@pytest.mark.parametrize("who", ["rep", "readonly"])
def test_settings_page_refused_without_permission(world, data, client_for, who):
    c = client_for(getattr(world, who))
    assert c.get(reverse("analytics:customer_settings")).status_code == 403
    r = c.post(reverse("analytics:customer_settings"), FORM)
    assert r.status_code == 403
    assert analytics_settings(world.ws).rfm_window_days == 365


def test_settings_page_anonymous_and_other_workspace(world, data, client_for, client):
    r = client.post(reverse("analytics:customer_settings"), FORM)
    assert r.status_code == 302
    r = client_for(world.owner2).post(reverse("analytics:customer_settings"), FORM)
    assert r.status_code == 302
    assert analytics_settings(world.ws).rfm_window_days == 365
    assert analytics_settings(world.ws2).rfm_window_days == 30  # its own row, not A's


# --- API ----------------------------------------------------------------------------------------


def test_api_rfm(world, data, api, token_for):
    token = token_for(world.owner)
    r = api("get", "/reports/rfm", token=token)
    assert r.status_code == 200
    body = r.json()
    assert body["baselines"]["recency_days"] == "143.25"
    assert body["baselines"]["monetary"] == "12815.43"
    assert {s["key"]: s["customers"] for s in body["segments"]} == dict.fromkeys(
        (
            "key_value",
            "key_keep",
            "key_develop",
            "key_winback",
            "regular_value",
            "regular_keep",
            "regular_develop",
            "regular_winback",
        ),
        1,
    )
    r = api("get", "/reports/rfm/customers?segment=key_develop", token=token)
    assert [
        (i["code"], i["recency"], i["frequency"], i["monetary"]) for i in r.json()["items"]
    ] == [("C3", 29, 1, "30000.00")]
    r = api("get", "/reports/rfm/customers", token=token_for(world.rep))
    assert sorted(i["code"] for i in r.json()["items"]) == ["C1", "C2", "C7", "C8"]
    assert api("get", "/reports/rfm").status_code == 401
    r = api("get", "/reports/rfm/customers", token=token_for(world.owner2))
    assert [i["code"] for i in r.json()["items"]] == ["C9"]


def test_api_churn(world, data, api, token_for):
    token = token_for(world.owner)
    body = api("get", "/reports/churn", token=token).json()
    assert body["repeat_customers"] == 6
    assert {s["key"]: s["customers"] for s in body["statuses"]} == {
        "soon": 1,
        "risk": 2,
        "due": 1,
        "not_due": 2,
    }
    items = api("get", "/reports/churn/customers?status=risk", token=token).json()["items"]
    assert [
        (i["code"], i["intervals"], i["average_interval"], i["days_since"], i["ratio"])
        for i in items
    ] == [
        ("C4", 1, "32.0", 333, "10.41"),
        ("C2", 2, "30.0", 241, "8.03"),
    ]
    assert api("get", "/reports/churn/customers").status_code == 401
    assert (
        api("get", "/reports/churn/customers", token=token_for(world.owner2)).json()["items"] == []
    )


def test_api_settings(world, data, api, token_for):
    r = api(
        "patch",
        "/reports/customer-settings",
        token=token_for(world.manager),
        json={"rfm_monetary": "5000", "churn_risk_ratio": "3"},
    )
    assert r.status_code == 200, r.content
    assert r.json()["rfm_monetary"] == "5000.00" and r.json()["churn_risk_ratio"] == "3.00"
    assert r.json()["rfm_window_days"] == 365
    r = api(
        "patch",
        "/reports/customer-settings",
        token=token_for(world.owner),
        json={"rfm_monetary": None},
    )
    assert r.json()["rfm_monetary"] is None
    r = api(
        "patch",
        "/reports/customer-settings",
        token=token_for(world.owner),
        json={"reorder_soon_ratio": "1.5"},
    )
    assert r.status_code == 422 and "reorder_soon_ratio" in r.json()["fields"]
    assert (
        api("get", "/reports/customer-settings", token=token_for(world.rep)).json()[
            "churn_risk_ratio"
        ]
        == "3.00"
    )


def test_api_settings_authorization(world, data, api, token_for):
    payload = {"rfm_window_days": 30}
    assert api("patch", "/reports/customer-settings", json=payload).status_code == 401
    r = api("patch", "/reports/customer-settings", token=token_for(world.rep), json=payload)
    assert r.status_code == 403
    r = api("patch", "/reports/customer-settings", token=token_for(world.owner2), json=payload)
    assert r.status_code == 200
    assert analytics_settings(world.ws).rfm_window_days == 365
    assert analytics_settings(world.ws2).rfm_window_days == 30
