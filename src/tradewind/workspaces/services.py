"""Writes for tenancy and people. Each is keyword-only, atomic, checked, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal

from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, ErrorCode, NotFound, ServiceError
from tradewind.core.money import validate_currency

from . import audit
from .access import require
from .actors import Actor
from .choices import DEFAULT_SCOPE_FOR_ROLE, ActorKind, AuditVerb, DataScope, Role, TeamKind
from .errors import WorkspaceError
from .events import emit
from .models import (
    ApiToken,
    ExchangeRate,
    Invitation,
    Membership,
    NumberFormat,
    Team,
    User,
    UserSession,
    Workspace,
)
from .numbering import number_format
from .permissions import Perm
from .timezones import available_zones

INVITATION_DAYS = 7
TOKEN_PREFIX = "tw_"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_zone(name: str) -> str:
    if name and name not in available_zones():
        raise ServiceError(
            WorkspaceError.INVALID_TIME_ZONE, _("Unknown time zone: %(zone)s") % {"zone": name}
        )
    return name


# --- workspaces ---------------------------------------------------------------------------------


@transaction.atomic
def workspace_create(
    *,
    name: str,
    owner: User,
    slug: str = "",
    base_currency: str = "CNY",
    time_zone: str = "Asia/Shanghai",
    default_country: str = "CN",
) -> tuple[Workspace, Membership]:
    workspace = Workspace.objects.create(
        name=name,
        slug=slug or slugify(name)[:60] or secrets.token_hex(4),
        base_currency=validate_currency(base_currency),
        time_zone=_check_zone(time_zone),
        default_country=default_country,
    )
    root = Team.objects.create(workspace=workspace, name=name, kind=TeamKind.COMPANY, manager=owner)
    _set_path(root)
    member = Membership.objects.create(
        workspace=workspace, user=owner, role=Role.OWNER, data_scope=DataScope.WORKSPACE, team=root
    )
    actor = Actor.for_member(member)
    audit.record_create(
        actor=actor, target=workspace, fields=["name", "base_currency", "time_zone"]
    )
    return workspace, member


WORKSPACE_FIELDS = [
    "name",
    "base_currency",
    "time_zone",
    "default_country",
    "require_mfa_for_admins",
]


@transaction.atomic
def workspace_update(*, actor: Actor, **values: object) -> Workspace:
    require(actor, Perm.WORKSPACE_MANAGE)
    workspace = Workspace.objects.select_for_update().get(pk=actor.workspace.pk)
    before = audit.snapshot(workspace, WORKSPACE_FIELDS)
    for key, value in values.items():
        if key not in WORKSPACE_FIELDS:
            raise ValueError(key)
        if key == "base_currency":
            value = validate_currency(str(value))
        if key == "time_zone":
            value = _check_zone(str(value))
        setattr(workspace, key, value)
    workspace.save()
    changes = audit.diff(before, audit.snapshot(workspace, WORKSPACE_FIELDS))
    if changes:
        audit.record(actor=actor, verb=AuditVerb.UPDATE, target=workspace, changes=changes)
    return workspace


# --- teams ----------------------------------------------------------------------------------------


def _set_path(team: Team) -> None:
    parent_path = team.parent.path if team.parent_id else "/"
    team.path = f"{parent_path}{team.pk}/"
    Team.objects.filter(pk=team.pk).update(path=team.path)


def _team_in_workspace(actor: Actor, team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = Team.objects.filter(workspace=actor.workspace, pk=team_id).first()
    if team is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("That team does not exist."))
    return team


def _member_user(actor: Actor, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    member = (
        Membership.objects.filter(workspace=actor.workspace, user_id=user_id)
        .select_related("user")
        .first()
    )
    if member is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("That person is not a member of this workspace."))
    return member.user


@transaction.atomic
def team_create(
    *,
    actor: Actor,
    name: str,
    parent_id: int | None,
    kind: str = TeamKind.GROUP,
    manager_id: int | None = None,
) -> Team:
    require(actor, Perm.WORKSPACE_MANAGE)
    name = name.strip()
    if not name:
        raise ServiceError(
            ErrorCode.INVALID, _("A team needs a name."), fields={"name": [_("Required.")]}
        )
    parent = _team_in_workspace(actor, parent_id)
    try:
        with transaction.atomic():
            team = Team.objects.create(
                workspace=actor.workspace,
                parent=parent,
                name=name,
                kind=kind,
                manager=_member_user(actor, manager_id),
            )
    except IntegrityError as exc:
        raise Conflict(ErrorCode.CONFLICT, _("A team with this name already exists here.")) from exc
    _set_path(team)
    audit.record_create(actor=actor, target=team, fields=["name", "kind", "parent", "manager"])
    return team


TEAM_FIELDS = ["name", "kind", "parent", "manager"]


@transaction.atomic
def team_update(
    *,
    actor: Actor,
    team: Team,
    name: str,
    parent_id: int | None,
    kind: str,
    manager_id: int | None,
) -> Team:
    require(actor, Perm.WORKSPACE_MANAGE)
    team = Team.objects.select_for_update().get(pk=team.pk, workspace=actor.workspace)
    before = audit.snapshot(team, TEAM_FIELDS)
    parent = _team_in_workspace(actor, parent_id)
    if parent is not None and parent.path.startswith(team.path):
        raise ServiceError(
            WorkspaceError.TEAM_CYCLE, _("A team cannot be moved under itself or its own sub-team.")
        )
    old_path = team.path
    team.name = name.strip() or team.name
    team.kind = kind
    team.parent = parent
    team.manager = _member_user(actor, manager_id)
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError as exc:
        raise Conflict(ErrorCode.CONFLICT, _("A team with this name already exists here.")) from exc
    _set_path(team)
    if team.path != old_path:
        # Re-root the whole subtree in one statement.
        Team.objects.filter(workspace=actor.workspace, path__startswith=old_path).exclude(
            pk=team.pk
        ).update(path=Concat(Value(team.path), Substr(F("path"), len(old_path) + 1)))
    changes = audit.diff(before, audit.snapshot(team, TEAM_FIELDS))
    if changes:
        audit.record(actor=actor, verb=AuditVerb.UPDATE, target=team, changes=changes)
    return team


@transaction.atomic
def team_delete(*, actor: Actor, team: Team) -> None:
    require(actor, Perm.WORKSPACE_MANAGE)
    team = Team.objects.select_for_update().get(pk=team.pk, workspace=actor.workspace)
    if team.parent_id is None or team.children.exists() or team.members.exists():
        raise ServiceError(
            WorkspaceError.TEAM_NOT_EMPTY, _("Only an empty team without sub-teams can be deleted.")
        )
    audit.record(
        actor=actor, verb=AuditVerb.DELETE, target=team, changes={"name": [team.name, None]}
    )
    team.delete()


# --- members ----------------------------------------------------------------------------------------

MEMBER_FIELDS = ["role", "data_scope", "team", "is_active"]


@transaction.atomic
def member_invite(
    *,
    actor: Actor,
    email: str,
    full_name: str = "",
    role: str = Role.SALES,
    data_scope: str | None = None,
    team_id: int | None = None,
    send_email: bool = True,
) -> tuple[Membership, str]:
    """Add a person; returns the membership and the one-time acceptance token (shown once).

    The invitation e-mail goes out after commit, from the worker.
    """
    require(actor, Perm.WORKSPACE_MANAGE)
    email = User.objects.normalize_email(email.strip()).lower()
    if not email or "@" not in email:
        raise ServiceError(
            ErrorCode.INVALID, _("Enter a valid e-mail address."), fields={"email": [_("Invalid.")]}
        )
    if role not in Role.values:
        raise ServiceError(ErrorCode.INVALID, _("Unknown role."), fields={"role": [_("Invalid.")]})
    team = _team_in_workspace(actor, team_id)
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name.strip())
    if Membership.objects.filter(workspace=actor.workspace, user=user).exists():
        raise Conflict(
            WorkspaceError.ALREADY_MEMBER, _("%(email)s is already a member.") % {"email": email}
        )
    member = Membership.objects.create(
        workspace=actor.workspace,
        user=user,
        role=role,
        data_scope=data_scope or DEFAULT_SCOPE_FOR_ROLE[Role(role)],
        team=team,
    )
    raw = secrets.token_urlsafe(32)
    Invitation.objects.create(
        workspace=actor.workspace,
        membership=member,
        token_hash=_hash(raw),
        invited_by=actor.user,
        expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
    )
    audit.record_create(actor=actor, target=member, fields=["role", "data_scope", "team"])
    emit("member.invited", workspace_id=actor.workspace.pk, membership_id=member.pk)
    if send_email:
        from .tasks import send_invitation

        inviter = str(actor.user or actor.label)
        transaction.on_commit(lambda: send_invitation(member.pk, raw, inviter))
    return member, raw


def invitation_for(token: str) -> Invitation | None:
    inv = (
        Invitation.objects.select_related("membership__user", "workspace")
        .filter(token_hash=_hash(token), accepted_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if inv is None or not inv.membership.is_active:
        return None
    return inv


@transaction.atomic
def invitation_accept(
    *, token: str, password: str = "", full_name: str = "", accepting_user: User | None = None
) -> User:
    """A new person sets a password; someone who already has an account must be signed in as
    that account (`accepting_user`): the link alone never signs anyone in as an existing user."""
    inv = invitation_for(token)
    if inv is None:
        raise ServiceError(
            WorkspaceError.INVITATION_INVALID,
            _("This invitation link is invalid, used or expired."),
        )
    user = inv.membership.user
    if user.has_usable_password() and (accepting_user is None or accepting_user.pk != user.pk):
        raise ServiceError(
            WorkspaceError.INVITATION_SIGN_IN,
            _("Sign in as %(email)s to accept this invitation.") % {"email": user.email},
            status=403,
        )
    if not user.has_usable_password():
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ServiceError(
                ErrorCode.INVALID, " ".join(exc.messages), fields={"password": exc.messages}
            ) from exc
        user.set_password(password)
    if full_name.strip():
        user.full_name = full_name.strip()
    user.is_active = True
    user.save()
    Invitation.objects.filter(pk=inv.pk).update(accepted_at=timezone.now())
    actor = Actor(workspace=inv.workspace, member=inv.membership, kind=ActorKind.USER)
    audit.record(
        actor=actor, verb=AuditVerb.ACTION, action="invitation_accepted", target=inv.membership
    )
    return user


def _other_active_owners(member: Membership) -> bool:
    return (
        Membership.objects.filter(workspace_id=member.workspace_id, role=Role.OWNER, is_active=True)
        .exclude(pk=member.pk)
        .exists()
    )


@transaction.atomic
def member_update(
    *, actor: Actor, member: Membership, role: str, data_scope: str, team_id: int | None
) -> Membership:
    """Change role, data scope or team."""
    require(actor, Perm.WORKSPACE_MANAGE)
    member = Membership.objects.select_for_update().get(pk=member.pk, workspace=actor.workspace)
    if role not in Role.values or data_scope not in DataScope.values:
        raise ServiceError(ErrorCode.INVALID, _("Unknown role or data scope."))
    if member.role == Role.OWNER and role != Role.OWNER and not _other_active_owners(member):
        raise ServiceError(
            WorkspaceError.LAST_OWNER, _("The workspace must keep at least one active owner.")
        )
    before = audit.snapshot(member, MEMBER_FIELDS)
    member.role = role
    member.data_scope = data_scope
    member.team = _team_in_workspace(actor, team_id)
    member.save()
    changes = audit.diff(before, audit.snapshot(member, MEMBER_FIELDS))
    if changes:
        audit.record(actor=actor, verb=AuditVerb.UPDATE, target=member, changes=changes)
    return member


def user_sessions_end(user: User) -> int:
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    return UserSession.objects.filter(user=user).delete()[0]


@transaction.atomic
def member_deactivate(*, actor: Actor, member: Membership) -> Membership:
    """Take someone out at once: their sessions end and their tokens stop working now."""
    require(actor, Perm.WORKSPACE_MANAGE)
    member = (
        Membership.objects.select_for_update()
        .select_related("user")
        .get(pk=member.pk, workspace=actor.workspace)
    )
    if actor.member is not None and member.pk == actor.member.pk:
        raise ServiceError(WorkspaceError.SELF_DEACTIVATE, _("You cannot deactivate yourself."))
    if member.role == Role.OWNER and not _other_active_owners(member):
        raise ServiceError(
            WorkspaceError.LAST_OWNER, _("The workspace must keep at least one active owner.")
        )
    if not member.is_active:
        return member
    now = timezone.now()
    member.is_active = False
    member.deactivated_at = now
    member.save(update_fields=["is_active", "deactivated_at"])
    revoked = ApiToken.objects.filter(
        workspace=actor.workspace, user=member.user, revoked_at__isnull=True
    ).update(revoked_at=now)
    ended = user_sessions_end(member.user)
    if not Membership.objects.filter(user=member.user, is_active=True).exists():
        User.objects.filter(pk=member.user_id).update(is_active=False)
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        action="deactivated",
        target=member,
        changes={
            "is_active": [True, False],
            "tokens_revoked": [None, revoked],
            "sessions_ended": [None, ended],
        },
    )
    emit("member.deactivated", workspace_id=actor.workspace.pk, membership_id=member.pk)
    return member


@transaction.atomic
def member_reactivate(*, actor: Actor, member: Membership) -> Membership:
    require(actor, Perm.WORKSPACE_MANAGE)
    member = Membership.objects.select_for_update().get(pk=member.pk, workspace=actor.workspace)
    if member.is_active:
        return member
    member.is_active = True
    member.deactivated_at = None
    member.save(update_fields=["is_active", "deactivated_at"])
    User.objects.filter(pk=member.user_id).update(is_active=True)
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        action="reactivated",
        target=member,
        changes={"is_active": [False, True]},
    )
    return member


# --- personal settings ------------------------------------------------------------------------------


@transaction.atomic
def user_preferences_update(*, actor: Actor, full_name: str, language: str, time_zone: str) -> User:
    user = User.objects.select_for_update().get(pk=actor.user_id)
    before = audit.snapshot(user, ["full_name", "language", "time_zone"])
    user.full_name = full_name.strip()
    user.language = language
    user.time_zone = _check_zone(time_zone)
    user.save(update_fields=["full_name", "language", "time_zone"])
    changes = audit.diff(before, audit.snapshot(user, ["full_name", "language", "time_zone"]))
    if changes:
        audit.record(actor=actor, verb=AuditVerb.UPDATE, target=user, changes=changes)
    return user


def user_language_set(*, user: User, language: str) -> None:
    """A personal preference without a workspace context (the sign-in page): not audited."""
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language


# --- API tokens ----------------------------------------------------------------------------------------


@transaction.atomic
def token_create(
    *, actor: Actor, name: str, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Returns the token row and the secret, which is shown once and never stored."""
    require(actor, Perm.API_TOKEN)
    name = name.strip()
    if not name:
        raise ServiceError(
            ErrorCode.INVALID, _("Give the token a name."), fields={"name": [_("Required.")]}
        )
    prefix = secrets.token_hex(5)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        workspace=actor.workspace,
        user=actor.user,
        name=name,
        prefix=prefix,
        token_hash=_hash(secret),
        expires_at=expires_at,
    )
    audit.record_create(actor=actor, target=token, fields=["name", "prefix", "expires_at"])
    return token, f"{TOKEN_PREFIX}{prefix}_{secret}"


