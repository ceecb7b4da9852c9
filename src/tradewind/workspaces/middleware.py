"""Resolve the member behind each page request; enforce deactivation and required MFA."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .actors import Actor
from .choices import Role
from .models import Membership, UserSession
from .timezones import effective_zone

EXEMPT_PREFIXES = ("/static/", "/api/", "/invite/", "/healthz", "/i18n/")
ACCOUNT_PREFIX = "/accounts/"
SESSION_WORKSPACE = "workspace_id"


def member_for(request: HttpRequest) -> Membership | None:
    members = Membership.objects.select_related("workspace", "user", "team").filter(
        user_id=request.user.pk, is_active=True
    )
    wanted = request.session.get(SESSION_WORKSPACE)
    member = None
    if wanted:
        member = members.filter(workspace_id=wanted).first()
    return member or members.order_by("pk").first()


class WorkspaceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.member = None  # type: ignore[attr-defined]
        request.workspace = None  # type: ignore[attr-defined]
        request.actor = None  # type: ignore[attr-defined]
        path = request.path_info
        if request.user.is_authenticated and not path.startswith(EXEMPT_PREFIXES):
            response = self._resolve(request, path)
            if response is not None:
                return response
        return self.get_response(request)

    def _resolve(self, request: HttpRequest, path: str) -> HttpResponse | None:
        if request.user.language:
            translation.activate(request.user.language)
            request.LANGUAGE_CODE = request.user.language
        key = request.session.session_key
        # Keyed, not a flag: a password change or login rotates the key, and the new one must be known.
        if key and request.session.get("_tw_tracked") != key:
            UserSession.objects.get_or_create(session_key=key, defaults={"user": request.user})
            request.session["_tw_tracked"] = key
        member = member_for(request)
        if member is None:
            logout(request)
            messages.error(
                request, _("Your account has no active workspace. Ask an administrator.")
            )
            return redirect("account_login")
        request.member = member  # type: ignore[attr-defined]
        request.workspace = member.workspace  # type: ignore[attr-defined]
        request.actor = Actor.for_member(member)  # type: ignore[attr-defined]
        timezone.activate(effective_zone(member.workspace, member.user))
        if not path.startswith(ACCOUNT_PREFIX) and mfa_missing(member):
            messages.warning(
                request, _("This workspace requires two-factor sign-in for administrators.")
            )
            return redirect("mfa_activate_totp")
        return None


def mfa_missing(member: Membership) -> bool:
    """The workspace requires TOTP of its owners and this owner has not set it up."""
    return (
        member.workspace.require_mfa_for_admins
        and member.role == Role.OWNER
        and not _has_totp(member.user_id)
    )


def _has_totp(user_id: int) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=user_id, type=Authenticator.Type.TOTP).exists()
