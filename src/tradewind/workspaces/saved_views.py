"""Saved list views: a member names the filters of a list (its query string) to come back to them.

Generic over modules ("leads" now; customers and opportunities later). A view is private to its
maker unless shared; a shared view is read by every member and changed only by its maker or an
admin. The query string is re-parsed by the module's filter on every use, so a saved view can never
widen what the reader may see.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tradewind.core.errors import ErrorCode, NotFound, ServiceError

from . import audit
from .actors import Actor
from .choices import AuditVerb
from .errors import WorkspaceError
from .models import Membership, SavedView
from .permissions import Perm

# Paging state is not a filter.
_DROPPED = {"cursor", "page", "view"}


def clean_query(query: str) -> str:
    pairs = [
        (k, v)
        for k, v in parse_qsl(query.lstrip("?"), keep_blank_values=False)
        if k not in _DROPPED
    ]
    return urlencode(pairs)[:1000]


def saved_views_for(member: Membership, module: str) -> QuerySet[SavedView]:
    return (
        SavedView.objects.filter(workspace=member.workspace, module=module)
        .filter(Q(user_id=member.user_id) | Q(shared=True))
        .order_by("name", "id")
    )


def saved_view_get(*, member: Membership, module: str, pk: int) -> SavedView:
    view = saved_views_for(member, module).filter(pk=pk).first()
    if view is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    return view


@transaction.atomic
def saved_view_create(
    *, actor: Actor, module: str, name: str, query: str, shared: bool = False
) -> SavedView:
    name = " ".join(name.split())[:60]
    if not name:
        raise ServiceError(
            WorkspaceError.VIEW_NAME_MISSING,
            _("Give the view a name."),
            fields={"name": [_("Give the view a name.")]},
        )
    assert actor.member is not None
    # Only managers and admins share; a rep's "shared" tick is ignored rather than refused.
    shared = shared and actor.member.has(Perm.LEAD_ASSIGN)
    try:
        with transaction.atomic():
            view = SavedView.objects.create(
                workspace=actor.workspace,
                user_id=actor.user_id,
                module=module,
                name=name,
                query=clean_query(query),
                shared=shared,
            )
    except IntegrityError:
        message = _("You already have a view called “%(name)s”.") % {"name": name}
        raise ServiceError(
            WorkspaceError.VIEW_NAME_TAKEN, message, status=409, fields={"name": [message]}
        ) from None
    audit.record_create(actor=actor, target=view, fields=["module", "name", "query", "shared"])
    return view


@transaction.atomic
def saved_view_delete(*, actor: Actor, view: SavedView) -> None:
    assert actor.member is not None
    if view.user_id != actor.user_id and not actor.member.has(Perm.WORKSPACE_MANAGE):
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    audit.record(
        actor=actor,
        verb=AuditVerb.DELETE,
        target=view,
        changes={"name": [view.name, None], "query": [view.query, None]},
    )
    SavedView.objects.filter(pk=view.pk, workspace=actor.workspace).delete()
