from __future__ import annotations

from django.shortcuts import get_object_or_404

from tradewind.workspaces.models import Membership

from .models import Opportunity, Stage


def opportunity_get(*, member: Membership, pk: int) -> Opportunity:
    """404 for anything outside the member's scope: no existence leak."""
    return get_object_or_404(
        Opportunity.objects.visible_to(member).select_related(
            "customer", "contact", "pipeline", "stage", "owner"
        ),
        pk=pk,
    )


def open_stages(member: Membership) -> list[Stage]:
    """The open stages of the default pipeline, for a stage picker (created on first use)."""
    from .services import pipeline_default

    pipeline = pipeline_default(member.workspace)
    return [s for s in pipeline.stages.all() if not s.is_closed]
