"""Daily reports (销售日报, seed 003 "每日跟进计划"): the services. A report is one row per rep and
workspace-local day; its figures come from daily_figures.py. Until it is submitted it is a draft
whose figures each generation refreshes; submitting refreshes them once more and freezes them with
the comment, so the report reads the same however the records change later. Managers who see the
report (the rep's data scope) comment on it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, ErrorCode, NotFound, PermissionDenied, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Membership, Workspace
from tradewind.workspaces.timezones import workspace_today

from . import access
from .choices import ReportStatus
from .daily_figures import cut, figures_for, for_display  # noqa: F401 - used by views and API
from .errors import DailyReportError
from .models import DailyReport, DailyReportComment

COMMENT_MAX = 5000


def parse_day(value: Any, workspace: Workspace, *, default_today: bool = True) -> dt.date:
    """A "YYYY-MM-DD" text -> a day not after the workspace's today (422 otherwise)."""
    today = workspace_today(workspace)
    text = str(value or "").strip()
    if not text and default_today:
        return today
    try:
        day = dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ServiceError(
            DailyReportError.BAD_DAY,
            _("Enter a valid date (YYYY-MM-DD)."),
            fields={"day": [_("Enter a valid date (YYYY-MM-DD).")]},
        ) from None
    if day > today:
        raise ServiceError(
            DailyReportError.FUTURE_DAY,
            _("A daily report is for today or a day before."),
            fields={"day": [_("A daily report is for today or a day before.")]},
        )
    return day


# --- services ------------------------------------------------------------------------------------


def _rep(actor: Actor) -> Membership:
    if actor.member is None:
        raise PermissionDenied(
            ErrorCode.PERMISSION_DENIED, _("You do not have permission to do this.")
        )
    require(actor, access.REPORT)
    return actor.member


def _frozen() -> Conflict:
    return Conflict(
        DailyReportError.SUBMITTED,
        _("This daily report was submitted: it cannot change any more."),
    )


def _clean_comment(comment: Any) -> str:
    text = str(comment or "").replace("\r\n", "\n").strip()
    if len(text) > COMMENT_MAX:
        raise ServiceError(
            DailyReportError.TOO_LONG,
            _("Please correct the marked fields."),
            fields={"comment": [_("At most %(n)s characters.") % {"n": COMMENT_MAX}]},
        )
    return text


