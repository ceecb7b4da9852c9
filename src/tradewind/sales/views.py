"""The read-only opportunity page. The board, stage moves and editing come with the
opportunities issue."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tradewind.workspaces.custom_fields import definitions, rows_for
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import history_for

from . import selectors


@member_required(Perm.OPPORTUNITY_VIEW)
def opportunity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = selectors.opportunity_get(member=request.member, pk=pk)
    customer_visible = request.member.has(Perm.CUSTOMER_VIEW) and (
        type(opportunity.customer)
        .objects.visible_to(request.member)
        .filter(pk=opportunity.customer_id)
        .exists()
    )
    return render(
        request,
        "sales/opportunity_detail.html",
        {
            "nav_active": "opportunities",
            "opportunity": opportunity,
            "customer_visible": customer_visible,
            "custom_rows": rows_for(
                definitions(request.workspace, "opportunity"), opportunity.custom
            ),
            "history": history_for(target=opportunity, user_fields=("owner",)),
        },
    )
