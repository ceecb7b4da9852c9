"""Reads of the e-mail app. Templates are the workspace's; accounts are a member's own (and the
workspace account for members who manage e-mail); messages follow EmailMessage.objects.visible_to
(the records they are linked to, the sender, the account owner)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from tradewind.core.errors import ErrorCode, NotFound, PermissionDenied
from tradewind.workspaces.audit import target_type as type_of
from tradewind.workspaces.models import Membership
from tradewind.workspaces.permissions import Perm

from .choices import Direction
from .models import EmailLink, EmailMessage, EmailTemplate, MailAccount
from .rendering import OBJECTS, record_type_of

LIST_LIMIT = 50


def _not_found() -> NotFound:
    return NotFound(ErrorCode.NOT_FOUND, _("Not found."))


def may_use_mail(member: Membership | None) -> bool:
    return member is not None and (member.has(Perm.EMAIL_SEND) or member.has(Perm.EMAIL_MANAGE))


def require_mail(member: Membership | None) -> None:
    """The e-mail pages and API are for members who send or manage e-mail (403 otherwise)."""
    if not may_use_mail(member):
        raise PermissionDenied(
            ErrorCode.PERMISSION_DENIED, _("You do not have permission to do this.")
        )


def templates_for(
    member: Membership, *, active_only: bool = False, record: Any = None
) -> list[EmailTemplate]:
    """The workspace's templates; with `record`, only active ones that fit it."""
    qs = EmailTemplate.objects.filter(workspace_id=member.workspace_id)
    if active_only or record is not None:
        qs = qs.filter(is_active=True)
    found = list(qs.order_by("name", "id"))
    if record is not None:
        kinds = set(OBJECTS[record_type_of(record)])
        found = [t for t in found if set(OBJECTS[t.record_type]) <= kinds]
    return found


def template_get(member: Membership, template_id: int) -> EmailTemplate:
    require_mail(member)
    template = EmailTemplate.objects.filter(
        workspace_id=member.workspace_id, pk=template_id
    ).first()
    if template is None:
        raise _not_found()
    return template


def accounts_visible(member: Membership) -> QuerySet[MailAccount]:
    """The member's own account and, for members managing e-mail, the workspace account."""
    qs = MailAccount.objects.filter(workspace_id=member.workspace_id)
    if member.has(Perm.EMAIL_MANAGE):
        return qs.filter(owner_id=member.user_id) | qs.filter(owner__isnull=True)
    if member.has(Perm.EMAIL_SEND):
        return qs.filter(owner_id=member.user_id)
    return qs.none()


def account_get(member: Membership, account_id: int) -> MailAccount:
    account = accounts_visible(member).filter(pk=account_id).first()
    if account is None:
        raise _not_found()
    return account


def own_account(member: Membership) -> MailAccount | None:
    return MailAccount.objects.filter(
        workspace_id=member.workspace_id, owner_id=member.user_id
    ).first()


def workspace_account(member: Membership) -> MailAccount | None:
    return MailAccount.objects.filter(workspace_id=member.workspace_id, owner__isnull=True).first()


def email_get(member: Membership, email_id: int) -> EmailMessage:
    email = (
        EmailMessage.objects.visible_to(member)
        .select_related("account", "created_by", "template", "reply_to_email")
        .filter(pk=email_id)
        .first()
    )
    if email is None:
        raise _not_found()
    return email


def emails_of(member: Membership, target: Any, *, limit: int = LIST_LIMIT) -> list[EmailMessage]:
    """The mail linked to one record the caller fetched through visible_to(), newest first."""
    ids = EmailLink.objects.filter(
        workspace_id=member.workspace_id, target_type=type_of(target), target_id=target.pk
    ).values("email_id")
    return list(
        EmailMessage.objects.filter(workspace_id=member.workspace_id, pk__in=ids)
        .select_related("created_by")
        .order_by("-created_at", "-id")[:limit]
    )


def unmatched_for(
    member: Membership, *, before_id: int | None = None, limit: int = LIST_LIMIT
) -> list[EmailMessage]:
    """Inbound mail linked to no record, of the accounts the member reads (own; the workspace
    account's for members managing e-mail), newest first, keyset-paged by id."""
    accounts = accounts_visible(member).values("pk")
    linked = EmailLink.objects.filter(email_id=OuterRef("pk"))
    qs = EmailMessage.objects.filter(
        workspace_id=member.workspace_id, direction=Direction.IN, account_id__in=accounts
    ).filter(~Exists(linked))
    if before_id is not None:
        qs = qs.filter(pk__lt=before_id)
    return list(qs.select_related("account").order_by("-id")[:limit])


def sent_by(member: Membership, *, limit: int = LIST_LIMIT) -> list[EmailMessage]:
    """The member's own latest outbound mail (the overview's "recently sent")."""
    return list(
        EmailMessage.objects.filter(
            workspace_id=member.workspace_id, created_by_id=member.user_id, direction=Direction.OUT
        ).order_by("-id")[:limit]
    )
