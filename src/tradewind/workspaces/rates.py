"""Exchange rates: the rate in force on a date, and conversion through it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from tradewind.core.errors import ErrorCode, NotFound
from tradewind.core.money import Money, quantize

from .models import ExchangeRate, Workspace


def rate_on(*, workspace: Workspace, from_currency: str, to_currency: str, on: dt.date) -> Decimal:
    """The latest rate dated on or before `on`; the inverse of the reverse pair if only that exists."""
    if from_currency == to_currency:
        return Decimal(1)
    rows = ExchangeRate.objects.filter(workspace=workspace, on_date__lte=on)
    direct = (
        rows.filter(from_currency=from_currency, to_currency=to_currency)
        .order_by("-on_date")
        .first()
    )
    reverse = (
        rows.filter(from_currency=to_currency, to_currency=from_currency)
        .order_by("-on_date")
        .first()
    )
    if direct and (reverse is None or direct.on_date >= reverse.on_date):
        return direct.rate
    if reverse:
        return (Decimal(1) / reverse.rate).quantize(Decimal("1e-10"))
    raise NotFound(
        ErrorCode.NOT_FOUND,
        _("No exchange rate from %(from)s to %(to)s on or before %(date)s.")
        % {"from": from_currency, "to": to_currency, "date": on.isoformat()},
    )


def convert(*, workspace: Workspace, money: Money, to_currency: str, on: dt.date) -> Money:
    rate = rate_on(
        workspace=workspace, from_currency=money.currency, to_currency=to_currency, on=on
    )
    return Money(quantize(money.amount * rate, to_currency), to_currency)
