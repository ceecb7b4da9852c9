"""Who owns a lead: manual assignment (one and bulk) and the ordered assignment rules applied on
capture. The capture paths (form, API, web form, import) call `route_new_leads` after creating
leads without an owner."""

from __future__ import annotations

from collections.abc import Iterable

from tradewind.workspaces.actors import Actor
from tradewind.workspaces.models import Workspace


def route_new_leads(
    *, workspace: Workspace, lead_ids: Iterable[int], actor: Actor
) -> dict[int, int | None]:
    """Apply the workspace's assignment rules to freshly captured ownerless leads.

    Returns {lead_id: owner_id or None (pool)}. Filled in by the assignment-rules work; until then
    captured leads without an owner stay in the pool.
    """
    return {lead_id: None for lead_id in lead_ids}
