"""Schemas of the campaigns API (names unique across the API: see tests/api/test_schema_names.py).
Payload fields have defaults, so a foreign id answers 404 from the service rather than 422."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class CampaignIn(Schema):
    name: str = ""
    template_id: int | None = None
    list_id: int | None = None
    account_id: int | None = Field(
        None, description="The workspace account or your own; empty: the workspace's"
    )
    batch_size: int = Field(50, description="Messages per batch (1-500)")
    batch_minutes: int = Field(1, description="Minutes between batches (0-1440)")
    version: int | None = Field(None, description="The version you read (optimistic locking)")


class CampaignOut(Schema):
    id: int
    name: str
    status: str
    template_id: int | None
    list_id: int | None
    account_id: int | None
    batch_size: int
    batch_minutes: int
    scheduled_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str
    version: int
    created_at: dt.datetime


class CampaignScheduleIn(Schema):
    send_at: dt.datetime | None = Field(None, description="Empty or past: now")


class CampaignReportOut(Schema):
    recipients: int
    sent: int
    delivered: int
    bounced: int
    failed: int
    opened: int
    clicked: int
    replied: int
    unsubscribed: int
    skipped_no_consent: int
    skipped_unsubscribed: int
    skipped_bounced: int
    skipped_other: int
    leads_qualified: int


class CampaignRecipientOut(Schema):
    id: int
    email: str
    name: str
    target_type: str
    target_id: int | None
    state: str
    skip_reason: str
    language: str
    queued_at: dt.datetime | None
    delivered_at: dt.datetime | None
    bounced_at: dt.datetime | None
    opened_at: dt.datetime | None
    clicked_at: dt.datetime | None
    replied_at: dt.datetime | None
    unsubscribed_at: dt.datetime | None


class CampaignSettingsIO(Schema):
    click_points: int = 5
    reply_points: int = 10


class MarketingListIn(Schema):
    name: str = ""
    source: str = Field(
        "", description="'' (addresses only), 'leads' or 'customers' (their contacts)"
    )
    saved_view_id: int | None = None
    version: int | None = None


class MarketingListOut(Schema):
    id: int
    name: str
    source: str
    saved_view_id: int | None
    owner_id: int | None
    version: int
    created_at: dt.datetime


class MarketingListCountsOut(Schema):
    total: int
    with_consent: int
    without_consent: int
    unsubscribed: int
    bounced: int
    duplicates: int
    note: str


class ListAddressesIn(Schema):
    addresses: list[str] = Field(default_factory=list, description="'address' or 'address, name'")


class ListAddressesOut(Schema):
    added: int


class ListAddressOut(Schema):
    id: int
    email: str
    name: str


class ConsentIn(Schema):
    email: str = ""
    status: str = Field("opted_in", description="opted_in, unsubscribed or bounced")
    source: str = Field("manual", description="form, import, manual, double_opt_in or trade_show")
    date: dt.date | None = Field(None, description="When consent was given; empty: today")
    note: str = ""


class ConsentOut(Schema):
    id: int
    email: str
    status: str
    source: str
    consented_at: dt.datetime
    note: str
    recorded_by_id: int | None
    version: int


class ConsentHistoryOut(Schema):
    at: dt.datetime
    actor: str
    verb: str
    changes: dict


class ConsentDetailOut(ConsentOut):
    history: list[ConsentHistoryOut]


class ConsentPageOut(Schema):
    items: list[ConsentOut]
    next_cursor: str | None = None


class ConsentImportIn(Schema):
    addresses: list[str] = Field(
        default_factory=list, description="'address' or 'address, YYYY-MM-DD'"
    )
    source: str = "import"
    overwrite: bool = Field(False, description="Also opt in addresses that unsubscribed or bounced")


class ConsentImportOut(Schema):
    recorded: int
    unchanged: int
    kept_opted_out: int
