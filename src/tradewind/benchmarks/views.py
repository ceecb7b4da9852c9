"""Bare views: the same middleware and base template as a real page, but rows from memory, no queries
beyond the session/member lookup. The benchmark reports each page's time as a ratio to these."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from tradewind.workspaces.decorators import member_required


def _rows(n: int) -> list[dict[str, object]]:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return [
        {
            "code": f"XL2026{i:06d}",
            "company_name": f"Company {i}",
            "contact_name": "Contact",
            "country": "DE",
            "source": "trade_show",
            "status": "new",
            "owner": "Rep",
            "created_at": now,
        }
        for i in range(n)
    ]


@member_required()
def floor_page(request: HttpRequest) -> HttpResponse:
    limit = min(int(request.GET.get("limit", "50")), 200)
    return render(request, "benchmarks/floor.html", {"rows": _rows(limit)})


@member_required()
def floor_fragment(request: HttpRequest) -> HttpResponse:
    """An htmx-sized answer: N cards without the base layout (the board's "load more")."""
    limit = min(int(request.GET.get("limit", "30")), 200)
    return render(request, "benchmarks/floor_fragment.html", {"rows": _rows(limit)})


@member_required()
def floor_json(request: HttpRequest) -> HttpResponse:
    limit = min(int(request.GET.get("limit", "50")), 200)
    rows = _rows(limit)
    for row in rows:
        row["created_at"] = row["created_at"].isoformat()  # type: ignore[attr-defined]
    return JsonResponse({"items": rows, "next_cursor": None})