def _locked(actor: Actor, rep: Membership, day: dt.date) -> tuple[DailyReport, bool]:
    """The rep's report of the day, locked, created as a draft when missing."""
    existing = (
        DailyReport.objects.select_for_update()
        .filter(workspace=actor.workspace, rep_id=rep.user_id, day=day)
        .first()
    )
    if existing is not None:
        return existing, False
    now = timezone.now()
    try:
        with transaction.atomic():
            report = DailyReport.objects.create(
                workspace=actor.workspace,
                rep_id=rep.user_id,
                day=day,
                figures={},
                generated_at=now,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:  # generated twice at once: use the other one
        report = DailyReport.objects.select_for_update().get(
            workspace=actor.workspace, rep_id=rep.user_id, day=day
        )
        return report, False
    return report, True


@transaction.atomic
def daily_report_generate(*, actor: Actor, day: Any = None) -> DailyReport:
    """Create the acting rep's draft report of `day` (default today) or refresh its figures."""
    rep = _rep(actor)
    on = parse_day(day, actor.workspace)
    report, created = _locked(actor, rep, on)
    if report.is_submitted:
        raise _frozen()
    now = timezone.now()
    report.figures = figures_for(rep, on)
    report.generated_at = now
    report.updated_at = now
    if not created:
        report.version += 1
    report.save()
    if created:
        audit.record(
            actor=actor,
            verb=AuditVerb.CREATE,
            target=report,
            changes={"day": [None, on.isoformat()], "status": [None, report.status]},
        )
    emit(
        "daily_report.generated",
        workspace_id=actor.workspace.pk,
        daily_report_id=report.pk,
        rep_id=rep.user_id,
        day=on.isoformat(),
    )
    return report


def report_get(member: Membership, report_id: Any) -> DailyReport:
    try:
        pk = int(report_id)
    except (TypeError, ValueError):
        raise NotFound(ErrorCode.NOT_FOUND, _("Not found.")) from None
    report = DailyReport.objects.visible_to(member).filter(pk=pk).select_related("rep").first()
    if report is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Daily report not found."))
    return report


def _own_locked(actor: Actor, report_id: Any) -> DailyReport:
    if actor.member is None:
        raise PermissionDenied(
            ErrorCode.PERMISSION_DENIED, _("You do not have permission to do this.")
        )
    report = report_get(actor.member, report_id)
    require(actor, access.REPORT)
    if report.rep_id != actor.member.user_id:
        raise PermissionDenied(
            DailyReportError.NOT_YOURS, _("Only the rep writes and submits their daily report.")
        )
    return DailyReport.objects.select_for_update().get(pk=report.pk)


@transaction.atomic
def daily_report_save(
    *, actor: Actor, report_id: Any, comment: Any, expected_version: int | None = None
) -> DailyReport:
    """Keep the rep's comment on a draft (the figures stay as last generated)."""
    report = _own_locked(actor, report_id)
    if report.is_submitted:
        raise _frozen()
    if expected_version is not None and report.version != expected_version:
        raise Conflict(
            ErrorCode.STALE_VERSION,
            _("This report changed since you opened it. Reload to see it."),
        )
    text = _clean_comment(comment)
    if text != report.comment:
        audit.record(
            actor=actor,
            verb=AuditVerb.UPDATE,
            target=report,
            changes={"comment": [report.comment, text]},
        )
        report.comment = text
        report.version += 1
        report.updated_at = timezone.now()
        report.save(update_fields=["comment", "version", "updated_at"])
    return report


@transaction.atomic
def daily_report_submit(*, actor: Actor, report_id: Any, comment: Any = None) -> DailyReport:
    """Refresh the figures one last time and freeze them with the rep's comment."""
    report = _own_locked(actor, report_id)
    if report.is_submitted:
        raise _frozen()
    text = report.comment if comment is None else _clean_comment(comment)
    now = timezone.now()
    assert actor.member is not None
    report.figures = figures_for(actor.member, report.day)
    report.comment = text
    report.status = ReportStatus.SUBMITTED
    report.generated_at = now
    report.submitted_at = now
    report.version += 1
    report.updated_at = now
    report.save()
    audit.record(
        actor=actor,
        verb=AuditVerb.TRANSITION,
        action="daily_report_submitted",
        target=report,
        changes={"status": [ReportStatus.DRAFT, ReportStatus.SUBMITTED]},
    )
    emit(
        "daily_report.submitted",
        workspace_id=actor.workspace.pk,
        daily_report_id=report.pk,
        rep_id=report.rep_id,
        day=report.day.isoformat(),
    )
    return report


@transaction.atomic
def daily_report_comment(*, actor: Actor, report_id: Any, body: Any) -> DailyReportComment:
    """A comment on a report the member sees (a manager on a rep's report, or the rep replying);
    the rep hears of comments by others."""
    from tradewind.activities.notifications import notify

    if actor.member is None:
        raise PermissionDenied(
            ErrorCode.PERMISSION_DENIED, _("You do not have permission to do this.")
        )
    report = report_get(actor.member, report_id)
    require(actor, access.COMMENT)
    text = str(body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ServiceError(
            DailyReportError.COMMENT_REQUIRED,
            _("Please correct the marked fields."),
            fields={"body": [_("Write a comment.")]},
        )
    if len(text) > COMMENT_MAX:
        raise ServiceError(
            DailyReportError.TOO_LONG,
            _("Please correct the marked fields."),
            fields={"body": [_("At most %(n)s characters.") % {"n": COMMENT_MAX}]},
        )
    comment = DailyReportComment.objects.create(
        workspace=actor.workspace, report=report, author_id=actor.member.user_id, body=text
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="daily_report_commented",
        target=report,
        changes={"comment": [None, text[:500]]},
    )
    if report.rep_id != actor.member.user_id:
        notify(
            workspace=actor.workspace,
            user_ids=[report.rep_id],
            kind="daily_report.comment",
            params={
                "by": actor.member.user.display_name,
                "day": report.day.isoformat(),
                "excerpt": cut(text)[:120],
            },
            url=reverse("daily_reports:detail", args=[report.pk]),
        )
    emit(
        "daily_report.commented",
        workspace_id=actor.workspace.pk,
        daily_report_id=report.pk,
        comment_id=comment.pk,
    )
    return comment
