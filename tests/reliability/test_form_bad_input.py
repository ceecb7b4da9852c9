"""Issue #10, item 3: the main forms posted with hostile input — strings far over any limit, NUL
and other control characters, wrong types, numbers that are not numbers, ids out of range — answer
with the form and a translated message (Chinese under zh-hans), and save nothing.

Forms: lead, customer, opportunity (with lines), and the quote editor's lines (JSON).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from tests.orders.conftest import act, qw  # noqa: F401 (fixture)
from tradewind.customers.models import Customer
from tradewind.leads.models import Lead
from tradewind.orders import quotes
from tradewind.orders.models import QuoteLine
from tradewind.sales.models import Opportunity
from tradewind.sales.pipelines import pipeline_default

HUGE = "大" * 100_000
BIG_ID = "99999999999999999999"
CJK = re.compile(r"[\u4e00-\u9fff]")
# Field messages (core/field.html) and the alert above a form (its items, or its one line).
FIELD_MESSAGE = re.compile(r'class="invalid-feedback[^"]*">(.*?)</div>', re.S)
ALERT = re.compile(r'class="alert alert-danger"[^>]*>(.*?)</div>', re.S)


def _messages(html: str) -> list[str]:
    found = FIELD_MESSAGE.findall(html) + ALERT.findall(html)
    texts = [" ".join(re.sub(r"<[^>]+>", " ", m).split()) for m in found]
    return [t for t in texts if t]


def _refused(client, url: str, data: dict) -> list[str]:
    """Post in Chinese: the form comes back (no redirect, no server error) with messages, and every
    message is Chinese."""
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    assert response.status_code in (200, 422), (response.status_code, body[:1500])
    messages = _messages(body)
    assert messages, body[:3000]
    for message in messages:
        assert CJK.search(message), message
    return messages


LEAD = {"company_name": "Bad Input Trading", "source": "trade_show", "owner": ""}
LEAD_BAD = {
    "huge company": {"company_name": HUGE},
    "NUL": {"company_name": "Bad\x00Input"},
    "huge e-mail": {"email": "a" * 5000 + "@x.test"},
    "phone of letters": {"phone": "call me maybe"},
    "owner not a number": {"owner": "abc"},
    "owner out of range": {"owner": BIG_ID},
    "budget not a number": {"budget_min": "lots", "budget_currency": "USD"},
    "budget NaN": {"budget_min": "NaN", "budget_currency": "USD"},
    "country unknown": {"country": "ZZZ"},
}


@pytest.mark.parametrize("case", list(LEAD_BAD))
def test_the_lead_form_refuses_bad_input_and_saves_nothing(world, client_for, case):
    before = Lead.objects.count()
    _refused(client_for(world.rep), "/leads/new/", LEAD | LEAD_BAD[case])
    assert Lead.objects.count() == before


CUSTOMER = {"name": "Bad Input Buyer", "source": "other"}
CUSTOMER_BAD = {
    "huge name": {"name": HUGE},
    "NUL": {"name": "Bad\x00Buyer"},
    "huge phone": {"phone": "1" * 10_000},
    "owner out of range": {"owner": BIG_ID},
    "e-mail of garbage": {"email": "@@@"},
}


@pytest.mark.parametrize("case", list(CUSTOMER_BAD))
def test_the_customer_form_refuses_bad_input_and_saves_nothing(world, client_for, case):
    before = Customer.objects.count()
    _refused(client_for(world.rep), "/customers/new/", CUSTOMER | CUSTOMER_BAD[case])
    assert Customer.objects.count() == before


OPPORTUNITY_BAD = {
    "huge name": {"name": HUGE},
    "NUL": {"name": "Bad\x00Deal"},
    "amount NaN": {"amount": "NaN"},
    "amount huge": {"amount": "1e999"},
    "date impossible": {"expected_close_date": "2024-02-30"},
    "probability of words": {"probability": "likely"},
    "customer out of range": {"customer": BIG_ID},
    "stage not a number": {"stage": "abc"},
    "line quantity huge": {
        "line_description": ["Panel"],
        "line_quantity": ["1e999"],
        "line_unit_price": ["1"],
    },
    "line price negative": {
        "line_description": ["Panel"],
        "line_quantity": ["1"],
        "line_unit_price": ["-5"],
    },
    "line description huge": {
        "line_description": [HUGE],
        "line_quantity": ["1"],
        "line_unit_price": ["1"],
    },
}


@pytest.mark.parametrize("case", list(OPPORTUNITY_BAD))
def test_the_opportunity_form_refuses_bad_input_and_saves_nothing(
    world,
    qw,  # noqa: F811
    client_for,
    case,
):
    pipeline = pipeline_default(world.ws)
    base = {
        "name": "Bad Input Deal",
        "customer": qw.customer.pk,
        "pipeline": pipeline.pk,
        "stage": pipeline.stages.first().pk,
        "forecast_category": "pipeline",
        "currency": "USD",
    }
    before = Opportunity.objects.count()
    _refused(client_for(world.rep), "/opportunities/new/", base | OPPORTUNITY_BAD[case])
    assert Opportunity.objects.count() == before


def _line(**more) -> dict:
    return {"description": "Panel", "quantity": "10", "unit_price": "2.5", **more}


QUOTE_LINES_BAD = {
    "not JSON": "[{",
    "an object, not a list": json.dumps({"description": "x"}),
    "a list of numbers": json.dumps([1, 2, 3]),
    "quantity NaN": json.dumps([_line(quantity="NaN")]),
    "quantity huge": json.dumps([_line(quantity="1e999")]),
    "quantity of words": json.dumps([_line(quantity="ten")]),
    "price negative": json.dumps([_line(unit_price="-1")]),
    "discount over 100": json.dumps([_line(discount_percent="150")]),
    "description huge": json.dumps([_line(description=HUGE)]),
    "quantity a list": json.dumps([_line(quantity=[1, 2])]),
}


@pytest.mark.parametrize("case", list(QUOTE_LINES_BAD))
def test_the_quote_editor_refuses_bad_lines_and_changes_nothing(
    world,
    qw,  # noqa: F811
    client_for,
    case,
):
    quote = quotes.quote_create(actor=act(world.rep), opportunity_id=qw.opportunity.pk)
    lines = list(QuoteLine.objects.order_by("pk").values_list("description", "quantity", "amount"))
    _refused(
        client_for(world.rep),
        f"/quotes/{quote.pk}/edit/",
        {"currency": "USD", "incoterm": "CIF", "lines_json": QUOTE_LINES_BAD[case]},
    )
    assert (
        list(QuoteLine.objects.order_by("pk").values_list("description", "quantity", "amount"))
        == lines
    )
    quote.refresh_from_db()
    assert quote.total == Decimal("1295.45")


def test_control_characters_are_dropped_and_a_broken_url_is_only_text(
    world,
    qw,  # noqa: F811
    client_for,
):
    """Invisible control characters (not NUL, which the forms refuse) are dropped, as the
    spreadsheet reader drops them: PostgreSQL and XLSX writers refuse them, so keeping them would
    break a later export. A website that is not a URL is kept as text with no domain (before, its
    unbalanced bracket raised inside urlsplit and the page answered 500)."""
    client = client_for(world.rep)
    response = client.post(
        "/leads/new/", LEAD | {"company_name": "Bell\x07Trading\x1b", "website": "http://["}
    )
    assert response.status_code == 302
    lead = Lead.objects.get(company_name="BellTrading")
    assert (lead.website, lead.web_domain) == ("http://[", "")
    response = client.post("/customers/new/", CUSTOMER | {"name": "Back\x08space\x7f Buyer"})
    assert response.status_code == 302
    assert Customer.objects.filter(name="Backspace Buyer").exists()
    pipeline = pipeline_default(world.ws)
    response = client.post(
        "/opportunities/new/",
        {
            "name": "Start\x01of heading",
            "customer": qw.customer.pk,
            "pipeline": pipeline.pk,
            "stage": pipeline.stages.first().pk,
            "forecast_category": "pipeline",
            "currency": "USD",
        },
    )
    assert response.status_code == 302
    assert Opportunity.objects.filter(name="Startof heading").exists()
    quote = quotes.quote_create(actor=act(world.rep), opportunity_id=qw.opportunity.pk)
    response = client.post(
        f"/quotes/{quote.pk}/edit/",
        {
            "currency": "USD",
            "incoterm": "CIF",
            "lines_json": json.dumps([_line(description="Pa\x00nel\x1b")]),
        },
    )
    assert response.status_code == 302
    assert list(
        QuoteLine.objects.filter(version__quote=quote).values_list("description", flat=True)
    ) == ["Panel"]
