"""The records tasks and comments hang on: leads, customers, contacts and opportunities.

Activities may not import the apps that use it (docs/architecture.md, "who may import whom"), so
a record type is named here by its audit type and its model label and looked up through Django's
app registry at run time; the owning app's `visible_to()` still decides who may read it. A record
outside the member's scope, of an unknown type, or of a type the member's role may not view, is
404 — the same answer as a record that does not exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tradewind.core.errors import ErrorCode, NotFound
from tradewind.workspaces.models import Membership, Workspace
from tradewind.workspaces.permissions import Perm


@dataclass(frozen=True)
class TargetKind:
    model: str  # "app_label.Model"
    view: Perm
    label: Promise
    icon: str
    url: Callable[[Any], str]

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)


TARGETS: dict[str, TargetKind] = {
    "lead": TargetKind(
        "leads.Lead",
        Perm.LEAD_VIEW,
        gettext_lazy("Lead"),
        "bi-person-lines-fill",
        lambda obj: reverse("leads:detail", args=[obj.pk]),
    ),
    "customer": TargetKind(
        "customers.Customer",
        Perm.CUSTOMER_VIEW,
        gettext_lazy("Customer"),
        "bi-building",
        lambda obj: reverse("customers:detail", args=[obj.pk]),
    ),
    "contact": TargetKind(
        "customers.Contact",
        Perm.CUSTOMER_VIEW,
        gettext_lazy("Contact"),
        "bi-person",
        lambda obj: reverse("customers:detail", args=[obj.customer_id]) + f"#contact-{obj.pk}",
    ),
    "opportunity": TargetKind(
        "sales.Opportunity",
        Perm.OPPORTUNITY_VIEW,
        gettext_lazy("Opportunity"),
        "bi-kanban",
        lambda obj: reverse("sales:opportunity_detail", args=[obj.pk]),
    ),
}
TARGET_TYPES = tuple(TARGETS)


def _not_found() -> NotFound:
    return NotFound(ErrorCode.NOT_FOUND, _("Not found."))


def target_get(
    *, member: Membership | None, workspace: Workspace, target_type: str, target_id: Any
) -> models.Model:
    """The record, as the member may see it; a system actor (member None) reads the workspace."""
    kind = TARGETS.get(str(target_type or ""))
    try:
        pk = int(target_id)
    except (TypeError, ValueError):
        raise _not_found() from None
    if kind is None:
        raise _not_found()
    manager = kind.model_class().objects  # type: ignore[attr-defined]
    if member is not None:
        if not member.has(kind.view):
            raise _not_found()
        qs = manager.visible_to(member)
    else:
        qs = manager.filter(workspace_id=workspace.pk)
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise _not_found()
    return obj


@dataclass(frozen=True)
class TargetRef:
    type: str
    id: int
    text: str
    url: str
    icon: str
    kind_label: str


def target_refs(member: Membership, pairs: Iterable[tuple[str, int | None]]) -> dict:
    """(type, id) -> TargetRef for the records the member may see, one query per record type.
    Records the member may not see are left out (the caller shows no name and no link)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for target_type, target_id in pairs:
        if target_type in TARGETS and target_id is not None:
            wanted[target_type].add(int(target_id))
    refs: dict[tuple[str, int], TargetRef] = {}
    for target_type, ids in wanted.items():
        kind = TARGETS[target_type]
        if not member.has(kind.view):
            continue
        qs = kind.model_class().objects.visible_to(member).filter(pk__in=ids)  # type: ignore[attr-defined]
        for obj in qs:
            refs[(target_type, obj.pk)] = TargetRef(
                target_type, obj.pk, str(obj), kind.url(obj), kind.icon, str(kind.label)
            )
    return refs


def target_url(obj: models.Model) -> str:
    kind = TARGETS.get(getattr(obj, "AUDIT_TYPE", ""))
    return kind.url(obj) if kind else ""
