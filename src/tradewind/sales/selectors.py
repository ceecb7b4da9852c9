from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from tradewind.workspaces.models import Membership

from .models import Opportunity, Stage, StageChange, StageTask, StageTaskCheck


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


def stage_history(opportunity: Opportunity) -> list[StageChange]:
    """The opportunity's stage history, oldest first (stages and the person loaded); each row's
    `seconds_in_from_stage` is the time spent in the stage it left."""
    return list(
        StageChange.objects.filter(opportunity_id=opportunity.pk)
        .select_related("from_stage", "to_stage", "changed_by")
        .order_by("changed_at", "id")
    )


@dataclass(frozen=True)
class ChecklistItem:
    task: StageTask
    check: StageTaskCheck | None

    @property
    def done(self) -> bool:
        return self.check is not None


def stage_checklist(opportunity: Opportunity) -> list[tuple[Stage, list[ChecklistItem]]]:
    """Every stage of the opportunity's pipeline that has tasks, with each task ticked or not
    (two queries), in stage order."""
    tasks = list(
        StageTask.objects.filter(stage__pipeline_id=opportunity.pipeline_id)
        .select_related("stage")
        .order_by("stage__position", "stage_id", "position", "id")
    )
    checks = {
        c.task_id: c
        for c in StageTaskCheck.objects.filter(opportunity_id=opportunity.pk).select_related(
            "done_by"
        )
    }
    result: list[tuple[Stage, list[ChecklistItem]]] = []
    for task in tasks:
        if not result or result[-1][0].pk != task.stage_id:
            result.append((task.stage, []))
        result[-1][1].append(ChecklistItem(task, checks.get(task.pk)))
    return result
