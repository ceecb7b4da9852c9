"""Settings pages of the job log and the schedules (Perm.AUTOMATION_MANAGE).

The job log lists the workspace's jobs newest first with filters by state and kind and keyset
pages ("Older jobs" loads the next rows through htmx into the same table); a job's page shows its
payload, attempts, last error, result and timings with retry / cancel. The schedules page lists
every schedule with its timing in words, its last run and last failure, and "Run now".
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import ServiceError
from tradewind.core.forms import report_service_error
from tradewind.core.htmx import render_page

from . import jobs_selectors as selectors
from . import jobs_services as services
from .decorators import member_required
from .models_jobs import JobState
from .permissions import Perm

STATE_BADGES: dict[str, str] = {
    JobState.QUEUED: "text-bg-secondary",
    JobState.RUNNING: "text-bg-primary",
    JobState.DONE: "text-bg-success",
    JobState.DEAD: "text-bg-danger",
    JobState.CANCELLED: "text-bg-light border",
}


def _result_labels() -> dict[str, str]:
    return {
        "count": _("done"),
        "owners": _("owners told"),
        "leads": _("leads"),
        "recycle": _("recycled"),
        "reactivate": _("back from dormant"),
        "recycle_warnings": _("warned"),
        "opportunity_stale": _("stale"),
        "forms": _("forms"),
        "accepted": _("accepted"),
        "rejected": _("rejected"),
    }


def result_words(result: dict[str, Any] | None) -> str:
    """{"recycle": {"count": 3}, "owners": 2} -> "recycled 3 · owners told 2"."""
    if not result:
        return ""
    labels = _result_labels()
    parts = []
    for key, value in result.items():
        if isinstance(value, dict) and set(value) == {"count"}:
            value = value["count"]
        if isinstance(value, (dict, list)):
            value = json.dumps(value, ensure_ascii=False, default=str)[:80]
        parts.append(f"{labels.get(key, key)} {value}")
    return " · ".join(parts)


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


@member_required(Perm.AUTOMATION_MANAGE)
def job_list(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    state = request.GET.get("state", "")
    state = state if state in JobState.values else ""
    kinds = selectors.kind_choices()
    kind = request.GET.get("kind", "")
    kind = kind if kind in dict(kinds) else ""
    page = selectors.jobs_page(member, state=state, kind=kind, before=request.GET.get("before"))
    for job in page.items:
        job.badge = STATE_BADGES.get(job.state, "text-bg-secondary")  # type: ignore[attr-defined]
    query = urlencode([(k, v) for k, v in (("state", state), ("kind", kind)) if v])
    counts = selectors.job_counts(member)
    context = {
        "nav_active": "settings",
        "tab": "jobs",
        "page": page,
        "state": state,
        "kind": kind,
        "kinds": kinds,
        "states": JobState.choices,
        "counts": [(value, label, counts[value]) for value, label in JobState.choices],
        "query": query,
        "filtered": bool(state or kind),
        "more": bool(request.GET.get("before")),
    }
    return render_page(request, "workspaces/jobs.html", context, partial="job-results")


@member_required(Perm.AUTOMATION_MANAGE)
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.job_get(request.member, job_id)  # type: ignore[attr-defined]
    context = {
        "nav_active": "settings",
        "tab": "jobs",
        "job": job,
        "badge": STATE_BADGES.get(job.state, "text-bg-secondary"),
        "payload": _pretty(job.payload),
        "result": _pretty(job.result) if job.result else "",
        "can_retry": job.state in services.RETRYABLE,
        "can_cancel": job.state == JobState.QUEUED,
    }
    return render(request, "workspaces/jobs_detail.html", context)


def _act(request: HttpRequest, job_id: int, action: Any, done: str) -> HttpResponse:
    try:
        action(actor=request.actor, job_id=job_id)  # type: ignore[attr-defined]
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(request, done)
    return redirect("settings:job_detail", job_id=job_id)


@require_POST
@member_required(Perm.AUTOMATION_MANAGE)
def job_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    return _act(request, job_id, services.job_retry, _("The job is queued again."))


@require_POST
@member_required(Perm.AUTOMATION_MANAGE)
def job_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    return _act(request, job_id, services.job_cancel, _("The job is cancelled."))


@require_POST
@member_required(Perm.AUTOMATION_MANAGE)
def worker_check(request: HttpRequest) -> HttpResponse:
    job = services.worker_check(actor=request.actor)  # type: ignore[attr-defined]
    messages.success(
        request,
        _("A check job is queued. When the worker runs it, its state below turns to Done."),
    )
    return redirect("settings:job_detail", job_id=job.pk)


@member_required(Perm.AUTOMATION_MANAGE)
def schedule_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.schedules_overview(request.member)  # type: ignore[attr-defined]
    context = {
        "nav_active": "settings",
        "tab": "schedules",
        "rows": [
            {
                "row": row,
                "words": result_words(row.last.result) if row.last and not row.shared else "",
            }
            for row in rows
        ],
    }
    return render(request, "workspaces/schedules.html", context)


@require_POST
@member_required(Perm.AUTOMATION_MANAGE)
def schedule_run_now(request: HttpRequest) -> HttpResponse:
    try:
        job = services.schedule_run_now(
            actor=request.actor,  # type: ignore[attr-defined]
            name=request.POST.get("name", ""),
        )
    except ServiceError as exc:
        report_service_error(request, exc)
        return redirect("settings:schedules")
    messages.success(
        request,
        _("The run is queued as a job; its result appears here when the worker has run it."),
    )
    return redirect(reverse("settings:schedules") + f"#job-{job.pk}")
