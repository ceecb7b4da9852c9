"""Writes of e-mail templates (Perm.EMAIL_MANAGE) and their preview against a record."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, ErrorCode, NotFound, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.permissions import Perm

from .choices import RecordType
from .errors import MailError
from .models import EmailTemplate
from .rendering import (
    RenderedMail,
    check_template_text,
    placeholder_values,
    render_template,
)

AUDIT_FIELDS = [
    "name",
    "record_type",
    "subject_en",
    "body_en",
    "subject_zh",
    "body_zh",
    "is_active",
]
NAME_MAX: int = EmailTemplate._meta.get_field("name").max_length or 120
SUBJECT_MAX: int = EmailTemplate._meta.get_field("subject_en").max_length or 300
BODY_MAX = 50_000


def _not_found() -> NotFound:
    return NotFound(ErrorCode.NOT_FOUND, _("Not found."))


def clean_template_fields(
    *,
    name: str,
    record_type: str,
    subject_en: str,
    body_en: str,
    subject_zh: str,
    body_zh: str,
) -> dict[str, Any]:
    """Validated values of a template (raises 422 with every field's error)."""
    values = {
        "name": " ".join(str(name or "").split()),
        "record_type": str(record_type or RecordType.ANY),
        "subject_en": " ".join(str(subject_en or "").split()),
        "body_en": str(body_en or "").strip("\n"),
        "subject_zh": " ".join(str(subject_zh or "").split()),
        "body_zh": str(body_zh or "").strip("\n"),
    }
    errors: dict[str, list[str]] = {}
    if not values["name"]:
        errors["name"] = [_("Give the template a name.")]
    elif len(values["name"]) > NAME_MAX:
        errors["name"] = [_("At most %(n)s characters.") % {"n": NAME_MAX}]
    if values["record_type"] not in RecordType.values:
        errors["record_type"] = [_("Choose one of the offered values.")]
    for lang in ("en", "zh"):
        subject, body = values[f"subject_{lang}"], values[f"body_{lang}"]
        if len(subject) > SUBJECT_MAX:
            errors[f"subject_{lang}"] = [_("At most %(n)s characters.") % {"n": SUBJECT_MAX}]
        if len(body) > BODY_MAX:
            errors[f"body_{lang}"] = [_("At most %(n)s characters.") % {"n": BODY_MAX}]
        if subject and not body.strip():
            errors[f"body_{lang}"] = [_("Write the body for this subject.")]
        if body.strip() and not subject:
            errors[f"subject_{lang}"] = [_("Write the subject for this body.")]
    if not errors and not any(values[k] for k in ("subject_en", "subject_zh")):
        message = _("Write the subject and body in English, in Chinese or in both.")
        raise ServiceError(MailError.NO_CONTENT, message, fields={"subject_en": [message]})
    if errors:
        raise ServiceError(MailError.INVALID, _("Please correct the marked fields."), fields=errors)
    if values["record_type"] in RecordType.values:
        check_template_text(
            values["record_type"],
            {k: values[k] for k in ("subject_en", "body_en", "subject_zh", "body_zh")},
        )
    return values


@transaction.atomic
def email_template_save(
    *,
    actor: Actor,
    template_id: int | None = None,
    name: str,
    record_type: str = RecordType.ANY,
    subject_en: str = "",
    body_en: str = "",
    subject_zh: str = "",
    body_zh: str = "",
    is_active: bool = True,
    expected_version: int | None = None,
) -> EmailTemplate:
    """Create (no `template_id`) or change a template. Merge fields outside the record type's
    catalogue are refused with 422 `email_template_unknown_field` naming the field."""
    require(actor, Perm.EMAIL_MANAGE)
    template = None
    if template_id is not None:
        template = (
            EmailTemplate.objects.select_for_update()
            .filter(workspace_id=actor.workspace.pk, pk=template_id)
            .first()
        )
        if template is None:
            raise _not_found()
        if expected_version is not None and expected_version != template.version:
            raise Conflict(
                ErrorCode.STALE_VERSION,
                _("Someone changed this template meanwhile: reload and try again."),
            )
    values = clean_template_fields(
        name=name,
        record_type=record_type,
        subject_en=subject_en,
        body_en=body_en,
        subject_zh=subject_zh,
        body_zh=body_zh,
    )
    values["is_active"] = bool(is_active)
    taken = EmailTemplate.objects.filter(workspace_id=actor.workspace.pk, name=values["name"])
    if template is not None:
        taken = taken.exclude(pk=template.pk)
    if taken.exists():
        message = _("A template with this name exists already.")
        raise ServiceError(MailError.NAME_TAKEN, message, fields={"name": [message]})
    try:
        with transaction.atomic():
            if template is None:
                template = EmailTemplate.objects.create(
                    workspace=actor.workspace, created_by_id=actor.user_id, **values
                )
                audit.record_create(actor=actor, target=template, fields=AUDIT_FIELDS)
                verb = "created"
            else:
                changes = audit.apply_changes(template, values, AUDIT_FIELDS)
                if not changes:
                    return template
                audit.save_update(actor=actor, target=template, changes=changes)
                verb = "updated"
    except IntegrityError:
        message = _("A template with this name exists already.")
        raise ServiceError(MailError.NAME_TAKEN, message, fields={"name": [message]}) from None
    emit(
        f"email_template.{verb}",
        workspace_id=actor.workspace.pk,
        email_template_id=template.pk,
    )
    return template


@transaction.atomic
def email_template_delete(*, actor: Actor, template_id: int) -> None:
    require(actor, Perm.EMAIL_MANAGE)
    template = EmailTemplate.objects.filter(workspace_id=actor.workspace.pk, pk=template_id).first()
    if template is None:
        raise _not_found()
    audit.record(actor=actor, verb=AuditVerb.DELETE, target=template, changes={})
    template.delete()
    emit("email_template.deleted", workspace_id=actor.workspace.pk, email_template_id=template_id)


def unsaved_template(actor: Actor, values: dict[str, Any]) -> EmailTemplate:
    """A template that is not stored (a form being edited), for a preview."""
    return EmailTemplate(workspace=actor.workspace, updated_at=timezone.now(), **values)


def email_template_preview(
    *,
    actor: Actor,
    template: EmailTemplate,
    record: models.Model | None,
    language: str | None = None,
) -> RenderedMail:
    """The template as it would go out for `record` (the caller fetched it through
    visible_to()); without a record, each merge field shows as [object.field]."""
    from .rendering import pick_language

    chosen = pick_language(template, record, workspace=actor.workspace, requested=language)
    extra = placeholder_values(template.record_type) if record is None else None
    return render_template(
        template=template, record=record, language=chosen, extra=extra, sender=actor.user
    )
