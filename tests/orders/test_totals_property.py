"""One rounding rule, everywhere: for many random quotes the total on the page, in the API, in the
CSV export and in the document HTML (which the PDF is rendered from) agree, and equal the rule
"round each line to the currency's minor unit, then add the rounded lines"."""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.orders.conftest import act
from tradewind.orders import documents, quotes
from tradewind.orders.totals import grouped, plain

CURRENCIES = {"USD": 2, "JPY": 0, "KWD": 3, "CNY": 2}

line = st.fixed_dictionaries(
    {
        "quantity": st.decimals(min_value="0.001", max_value="100000", places=3),
        "unit_price": st.decimals(min_value="0", max_value="10000", places=4),
        "discount_percent": st.decimals(min_value="0", max_value="100", places=2),
    }
)


def by_rule(lines: list[dict], currency: str) -> Decimal:
    step = Decimal(1).scaleb(-CURRENCIES[currency])
    total = Decimal(0)
    for row in lines:
        net = row["quantity"] * row["unit_price"] * (100 - row["discount_percent"]) / 100
        total += net.quantize(step, rounding=ROUND_HALF_UP)
    return total


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(line, min_size=1, max_size=6),
    currency=st.sampled_from(sorted(CURRENCIES)),
)
def test_totals_agree_everywhere(world, qw, client_for, api, token_for, rows, currency):
    quote = quotes.quote_create(
        actor=act(world.rep),
        customer_id=qw.customer.pk,
        currency=currency,
        lines=[{"description": f"item {i}", **row} for i, row in enumerate(rows)],
    )
    expected = plain(by_rule(rows, currency), currency)
    # page
    page = client_for(world.rep).get(f"/quotes/{quote.pk}/").content.decode()
    assert f'data-total="{grouped(Decimal(expected), currency)}"' in page
    # API
    token = token_for(world.rep)
    assert api("get", f"/quotes/{quote.pk}", token=token).json()["total"] == expected
    # CSV export
    body = client_for(world.rep).get("/quotes/export/").content.decode("utf-8-sig")
    rows_out = {r["number"]: r for r in csv.DictReader(io.StringIO(body))}
    assert rows_out[quote.code]["total"] == expected
    # the document HTML the PDF is made from
    version = quote.versions.get()
    snapshot = documents.draft_snapshot(quote, version)
    assert snapshot["total"] == expected
    assert f'data-total="{expected}"' in documents.render_html(snapshot, "bi")
