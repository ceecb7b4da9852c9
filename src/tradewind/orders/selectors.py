"""Reads of quotes and documents, always through visible_to(): one filter for the list page, the
API and the CSV export; the effective status (a sent quote past its validity reads "expired"
before the daily job writes it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone

from tradewind.core.paging import Page, keyset_page
from tradewind.workspaces.daily_jobs import local_date
from tradewind.workspaces.models import Membership

from .choices import QuoteStatus
from .models import PaymentTerm, Quote, QuoteLine, QuoteVersion, SalesDocument

PAGE_SIZE = 50


def effective_status(quote: Quote, today: dt.date) -> str:
    if (
        quote.status == QuoteStatus.SENT
        and quote.valid_until is not None
        and quote.valid_until < today
    ):
        return QuoteStatus.EXPIRED
    return quote.status


def member_today(member: Membership) -> dt.date:
    return local_date(timezone.now(), member.workspace)


@dataclass(frozen=True)
class QuoteFilter:
    status: str = ""
    q: str = ""
    customer: str = ""
    opportunity: str = ""
    currency: str = ""

    @classmethod
    def from_params(cls, params: QueryDict | dict[str, Any]) -> QuoteFilter:
        def get(key: str) -> str:
            return str(params.get(key) or "").strip()[:100]

        status = get("status")
        return cls(
            status=status if status in QuoteStatus.values else "",
            q=get("q"),
            customer=get("customer") if get("customer").isdigit() else "",
            opportunity=get("opportunity") if get("opportunity").isdigit() else "",
            currency=get("currency").upper()[:3],
        )

    def params(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}

    def querystring(self) -> str:
        return "&".join(f"{k}={v}" for k, v in self.params().items())

    def apply(self, qs: QuerySet, today: dt.date) -> QuerySet:
        if self.status == QuoteStatus.EXPIRED:
            qs = qs.filter(
                Q(status=QuoteStatus.EXPIRED) | Q(status=QuoteStatus.SENT, valid_until__lt=today)
            )
        elif self.status == QuoteStatus.SENT:
            qs = qs.filter(status=QuoteStatus.SENT).exclude(valid_until__lt=today)
        elif self.status:
            qs = qs.filter(status=self.status)
        if self.q:
            qs = qs.filter(
                Q(code__icontains=self.q)
                | Q(title__icontains=self.q)
                | Q(customer__name__icontains=self.q)
            )
        if self.customer:
            qs = qs.filter(customer_id=int(self.customer))
        if self.opportunity:
            qs = qs.filter(opportunity_id=int(self.opportunity))
        if self.currency:
            qs = qs.filter(currency=self.currency)
        return qs


def quotes_visible(member: Membership) -> QuerySet:
    return Quote.objects.visible_to(member).select_related("customer", "opportunity", "created_by")


def quote_list(
    member: Membership, filters: QuoteFilter, cursor: str | None = None, limit: int = PAGE_SIZE
) -> Page:
    qs = filters.apply(quotes_visible(member), member_today(member))
    return keyset_page(qs, order=("-id",), cursor=cursor, limit=limit)


def quote_get(*, member: Membership, pk: Any) -> Quote:
    """404 for anything outside the member's scope."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    quote = quotes_visible(member).select_related("contact").filter(pk=key).first()
    if quote is None:
        raise Http404
    return quote


def quote_versions(quote: Quote) -> list[QuoteVersion]:
    return list(
        QuoteVersion.objects.filter(quote=quote)
        .select_related("payment_term", "created_by")
        .order_by("-number")
    )


def version_get(quote: Quote, number: Any = None) -> QuoteVersion:
    try:
        wanted = int(number) if number not in (None, "") else quote.latest_version
    except (TypeError, ValueError):
        raise Http404 from None
    version = (
        QuoteVersion.objects.filter(quote=quote, number=wanted)
        .select_related("payment_term")
        .first()
    )
    if version is None:
        raise Http404
    return version


def version_lines(version: QuoteVersion) -> list[QuoteLine]:
    return list(version.lines.select_related("product"))


def payment_terms(member: Membership, *, active_only: bool = True) -> list[PaymentTerm]:
    from .settings_services import payment_terms_ensure

    payment_terms_ensure(member.workspace)
    qs = PaymentTerm.objects.filter(workspace_id=member.workspace_id)
    if active_only:
        qs = qs.filter(is_active=True)
    return list(qs)


def documents_visible(member: Membership) -> QuerySet:
    return SalesDocument.objects.visible_to(member).select_related(
        "quote", "quote__customer", "quote_version"
    )


def document_get(*, member: Membership, pk: Any) -> SalesDocument:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    document = documents_visible(member).filter(pk=key).first()
    if document is None:
        raise Http404
    return document


def quote_documents(quote: Quote) -> list[SalesDocument]:
    return list(SalesDocument.objects.filter(quote=quote).order_by("-id"))
