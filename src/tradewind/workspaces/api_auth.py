"""API authentication: personal tokens (Bearer) or the browser session (with CSRF)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from .actors import Actor
from .middleware import member_for, mfa_missing
from .models import ApiToken, Membership
from .services import token_authenticate
from .timezones import effective_zone

LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _bind(request: HttpRequest, member: Membership, actor: Actor) -> None:
    request.member = member  # type: ignore[attr-defined]
    request.workspace = member.workspace  # type: ignore[attr-defined]
    request.actor = actor  # type: ignore[attr-defined]
    timezone.activate(effective_zone(member.workspace, member.user))


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = token_authenticate(token)
        if api_token is None:
            return None
        member = (
            Membership.objects.select_related("workspace", "user", "team")
            .filter(
                workspace_id=api_token.workspace_id,
                user_id=api_token.user_id,
                is_active=True,
                user__is_active=True,
            )
            .first()
        )
        if member is None:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        _bind(request, member, Actor.for_token(member, api_token.pk))
        return api_token


class MemberSessionAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not request.user.is_authenticated:
            return None
        member = member_for(request)
        if member is None or mfa_missing(member):
            return None
        _bind(request, member, Actor.for_member(member))
        return request.user
