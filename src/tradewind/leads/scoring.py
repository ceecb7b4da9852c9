"""Lead scores from the workspace's scoring rules, with a per-rule breakdown and a suggested grade.
The capture paths call `score_leads` after creating or changing leads."""

from __future__ import annotations

from collections.abc import Iterable

from tradewind.workspaces.models import Workspace


def score_leads(*, workspace: Workspace, lead_ids: Iterable[int]) -> None:
    """Recompute and store the score of these leads. Filled in by the scoring work."""
    return None
