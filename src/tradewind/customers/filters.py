"""One filter definition for the customer list page and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from tradewind.workspaces.querysets import filter_owner

from .choices import CustomerType
from .models import Contact

LIST_ORDER = ("-created_at", "-id")


@dataclass(frozen=True)
class CustomerFilter:
    q: str = ""
    type: str = ""
    country: str = ""
    owner: str = ""  # a user id, "me" or "none"
    rating: str = ""  # "1".."5": at least that many stars

    @classmethod
    def from_params(cls, params: object) -> CustomerFilter:
        get = getattr(params, "get", lambda _k, _d="": "")
        kind = get("type", "") or ""
        country = (get("country", "") or "").strip().upper()
        rating = (get("rating", "") or "").strip()
        return cls(
            q=(get("q", "") or "").strip()[:100],
            type=kind if kind in CustomerType.values else "",
            country=country if len(country) == 2 and country.isalpha() else "",
            owner=(get("owner", "") or "").strip(),
            rating=rating if rating in {"1", "2", "3", "4", "5"} else "",
        )

    def apply(self, qs: QuerySet, *, user_id: int | None) -> QuerySet:
        if self.type:
            qs = qs.filter(type=self.type)
        if self.country:
            qs = qs.filter(country=self.country)
        if self.rating:
            qs = qs.filter(rating__gte=int(self.rating))
        qs = filter_owner(qs, self.owner, user_id)
        if self.q:
            # By name (either script), short name, code, or a contact's name, e-mail or phone.
            contacts = Contact.objects.filter(
                Q(name__icontains=self.q) | Q(email__icontains=self.q) | Q(phone__contains=self.q)
            ).values("customer_id")
            qs = qs.filter(
                Q(name__icontains=self.q)
                | Q(name_alt__icontains=self.q)
                | Q(short_name__icontains=self.q)
                | Q(code__iexact=self.q)
                | Q(id__in=contacts)
            )
        return qs

    @property
    def order(self) -> tuple[str, ...]:
        return LIST_ORDER

    @property
    def active(self) -> bool:
        return any((self.q, self.type, self.country, self.owner, self.rating))

    def query(self) -> str:
        """The filters as a query string prefix for paging links."""
        from urllib.parse import urlencode

        values = {k: v for k, v in self.__dict__.items() if v}
        return urlencode(values)