def token_authenticate(raw: str) -> ApiToken | None:
    """Find the usable token for a presented secret; constant-time comparison of the hash."""
    if not raw.startswith(TOKEN_PREFIX) or raw.count("_") < 2:
        return None
    prefix, _sep, secret = raw[len(TOKEN_PREFIX) :].partition("_")
    token = ApiToken.objects.select_related("workspace", "user").filter(prefix=prefix).first()
    if (
        token is None
        or not secrets.compare_digest(token.token_hash, _hash(secret))
        or not token.is_usable
    ):
        return None
    return token


@transaction.atomic
def token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk, workspace=actor.workspace)
    if token.user_id != actor.user_id:
        require(actor, Perm.WORKSPACE_MANAGE)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            verb=AuditVerb.UPDATE,
            action="revoked",
            target=token,
            changes={"revoked_at": [None, token.revoked_at.isoformat()]},
        )
    return token


# --- numbering and money ------------------------------------------------------------------------------


@transaction.atomic
def number_format_set(
    *, actor: Actor, kind: str, prefix: str, yearly: bool, width: int
) -> NumberFormat:
    require(actor, Perm.WORKSPACE_MANAGE)
    prefix = prefix.strip().upper()
    if not prefix.isalnum() or len(prefix) > 12 or not 3 <= width <= 12:
        raise ServiceError(
            ErrorCode.INVALID, _("A prefix is 1–12 letters or digits; codes have 3–12 digits.")
        )
    # "Before" is what codes looked like until now: the defaults when no row was saved yet.
    before = audit.snapshot(number_format(actor.workspace, kind), ["prefix", "yearly", "width"])
    fmt, _created = NumberFormat.objects.select_for_update().get_or_create(
        workspace=actor.workspace,
        kind=kind,
        defaults={"prefix": prefix, "yearly": yearly, "width": width},
    )
    fmt.prefix, fmt.yearly, fmt.width = prefix, yearly, width
    fmt.save()
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        target=fmt,
        changes=audit.diff(before, audit.snapshot(fmt, ["prefix", "yearly", "width"])),
    )
    return fmt


