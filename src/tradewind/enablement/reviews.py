"""Deal reviews (复盘, seed 003 step 6): what worked, what failed and the customer profile of a won or
lost opportunity, kept as a library item of kind "review" that whoever sees the opportunity reads
and that suggestions offer on similar records (its tags: the customer's industry, the stage the
deal was decided in, its products, and for a lost deal its loss reason as an objection).

Closing an opportunity emits `opportunity.closed` (sales/closing.py); reacting to it here, the
one who closed a won or lost deal is invited to write its review (an in-app notification, once
per opportunity). The closed opportunity's page offers the same from its library panel.
The monthly review page lists the month's reviews beside the month's closing figures, computed
from the sales records the reader sees (enablement does not import analytics).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, ErrorCode, NotFound, ServiceError
from tradewind.sales.choices import OpportunityStatus
from tradewind.sales.closing import last_open_stage, reason_label
from tradewind.sales.models import CloseReason, Opportunity
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit, subscribe
from tradewind.workspaces.models import Membership
from tradewind.workspaces.timezones import zone

from . import access
from .choices import ItemKind, TagKind, Visibility
from .errors import ReviewError
from .library import (
    acting_member,
    clean_tags,
    current_tags,
    denied,
    item_get,
    tag_snapshot,
    write_tags,
)
from .models import LibraryItem

TEXT_MAX = 5000
CLOSED = (OpportunityStatus.WON, OpportunityStatus.LOST)
REVIEW_FIELDS = ["title", "worked", "failed", "profile", "outcome", "opportunity"]


def opportunity_for_review(member: Membership, opportunity_id: Any) -> Opportunity:
    try:
        pk = int(opportunity_id)
    except (TypeError, ValueError):
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found.")) from None
    opp = (
        Opportunity.objects.visible_to(member)
        .filter(pk=pk)
        .select_related("customer", "stage", "close_reason")
        .first()
    )
    if opp is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Opportunity not found."))
    return opp


def review_of(member: Membership, opportunity: Opportunity) -> LibraryItem | None:
    return (
        LibraryItem.objects.visible_to(member)
        .filter(kind=ItemKind.REVIEW, opportunity=opportunity)
        .first()
    )


def review_defaults(opportunity: Opportunity) -> dict[str, Any]:
    """What a new review starts with: a title and tags read from the deal."""
    stage = last_open_stage(opportunity) if opportunity.stage.is_closed else opportunity.stage
    products = list(
        opportunity.lines.filter(product__isnull=False).values_list("product_id", flat=True)
    )
    objections: list[str] = []
    if opportunity.status == OpportunityStatus.LOST and opportunity.close_reason is not None:
        # A built-in reason in both languages, so it matches feedback written in either.
        for language in ("en", "zh-hans"):
            with translation.override(language):
                label = reason_label(opportunity.close_reason)
            if label not in objections:
                objections.append(label)
    return {
        "title": f"{opportunity.code} {opportunity.name}"[:200],
        "industries": [opportunity.customer.industry] if opportunity.customer.industry else [],
        "stages": [stage.key or stage.name] if stage is not None else [],
        "products": list(dict.fromkeys(products)),
        "objections": objections,
    }


def _clean(title: Any, worked: Any, failed: Any, profile: Any) -> dict[str, str]:
    values = {
        "title": str(title or "").strip(),
        "worked": str(worked or "").replace("\r\n", "\n").strip(),
        "failed": str(failed or "").replace("\r\n", "\n").strip(),
        "profile": str(profile or "").replace("\r\n", "\n").strip(),
    }
    errors: dict[str, list[str]] = {}
    if not values["title"]:
        errors["title"] = [_("Enter a title.")]
    elif len(values["title"]) > 200:
        errors["title"] = [_("At most %(n)s characters.") % {"n": 200}]
    for name in ("worked", "failed", "profile"):
        if len(values[name]) > TEXT_MAX:
            errors[name] = [_("At most %(n)s characters.") % {"n": TEXT_MAX}]
    if not (values["worked"] or values["failed"] or values["profile"]) and not errors:
        raise ServiceError(
            ReviewError.EMPTY,
            _("Say what worked, what failed or who the customer is."),
            fields={"worked": [_("Say what worked, what failed or who the customer is.")]},
        )
    if errors:
        raise ServiceError(ErrorCode.INVALID, _("Please correct the marked fields."), fields=errors)
    return values


@transaction.atomic
def review_create(
    *,
    actor: Actor,
    opportunity_id: Any,
    worked: Any = "",
    failed: Any = "",
    profile: Any = "",
    title: Any = None,
    industries: Any = None,
    stages: Any = None,
    products: Any = None,
    objections: Any = None,
) -> LibraryItem:
    """The review of a won or lost opportunity the member sees (one per opportunity). Tags left
    at None start from the deal (`review_defaults`)."""
    member = acting_member(actor)
    opportunity = opportunity_for_review(member, opportunity_id)
    require(actor, access.REVIEW)
    if opportunity.status not in CLOSED:
        raise ServiceError(
            ReviewError.NOT_CLOSED,
            _("Only a won or lost opportunity can be reviewed."),
            fields={"opportunity": [_("Only a won or lost opportunity can be reviewed.")]},
        )
    defaults = review_defaults(opportunity)
    values = _clean(defaults["title"] if title is None else title, worked, failed, profile)
    tags = clean_tags(
        actor,
        industries=defaults["industries"] if industries is None else industries,
        stages=defaults["stages"] if stages is None else stages,
        products=defaults["products"] if products is None else products,
        objections=defaults["objections"] if objections is None else objections,
    )
    if LibraryItem.objects.filter(kind=ItemKind.REVIEW, opportunity=opportunity).exists():
        raise Conflict(ReviewError.EXISTS, _("This opportunity already has a review."))
    now = timezone.now()
    try:
        with transaction.atomic():
            item = LibraryItem.objects.create(
                workspace=actor.workspace,
                kind=ItemKind.REVIEW,
                visibility=Visibility.SHARED,
                owner_id=member.user_id,
                opportunity=opportunity,
                outcome=opportunity.status,
                created_at=now,
                updated_at=now,
                **values,
            )
    except IntegrityError:  # two people wrote the first review at once
        raise Conflict(ReviewError.EXISTS, _("This opportunity already has a review.")) from None
    write_tags(item, tags)
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        target=item,
        changes={
            k: [None, v]
            for k, v in (audit.snapshot(item, REVIEW_FIELDS) | tag_snapshot(tags)).items()
            if v not in (None, "", [])
        },
    )
    emit(
        "library_review.created",
        workspace_id=actor.workspace.pk,
        library_item_id=item.pk,
        opportunity_id=opportunity.pk,
        outcome=item.outcome,
    )
    return item


def review_get(member: Membership, review_id: Any) -> LibraryItem:
    item = item_get(member, review_id)
    if item.kind != ItemKind.REVIEW:
        raise NotFound(ErrorCode.NOT_FOUND, _("Review not found."))
    return item


@transaction.atomic
def review_update(
    *,
    actor: Actor,
    review_id: Any,
    expected_version: int | None = None,
    title: Any = None,
    worked: Any = None,
    failed: Any = None,
    profile: Any = None,
    industries: Any = None,
    stages: Any = None,
    products: Any = None,
    objections: Any = None,
) -> LibraryItem:
    member = acting_member(actor)
    review_get(member, review_id)
    item = item_get(member, review_id, for_update=True)
    require(actor, access.REVIEW)
    if not access.can_change_item(member, item):
        raise denied()
    if expected_version is not None and item.version != expected_version:
        raise Conflict(
            ErrorCode.STALE_VERSION,
            _("Someone else changed this item since you opened it. Reload to see it."),
        )
    values = _clean(
        item.title if title is None else title,
        item.worked if worked is None else worked,
        item.failed if failed is None else failed,
        item.profile if profile is None else profile,
    )
    old = current_tags(item)

    def keep(kind: str, use_key: bool) -> list[str]:
        return [key if use_key else value for k, key, value in old if k == kind]

    tags = clean_tags(
        actor,
        industries=keep(TagKind.INDUSTRY, False) if industries is None else industries,
        stages=keep(TagKind.STAGE, True) if stages is None else stages,
        products=keep(TagKind.PRODUCT, True) if products is None else products,
        objections=keep(TagKind.OBJECTION, False) if objections is None else objections,
    )
    before = audit.snapshot(item, REVIEW_FIELDS) | tag_snapshot(old)
    for name, value in values.items():
        setattr(item, name, value)
    after = audit.snapshot(item, REVIEW_FIELDS) | tag_snapshot(tags)
    for key in before.keys() - after.keys():
        after[key] = []
    changes = audit.diff(before, after)
    if not changes:
        return item
    item.version += 1
    item.updated_at = timezone.now()
    item.save()
    write_tags(item, tags)
    audit.record(actor=actor, verb=AuditVerb.UPDATE, target=item, changes=changes)
    emit("library_review.updated", workspace_id=actor.workspace.pk, library_item_id=item.pk)
    return item


# --- reacting to a closed deal -------------------------------------------------------------------


def on_opportunity_closed(name: str, payload: dict[str, Any]) -> None:
    """Invite whoever closed a won or lost deal to review it (once per opportunity)."""
    from tradewind.activities.notifications import notify

    if payload.get("outcome") not in CLOSED:
        return
    opp = (
        Opportunity.objects.filter(
            pk=int(payload.get("opportunity_id") or 0),
            workspace_id=int(payload.get("workspace_id") or 0),
        )
        .select_related("workspace")
        .first()
    )
    if opp is None:
        return
    user_id = opp.closed_by_id or opp.owner_id
    if user_id is None or LibraryItem.objects.filter(opportunity=opp).exists():
        return
    notify(
        workspace=opp.workspace,
        user_ids=[user_id],
        kind="library.review_prompt",
        params={"code": opp.code, "name": opp.name},
        url=reverse("enablement:review_new", args=[opp.pk]),
        key=f"library.review_prompt:{opp.pk}",
    )


subscribe("opportunity.closed", on_opportunity_closed)


# --- the monthly review ------------------------------------------------------------------------


def parse_month(value: Any, today: dt.date) -> dt.date:
    """A "YYYY-MM" text -> the first day of that month; anything else: this month."""
    text = str(value or "").strip()[:7]
    try:
        day = dt.date.fromisoformat(f"{text}-01") if len(text) == 7 else None
    except ValueError:
        day = None
    if day is None or not (2000 <= day.year <= 2100):
        return today.replace(day=1)
    return day


def month_shift(month: dt.date, steps: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + steps
    return dt.date(index // 12, index % 12 + 1, 1)


def month_bounds(workspace: Any, month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = zone(workspace.time_zone)
    return (
        dt.datetime.combine(month, dt.time.min, tzinfo=tz),
        dt.datetime.combine(month_shift(month, 1), dt.time.min, tzinfo=tz),
    )


@dataclass
class ReasonRow:
    label: str
    count: int
    share: Decimal


@dataclass
class MonthlyReview:
    month: dt.date
    currency: str
    won: int = 0
    won_amount: Decimal = Decimal(0)
    won_unconverted: int = 0
    lost: int = 0
    lost_amount: Decimal = Decimal(0)
    lost_unconverted: int = 0
    invalid: int = 0
    created: int = 0
    reasons: list[ReasonRow] = field(default_factory=list)
    reviews: list[LibraryItem] = field(default_factory=list)
    unreviewed: list[Opportunity] = field(default_factory=list)

    @property
    def win_rate(self) -> Decimal | None:
        decided = self.won + self.lost
        if not decided:
            return None
        return (Decimal(self.won) * 100 / decided).quantize(Decimal("0.1"))


def monthly_review(member: Membership, month: dt.date, unreviewed_limit: int = 20) -> MonthlyReview:
    """The month's closing figures (opportunities the member sees, closed in the month in the
    workspace's time zone; amounts in the base currency, those without a rate counted apart), the
    loss reasons with their shares, the reviews of the month's closed deals and the won or lost
    deals still without a review. A fixed number of queries."""
    ws = member.workspace
    lo, hi = month_bounds(ws, month)
    out = MonthlyReview(month=month, currency=ws.base_currency)
    visible = Opportunity.objects.visible_to(member)
    closed = visible.filter(closed_at__gte=lo, closed_at__lt=hi)
    for row in (
        closed.values("status")
        .annotate(
            n=Count("pk"),
            amount=Sum("base_amount"),
            unconverted=Count("pk", filter=Q(base_amount__isnull=True)),
        )
        .order_by()
    ):
        status, n = row["status"], row["n"]
        amount = row["amount"] or Decimal(0)
        if status == OpportunityStatus.WON:
            out.won, out.won_amount, out.won_unconverted = n, amount, row["unconverted"]
        elif status == OpportunityStatus.LOST:
            out.lost, out.lost_amount, out.lost_unconverted = n, amount, row["unconverted"]
        elif status == OpportunityStatus.INVALID:
            out.invalid = n
    out.created = visible.filter(created_at__gte=lo, created_at__lt=hi).count()
    by_reason = list(
        closed.filter(status=OpportunityStatus.LOST)
        .values("close_reason_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "close_reason_id")
    )
    reasons = {
        r.pk: r
        for r in CloseReason.objects.filter(
            workspace=ws,
            pk__in=[row["close_reason_id"] for row in by_reason if row["close_reason_id"]],
        )
    }
    for row in by_reason:
        reason = reasons.get(row["close_reason_id"])
        label = reason_label(reason) if reason else _("No reason given")
        share = (
            (Decimal(row["n"]) * 100 / out.lost).quantize(Decimal("0.1"))
            if out.lost
            else Decimal(0)
        )
        out.reasons.append(ReasonRow(label, row["n"], share))
    out.reviews = list(
        LibraryItem.objects.visible_to(member)
        .filter(kind=ItemKind.REVIEW, opportunity__closed_at__gte=lo, opportunity__closed_at__lt=hi)
        .select_related("opportunity", "opportunity__customer", "owner")
        .prefetch_related("tags")
        .order_by("-opportunity__closed_at", "-id")
    )
    reviewed = [r.opportunity_id for r in out.reviews]
    out.unreviewed = list(
        closed.filter(status__in=CLOSED)
        .exclude(pk__in=reviewed)
        .select_related("customer")
        .order_by("-closed_at", "-id")[:unreviewed_limit]
    )
    return out
