from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .permissions import Perm


def member_required(perm: Perm | None = None) -> Callable:
    """A signed-in, active member of the current workspace; optionally holding `perm` (else 403)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            member = getattr(request, "member", None)
            if member is None:
                return redirect_to_login(request.get_full_path())
            if perm is not None and not member.has(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
