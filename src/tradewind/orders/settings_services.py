"""The workspace's document settings: its profile (letterhead, bank, chop, contract clauses) and
its list of payment terms. Both need Perm.WORKSPACE_MANAGE to change."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, ErrorCode, NotFound, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.models import Workspace
from tradewind.workspaces.permissions import Perm

from .choices import DEFAULT_PAYMENT_TERMS
from .errors import QuoteError
from .models import DocumentProfile, PaymentTerm

PROFILE_FIELDS = [
    "seller_name_en",
    "seller_name_zh",
    "address_en",
    "address_zh",
    "phone",
    "email",
    "website",
    "bank_beneficiary",
    "bank_account",
    "bank_name",
    "bank_address",
    "bank_swift",
    "default_port_of_loading",
    "clauses_en",
    "clauses_zh",
]


def payment_terms_ensure(workspace: Workspace) -> None:
    """Seed the default payment terms the first time a workspace needs them."""
    if PaymentTerm.objects.filter(workspace=workspace).exists():
        return
    PaymentTerm.objects.bulk_create(
        [
            PaymentTerm(workspace=workspace, label_en=en, label_zh=zh, position=i)
            for i, (en, zh) in enumerate(DEFAULT_PAYMENT_TERMS)
        ],
        ignore_conflicts=True,
    )


def profile_get(workspace: Workspace) -> DocumentProfile:
    """The workspace's document profile, created empty (with default clauses) on first use; the
    seller names start as the workspace's name."""
    profile = DocumentProfile.objects.filter(workspace=workspace).first()
    if profile is not None:
        return profile
    try:
        with transaction.atomic():
            return DocumentProfile.objects.create(
                workspace=workspace, seller_name_en=workspace.name
            )
    except IntegrityError:
        return DocumentProfile.objects.get(workspace=workspace)


@transaction.atomic
def profile_update(
    *,
    actor: Actor,
    fields: dict[str, Any],
    chop: UploadedFile | None = None,
    remove_chop: bool = False,
    expected_version: int | None = None,
) -> DocumentProfile:
    require(actor, Perm.WORKSPACE_MANAGE)
    profile_get(actor.workspace)
    profile = DocumentProfile.objects.select_for_update().get(workspace=actor.workspace)
    if expected_version is not None and profile.version != expected_version:
        raise Conflict(
            ErrorCode.STALE_VERSION,
            _("Someone else changed these settings since you opened them. Reload to see them."),
        )
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ServiceError(ErrorCode.INVALID, _("Unknown field: %(f)s") % {"f": sorted(unknown)[0]})
    errors: dict[str, list[Any]] = {}
    cleaned: dict[str, Any] = {}
    for name, value in fields.items():
        text = str(value or "").strip()
        limit = getattr(DocumentProfile._meta.get_field(name), "max_length", None)
        if limit and len(text) > limit:
            errors.setdefault(name, []).append(_("At most %(n)s characters.") % {"n": limit})
        cleaned[name] = text
    if errors:
        raise ServiceError(
            QuoteError.BAD_FIELD, _("Please correct the marked fields."), fields=errors
        )
    changes = audit.apply_changes(profile, cleaned, PROFILE_FIELDS)
    if chop is not None:
        from .quotes import check_image

        check_image(chop, QuoteError.BAD_CHOP)
        # A new file name every time: documents issued earlier keep rendering their own chop.
        profile.chop.save(chop.name or "chop.png", chop, save=False)
        changes["chop"] = [None, profile.chop.name]
    elif remove_chop and profile.chop:
        changes["chop"] = [profile.chop.name, None]
        profile.chop = ""
    if not changes:
        return profile
    profile.version += 1
    profile.updated_at = timezone.now()
    profile.save()
    audit.record(actor=actor, verb=AuditVerb.UPDATE, target=profile, changes=changes)
    return profile


@transaction.atomic
def payment_term_save(
    *,
    actor: Actor,
    label_en: str,
    label_zh: str = "",
    term_id: int | None = None,
    is_active: bool = True,
) -> PaymentTerm:
    """Add a payment term to the workspace's list, or edit / (de)activate one of its terms."""
    require(actor, Perm.WORKSPACE_MANAGE)
    payment_terms_ensure(actor.workspace)
    term = None
    if term_id is not None:  # looked up first: a foreign id is 404 whatever was posted
        term = (
            PaymentTerm.objects.select_for_update()
            .filter(workspace=actor.workspace, pk=term_id)
            .first()
        )
        if term is None:
            raise NotFound(ErrorCode.NOT_FOUND, _("Not found."))
    label_en, label_zh = str(label_en or "").strip(), str(label_zh or "").strip()
    errors: dict[str, list[Any]] = {}
    if not label_en:
        errors["label_en"] = [_("This field is required.")]
    for name, value in (("label_en", label_en), ("label_zh", label_zh)):
        if len(value) > 160:
            errors.setdefault(name, []).append(_("At most %(n)s characters.") % {"n": 160})
    if errors:
        raise ServiceError(
            QuoteError.BAD_FIELD, _("Please correct the marked fields."), fields=errors
        )
    clash = PaymentTerm.objects.filter(workspace=actor.workspace, label_en=label_en)
    if term is not None:
        clash = clash.exclude(pk=term.pk)
    if clash.exists():
        raise ServiceError(
            QuoteError.BAD_FIELD,
            _("Please correct the marked fields."),
            fields={"label_en": [_("This payment term is already in the list.")]},
        )
    if term is None:
        position = PaymentTerm.objects.filter(workspace=actor.workspace).count()
        term = PaymentTerm.objects.create(
            workspace=actor.workspace, label_en=label_en, label_zh=label_zh, position=position
        )
        audit.record_create(actor=actor, target=term, fields=["label_en", "label_zh"])
        return term
    changes = audit.apply_changes(
        term,
        {"label_en": label_en, "label_zh": label_zh, "is_active": bool(is_active)},
        ["label_en", "label_zh", "is_active"],
    )
    if changes:
        term.save()
        audit.record(actor=actor, verb=AuditVerb.UPDATE, target=term, changes=changes)
    return term
