"""Reads of the library: the folder tree, item lists with search and filters, an item's use, and
"items sent before won deals". Every read starts from `visible_to(member)`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, F, IntegerField, Prefetch, QuerySet, Value, When

from tradewind.core.paging import Page, keyset_page
from tradewind.sales.choices import OpportunityStatus
from tradewind.sales.models import Opportunity
from tradewind.workspaces.models import Membership

from . import search
from .choices import ItemKind, TagKind, Visibility
from .models import LibraryFolder, LibraryItem, LibraryTag, LibraryUsage
from .tags import fold, tag_key

LIST_ORDER = ("-updated_at", "-id")
USAGE_LIMIT = 50


@dataclass
class FolderNode:
    folder: LibraryFolder
    depth: int
    children: list[FolderNode] = field(default_factory=list)

    @property
    def indent(self) -> str:
        return "· " * self.depth


def folders_visible(member: Membership) -> list[LibraryFolder]:
    return list(LibraryFolder.objects.visible_to(member).order_by("name", "id"))


def folder_tree(member: Membership) -> list[FolderNode]:
    """The visible folders in tree order (depth-first, by name), one query. A folder whose parent
    the member cannot see (somebody's private folder cannot hold shared ones, so this is only a
    moved folder's leftover) is shown at the top level."""
    rows = folders_visible(member)
    by_parent: dict[int | None, list[LibraryFolder]] = defaultdict(list)
    ids = {f.pk for f in rows}
    for f in rows:
        by_parent[f.parent_id if f.parent_id in ids else None].append(f)

    def build(parent: int | None, depth: int) -> list[FolderNode]:
        return [FolderNode(f, depth, build(f.pk, depth + 1)) for f in by_parent.get(parent, [])]

    return build(None, 0)


def flatten(nodes: list[FolderNode]) -> list[FolderNode]:
    out: list[FolderNode] = []
    for node in nodes:
        out.append(node)
        out.extend(flatten(node.children))
    return out


def folder_path(folder: LibraryFolder | None) -> list[LibraryFolder]:
    out: list[LibraryFolder] = []
    while folder is not None and len(out) < 10:
        out.insert(0, folder)
        folder = folder.parent
    return out


@dataclass
class ItemFilter:
    q: str = ""
    kind: str = ""
    folder_id: int | None = None  # None: every folder
    visibility: str = ""
    mine: bool = False
    tag_kind: str = ""
    tag: str = ""

    @classmethod
    def from_params(cls, params: Any) -> ItemFilter:
        get = params.get
        folder = str(get("folder", "") or get("folder_id", "") or "")
        kind = str(get("kind", "") or "")
        visibility = str(get("visibility", "") or "")
        tag_kind = str(get("tag_kind", "") or "")
        return cls(
            q=str(get("q", "") or "").strip()[:200],
            kind=kind if kind in ItemKind.values else "",
            folder_id=int(folder) if folder.isdigit() else None,
            visibility=visibility if visibility in Visibility.values else "",
            mine=str(get("mine", "") or "") in ("1", "true", "on"),
            tag_kind=tag_kind if tag_kind in TagKind.values else "",
            tag=str(get("tag", "") or "").strip()[:120],
        )

    def params(self) -> dict[str, str]:
        out = {
            "q": self.q,
            "kind": self.kind,
            "folder": str(self.folder_id or ""),
            "visibility": self.visibility,
            "mine": "1" if self.mine else "",
            "tag_kind": self.tag_kind,
            "tag": self.tag,
        }
        return {k: v for k, v in out.items() if v}


def items_query(member: Membership, f: ItemFilter) -> QuerySet[LibraryItem]:
    qs = LibraryItem.objects.visible_to(member)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.folder_id is not None:
        qs = qs.filter(folder_id=f.folder_id)
    if f.visibility:
        qs = qs.filter(visibility=f.visibility, kind__in=[ItemKind.SCRIPT, ItemKind.FILE])
    if f.mine:
        qs = qs.filter(owner_id=member.user_id)
    if f.tag:
        kinds = [f.tag_kind] if f.tag_kind else [TagKind.INDUSTRY, TagKind.STAGE, TagKind.OBJECTION]
        keys = {tag_key(k, f.tag) for k in kinds} | {fold(f.tag)}
        qs = qs.filter(
            pk__in=LibraryTag.objects.filter(
                workspace_id=member.workspace_id, kind__in=kinds, key__in=keys
            ).values("item_id")
        )
    return search.apply(qs, f.q)


def _with_tags(qs: QuerySet[LibraryItem]) -> QuerySet[LibraryItem]:
    return qs.select_related("folder", "owner").prefetch_related(
        Prefetch("tags", queryset=LibraryTag.objects.order_by("kind", "id"))
    )


def items_page(
    member: Membership, f: ItemFilter, *, cursor: str | None = None, limit: int = 30
) -> Page:
    """One page of items, newest change first (a search lists title matches first, unpaged)."""
    qs = _with_tags(items_query(member, f))
    if f.q:
        hits = qs.annotate(
            title_hit=Case(
                When(title__icontains=f.q, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        ).order_by("-title_hit", *LIST_ORDER)[: min(limit, 100)]
        return Page(items=list(hits), next_cursor=None, prev_cursor=None, limit=limit)
    return keyset_page(qs, order=LIST_ORDER, cursor=cursor, limit=limit)


def tags_by_kind(item: LibraryItem) -> dict[str, list[LibraryTag]]:
    out: dict[str, list[LibraryTag]] = defaultdict(list)
    for tag in item.tags.all():
        out[tag.kind].append(tag)
    return dict(out)


@dataclass
class UseRow:
    usage: LibraryUsage
    ref: Any  # activities.targets.TargetRef or None (a record the reader cannot see)


def item_uses(member: Membership, item: LibraryItem, limit: int = USAGE_LIMIT) -> list[UseRow]:
    """The latest copies and sends of an item, with links to the records the reader sees."""
    from tradewind.activities.targets import target_refs

    rows = list(item.uses.select_related("user").order_by("-created_at", "-id")[:limit])
    refs = target_refs(member, [(u.target_type, u.target_id) for u in rows if u.target_type])
    return [UseRow(u, refs.get((u.target_type, u.target_id))) for u in rows]


# --- items sent before won deals -----------------------------------------------------------------


@dataclass
class WonRow:
    item: LibraryItem
    won_deals: int = 0
    won_amount: Decimal = Decimal(0)
    unconverted: int = 0  # won deals without a base-currency amount (not summed)
    lost_deals: int = 0
    uses: int = 0

    @property
    def win_rate(self) -> Decimal | None:
        closed = self.won_deals + self.lost_deals
        if not closed:
            return None
        return (Decimal(self.won_deals) * 100 / closed).quantize(Decimal("0.1"))


def won_report(
    member: Membership, *, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> list[WonRow]:
    """For each visible item used on a visible opportunity before it closed: how many of those
    deals were won (and their base amount) and lost, deals closed in [start, end). Two queries:
    the distinct (item, opportunity) pairs, then the items."""
    opportunities = Opportunity.objects.visible_to(member).filter(
        status__in=[OpportunityStatus.WON, OpportunityStatus.LOST]
    )
    if start is not None:
        opportunities = opportunities.filter(closed_at__gte=start)
    if end is not None:
        opportunities = opportunities.filter(closed_at__lt=end)
    uses = (
        LibraryUsage.objects.filter(
            workspace_id=member.workspace_id,
            opportunity_id__in=opportunities.values("pk"),
            item_id__in=LibraryItem.objects.visible_to(member).values("pk"),
        )
        .filter(created_at__lte=F("opportunity__closed_at"))
        .values_list("item_id", "opportunity_id", "opportunity__status", "opportunity__base_amount")
        .order_by()
    )
    seen: set[tuple[int, int]] = set()
    rows: dict[int, WonRow] = {}
    counts: dict[int, int] = defaultdict(int)
    for item_id, opp_id, status, amount in uses:
        counts[item_id] += 1
        if (item_id, opp_id) in seen:
            continue
        seen.add((item_id, opp_id))
        row = rows.setdefault(item_id, WonRow(item=None))  # type: ignore[arg-type]
        if status == OpportunityStatus.WON:
            row.won_deals += 1
            if amount is None:
                row.unconverted += 1
            else:
                row.won_amount += amount
        else:
            row.lost_deals += 1
    items = LibraryItem.objects.filter(pk__in=list(rows)).select_related("owner")
    for item in items:
        rows[item.pk].item = item
        rows[item.pk].uses = counts[item.pk]
    out = [r for r in rows.values() if r.item is not None]
    out.sort(key=lambda r: (-r.won_deals, -r.won_amount, r.lost_deals, r.item.title.lower()))
    return out
