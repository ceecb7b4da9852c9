"""E-mail: templates with merge fields, mail accounts (SMTP out, IMAP in) and the messages sent
and received, each linked to the records it belongs on (lead, contact, customer, opportunity).

Passwords are stored encrypted (mailing/crypto.py) in `*_password_enc`; nothing reads them back
out of this app except the code that opens a connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tradewind.workspaces.models import WorkspaceModel
from tradewind.workspaces.querysets import WorkspaceQuerySet

from .choices import Direction, EmailState, RecordType, Security

if TYPE_CHECKING:
    from tradewind.workspaces.models import Membership

__all__ = ["EmailLink", "EmailMessage", "EmailTemplate", "MailAccount"]


class EmailTemplate(WorkspaceModel):
    """A reusable message in English and/or Chinese; the whole workspace may use it."""

    AUDIT_TYPE = "email_template"
    SCOPE_OWNER_FIELD = None

    name = models.CharField(_("name"), max_length=120)
    record_type = models.CharField(
        _("record type"), max_length=16, choices=RecordType.choices, default=RecordType.ANY
    )
    subject_en = models.CharField(_("subject (English)"), max_length=300, blank=True)
    body_en = models.TextField(_("body (English)"), blank=True)
    subject_zh = models.CharField(_("subject (Chinese)"), max_length=300, blank=True)
    body_zh = models.TextField(_("body (Chinese)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("e-mail template")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="emailtemplate_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def languages(self) -> list[str]:
        """The languages this template is written in ("en", "zh")."""
        found = []
        if self.subject_en.strip() or self.body_en.strip():
            found.append("en")
        if self.subject_zh.strip() or self.body_zh.strip():
            found.append("zh")
        return found


class MailAccount(WorkspaceModel):
    """A mailbox to send through (SMTP) and optionally to read (IMAP). `owner` null: the
    workspace account, managed by Perm.EMAIL_MANAGE; otherwise one member's own account."""

    AUDIT_TYPE = "mail_account"
    SCOPE_OWNER_FIELD = "owner"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    from_name = models.CharField(_("sender name"), max_length=120, blank=True)
    from_address = models.EmailField(_("sender address"))
    smtp_host = models.CharField(_("SMTP server"), max_length=200)
    smtp_port = models.PositiveIntegerField(_("SMTP port"), default=587)
    smtp_security = models.CharField(
        _("SMTP security"), max_length=10, choices=Security.choices, default=Security.STARTTLS
    )
    smtp_username = models.CharField(_("SMTP user name"), max_length=200, blank=True)
    smtp_password_enc = models.TextField(blank=True, editable=False)
    imap_host = models.CharField(_("IMAP server"), max_length=200, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_ssl = models.BooleanField(_("IMAP over SSL/TLS"), default=True)
    imap_username = models.CharField(_("IMAP user name"), max_length=200, blank=True)
    imap_password_enc = models.TextField(blank=True, editable=False)
    imap_folder = models.CharField(_("IMAP folder"), max_length=200, default="INBOX")
    imap_polling = models.BooleanField(_("fetch new mail"), default=False)
    # Where reading stopped: the folder's UIDVALIDITY and the highest UID stored under it.
    imap_uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False)
    imap_last_uid = models.BigIntegerField(default=0, editable=False)
    imap_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    imap_error = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("mail account")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "owner"],
                condition=Q(owner__isnull=False),
                name="mailaccount_one_per_member",
            ),
            models.UniqueConstraint(
                fields=["workspace"],
                condition=Q(owner__isnull=True),
                name="mailaccount_one_workspace_account",
            ),
        ]
        indexes = [models.Index(fields=["imap_polling"], name="mailaccount_polling_idx")]

    def __str__(self) -> str:
        return f"{self.from_name} <{self.from_address}>" if self.from_name else self.from_address

    @property
    def is_workspace_account(self) -> bool:
        return self.owner_id is None

    @property
    def has_smtp_password(self) -> bool:
        return bool(self.smtp_password_enc)

    @property
    def has_imap_password(self) -> bool:
        return bool(self.imap_password_enc)

    @property
    def imap_configured(self) -> bool:
        return bool(self.imap_host and self.imap_username)


