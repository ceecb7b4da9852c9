"""Merge leads from a lead's page: pick the others (its duplicates, or found by code or name), choose
each field's value in a table, confirm."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tradewind.core.errors import NotFound, PermissionDenied, ServiceError
from tradewind.core.forms import report_service_error
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import selectors
from .choices import LeadStatus
from .dedupe import find_duplicates, lead_keys
from .merge import MAX_LEADS, MERGE_FIELDS, field_value, leads_merge
from .models import Lead

CANDIDATE_LIMIT = 20


def _candidates(request: HttpRequest, lead: Lead, q: str) -> list[Lead]:
    visible = selectors.leads_visible(request.member).exclude(pk=lead.pk)
    visible = visible.exclude(status=LeadStatus.CONVERTED).select_related("owner")
    if q:
        return list(
            visible.filter(Q(code__iexact=q) | Q(company_name__icontains=q)).order_by("-id")[
                :CANDIDATE_LIMIT
            ]
        )
    ids = [
        m.lead_id
        for m in find_duplicates(
            workspace=lead.workspace, keys=lead_keys(lead), exclude_id=lead.pk, customers=False
        )
    ]
    found = {x.pk: x for x in visible.filter(pk__in=ids)}
    return [found[i] for i in ids if i in found]


def _display(lead: Lead, name: str) -> Any:
    if name == "owner":
        return lead.owner or _("Lead pool")
    if name == "tags":
        return ", ".join(lead.tags or [])
    if name == "country":
        return lead.country.name if lead.country else ""
    getter = getattr(lead, f"get_{name}_display", None)
    return getter() if getter and getattr(lead, name) else getattr(lead, name)


def _rows(leads: list[Lead]) -> list[dict[str, Any]]:
    """One row per field whose values differ between the leads: what the choice table shows."""
    rows = []
    for name in MERGE_FIELDS:
        values = [field_value(lead, name) for lead in leads]
        if all(v == values[0] for v in values):
            continue
        label = Lead._meta.get_field(name).verbose_name
        rows.append(
            {
                "name": name,
                "label": label,
                "cells": [(lead.pk, _display(lead, name)) for lead in leads],
                "default": next(
                    (
                        lead.pk
                        for lead, v in zip(leads, values, strict=True)
                        if v not in ("", None, [])
                    ),
                    leads[0].pk,
                ),
            }
        )
    return rows


@member_required(Perm.LEAD_EDIT)
def lead_merge(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get(member=request.member, pk=pk)
    source = request.POST if request.method == "POST" else request.GET
    chosen_ids = [int(i) for i in source.getlist("with") if i.isdigit()][: MAX_LEADS - 1]
    if request.method == "POST":
        choices = {
            name: source.get(f"choice_{name}")
            for name in MERGE_FIELDS
            if source.get(f"choice_{name}")
        }
        try:
            survivor = leads_merge(
                actor=request.actor, survivor_id=lead.pk, merged_ids=chosen_ids, choices=choices
            )
        except (NotFound, PermissionDenied):
            raise
        except ServiceError as exc:
            report_service_error(request, exc)
            return redirect("leads:merge", pk=lead.pk)
        messages.success(
            request,
            _("%(n)s lead(s) merged into %(code)s.")
            % {"n": len(chosen_ids), "code": survivor.code},
        )
        return redirect("leads:detail", pk=survivor.pk)

    others: list[Lead] = []
    if chosen_ids:
        found = {
            x.pk: x
            for x in selectors.leads_visible(request.member)
            .exclude(pk=lead.pk)
            .select_related("owner")
            .filter(pk__in=chosen_ids)
        }
        others = [found[i] for i in chosen_ids if i in found]
    q = (request.GET.get("q") or "").strip()[:100]
    context = {
        "nav_active": "leads",
        "lead": lead,
        "q": q,
        "others": others,
        "candidates": [] if others else _candidates(request, lead, q),
        "rows": _rows([lead, *others]) if others else [],
        "leads": [lead, *others],
        "max_others": MAX_LEADS - 1,
    }
    return render(request, "leads/merge/merge.html", context)
