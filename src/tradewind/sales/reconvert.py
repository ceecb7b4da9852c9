"""Open opportunities whose currency had no rate into the base currency keep `base_amount` empty
(never summed unconverted). When a rate for that currency is set, they get their base amount at the
rate in force today; opportunities already converted keep the rate of their own day."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from tradewind.workspaces.daily_jobs import local_date
from tradewind.workspaces.models import Workspace

from .amounts import base_equivalent
from .choices import OpportunityStatus
from .models import Opportunity


def opportunities_reconvert(*, workspace: Workspace, currencies: list[str]) -> int:
    """Give the workspace's unconverted open opportunities in `currencies` a base amount where a
    rate now exists. Returns how many were converted."""
    today = local_date(timezone.now(), workspace)
    done = 0
    with transaction.atomic():
        waiting = Opportunity.objects.select_for_update().filter(
            workspace=workspace,
            status=OpportunityStatus.OPEN,
            currency__in=currencies,
            amount__isnull=False,
            base_amount__isnull=True,
        )
        for opportunity in waiting:
            base, rate = base_equivalent(workspace, opportunity.amount, opportunity.currency, today)
            if rate is None:
                continue
            Opportunity.objects.filter(pk=opportunity.pk).update(
                base_amount=base, fx_rate=rate, fx_date=today
            )
            done += 1
    return done


def on_rate_set(_name: str, payload: dict[str, Any]) -> None:
    workspace = Workspace.objects.filter(pk=payload["workspace_id"]).first()
    if workspace is not None:
        opportunities_reconvert(workspace=workspace, currencies=list(payload["currencies"]))
