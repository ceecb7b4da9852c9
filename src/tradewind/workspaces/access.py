"""Permission checks shared by services, pages and the API."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tradewind.core.errors import ErrorCode, PermissionDenied

from .actors import Actor
from .permissions import Perm


def require(actor: Actor, perm: Perm) -> None:
    member = actor.member
    if member is None:
        return  # system actors (imports, automation) act with the rights they were configured with
    if not member.has(perm):
        raise PermissionDenied(
            ErrorCode.PERMISSION_DENIED, _("You do not have permission to do this.")
        )