@transaction.atomic
def exchange_rate_set(
    *,
    actor: Actor,
    on_date: dt.date,
    from_currency: str,
    to_currency: str,
    rate: Decimal,
    source: str = "",
) -> ExchangeRate:
    require(actor, Perm.RATES_MANAGE)
    from_currency = validate_currency(from_currency)
    to_currency = validate_currency(to_currency)
    if from_currency == to_currency:
        raise ServiceError(ErrorCode.INVALID, _("Choose two different currencies."))
    if not isinstance(rate, Decimal) or not rate.is_finite() or rate <= 0:
        raise ServiceError(
            ErrorCode.INVALID,
            _("A rate must be a positive number."),
            fields={"rate": [_("Invalid.")]},
        )
    row, created = ExchangeRate.objects.update_or_create(
        workspace=actor.workspace,
        on_date=on_date,
        from_currency=from_currency,
        to_currency=to_currency,
        defaults={"rate": rate, "source": source.strip()[:80]},
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE if created else AuditVerb.UPDATE,
        target=row,
        changes={"rate": [None, str(rate)], "on_date": [None, on_date.isoformat()]},
    )
    emit(
        "exchange_rate.set",
        workspace_id=actor.workspace.pk,
        currencies=[from_currency, to_currency],
    )
    return row
