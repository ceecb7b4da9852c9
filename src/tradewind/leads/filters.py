"""One filter definition for the list page and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .choices import LeadGrade, LeadSource, LeadStatus


@dataclass(frozen=True)
class LeadFilter:
    q: str = ""
    status: str = ""
    source: str = ""
    owner: str = ""  # a user id, "me" or "none"
    grade: str = ""

    @classmethod
    def from_params(cls, params: object) -> LeadFilter:
        get = getattr(params, "get", lambda _k, _d="": "")
        status = get("status", "") or ""
        source = get("source", "") or ""
        grade = (get("grade", "") or "").upper()
        return cls(
            q=(get("q", "") or "").strip()[:100],
            status=status if status in LeadStatus.values else "",
            source=source if source in LeadSource.values else "",
            owner=(get("owner", "") or "").strip(),
            grade=grade if grade in LeadGrade.values else "",
        )

    def apply(self, qs: QuerySet, *, user_id: int | None) -> QuerySet:
        if self.status:
            qs = qs.filter(status=self.status)
        if self.source:
            qs = qs.filter(source=self.source)
        if self.grade:
            qs = qs.filter(grade=self.grade)
        if self.owner == "me":
            qs = qs.filter(owner_id=user_id)
        elif self.owner == "none":
            qs = qs.filter(owner__isnull=True)
        elif self.owner.isdigit():
            qs = qs.filter(owner_id=int(self.owner))
        if self.q:
            qs = qs.filter(
                Q(company_name__icontains=self.q)
                | Q(contact_name__icontains=self.q)
                | Q(email__icontains=self.q)
                | Q(phone__contains=self.q)
                | Q(code__iexact=self.q)
            )
        return qs

    @property
    def active(self) -> bool:
        return any((self.q, self.status, self.source, self.owner, self.grade))
