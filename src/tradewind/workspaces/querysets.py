"""visible_to(): the one place that decides which rows a member may read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from .choices import DataScope

if TYPE_CHECKING:
    from .models import Membership


class WorkspaceQuerySet(models.QuerySet):
    def in_workspace(self, workspace_id: int) -> WorkspaceQuerySet:
        return self.filter(workspace_id=workspace_id)

    def visible_to(self, member: Membership | None) -> WorkspaceQuerySet:
        if member is None or not member.is_active or not member.user.is_active:
            return self.none()
        qs = self.filter(workspace_id=member.workspace_id)
        if sees_whole_workspace(member, self.model):
            return qs
        owner_field = self.model.SCOPE_OWNER_FIELD
        condition = Q(**{owner_field: member.user_id})
        team_ids = _scope_team_ids(member)
        if team_ids is not None:
            from .models import Membership

            owners = Membership.objects.filter(
                workspace_id=member.workspace_id, team_id__in=team_ids
            )
            condition |= Q(**{f"{owner_field}__in": owners.values("user_id")})
        if self.model.POOL_VISIBLE:
            condition |= Q(**{f"{owner_field}__isnull": True})
        shared = getattr(self.model, "scope_shared", None)
        if shared is not None:  # rows shared with the member outside their scope (collaborators)
            condition |= shared(member)
        return qs.filter(condition)


def sees_whole_workspace(member: Membership | None, model: type[models.Model]) -> bool:
    """Whether visible_to(member) on this model is the workspace filter alone: a query that
    already names the workspace can then skip the `IN (visible ids)` it would otherwise need."""
    if member is None or not member.is_active or not member.user.is_active:
        return False
    return model.SCOPE_OWNER_FIELD is None or member.data_scope == DataScope.WORKSPACE  # type: ignore[attr-defined]


def _scope_team_ids(member: Membership) -> models.QuerySet | list[int] | None:
    if member.team_id is None or member.data_scope == DataScope.OWN:
        return None
    if member.data_scope == DataScope.TEAM:
        return [member.team_id]
    from .models import Team

    return Team.objects.filter(
        workspace_id=member.workspace_id, path__startswith=member.team.path
    ).values("id")


def filter_owner(qs: models.QuerySet, owner: str, user_id: int | None) -> models.QuerySet:
    """The owner filter of the list pages: "me", "none" (the pool) or a user id; "" keeps all."""
    if owner == "me":
        return qs.filter(owner_id=user_id)
    if owner == "none":
        return qs.filter(owner__isnull=True)
    if owner.isdigit():
        return qs.filter(owner_id=int(owner))
    return qs
