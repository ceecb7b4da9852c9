"""Exchange rates: the rate in force on a date, the inverse pair, conversion rounded to minor units."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tradewind.core.errors import NotFound, ServiceError
from tradewind.core.money import Money
from tradewind.workspaces import services
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.models import ExchangeRate, Membership, User
from tradewind.workspaces.rates import convert, rate_on

D = dt.date


@pytest.fixture
def owner(db) -> Membership:
    user = User.objects.create_user(email="fx@r.test", password="x-Long-password-1")
    _ws, member = services.workspace_create(name="FX House", owner=user, slug="fx")
    return Membership.objects.select_related("user", "workspace").get(pk=member.pk)


@pytest.fixture
def actor(owner) -> Actor:
    return Actor.for_member(owner)


def put(actor: Actor, on: dt.date, pair: str, rate: str) -> ExchangeRate:
    src, dst = pair.split("/")
    return services.exchange_rate_set(
        actor=actor, on_date=on, from_currency=src, to_currency=dst, rate=Decimal(rate)
    )


def test_rate_on_a_date_is_the_latest_on_or_before(actor):
    ws = actor.workspace
    put(actor, D(2026, 1, 1), "USD/CNY", "7.10")
    put(actor, D(2026, 2, 1), "USD/CNY", "7.20")
    put(actor, D(2026, 3, 1), "USD/CNY", "7.30")
    assert rate_on(
        workspace=ws, from_currency="USD", to_currency="CNY", on=D(2026, 1, 1)
    ) == Decimal("7.10")
    assert rate_on(
        workspace=ws, from_currency="USD", to_currency="CNY", on=D(2026, 1, 31)
    ) == Decimal("7.10")
    assert rate_on(
        workspace=ws, from_currency="USD", to_currency="CNY", on=D(2026, 2, 1)
    ) == Decimal("7.20")
    assert rate_on(
        workspace=ws, from_currency="USD", to_currency="CNY", on=D(2026, 2, 28)
    ) == Decimal("7.20")
    assert rate_on(
        workspace=ws, from_currency="USD", to_currency="CNY", on=D(2030, 1, 1)
    ) == Decimal("7.30")


def test_the_same_currency_is_one(actor):
    assert (
        rate_on(workspace=actor.workspace, from_currency="EUR", to_currency="EUR", on=D(2026, 1, 1))
        == 1
    )


def test_setting_a_rate_twice_on_one_day_replaces_it(actor):
    put(actor, D(2026, 1, 1), "usd/cny", "7.10")
    put(actor, D(2026, 1, 1), "USD/CNY", "7.15")
    assert ExchangeRate.objects.filter(workspace=actor.workspace).count() == 1
    assert rate_on(
        workspace=actor.workspace, from_currency="USD", to_currency="CNY", on=D(2026, 1, 1)
    ) == Decimal("7.15")


def test_the_inverse_is_used_when_only_the_reverse_pair_exists(actor):
    put(actor, D(2026, 1, 1), "USD/CNY", "8")
    rate = rate_on(
        workspace=actor.workspace, from_currency="CNY", to_currency="USD", on=D(2026, 6, 1)
    )
    assert rate == Decimal("0.125")
    put(actor, D(2026, 1, 1), "EUR/CNY", "7.8")
    rate = rate_on(
        workspace=actor.workspace, from_currency="CNY", to_currency="EUR", on=D(2026, 6, 1)
    )
    assert rate == Decimal("0.1282051282")  # 1 / 7.8 to ten places


def test_the_newer_of_direct_and_reverse_wins(actor):
    ws = actor.workspace
    put(actor, D(2026, 1, 1), "USD/CNY", "7")
    put(actor, D(2026, 2, 1), "CNY/USD", "0.125")  # newer: 1 USD = 8 CNY
    assert rate_on(
        workspace=ws, from_currency="USD", to_currency="CNY", on=D(2026, 1, 15)
    ) == Decimal("7")
    assert rate_on(
        workspace=ws, from_currency="USD", to_currency="CNY", on=D(2026, 2, 15)
    ) == Decimal("8")
    put(actor, D(2026, 2, 1), "USD/CNY", "7.5")  # same day: the direct pair wins
    assert rate_on(
        workspace=ws, from_currency="USD", to_currency="CNY", on=D(2026, 2, 15)
    ) == Decimal("7.5")


def test_a_missing_rate_is_a_coded_not_found(actor, world):
    put(actor, D(2026, 3, 1), "USD/CNY", "7.1")
    for kwargs in (
        {
            "from_currency": "USD",
            "to_currency": "CNY",
            "on": D(2026, 2, 28),
        },  # only a later rate exists
        {"from_currency": "GBP", "to_currency": "CNY", "on": D(2026, 3, 2)},  # no such pair
    ):
        with pytest.raises(NotFound) as exc:
            rate_on(workspace=actor.workspace, **kwargs)
        assert exc.value.code == "not_found"
        assert exc.value.status == 404
    # another workspace's rates do not count
    with pytest.raises(NotFound):
        rate_on(workspace=world.ws, from_currency="USD", to_currency="CNY", on=D(2026, 3, 2))


@pytest.mark.parametrize(
    ("amount", "src", "dst", "rate", "expected"),
    [
        ("100", "USD", "JPY", "151.235", "15124"),  # 15123.5 -> half up, no decimals
        ("99.99", "USD", "JPY", "150.004", "14999"),  # 14999.04996
        ("1000", "JPY", "USD", "0.0066666", "6.67"),  # 6.6666 -> two decimals
        ("0.01", "USD", "CNY", "7.1234", "0.07"),  # 0.071234
        ("12.345", "EUR", "USD", "1", "12.35"),  # half up on the third decimal
        ("10", "USD", "KWD", "0.30712", "3.071"),  # KWD has three decimals
    ],
)
def test_conversion_rounds_to_the_targets_minor_units(actor, amount, src, dst, rate, expected):
    put(actor, D(2026, 1, 1), f"{src}/{dst}", rate)
    result = convert(
        workspace=actor.workspace, money=Money.of(amount, src), to_currency=dst, on=D(2026, 1, 2)
    )
    assert result == Money(Decimal(expected), dst)
    assert result.amount.as_tuple().exponent == Decimal(expected).as_tuple().exponent


def test_conversion_through_the_inverse(actor):
    put(actor, D(2026, 1, 1), "USD/CNY", "7.1")
    result = convert(
        workspace=actor.workspace,
        money=Money.of("1000", "CNY"),
        to_currency="USD",
        on=D(2026, 1, 1),
    )
    assert result == Money(Decimal("140.85"), "USD")  # 1000 * 0.1408450704


@pytest.mark.parametrize(
    ("src", "dst", "rate"),
    [
        ("USD", "USD", "1"),
        ("USD", "XXQ", "7"),
        ("USD", "CNY", "0"),
        ("USD", "CNY", "-1"),
        ("USD", "CNY", "NaN"),
    ],
)
def test_bad_rates_are_refused(actor, src, dst, rate):
    with pytest.raises(ServiceError) as exc:
        services.exchange_rate_set(
            actor=actor,
            on_date=D(2026, 1, 1),
            from_currency=src,
            to_currency=dst,
            rate=Decimal(rate),
        )
    assert exc.value.code == "invalid"
    assert not ExchangeRate.objects.exists()


def test_only_owners_and_finance_set_rates(world):
    with pytest.raises(ServiceError) as exc:
        services.exchange_rate_set(
            actor=world.actor(world.rep),
            on_date=D(2026, 1, 1),
            from_currency="USD",
            to_currency="CNY",
            rate=Decimal("7"),
        )
    assert exc.value.code == "permission_denied"


def test_the_convert_endpoint(world, token_for, api):
    put(world.actor(world.owner), D(2026, 1, 1), "USD/JPY", "150.5")
    raw = token_for(world.rep)
    response = api(
        "get",
        "/exchange-rates/convert?amount=10.01&from_currency=USD&to_currency=jpy&on_date=2026-01-05",
        token=raw,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (Decimal(body["amount"]), body["currency"], Decimal(body["rate"])) == (
        Decimal("1507"),
        "JPY",
        Decimal("150.5"),
    )
    missing = api(
        "get",
        "/exchange-rates/convert?amount=1&from_currency=USD&to_currency=EUR&on_date=2026-01-05",
        token=raw,
    )
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
