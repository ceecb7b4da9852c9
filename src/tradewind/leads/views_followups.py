"""Follow-up pages: record one on a lead, and "My follow-ups" (today / overdue / tomorrow's plan).

The lead page shows the form and the timeline through the `lead_followups` template tag; a
refused form comes back on its own page with the errors. Out of scope is 404; a role that may
not edit leads gets 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tradewind.activities.forms import FollowUpForm
from tradewind.core import errors
from tradewind.core.forms import add_service_error
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import followups, selectors


@member_required(Perm.LEAD_EDIT)
def followup_add(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get(member=request.member, pk=pk)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = followups.lead_followup_record(
                actor=request.actor, lead=lead, **form.service_data()
            )
        except errors.PermissionDenied as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except errors.NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except errors.Conflict as exc:
            messages.error(request, exc.message)
            return redirect("leads:detail", pk=pk)
        except errors.ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Follow-up recorded."))
            if outcome.went_dormant:
                messages.info(
                    request,
                    _("No response again: the lead is dormant until %(date)s.")
                    % {"date": formats.date_format(outcome.lead.next_due_at, "SHORT_DATE_FORMAT")},
                )
            return redirect(reverse("leads:detail", args=[pk]) + "#followups")
    return render(
        request,
        "leads/followup_form.html",
        {"nav_active": "leads", "lead": lead, "form": form},
    )


TABS = (
    (followups.Due.TODAY.value, gettext_lazy("Due today"), "bi-calendar-day"),
    (followups.Due.OVERDUE.value, gettext_lazy("Overdue"), "bi-exclamation-circle"),
    (followups.Due.TOMORROW.value, gettext_lazy("Tomorrow's plan"), "bi-calendar-plus"),
)


@member_required(Perm.LEAD_VIEW)
def my_followups(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "")
    if tab not in {due.value for due in followups.Due}:
        tab = followups.Due.TODAY.value
    member = request.member
    context = {
        "nav_active": "leads",
        "tab": tab,
        "tabs": TABS,
        "counts": followups.due_counts(member),
        "leads": followups.due_leads(member, tab),
        "limit": followups.DUE_LIST_LIMIT,
        "sla_leads": list(
            followups.sla_breached_leads(member)
            .filter(owner_id=member.user_id)
            .order_by("created_at", "id")[:20]
        ),
    }
    return render(request, "leads/my_followups.html", context)
