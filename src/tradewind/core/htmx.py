"""One URL, one view: the same template answers the full page or one of its partials."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_page(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    htmx = getattr(request, "htmx", None)
    if partial and htmx and not htmx.boosted and htmx.target == partial:
        return render(request, f"{template}#{partial}", context, status=status)
    return render(request, template, context, status=status)
