"""Tenancy, people and access, plus the workspace-wide machinery: audit, numbering, exchange rates."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ActorKind, AuditVerb, DataScope, Role, TeamKind
from .querysets import WorkspaceQuerySet


class Workspace(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    base_currency = models.CharField(_("base currency"), max_length=3, default="CNY")
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=settings.DEFAULT_WORKSPACE_TIME_ZONE
    )
    default_country = models.CharField(
        _("default country for phone numbers"), max_length=2, default="CN"
    )
    require_mfa_for_admins = models.BooleanField(
        _("require two-factor sign-in for owners and admins"), default=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("workspace")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("name"), max_length=120, blank=True)
    language = models.CharField(
        _("language"), max_length=10, blank=True, choices=settings.LANGUAGES
    )
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class Team(models.Model):
    """A node of the company -> department -> group tree. `path` makes subtree reads one indexed LIKE."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="teams")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(
        _("kind"), max_length=16, choices=TeamKind.choices, default=TeamKind.GROUP
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_teams",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    class Meta:
        verbose_name = _("team")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "parent", "name"], name="team_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.SALES)
    data_scope = models.CharField(
        _("data scope"), max_length=16, choices=DataScope.choices, default=DataScope.OWN
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("member")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique_user")
        ]
        indexes = [models.Index(fields=["workspace", "team"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.workspace}"

    def has(self, perm: object) -> bool:
        from .permissions import role_has

        return self.is_active and role_has(self.role, perm)  # type: ignore[arg-type]


class UserSession(models.Model):
    """Which sessions belong to whom, so deactivation can end them at once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"session of user {self.user_id}"


class Invitation(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="invitation"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"invitation {self.membership_id}"


class ApiToken(models.Model):
    """A personal access token for one workspace. Only a SHA-256 of the secret is stored."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class AuditEvent(models.Model):
    """Append-only: a database trigger refuses UPDATE (see migration 0002)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,  # history keeps the id; the row is never updated
        db_constraint=False,
        related_name="+",
    )
    actor_token = models.ForeignKey(
        ApiToken, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    actor_label = models.CharField(max_length=120, blank=True)
    verb = models.CharField(max_length=16, choices=AuditVerb.choices)
    action = models.CharField(max_length=64, blank=True)
    target_type = models.CharField(max_length=64)
    target_id = models.BigIntegerField()
    target_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["workspace", "target_type", "target_id", "-id"], name="audit_target_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.target_type}#{self.target_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class NumberFormat(models.Model):
    """How codes of one record type look in a workspace, e.g. XL + 2026 + 000123."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="number_formats"
    )
    kind = models.CharField(max_length=32)
    prefix = models.CharField(_("prefix"), max_length=12)
    yearly = models.BooleanField(_("restart every year"), default=True)
    width = models.PositiveSmallIntegerField(_("digits"), default=6)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "kind"], name="numberformat_unique_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.prefix}"


class NumberSequence(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)
    period = models.CharField(max_length=8, blank=True)
    last_value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "period"], name="numbersequence_unique_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period}: {self.last_value}"


class ExchangeRate(models.Model):
    """1 unit of from_currency = rate units of to_currency, valid from on_date until the next row."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="exchange_rates"
    )
    on_date = models.DateField(_("date"))
    from_currency = models.CharField(_("from"), max_length=3)
    to_currency = models.CharField(_("to"), max_length=3)
    rate = models.DecimalField(_("rate"), max_digits=20, decimal_places=10)
    source = models.CharField(_("source"), max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on_date", "from_currency", "to_currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "from_currency", "to_currency", "on_date"],
                name="rate_unique_day",
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.on_date} {self.from_currency}/{self.to_currency} {self.rate}"


class WorkspaceModel(models.Model):
    """Base of every business row: it belongs to one workspace and is read through visible_to()."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    # The field naming the user whose data scope decides visibility; None: the whole workspace sees it.
    SCOPE_OWNER_FIELD: str | None = "owner"
    # Rows without an owner (a pool) are visible to every member.
    POOL_VISIBLE = True
    AUDIT_TYPE = ""

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        abstract = True


# Kept out of the class body so `ActorKind` etc. stay importable from choices without models.
__all__ = [
    "ApiToken",
    "AuditEvent",
    "ExchangeRate",
    "Invitation",
    "Membership",
    "NumberFormat",
    "NumberSequence",
    "Team",
    "User",
    "UserSession",
    "Workspace",
    "WorkspaceModel",
]


class SavedView(models.Model):
    """A named list filter (its query string) kept by one member, optionally shared with the workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    module = models.CharField(max_length=24)
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    shared = models.BooleanField(_("shared with the workspace"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    AUDIT_TYPE = "saved_view"

    class Meta:
        verbose_name = _("saved view")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user", "module", "name"], name="savedview_unique_name"
            )
        ]
        indexes = [models.Index(fields=["workspace", "module"], name="savedview_ws_module_idx")]

    def __str__(self) -> str:
        return self.name


from .models_custom_fields import CustomFieldDefinition  # noqa: E402,F401
from .models_jobs import IdempotencyRecord, Job, ScheduleRun  # noqa: E402,F401
from .models_mappings import ColumnMapping  # noqa: E402,F401
