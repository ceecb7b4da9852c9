"""The library (武器云): folders, items (talk scripts, files, deal reviews), their tags and their use.

Visibility is not a data scope here: a company-shared item is read by every member of the
workspace, a private one by its owner only (managers included: "私有" means private), and a deal
review is read by whoever may read its opportunity (`LibraryItemQuerySet.visible_to`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tradewind.workspaces.models import Workspace, WorkspaceModel
from tradewind.workspaces.querysets import WorkspaceQuerySet

from .choices import ItemKind, TagKind, UsageAction, Visibility

if TYPE_CHECKING:
    from tradewind.workspaces.models import Membership

__all__ = [
    "DailyReport",
    "DailyReportComment",
    "LibraryFolder",
    "LibraryItem",
    "LibraryTag",
    "LibraryUsage",
]


def _usable(member: Membership | None) -> bool:
    return member is not None and member.is_active and member.user.is_active


class FolderQuerySet(WorkspaceQuerySet):
    def visible_to(self, member: Membership | None) -> WorkspaceQuerySet:
        if not _usable(member):
            return self.none()
        assert member is not None
        return self.filter(workspace_id=member.workspace_id).filter(
            Q(visibility=Visibility.SHARED) | Q(owner_id=member.user_id)
        )


class LibraryFolder(WorkspaceModel):
    """A folder of the library tree. A private folder holds only its owner's private items."""

    AUDIT_TYPE = "library_folder"
    SCOPE_OWNER_FIELD = None

    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent folder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    visibility = models.CharField(
        _("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.SHARED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = FolderQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("library folder")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["workspace", "parent"], name="libfolder_parent_idx")]

    def __str__(self) -> str:
        return self.name


class LibraryItemQuerySet(WorkspaceQuerySet):
    def visible_to(self, member: Membership | None) -> WorkspaceQuerySet:
        if not _usable(member):
            return self.none()
        assert member is not None
        from tradewind.sales.models import Opportunity
        from tradewind.workspaces.permissions import Perm

        own_kinds = Q(kind__in=[ItemKind.SCRIPT, ItemKind.FILE]) & (
            Q(visibility=Visibility.SHARED) | Q(owner_id=member.user_id)
        )
        if member.has(Perm.OPPORTUNITY_VIEW):
            reviews = Q(kind=ItemKind.REVIEW) & Q(
                opportunity_id__in=Opportunity.objects.visible_to(member).values("pk")
            )
            own_kinds |= reviews
        return self.filter(workspace_id=member.workspace_id).filter(own_kinds)


def item_file_path(instance: LibraryItem, filename: str) -> str:
    """A random name on disk: the member's file name is kept in `file_name` and sent back only in
    the Content-Disposition header of a download."""
    import uuid

    return f"library/{instance.workspace_id}/{uuid.uuid4().hex}"


class LibraryItem(WorkspaceModel):
    AUDIT_TYPE = "library_item"
    SCOPE_OWNER_FIELD = None

    kind = models.CharField(_("kind"), max_length=8, choices=ItemKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    folder = models.ForeignKey(
        LibraryFolder,
        verbose_name=_("folder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    visibility = models.CharField(
        _("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.SHARED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # files
    file = models.FileField(_("file"), upload_to=item_file_path, blank=True, max_length=200)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_type = models.CharField(_("file type"), max_length=100, blank=True)
    file_size = models.PositiveBigIntegerField(_("size"), default=0)
    # deal reviews (复盘): the closed opportunity and what was learnt
    opportunity = models.ForeignKey(
        "sales.Opportunity",
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=8, blank=True)
    worked = models.TextField(_("what worked"), blank=True)
    failed = models.TextField(_("what failed"), blank=True)
    profile = models.TextField(_("customer profile"), blank=True)
    # search: the searched text folded to lower case, and its CJK character pairs (SQLite FTS)
    search_text = models.TextField(blank=True, editable=False)
    search_pairs = models.TextField(blank=True, editable=False)
    # counters kept with the usage rows, so lists sort by use without counting
    copy_count = models.PositiveIntegerField(default=0)
    send_count = models.PositiveIntegerField(default=0)

    objects = LibraryItemQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("library item")
        indexes = [
            models.Index(fields=["workspace", "-updated_at", "-id"], name="libitem_ws_updated_idx"),
            models.Index(fields=["workspace", "folder"], name="libitem_folder_idx"),
            models.Index(fields=["workspace", "owner"], name="libitem_owner_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity"],
                condition=Q(kind=ItemKind.REVIEW),
                name="libitem_one_review_per_opportunity",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def use_count(self) -> int:
        return self.copy_count + self.send_count


class LibraryTag(models.Model):
    """One tag of an item: `key` is what suggestions match on (folded text, a stage key, a
    product id), `value` what the page shows."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(LibraryItem, on_delete=models.CASCADE, related_name="tags")
    kind = models.CharField(max_length=10, choices=TagKind.choices)
    key = models.CharField(max_length=120)
    value = models.CharField(max_length=120)

    class Meta:
        verbose_name = _("library tag")
        constraints = [
            models.UniqueConstraint(fields=["item", "kind", "key"], name="libtag_unique")
        ]
        indexes = [models.Index(fields=["workspace", "kind", "key"], name="libtag_match_idx")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class LibraryUsage(models.Model):
    """An item copied or sent by someone, on a record (lead, customer, contact, opportunity)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(LibraryItem, on_delete=models.CASCADE, related_name="uses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=8, choices=UsageAction.choices)
    target_type = models.CharField(_("record type"), max_length=64, blank=True)
    target_id = models.BigIntegerField(_("record"), null=True, blank=True)
    # Set when the record is an opportunity: "items sent before won deals" joins on it.
    opportunity = models.ForeignKey(
        "sales.Opportunity", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("library use")
        indexes = [
            models.Index(fields=["item", "-created_at"], name="libuse_item_idx"),
            models.Index(
                fields=["workspace", "opportunity"],
                condition=Q(opportunity__isnull=False),
                name="libuse_opportunity_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.item_id}"


from .models_daily import DailyReport, DailyReportComment  # noqa: E402
