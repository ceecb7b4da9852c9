"""The settings pages' writes over the API: workspace settings, members and invitations, teams,
numbering, the caller's own profile and tokens. Same services and permissions as the pages.

These routes share paths with the reads in api.py (`/me`, `/members`, `/teams`), so they hang on
the same router (one URL pattern per path); api.py imports this module at its end.

Members and teams are settings: without WORKSPACE_MANAGE a member or team id answers 404, as the
other configuration routes do. Creating a token is deliberately not offered: a token that could
mint tokens would outlive its own revocation (docs/api.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Schema, Status
from pydantic import Field, model_validator

from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.core.errors import ErrorCode, ServiceError

from . import selectors, services
from .access import require
from .api import MemberOut, MeOut, TeamOut, me, router
from .choices import DataScope, Role, TeamKind
from .models import ApiToken, Membership, Team, Workspace
from .numbering import DEFAULT_FORMATS, number_format
from .permissions import Perm


class WorkspaceSettingsOut(Schema):
    id: int
    name: str
    base_currency: str
    time_zone: str
    default_country: str
    require_mfa_for_admins: bool


class WorkspacePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    base_currency: str | None = Field(None, min_length=3, max_length=3)
    time_zone: str | None = Field(None, max_length=64)
    default_country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$")
    require_mfa_for_admins: bool | None = None


class ProfilePatch(Schema):
    full_name: str | None = Field(None, max_length=120)
    language: str | None = Field(None, description="'' (browser default), zh-hans or en")
    time_zone: str | None = Field(None, max_length=64, description="'' = the workspace's zone")

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        # ninja's Schema reads attributes of anything (it hands us its DjangoGetter wrapper); a
        # body that is no JSON object is no patch.
        if not isinstance(getattr(data, "_obj", data), dict):
            raise ValueError("a JSON object")
        return data


class InviteIn(Schema):
    email: str = Field("", max_length=254)
    full_name: str = Field("", max_length=120)
    role: Role = Role.SALES
    data_scope: DataScope | None = Field(None, description="Empty: the role's default")
    team_id: int | None = None


class InvitedOut(Schema):
    member: MemberOut
    invite_url: str = Field(description="The one-time acceptance link (also e-mailed)")


class MemberPatch(Schema):
    # Optional so an outsider's empty body answers 404; unset fields keep their value.
    role: Role | None = None
    data_scope: DataScope | None = None
    team_id: int | None = None


class TeamIn(Schema):
    name: str = Field("", max_length=120)
    kind: TeamKind = TeamKind.GROUP
    parent_id: int | None = Field(None, description="Empty: under the top team")
    manager_id: int | None = Field(None, description="A member's user id")


class TeamPatch(Schema):
    name: str | None = Field(None, max_length=120)
    kind: TeamKind | None = None
    parent_id: int | None = None
    manager_id: int | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


class NumberFormatOut(Schema):
    kind: str
    prefix: str
    yearly: bool
    width: int


class NumberFormatIn(Schema):
    kind: str = Field(description=", ".join(DEFAULT_FORMATS))
    prefix: str = Field(max_length=12)
    yearly: bool = False
    width: int = Field(6, description="3 to 12 digits")


def _member_out(m: Membership) -> dict:
    return {
        "id": m.pk,
        "user_id": m.user_id,
        "email": m.user.email,
        "full_name": m.user.full_name,
        "role": m.role,
        "data_scope": m.data_scope,
        "team_id": m.team_id,
        "is_active": m.is_active,
    }


def _admin_only(request: HttpRequest) -> None:
    if not request.member.has(Perm.WORKSPACE_MANAGE):
        raise Http404  # settings: a member or team id says nothing to a non-admin


def _member(request: HttpRequest, member_id: int) -> Membership:
    _admin_only(request)
    return selectors.member_get(request.member, member_id)


def _team(request: HttpRequest, team_id: int) -> Team:
    _admin_only(request)
    return selectors.team_get(request.member, team_id)


def _invalid(field: str, message: str) -> ServiceError:
    return ServiceError(
        ErrorCode.INVALID, _("Please correct the marked fields."), fields={field: [message]}
    )


# --- workspace and profile ------------------------------------------------------------------------


@router.get("/workspace", response={200: WorkspaceSettingsOut, **READ_ERRORS})
def workspace_get(request: HttpRequest) -> Workspace:
    return request.workspace


@router.patch(
    "/workspace",
    response={200: WorkspaceSettingsOut, **ERRORS},
    summary="Change the workspace settings (name, base currency, time zone, default country, MFA)",
)
def workspace_update(request: HttpRequest, payload: WorkspacePatch) -> Workspace:
    data = payload.dict(exclude_unset=True, exclude_none=True)
    if "default_country" in data:
        data["default_country"] = data["default_country"].upper()
    if "name" in data and not data["name"].strip():
        raise _invalid("name", _("This field cannot be blank."))
    return services.workspace_update(actor=request.actor, **data)


@router.patch(
    "/me",
    response={200: MeOut, **ERRORS},
    summary="Change your own name, language and time zone",
)
def me_update(request: HttpRequest, payload: ProfilePatch) -> dict:
    user = request.member.user
    data = {
        "full_name": user.full_name,
        "language": user.language,
        "time_zone": user.time_zone,
        **payload.dict(exclude_unset=True, exclude_none=True),
    }
    if data["language"] not in {"", *dict(settings.LANGUAGES)}:
        raise _invalid("language", _("Unknown language."))
    request.member.user = services.user_preferences_update(actor=request.actor, **data)
    return me(request)


# --- members --------------------------------------------------------------------------------------


@router.post(
    "/members",
    response={201: InvitedOut, **ERRORS},
    summary="Invite a person (an e-mail with a one-time link goes out)",
    description="409 `already_member`. The answer carries the acceptance link, as the page shows it.",
)
def member_invite(request: HttpRequest, payload: InviteIn) -> Status:
    require(request.actor, Perm.WORKSPACE_MANAGE)
    try:
        validate_email(payload.email.strip())
    except DjangoValidationError:
        raise _invalid("email", _("Enter a valid e-mail address.")) from None
    member, token = services.member_invite(
        actor=request.actor,
        email=payload.email,
        full_name=payload.full_name,
        role=payload.role,
        data_scope=payload.data_scope or None,
        team_id=payload.team_id,
    )
    member = Membership.objects.select_related("user").get(pk=member.pk)
    url = request.build_absolute_uri(reverse("invite_accept", args=[token]))
    return Status(201, {"member": _member_out(member), "invite_url": url})


@router.patch(
    "/members/{member_id}",
    response={200: MemberOut, **ERRORS},
    summary="Change a member's role, data scope or team",
    description="422 `last_owner` when the workspace would lose its last active owner.",
)
def member_update(request: HttpRequest, member_id: int, payload: MemberPatch) -> dict:
    target = _member(request, member_id)
    data = payload.dict(exclude_unset=True)
    member = services.member_update(
        actor=request.actor,
        member=target,
        role=data.get("role") or target.role,
        data_scope=data.get("data_scope") or target.data_scope,
        team_id=data.get("team_id", target.team_id),
    )
    return _member_out(selectors.member_get(request.member, member.pk))


@router.post(
    "/members/{member_id}/deactivate",
    response={200: MemberOut, **ERRORS},
    summary="Deactivate a member: their sessions and tokens stop working at once",
    description="422 `self_deactivate`, `last_owner`.",
)
def member_deactivate(request: HttpRequest, member_id: int) -> dict:
    target = _member(request, member_id)
    services.member_deactivate(actor=request.actor, member=target)
    return _member_out(selectors.member_get(request.member, member_id))


@router.post(
    "/members/{member_id}/reactivate",
    response={200: MemberOut, **ERRORS},
    summary="Reactivate a member",
)
def member_reactivate(request: HttpRequest, member_id: int) -> dict:
    target = _member(request, member_id)
    services.member_reactivate(actor=request.actor, member=target)
    return _member_out(selectors.member_get(request.member, member_id))


# --- teams ----------------------------------------------------------------------------------------


@router.post("/teams", response={201: TeamOut, **ERRORS}, summary="Add a team")
def team_create(request: HttpRequest, payload: TeamIn) -> Status:
    require(request.actor, Perm.WORKSPACE_MANAGE)
    parent_id = payload.parent_id
    if parent_id is None:
        root = Team.objects.filter(workspace=request.workspace, parent__isnull=True).first()
        parent_id = root.pk if root else None
    team = services.team_create(
        actor=request.actor,
        name=payload.name,
        parent_id=parent_id,
        kind=payload.kind,
        manager_id=payload.manager_id,
    )
    return Status(201, team)


@router.patch(
    "/teams/{team_id}",
    response={200: TeamOut, **ERRORS},
    summary="Rename a team, change its kind, manager or parent",
    description="422 `team_cycle` when the new parent is inside the team.",
)
def team_update(request: HttpRequest, team_id: int, payload: TeamPatch) -> Team:
    team = _team(request, team_id)
    data = payload.dict(exclude_unset=True)
    return services.team_update(
        actor=request.actor,
        team=team,
        name=data.get("name") or team.name,
        kind=data.get("kind") or team.kind,
        parent_id=data.get("parent_id", team.parent_id),
        manager_id=data.get("manager_id", team.manager_id),
    )


@router.delete(
    "/teams/{team_id}",
    response={204: None, **ERRORS},
    summary="Delete an empty team",
    description="422 `team_not_empty` for a team with members or sub-teams, or the top team.",
)
def team_delete(request: HttpRequest, team_id: int) -> Status:
    team = _team(request, team_id)
    services.team_delete(actor=request.actor, team=team)
    return Status(204, None)


# --- tokens and numbering ---------------------------------------------------------------------------


@router.get(
    "/tokens",
    response={200: list[TokenOut], 403: ERRORS[403], **READ_ERRORS},
    summary="Your API tokens in this workspace (secrets are never shown again)",
)
def token_list(request: HttpRequest) -> list[ApiToken]:
    require(request.actor, Perm.API_TOKEN)
    return list(selectors.tokens_of(request.member))


@router.delete(
    "/tokens/{token_id}",
    response={204: None, **ERRORS},
    summary="Revoke one of your tokens; it stops working at once",
)
def token_revoke(request: HttpRequest, token_id: int) -> Status:
    require(request.actor, Perm.API_TOKEN)
    token = selectors.token_get(request.member, token_id)
    services.token_revoke(actor=request.actor, token=token)
    return Status(204, None)


@router.get(
    "/numbering",
    response={200: list[NumberFormatOut], 403: ERRORS[403], **READ_ERRORS},
    summary="How record codes are numbered, per kind",
)
def numbering_list(request: HttpRequest) -> list[dict]:
    require(request.actor, Perm.WORKSPACE_MANAGE)
    out = []
    for kind in DEFAULT_FORMATS:
        fmt = number_format(request.workspace, kind)
        out.append({"kind": kind, "prefix": fmt.prefix, "yearly": fmt.yearly, "width": fmt.width})
    return out


@router.put(
    "/numbering",
    response={200: NumberFormatOut, **ERRORS},
    summary="Set the prefix, yearly reset and digits of one kind of code",
)
def numbering_set(request: HttpRequest, payload: NumberFormatIn) -> dict:
    require(request.actor, Perm.WORKSPACE_MANAGE)
    if payload.kind not in DEFAULT_FORMATS:
        raise _invalid(
            "kind", _("Choose one of: %(values)s.") % {"values": ", ".join(DEFAULT_FORMATS)}
        )
    fmt = services.number_format_set(
        actor=request.actor,
        kind=payload.kind,
        prefix=payload.prefix,
        yearly=payload.yearly,
        width=payload.width,
    )
    return {"kind": payload.kind, "prefix": fmt.prefix, "yearly": fmt.yearly, "width": fmt.width}
