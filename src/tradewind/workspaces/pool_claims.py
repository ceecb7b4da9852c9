"""What leads' and customers' pools share: finding the record a member pressed Claim on."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.db.models import F, Model
from django.http import Http404
from django.utils import timezone

from .models import Membership

# How long a record that just left the pool still answers a claim with "claimed by …" rather than
# 404 to a member whose scope no longer shows it: the loser of a race, a click on a stale list.
CLAIM_GRACE = dt.timedelta(minutes=10)

M = TypeVar("M", bound=Model)


def for_claim(model: type[M], *, member: Membership, pk: int) -> M:
    """One the member can see, or one claimed from the pool moments ago (it was visible to every
    member until then, so naming its new holder leaks nothing). Anything else is 404, as
    everywhere. The model has `owner` and a `claims` relation with user, claimed_at, released_at."""
    manager = model.objects  # type: ignore[attr-defined]
    found = manager.visible_to(member).select_related("owner").filter(pk=pk).first()
    if found is not None:
        return found
    found = (
        manager.filter(
            workspace_id=member.workspace_id,
            pk=pk,
            claims__user_id=F("owner_id"),
            claims__released_at__isnull=True,
            claims__claimed_at__gte=timezone.now() - CLAIM_GRACE,
        )
        .select_related("owner")
        .first()
    )
    if found is None:
        raise Http404
    return found
