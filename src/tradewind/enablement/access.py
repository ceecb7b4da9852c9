"""Who may do what in the library and the daily reports, in terms of the roles' existing verbs
(docs/enablement.md, "Permissions"):

- reading the library: every member (shared items, their own private ones, the reviews of the
  opportunities they see);
- adding private items and folders, copying and sending items: COMMENT_CREATE (every role but
  read-only);
- curating the company-shared library (shared items and folders, anyone's shared item): the
  members who manage the workspace's outbound content, EMAIL_MANAGE (owners, managers, marketing);
- deal reviews: OPPORTUNITY_EDIT, the verb that closes the opportunity;
- daily reports: a rep writes their own with TASK_EDIT; who sees a report (the rep's data scope)
  comments on it with COMMENT_CREATE.
"""

from __future__ import annotations

from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm

ADD = Perm.COMMENT_CREATE
CURATE = Perm.EMAIL_MANAGE
REVIEW = Perm.OPPORTUNITY_EDIT
REPORT = Perm.TASK_EDIT
COMMENT = Perm.COMMENT_CREATE


def can_add(member: Membership | None) -> bool:
    return member is not None and member.has(ADD)


def can_curate(member: Membership | None) -> bool:
    return member is not None and member.has(CURATE)


def can_change_item(member: Membership | None, item: object) -> bool:
    """Shared items: curators; private items: their owner; reviews: their author or a curator."""
    if member is None:
        return False
    from .choices import ItemKind, Visibility

    kind = getattr(item, "kind", "")
    owner_id = getattr(item, "owner_id", None)
    if kind == ItemKind.REVIEW:
        return member.has(REVIEW) and (owner_id == member.user_id or member.has(CURATE))
    if getattr(item, "visibility", "") == Visibility.SHARED:
        return member.has(CURATE)
    return owner_id == member.user_id and member.has(ADD)
