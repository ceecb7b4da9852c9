"""Library items suggested on a lead, a customer or an opportunity (武器云 "随时随地提取").

What the record says:
- its stage: an opportunity's pipeline stage; a lead's status; a customer's life-cycle stage and
  the stages of its open opportunities;
- its industry: the lead's, the customer's, the opportunity's customer's;
- the objection last logged: the `feedback` of the newest follow-up that has one, on the record
  itself or on the records it came from or leads to (an opportunity: itself, its customer and the
  lead converted into it; a customer: itself, its opportunities and its converted leads) — or the
  objection the member typed on the panel;
- an opportunity's products (its lines).

Each visible item scores OBJECTION for a matching objection tag, STAGE for a stage tag, INDUSTRY
for an industry tag and PRODUCT for a product tag (each kind counts once); ties go to the item
used most, then the newest change. An item matching nothing is not suggested. A constant number
of queries whatever the size of the library.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, IntegerField, Max, Prefetch, Q, Value, When
from django.utils.translation import gettext as _

from tradewind.activities.models import FollowUp
from tradewind.activities.targets import target_get
from tradewind.core.errors import ErrorCode, NotFound
from tradewind.customers.models import Customer
from tradewind.leads.models import Lead
from tradewind.sales.choices import OpportunityStatus
from tradewind.sales.models import Opportunity, OpportunityLine, Stage
from tradewind.workspaces.models import Membership

from .choices import TagKind
from .models import LibraryItem, LibraryTag
from .tags import fold, objection_matches, stage_label, tag_key

OBJECTION, STAGE, INDUSTRY, PRODUCT = 8, 4, 2, 1
TARGET_TYPES = ("lead", "customer", "opportunity")
CANDIDATES = 60
OBJECTION_KEYS_MAX = 5000


@dataclass
class RecordContext:
    target_type: str
    record: Any
    stage_keys: set[str] = field(default_factory=set)
    industry: str = ""
    objection: str = ""
    objection_typed: bool = False
    objection_at: Any = None
    product_ids: set[int] = field(default_factory=set)

    @property
    def stage_labels(self) -> list[str]:
        return [stage_label(k) for k in sorted(self.stage_keys)]


@dataclass
class Suggestion:
    item: LibraryItem
    score: int
    reasons: list[tuple[str, str]]  # (tag kind, tag value) that matched


def stage_key(stage: Stage) -> str:
    return stage.key or tag_key(TagKind.STAGE, stage.name)


def _latest_objection(workspace_id: int, targets: Q) -> FollowUp | None:
    return (
        FollowUp.objects.filter(workspace_id=workspace_id)
        .filter(targets)
        .exclude(feedback="")
        .order_by("-happened_at", "-id")
        .only("feedback", "happened_at")
        .first()
    )


def _on(target_type: str, ids: list[int]) -> Q:
    return Q(target_type=target_type, target_id__in=ids) if ids else Q(pk__in=[])


def record_context(
    member: Membership, target_type: str, target_id: Any, objection: str | None = None
) -> RecordContext:
    """The record (404 when the member cannot see it) and what suggestions match on."""
    if target_type not in TARGET_TYPES:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    record = target_get(
        member=member, workspace=member.workspace, target_type=target_type, target_id=target_id
    )
    ctx = RecordContext(target_type=target_type, record=record)
    ws = member.workspace_id
    if isinstance(record, Lead):
        ctx.stage_keys = {record.status}
        ctx.industry = record.industry
        targets = _on("lead", [record.pk])
    elif isinstance(record, Customer):
        ctx.stage_keys = {record.stage}
        open_opps = Opportunity.objects.filter(
            workspace_id=ws, customer=record, status=OpportunityStatus.OPEN
        ).select_related("stage")[:50]
        ctx.stage_keys |= {stage_key(o.stage) for o in open_opps}
        ctx.industry = record.industry
        opp_ids = list(
            Opportunity.objects.filter(workspace_id=ws, customer=record).values_list(
                "pk", flat=True
            )[:200]
        )
        lead_ids = list(
            Lead.objects.filter(workspace_id=ws, converted_customer=record).values_list(
                "pk", flat=True
            )[:50]
        )
        targets = _on("customer", [record.pk]) | _on("opportunity", opp_ids) | _on("lead", lead_ids)
    else:
        opportunity = (
            Opportunity.objects.filter(pk=record.pk).select_related("stage", "customer").get()
        )
        ctx.record = opportunity
        ctx.stage_keys = {stage_key(opportunity.stage)}
        ctx.industry = opportunity.customer.industry
        ctx.product_ids = set(
            OpportunityLine.objects.filter(
                opportunity=opportunity, product__isnull=False
            ).values_list("product_id", flat=True)
        )
        lead_ids = list(
            Lead.objects.filter(workspace_id=ws, converted_opportunity=opportunity).values_list(
                "pk", flat=True
            )[:20]
        )
        targets = (
            _on("opportunity", [opportunity.pk])
            | _on("customer", [opportunity.customer_id])
            | _on("lead", lead_ids)
        )
    typed = (objection or "").strip()
    if typed:
        ctx.objection, ctx.objection_typed = typed[:500], True
    else:
        latest = _latest_objection(ws, targets)
        if latest is not None:
            ctx.objection, ctx.objection_at = latest.feedback, latest.happened_at
    return ctx


def _conditions(member: Membership, ctx: RecordContext) -> Q | None:
    parts: list[Q] = []
    feedback = fold(ctx.objection)
    if feedback:
        keys = (
            LibraryTag.objects.filter(workspace_id=member.workspace_id, kind=TagKind.OBJECTION)
            .values_list("key", flat=True)
            .distinct()
            .order_by()[:OBJECTION_KEYS_MAX]
        )
        matched = [k for k in keys if objection_matches(k, feedback)]
        if matched:
            parts.append(Q(kind=TagKind.OBJECTION, key__in=matched))
    if ctx.stage_keys:
        parts.append(Q(kind=TagKind.STAGE, key__in=sorted(ctx.stage_keys)))
    industry = tag_key(TagKind.INDUSTRY, ctx.industry)
    if industry:
        parts.append(Q(kind=TagKind.INDUSTRY, key=industry))
    if ctx.product_ids:
        parts.append(Q(kind=TagKind.PRODUCT, key__in=[str(p) for p in sorted(ctx.product_ids)]))
    if not parts:
        return None
    condition = parts[0]
    for part in parts[1:]:
        condition |= part
    return condition


def _flag(kind: str) -> Max:
    return Max(Case(When(kind=kind, then=Value(1)), default=Value(0), output_field=IntegerField()))


def suggest(member: Membership, ctx: RecordContext, limit: int = 8) -> list[Suggestion]:
    condition = _conditions(member, ctx)
    if condition is None:
        return []
    visible = LibraryItem.objects.visible_to(member)
    if ctx.target_type == "opportunity":  # its own review is no advice for it
        visible = visible.exclude(opportunity_id=ctx.record.pk)
    scored = (
        LibraryTag.objects.filter(
            workspace_id=member.workspace_id, item_id__in=visible.values("pk")
        )
        .filter(condition)
        .values("item_id")
        .annotate(
            o=_flag(TagKind.OBJECTION),
            s=_flag(TagKind.STAGE),
            i=_flag(TagKind.INDUSTRY),
            p=_flag(TagKind.PRODUCT),
        )
        .order_by()
    )
    scores = {
        row["item_id"]: row["o"] * OBJECTION
        + row["s"] * STAGE
        + row["i"] * INDUSTRY
        + row["p"] * PRODUCT
        for row in scored
    }
    if not scores:
        return []
    best = sorted(scores, key=lambda pk: -scores[pk])[:CANDIDATES]
    items = list(
        LibraryItem.objects.filter(pk__in=best)
        .select_related("owner", "folder")
        .prefetch_related(
            Prefetch("tags", queryset=LibraryTag.objects.order_by("kind", "id")),
            Prefetch(
                "tags",
                queryset=LibraryTag.objects.filter(condition).order_by("kind", "id"),
                to_attr="matched_tags",
            ),
        )
    )
    items.sort(key=lambda it: (-scores[it.pk], -it.use_count, -it.updated_at.timestamp(), -it.pk))
    order: dict[str, int] = {
        TagKind.OBJECTION: 0,
        TagKind.STAGE: 1,
        TagKind.INDUSTRY: 2,
        TagKind.PRODUCT: 3,
    }
    out = []
    for item in items[:limit]:
        reasons: dict[str, list[str]] = defaultdict(list)
        for tag in item.matched_tags:  # type: ignore[attr-defined]
            reasons[tag.kind].append(tag.value)
        flat = [
            (kind, value)
            for kind in sorted(reasons, key=lambda k: order.get(k, 9))
            for value in reasons[kind]
        ]
        out.append(Suggestion(item=item, score=scores[item.pk], reasons=flat))
    return out
