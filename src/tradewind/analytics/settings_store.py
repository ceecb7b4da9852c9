"""The workspace's analytics settings row, created on first use."""

from __future__ import annotations

from tradewind.workspaces.models import Workspace

from .models import AnalyticsSettings


def analytics_settings(workspace: Workspace) -> AnalyticsSettings:
    row, _created = AnalyticsSettings.objects.get_or_create(workspace=workspace)
    return row