class EmailQuerySet(WorkspaceQuerySet):
    def visible_to(self, member: Membership | None) -> WorkspaceQuerySet:
        """A message is seen by whoever sees one of the records it is linked to, by the member who
        queued it, and — unmatched inbound mail — by its account's owner (the workspace account's
        unmatched mail: by members holding Perm.EMAIL_MANAGE)."""
        from tradewind.activities.targets import TARGETS
        from tradewind.workspaces.permissions import Perm

        if member is None or not member.is_active or not member.user.is_active:
            return self.none()
        qs = self.filter(workspace_id=member.workspace_id)
        condition = Q(created_by_id=member.user_id) | Q(account__owner_id=member.user_id)
        if member.has(Perm.EMAIL_MANAGE):
            condition |= Q(account__isnull=False, account__owner__isnull=True)
        for target_type, kind in TARGETS.items():
            if not member.has(kind.view):
                continue
            records = kind.model_class().objects.visible_to(member).values("pk")  # type: ignore[attr-defined]
            linked = EmailLink.objects.filter(
                workspace_id=member.workspace_id, target_type=target_type, target_id__in=records
            ).values("email_id")
            condition |= Q(pk__in=linked)
        return qs.filter(condition)


class EmailMessage(WorkspaceModel):
    """One e-mail, outbound (queued by `sending.email_queue`, sent by the `mailing.send` job) or
    inbound (stored once by the IMAP poll)."""

    AUDIT_TYPE = "email"
    SCOPE_OWNER_FIELD = "created_by"

    account = models.ForeignKey(
        MailAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    # Generated once when queued; a retry sends the same id so the receiver can deduplicate.
    message_id = models.CharField(_("Message-ID"), max_length=300, blank=True)
    in_reply_to = models.CharField(max_length=300, blank=True)
    references = models.TextField(blank=True)
    from_name = models.CharField(_("sender name"), max_length=200, blank=True)
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    to = models.JSONField(_("to"), default=list, blank=True)
    cc = models.JSONField(_("cc"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=EmailState.choices)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    template = models.ForeignKey(
        EmailTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply_to_email = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    key = models.CharField(max_length=200, blank=True)  # idempotency of email_queue
    attachments = models.JSONField(default=list, blank=True)  # [{name, type, data (base64)}]
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    imap_uidvalidity = models.BigIntegerField(null=True, blank=True)
    imap_uid = models.BigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = EmailQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("e-mail")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "key"], condition=~Q(key=""), name="email_unique_key"
            ),
            models.UniqueConstraint(
                fields=["account", "message_id"],
                condition=Q(direction="in") & ~Q(message_id=""),
                name="email_in_unique_message_id",
            ),
            models.UniqueConstraint(
                fields=["account", "imap_uidvalidity", "imap_uid"],
                condition=Q(imap_uid__isnull=False),
                name="email_in_unique_uid",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "message_id"], name="email_ws_msgid_idx"),
            models.Index(fields=["account", "direction", "-id"], name="email_account_idx"),
            models.Index(fields=["workspace", "created_by", "-id"], name="email_creator_idx"),
        ]

    def __str__(self) -> str:
        return self.subject or str(_("(no subject)"))

    @property
    def at(self):
        return self.received_at or self.sent_at or self.created_at


class EmailLink(models.Model):
    """An e-mail belongs on a record's timeline: one row per (message, record). `at` copies the
    message's time so a record's mail pages by one index."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    email = models.ForeignKey(EmailMessage, on_delete=models.CASCADE, related_name="links")
    target_type = models.CharField(max_length=32)
    target_id = models.BigIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["email", "target_type", "target_id"], name="emaillink_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["workspace", "target_type", "target_id", "-at", "-id"],
                name="emaillink_target_idx",
            )
        ]

    def __str__(self) -> str:
        return f"email {self.email_id} on {self.target_type} {self.target_id}"
