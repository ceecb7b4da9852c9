"""Enablement's additions to the isolation walk: the rep's private library folder and script, the
review of the rep's closed opportunity and the rep's daily report (all of workspace A, team east:
the other workspace and a rep of another team get 404)."""

from __future__ import annotations

ROUTES = {
    **dict.fromkeys(
        [
            "enablement:item_detail",
            "enablement:item_edit",
            "enablement:item_delete",
            "enablement:item_file",
            "enablement:item_use",
            "enablement:item_email",
        ],
        "library_item",
    ),
    **dict.fromkeys(["enablement:folder_edit", "enablement:folder_delete"], "library_folder"),
    # /library/suggest/<type>/<id>/: the walker's pk is no record type either (404 for everyone)
    "enablement:suggest_panel": "lead",
    "enablement:review_new": "review_opportunity",
    "enablement:review_edit": "library_review",
    "daily_reports:detail": "daily_report",
    "daily_reports:comment": "daily_report",
}
API = {
    "library_item_id": "library_item",
    "folder_id": "library_folder",
    "review_id": "library_review",
    "daily_report_id": "daily_report",
}


def objects(world) -> dict[str, object]:
    from tradewind.customers.models import Customer
    from tradewind.enablement.choices import ItemKind, Visibility
    from tradewind.enablement.models import DailyReport, LibraryFolder, LibraryItem
    from tradewind.sales.models import Opportunity
    from tradewind.sales.services import pipeline_default

    folder, _new = LibraryFolder.objects.get_or_create(
        workspace=world.ws,
        name="ALPHA-EAST-SECRET folder",
        defaults={"visibility": Visibility.PRIVATE, "owner": world.rep.user},
    )
    item, _new = LibraryItem.objects.get_or_create(
        workspace=world.ws,
        title="ALPHA-EAST-SECRET script",
        defaults={
            "kind": ItemKind.SCRIPT,
            "body": "ALPHA-EAST-SECRET text",
            "visibility": Visibility.PRIVATE,
            "owner": world.rep.user,
            "folder": folder,
        },
    )
    customer, _new = Customer.objects.get_or_create(
        workspace=world.ws,
        code="KHWALKREV",
        defaults={"name": "ALPHA-EAST-SECRET Reviewed GmbH", "owner": world.rep.user},
    )
    pipeline = pipeline_default(world.ws)
    won = pipeline.stages.filter(is_won=True).first()
    opportunity, _new = Opportunity.objects.get_or_create(
        workspace=world.ws,
        code="SJWALKREV",
        defaults={
            "name": "ALPHA-EAST-SECRET won deal",
            "customer": customer,
            "pipeline": pipeline,
            "stage": won,
            "status": "won",
            "owner": world.rep.user,
        },
    )
    review, _new = LibraryItem.objects.get_or_create(
        workspace=world.ws,
        kind=ItemKind.REVIEW,
        opportunity=opportunity,
        defaults={
            "title": "ALPHA-EAST-SECRET review",
            "worked": "ALPHA-EAST-SECRET worked",
            "owner": world.rep.user,
            "outcome": "won",
        },
    )
    report, _new = DailyReport.objects.get_or_create(
        workspace=world.ws,
        rep=world.rep.user,
        day="2024-03-18",
        defaults={"figures": {}, "comment": "ALPHA-EAST-SECRET day"},
    )
    return {
        "library_folder": folder,
        "library_item": item,
        "library_review": review,
        "review_opportunity": opportunity,
        "daily_report": report,
    }


def state(world) -> tuple:
    from tradewind.enablement.models import (
        DailyReport,
        DailyReportComment,
        LibraryFolder,
        LibraryItem,
        LibraryTag,
        LibraryUsage,
    )

    return (
        list(
            LibraryFolder.objects.filter(workspace=world.ws)
            .order_by("pk")
            .values_list("pk", "version", "name", "parent_id")
        ),
        list(
            LibraryItem.objects.filter(workspace=world.ws)
            .order_by("pk")
            .values_list("pk", "version", "title", "visibility", "copy_count", "send_count")
        ),
        LibraryTag.objects.filter(workspace=world.ws).count(),
        LibraryUsage.objects.filter(workspace=world.ws).count(),
        list(
            DailyReport.objects.filter(workspace=world.ws)
            .order_by("pk")
            .values_list("pk", "version", "status", "comment")
        ),
        DailyReportComment.objects.filter(workspace=world.ws).count(),
    )
