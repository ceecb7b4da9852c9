"""Customer reports API under /api/v1/reports: RFM segments and their customers, the repurchase /
churn warning and its lists, and the settings of both (window, baselines, thresholds).

Figures follow the reader's visibility (analytics/rfm.py, churn.py). Money travels as strings in
the base currency. The settings payload's fields all default to "leave unchanged"."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import churn, rfm
from .settings_store import analytics_settings

router = Router(tags=["reports"])


def _s(value: Any) -> str | None:
    return None if value is None else f"{value:f}"


# --- RFM ----------------------------------------------------------------------------------------


class BaselinesOut(Schema):
    recency_days: str = Field(description="R is high when recency ≤ this")
    frequency: str = Field(description="F is high when orders ≥ this")
    monetary: str = Field(description="M is high when the amount (base currency) ≥ this")
    recency_is_average: bool
    frequency_is_average: bool
    monetary_is_average: bool
    customers: int = Field(description="workspace customers with orders in the window")


class SegmentOut(Schema):
    key: str = Field(description="key_value, key_keep, key_develop, key_winback, regular_…")
    name: str = Field(description="in the request's language (zh-Hans: 重要价值客户 …)")
    r_high: bool
    f_high: bool
    m_high: bool
    customers: int
    share: str | None = Field(None, description="% of the customers")
    monetary: str


class RfmOut(Schema):
    window_start: dt.date
    window_end: dt.date
    window_days: int
    base_currency: str
    baselines: BaselinesOut
    customers: int
    orders: int
    monetary: str
    segments: list[SegmentOut]


class RfmCustomerOut(Schema):
    id: int
    code: str
    name: str
    owner_id: int | None
    segment: str
    last_order: dt.date
    recency: int
    frequency: int
    monetary: str


class RfmCustomersParams(Schema):
    segment: str = Field("", description="a segment key; empty: every segment")
    page: int = Field(1, ge=1, le=10_000)


class RfmCustomersOut(Schema):
    segment: str
    page: int
    has_next: bool
    items: list[RfmCustomerOut]


def _rfm_out(report: rfm.Report) -> dict[str, Any]:
    b = report.baselines
    return {
        "window_start": report.window.start,
        "window_end": report.window.end,
        "window_days": report.window.days,
        "base_currency": report.base_currency,
        "baselines": {
            "recency_days": _s(b.recency_days),
            "frequency": _s(b.frequency),
            "monetary": _s(b.monetary),
            "recency_is_average": b.recency_is_average,
            "frequency_is_average": b.frequency_is_average,
            "monetary_is_average": b.monetary_is_average,
            "customers": b.customers,
        },
        "customers": report.customers,
        "orders": report.orders,
        "monetary": _s(report.monetary),
        "segments": [
            {
                "key": r.segment.key,
                "name": str(r.segment.name),
                "r_high": r.segment.r_high,
                "f_high": r.segment.f_high,
                "m_high": r.segment.m_high,
                "customers": r.customers,
                "share": _s(r.share),
                "monetary": _s(r.monetary),
            }
            for r in report.rows
        ],
    }


@router.get(
    "/rfm",
    response={200: RfmOut, **READ_ERRORS},
    summary="RFM segments of the customers who ordered in the window",
)
def rfm_get(request: HttpRequest) -> dict[str, Any]:
    require(request.actor, Perm.OPPORTUNITY_VIEW)  # type: ignore[attr-defined]
    return _rfm_out(rfm.rfm_report(request.member))  # type: ignore[attr-defined]


@router.get(
    "/rfm/customers",
    response={200: RfmCustomersOut, **READ_ERRORS},
    summary="The customers of one RFM segment, biggest amount first (50 a page)",
)
def rfm_customers(request: HttpRequest, params: Query[RfmCustomersParams]) -> dict[str, Any]:
    require(request.actor, Perm.OPPORTUNITY_VIEW)  # type: ignore[attr-defined]
    member = request.member  # type: ignore[attr-defined]
    segment = params.segment if params.segment in rfm.SEGMENT_KEYS else ""
    report = rfm.rfm_report(member)
    page = rfm.segment_customers(member, report, segment=segment, page=params.page)
    return {
        "segment": segment,
        "page": page.page,
        "has_next": page.has_next,
        "items": [
            {
                "id": r.customer.pk,
                "code": r.customer.code,
                "name": r.customer.name,
                "owner_id": r.customer.owner_id,
                "segment": r.segment.key,
                "last_order": r.last_order,
                "recency": r.recency,
                "frequency": r.frequency,
                "monetary": _s(r.monetary),
            }
            for r in page.rows
        ],
    }


# --- repurchase / churn -------------------------------------------------------------------------


class StatusCountOut(Schema):
    key: str = Field(description="soon, risk, due or not_due")
    label: str
    customers: int


class ChurnOut(Schema):
    today: dt.date
    reorder_soon_ratio: str
    churn_risk_ratio: str
    repeat_customers: int
    statuses: list[StatusCountOut]


class ChurnCustomerOut(Schema):
    id: int
    code: str
    name: str
    owner_id: int | None
    status: str
    last_order: dt.date
    intervals: int = Field(description="1–3: the last three intervals, fewer for new buyers")
    average_interval: str = Field(description="days")
    days_since: int
    ratio: str


class ChurnCustomersParams(Schema):
    status: str = Field("", description="soon, risk, due, not_due; empty: every repeat customer")
    page: int = Field(1, ge=1, le=10_000)


class ChurnCustomersOut(Schema):
    status: str
    page: int
    has_next: bool
    items: list[ChurnCustomerOut]


@router.get(
    "/churn",
    response={200: ChurnOut, **READ_ERRORS},
    summary="Repeat customers by repurchase / churn status",
)
def churn_get(request: HttpRequest) -> dict[str, Any]:
    require(request.actor, Perm.OPPORTUNITY_VIEW)  # type: ignore[attr-defined]
    summary = churn.churn_summary(request.member)  # type: ignore[attr-defined]
    return {
        "today": summary.today,
        "reorder_soon_ratio": _s(summary.thresholds.soon),
        "churn_risk_ratio": _s(summary.thresholds.risk),
        "repeat_customers": summary.repeat_customers,
        "statuses": [
            {"key": r.status.key, "label": str(r.status.label), "customers": r.customers}
            for r in summary.rows
        ],
    }


@router.get(
    "/churn/customers",
    response={200: ChurnCustomersOut, **READ_ERRORS},
    summary="Repeat customers in one status, highest ratio first (50 a page)",
)
def churn_list(request: HttpRequest, params: Query[ChurnCustomersParams]) -> dict[str, Any]:
    require(request.actor, Perm.OPPORTUNITY_VIEW)  # type: ignore[attr-defined]
    status = params.status if params.status in churn.STATUS_KEYS else ""
    page = churn.churn_customers(request.member, status=status, page=params.page)  # type: ignore[attr-defined]
    return {
        "status": status,
        "page": page.page,
        "has_next": page.has_next,
        "items": [
            {
                "id": r.customer.pk,
                "code": r.customer.code,
                "name": r.customer.name,
                "owner_id": r.customer.owner_id,
                "status": r.status.key,
                "last_order": r.last_order,
                "intervals": r.intervals,
                "average_interval": _s(r.average_interval),
                "days_since": r.days_since,
                "ratio": _s(r.ratio),
            }
            for r in page.rows
        ],
    }


# --- settings -----------------------------------------------------------------------------------


class CustomerSettingsOut(Schema):
    rfm_window_days: int
    rfm_recency_days: int | None = Field(None, description="null: the workspace average")
    rfm_frequency: str | None = Field(None, description="null: the workspace average")
    rfm_monetary: str | None = Field(None, description="null: the workspace average")
    reorder_soon_ratio: str
    churn_risk_ratio: str


class CustomerSettingsIn(Schema):
    """Fields left out keep their value; "" (or null) for a baseline means the average."""

    rfm_window_days: str | int | None = Field(None, description="1–3660 days")
    rfm_recency_days: str | int | None = None
    rfm_frequency: str | int | None = None
    rfm_monetary: str | int | None = None
    reorder_soon_ratio: str | None = Field(None, description="0.01–0.99")
    churn_risk_ratio: str | None = Field(None, description="1–999")


def _settings_out(row: Any) -> dict[str, Any]:
    return {
        "rfm_window_days": row.rfm_window_days,
        "rfm_recency_days": row.rfm_recency_days,
        "rfm_frequency": _s(row.rfm_frequency),
        "rfm_monetary": _s(row.rfm_monetary),
        "reorder_soon_ratio": _s(row.reorder_soon_ratio),
        "churn_risk_ratio": _s(row.churn_risk_ratio),
    }


@router.get(
    "/customer-settings",
    response={200: CustomerSettingsOut, **READ_ERRORS},
    summary="RFM window and baselines, repurchase / churn thresholds",
)
def customer_settings_get(request: HttpRequest) -> dict[str, Any]:
    require(request.actor, Perm.OPPORTUNITY_VIEW)  # type: ignore[attr-defined]
    return _settings_out(analytics_settings(request.member.workspace))  # type: ignore[attr-defined]


@router.patch(
    "/customer-settings",
    response={200: CustomerSettingsOut, **ERRORS},
    summary="Change the RFM window and baselines, repurchase / churn thresholds (owner, manager)",
)
def customer_settings_set(request: HttpRequest, payload: CustomerSettingsIn) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    baselines = ("rfm_recency_days", "rfm_frequency", "rfm_monetary")
    data = {k: ("" if v is None else v) for k, v in data.items() if v is not None or k in baselines}
    row = rfm.analytics_settings_set(actor=request.actor, data=data)  # type: ignore[attr-defined]
    return _settings_out(row)
