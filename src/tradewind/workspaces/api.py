from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema, Status

from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.core.money import Money

from . import rates, selectors, services
from .models import ExchangeRate

router = Router(tags=["workspace"])


class WorkspaceOut(Schema):
    id: int
    name: str
    base_currency: str
    time_zone: str


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    role: str
    data_scope: str
    team_id: int | None
    language: str
    time_zone: str
    workspace: WorkspaceOut


class MemberOut(Schema):
    id: int
    user_id: int
    email: str
    full_name: str
    role: str
    data_scope: str
    team_id: int | None
    is_active: bool


class TeamOut(Schema):
    id: int
    name: str
    kind: str
    parent_id: int | None
    manager_id: int | None


class RateIn(Schema):
    on_date: dt.date
    from_currency: str
    to_currency: str
    rate: Decimal
    source: str = ""


class RateOut(Schema):
    on_date: dt.date
    from_currency: str
    to_currency: str
    rate: Decimal
    source: str


class RateConvertOut(Schema):
    amount: Decimal
    currency: str
    rate: Decimal
    on_date: dt.date


@router.get("/me", response={200: MeOut, **READ_ERRORS}, summary="The member behind this token")
def me(request: HttpRequest) -> dict:
    m = request.member
    return {
        "id": m.user_id,
        "email": m.user.email,
        "full_name": m.user.full_name,
        "role": m.role,
        "data_scope": m.data_scope,
        "team_id": m.team_id,
        "language": m.user.language,
        "time_zone": m.user.time_zone,
        "workspace": m.workspace,
    }


@router.get("/members", response={200: list[MemberOut], **READ_ERRORS})
def member_list(request: HttpRequest) -> list[dict]:
    return [
        {
            "id": m.pk,
            "user_id": m.user_id,
            "email": m.user.email,
            "full_name": m.user.full_name,
            "role": m.role,
            "data_scope": m.data_scope,
            "team_id": m.team_id,
            "is_active": m.is_active,
        }
        for m in selectors.members_of(request.member)
    ]


@router.get("/teams", response={200: list[TeamOut], **READ_ERRORS})
def team_list(request: HttpRequest) -> list:
    return selectors.teams_of(request.member)


@router.get("/exchange-rates", response={200: list[RateOut], **READ_ERRORS})
def rate_list(request: HttpRequest) -> list:
    return list(ExchangeRate.objects.filter(workspace=request.workspace).order_by("-on_date")[:500])


@router.post("/exchange-rates", response={201: RateOut, **ERRORS})
def rate_set(request: HttpRequest, payload: RateIn) -> Status:
    return Status(201, services.exchange_rate_set(actor=request.actor, **payload.dict()))


@router.get("/exchange-rates/convert", response={200: RateConvertOut, **READ_ERRORS})
def rate_convert(
    request: HttpRequest, amount: Decimal, from_currency: str, to_currency: str, on_date: dt.date
) -> dict:
    money = Money.of(amount, from_currency)
    rate = rates.rate_on(
        workspace=request.workspace,
        from_currency=money.currency,
        to_currency=to_currency.upper(),
        on=on_date,
    )
    converted = rates.convert(
        workspace=request.workspace, money=money, to_currency=to_currency.upper(), on=on_date
    )
    return {
        "amount": converted.amount,
        "currency": converted.currency,
        "rate": rate,
        "on_date": on_date,
    }


# The settings writes share these paths (one URL pattern per path): same router, own module.
from . import api_admin  # noqa: E402,F401
