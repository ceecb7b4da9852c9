"""Who reported on a day, as a manager sees it, and the team digest sent to managers.

The people a member oversees are the active members of the teams in the member's data scope
(own team; team and sub-teams; the whole workspace), the same rule `visible_to` applies to their
reports. Expected to report: members with the sales-rep role (REPORTING_ROLES); anyone else who
wrote a report that day is listed too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse

from tradewind.workspaces.choices import DataScope, Role
from tradewind.workspaces.models import Membership, Team, Workspace

from . import access
from .choices import ReportStatus
from .models import DailyReport

REPORTING_ROLES = (Role.SALES,)
DIGEST_HOUR = 19  # the digest goes out once the workspace's clock passes 19:00
NAMES_SHOWN = 20


def overseen(member: Membership) -> QuerySet[Membership]:
    """Active memberships whose records (and reports) fall in the member's data scope."""
    qs = Membership.objects.filter(workspace_id=member.workspace_id, is_active=True)
    if member.data_scope == DataScope.WORKSPACE:
        return qs
    mine = Q(user_id=member.user_id)
    if member.team_id is None or member.data_scope == DataScope.OWN:
        return qs.filter(mine)
    if member.data_scope == DataScope.TEAM:
        return qs.filter(mine | Q(team_id=member.team_id))
    team = Team.objects.filter(pk=member.team_id).only("path").first()
    if team is None:
        return qs.filter(mine)
    subtree = Team.objects.filter(workspace_id=member.workspace_id, path__startswith=team.path)
    return qs.filter(mine | Q(team_id__in=subtree.values("pk")))


@dataclass
class DayRow:
    member: Membership
    report: DailyReport | None

    @property
    def status(self) -> str:
        if self.report is None:
            return "missing"
        return self.report.status

    @property
    def submitted(self) -> bool:
        return self.report is not None and self.report.status == ReportStatus.SUBMITTED


def team_day(member: Membership, day: dt.date, *, include_self: bool = True) -> list[DayRow]:
    """Each overseen rep with their report of `day` (or None), submitted first then by name.
    Two queries."""
    people = list(overseen(member).select_related("user", "team"))
    reports = {
        r.rep_id: r
        for r in DailyReport.objects.visible_to(member)
        .filter(day=day)
        .only("id", "rep_id", "status", "submitted_at", "day", "workspace_id", "version")
    }
    rows = [
        DayRow(m, reports.get(m.user_id))
        for m in people
        if (m.role in REPORTING_ROLES or m.user_id in reports)
        and (include_self or m.user_id != member.user_id)
    ]
    rows.sort(key=lambda r: (not r.submitted, r.report is None, r.member.user.display_name.lower()))
    return rows


# --- the team digest -----------------------------------------------------------------------------


def digest_recipients(workspace: Workspace) -> list[Membership]:
    """Members who oversee others' work: those who may change the tasks in their scope."""
    from tradewind.workspaces.permissions import Perm

    return [
        m
        for m in Membership.objects.filter(
            workspace=workspace, is_active=True, user__is_active=True
        )
        .select_related("user", "team", "workspace")
        .order_by("pk")
        if m.has(Perm.TASK_MANAGE) and m.has(access.COMMENT)
    ]


def daily_digest(*, workspace: Workspace, day: dt.date) -> int:
    """One notification per manager listing who submitted `day`'s report and who has not; sent
    once per manager and day (the key), to managers with at least one rep in scope."""
    from tradewind.activities.notifications import notify_each

    items: list[tuple[int, dict[str, Any], str]] = []
    url = reverse("daily_reports:team") + f"?day={day.isoformat()}"
    for manager in digest_recipients(workspace):
        rows = team_day(manager, day, include_self=False)
        if not rows:
            continue
        done = [r.member.user.display_name for r in rows if r.submitted]
        missing = [r.member.user.display_name for r in rows if not r.submitted]
        shown = ", ".join(missing[:NAMES_SHOWN]) + (" …" if len(missing) > NAMES_SHOWN else "")
        items.append(
            (
                manager.user_id,
                {
                    "day": day.isoformat(),
                    "submitted": len(done),
                    "total": len(rows),
                    "missing": shown or "—",
                    "submitted_names": done[:NAMES_SHOWN],
                },
                url,
            )
        )
    return notify_each(
        workspace=workspace,
        items=items,
        kind="daily_report.digest",
        key=f"daily_report.digest:{day}",
    )
