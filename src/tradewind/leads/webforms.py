"""Web-to-lead: configure public forms, take visitors' submissions, keep overflow for the next day.

The public endpoint (webforms_public.py) only parses the request and calls `webform_submit`; every
submission is stored (accepted, overflow, spam, rejected), so nothing a visitor sent is lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tradewind.core.errors import ErrorCode, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import ActorKind, AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.models import Workspace
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.timezones import workspace_today, zone

from .assignment import eligible_owner
from .capture import clean_lead
from .choices import LeadSource
from .models import Lead, LeadPolicy
from .models_webforms import SubmissionState, WebForm, WebFormSubmission

# Lead fields a web form may show, in display order.
WEBFORM_FIELDS = [
    "company_name",
    "contact_name",
    "contact_title",
    "email",
    "phone",
    "whatsapp",
    "wechat",
    "country",
    "city",
    "website",
    "industry",
    "company_size",
    "need",
    "budget_min",
    "budget_max",
    "budget_currency",
    "timeframe",
    "decision_chain",
]
DEFAULT_FIELDS = ["company_name", "contact_name", "email", "phone", "country", "need"]
HONEYPOT = "homepage"  # hidden from people; bots fill it
DUPLICATE_TAG = "web-form-duplicate"
FORM_EDITABLE = [
    "name",
    "is_active",
    "fields",
    "source",
    "source_detail",
    "allowed_origins",
    "daily_budget",
    "owner",
    "thank_you_en",
    "thank_you_zh",
    "redirect_url",
]
BUDGET_MAX = 100_000
TEXT_MAX = 2000


class WebFormError(StrEnum):
    NOT_ACTIVE = "form_inactive"
    ORIGIN_NOT_ALLOWED = "origin_not_allowed"
    RATE_LIMITED = "rate_limited"


def field_label(name: str) -> str:
    return str(Lead._meta.get_field(name).verbose_name)


def field_max_length(name: str) -> int | None:
    return getattr(Lead._meta.get_field(name), "max_length", None)


# --- configuration ---------------------------------------------------------------------------------


def normalise_origin(value: str) -> str | None:
    """'https://Shop.example.com/contact' -> 'https://shop.example.com'; None if not a site."""
    value = (value or "").strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{port}"


def _invalid(fields: dict[str, list[Any]]) -> ServiceError:
    return ServiceError(ErrorCode.INVALID, _("Please correct the marked fields."), fields=fields)


def _clean_form(workspace: Workspace, data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(FORM_EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    errors: dict[str, list[Any]] = {}
    out: dict[str, Any] = {}
    if "name" in data:
        out["name"] = (data["name"] or "").strip()
        if not out["name"]:
            errors["name"] = [_("Give the form a name.")]
        elif len(out["name"]) > 120:
            errors["name"] = [_("At most %(n)s characters.") % {"n": 120}]
    if "is_active" in data:
        out["is_active"] = bool(data["is_active"])
    if "fields" in data:
        chosen = [f for f in WEBFORM_FIELDS if f in set(data["fields"] or [])]
        if set(data["fields"] or []) - set(WEBFORM_FIELDS):
            errors["fields"] = [_("Choose the fields from the list.")]
        elif not chosen:
            errors["fields"] = [_("Show at least one field.")]
        else:
            missing = _required_missing(workspace, chosen)
            if missing:
                errors["fields"] = [
                    _("Your workspace requires the %(field)s of every lead: add it to the form.")
                    % {"field": m}
                    for m in missing
                ]
        out["fields"] = chosen
    if "source" in data:
        out["source"] = data["source"] or LeadSource.WEB_FORM
        if out["source"] not in LeadSource.values:
            errors["source"] = [_("Choose a source from the list.")]
    if "source_detail" in data:
        out["source_detail"] = (data["source_detail"] or "").strip()
        if len(out["source_detail"]) > 200:
            errors["source_detail"] = [_("At most %(n)s characters.") % {"n": 200}]
    if "allowed_origins" in data:
        raw = data["allowed_origins"] or []
        if isinstance(raw, str):
            raw = raw.replace(",", "\n").splitlines()
        origins: list[str] = []
        for item in (str(r).strip() for r in raw):
            if not item:
                continue
            origin = normalise_origin(item)
            if origin is None:
                errors.setdefault("allowed_origins", []).append(
                    _("“%(value)s” is not a site address like https://www.example.com.")
                    % {"value": item[:100]}
                )
            elif origin not in origins:
                origins.append(origin)
        out["allowed_origins"] = origins
    if "daily_budget" in data:
        try:
            out["daily_budget"] = int(data["daily_budget"])
            if not 1 <= out["daily_budget"] <= BUDGET_MAX:
                raise ValueError
        except (TypeError, ValueError):
            errors["daily_budget"] = [
                _("Enter a whole number from 1 to %(max)s.") % {"max": BUDGET_MAX}
            ]
    if "owner" in data:
        owner_id = getattr(data["owner"], "pk", data["owner"])
        out["owner_id"] = owner_id or None
        if owner_id:
            try:
                eligible_owner(workspace=workspace, owner_id=int(owner_id))
            except ServiceError as exc:
                errors.update(exc.fields)
    for name in ("thank_you_en", "thank_you_zh"):
        if name in data:
            out[name] = (data[name] or "").strip()
            if len(out[name]) > TEXT_MAX:
                errors[name] = [_("At most %(n)s characters.") % {"n": TEXT_MAX}]
    if "redirect_url" in data:
        out["redirect_url"] = (data["redirect_url"] or "").strip()
        if out["redirect_url"] and (
            normalise_origin(out["redirect_url"]) is None or len(out["redirect_url"]) > 500
        ):
            errors["redirect_url"] = [_("Enter a full address starting with https://.")]
    if errors:
        raise _invalid(errors)
    return out


def _required_missing(workspace: Workspace, chosen: list[str]) -> list[str]:
    """Required lead fields a visitor could never fill on this form (the form supplies the source)."""
    from .capture import REQUIRABLE

    missing = []
    for name in LeadPolicy.for_workspace(workspace).required_fields:
        if name == "source" or name not in REQUIRABLE:
            continue
        if name == "budget":
            if "budget_min" not in chosen and "budget_max" not in chosen:
                missing.append(str(REQUIRABLE[name]))
        elif name not in chosen:
            missing.append(str(REQUIRABLE[name]))
    return missing


@transaction.atomic
def webform_create(*, actor: Actor, **data: Any) -> WebForm:
    require(actor, Perm.WORKSPACE_MANAGE)
    data.setdefault("name", "")
    data.setdefault("fields", list(DEFAULT_FIELDS))
    cleaned = _clean_form(actor.workspace, data)
    form = WebForm.objects.create(workspace=actor.workspace, created_by_id=actor.user_id, **cleaned)
    audit.record_create(actor=actor, target=form, fields=FORM_EDITABLE)
    emit("webform.created", workspace_id=actor.workspace.pk, form_id=form.pk)
    return form


@transaction.atomic
def webform_update(*, actor: Actor, form: WebForm, **data: Any) -> WebForm:
    require(actor, Perm.WORKSPACE_MANAGE)
    current = WebForm.objects.select_for_update().get(pk=form.pk, workspace=actor.workspace)
    cleaned = _clean_form(actor.workspace, data)
    changes = audit.apply_changes(current, cleaned, FORM_EDITABLE)
    if not changes:
        return current
    audit.save_update(actor=actor, target=current, changes=changes)
    emit("webform.updated", workspace_id=actor.workspace.pk, form_id=current.pk)
    return current


@transaction.atomic
def webform_delete(*, actor: Actor, form: WebForm) -> None:
    """Deletes the form and its stored submissions; the leads it made stay."""
    require(actor, Perm.WORKSPACE_MANAGE)
    audit.record(
        actor=actor, verb=AuditVerb.DELETE, target=form, changes={"name": [form.name, None]}
    )
    WebForm.objects.filter(pk=form.pk, workspace=actor.workspace).delete()
    emit("webform.deleted", workspace_id=actor.workspace.pk, form_id=form.pk)


# --- submissions -----------------------------------------------------------------------------------


@dataclass
class SubmitResult:
    submission: WebFormSubmission
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def day_bounds(
    workspace: Workspace, now: dt.datetime | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """The workspace's current day as an aware [start, end) interval."""
    today = (
        timezone.localtime(now, zone(workspace.time_zone)).date()
        if now
        else workspace_today(workspace)
    )
    tz = zone(workspace.time_zone)
    start = dt.datetime.combine(today, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def accepted_today(form: WebForm, now: dt.datetime | None = None) -> int:
    start, end = day_bounds(form.workspace, now)
    return form.submissions.filter(accepted_at__gte=start, accepted_at__lt=end).count()


def visible_values(form: WebForm, payload: dict[str, Any]) -> dict[str, str]:
    """Only the fields the form shows, as trimmed strings (anything else a bot adds is dropped)."""
    values = {}
    for name in form.fields:
        value = payload.get(name)
        if isinstance(value, list):
            value = value[0] if value else ""
        if value is None:
            continue
        values[name] = str(value).strip()[:5000]
    return values


def _form_actor(form: WebForm) -> Actor:
    return Actor.system(form.workspace, label=f"web form: {form.name}"[:120], kind=ActorKind.SYSTEM)


def _lead_data(form: WebForm, values: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {k: v for k, v in values.items() if v != "" or k == "company_name"}
    for bound in ("budget_min", "budget_max"):
        if bound in data and data[bound] == "":
            data[bound] = None
    data.setdefault("company_name", "")
    data["source"] = form.source
    data["source_detail"] = form.source_detail
    return data


def validate_values(form: WebForm, values: dict[str, str]) -> dict[str, list[str]]:
    """The same checks as every capture path (lengths, formats, the workspace's required fields),
    in the active language."""
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        limit = field_max_length(name)
        if limit and len(value) > limit:
            errors[name] = [_("At most %(n)s characters.") % {"n": limit}]
    try:
        clean_lead(workspace=form.workspace, data=_lead_data(form, values))
    except ServiceError as exc:
        for name, messages in exc.fields.items():
            errors.setdefault(name, []).extend(str(m) for m in messages)
    return errors


def _make_lead(form: WebForm, values: dict[str, str]) -> tuple[Lead, list[str]]:
    """Create the lead; a likely duplicate is created anyway, tagged and listed (the visitor never
    hears about duplicates)."""
    from .services import DuplicateFound, lead_create

    actor = _form_actor(form)
    data = _lead_data(form, values)
    if form.owner_id is not None:
        try:
            eligible_owner(workspace=form.workspace, owner_id=form.owner_id)
            data["owner"] = form.owner_id
        except ServiceError:
            pass  # the chosen owner left: the assignment rules decide instead
    try:
        with transaction.atomic():
            return lead_create(actor=actor, **data), []
    except DuplicateFound as exc:
        codes = [m.code for m in exc.matches]
        data["tags"] = [DUPLICATE_TAG]
        return lead_create(actor=actor, allow_duplicates=True, **data), codes


@transaction.atomic
def webform_submit(
    *,
    form: WebForm,
    payload: dict[str, Any],
    lang: str = "",
    ip: str | None = None,
    origin: str = "",
) -> SubmitResult:
    """Take one public submission. Spam and overflow answer like success; invalid input answers
    the field errors (translated in the active language) and is kept as rejected."""
    now = timezone.now()
    values = visible_values(form, payload)
    sub = WebFormSubmission(
        workspace_id=form.workspace_id,
        form=form,
        received_at=now,
        payload=values,
        lang=lang[:10],
        ip=ip,
        origin=origin[:200],
    )
    if str(payload.get(HONEYPOT) or "").strip():
        sub.state = SubmissionState.SPAM
        sub.save()
        return SubmitResult(sub)
    errors = validate_values(form, values)
    if errors:
        sub.state = SubmissionState.REJECTED
        sub.errors = errors
        sub.save()
        return SubmitResult(sub, errors)
    # The budget is counted under the form's row lock: parallel posts cannot overrun it.
    locked = WebForm.objects.select_for_update().select_related("workspace").get(pk=form.pk)
    if accepted_today(locked, now) >= locked.daily_budget:
        sub.state = SubmissionState.OVERFLOW
        sub.save()
        emit("webform.overflow", workspace_id=form.workspace_id, form_id=form.pk)
        return SubmitResult(sub)
    lead, dupes = _make_lead(locked, values)
    sub.state = SubmissionState.ACCEPTED
    sub.accepted_at = now
    sub.lead = lead
    sub.duplicate_of = dupes
    sub.save()
    return SubmitResult(sub)


def _process(form: WebForm, subs: list[WebFormSubmission]) -> dict[str, int]:
    counts = {"accepted": 0, "rejected": 0}
    for sub in subs:
        now = timezone.now()
        values = {k: str(v) for k, v in (sub.payload or {}).items() if k in WEBFORM_FIELDS}
        errors = validate_values(form, values)
        if errors:
            sub.state = SubmissionState.REJECTED
            sub.errors = errors
            sub.save(update_fields=["state", "errors"])
            counts["rejected"] += 1
            continue
        lead, dupes = _make_lead(form, values)
        sub.state = SubmissionState.ACCEPTED
        sub.accepted_at = now
        sub.lead = lead
        sub.duplicate_of = dupes
        sub.save(update_fields=["state", "accepted_at", "lead", "duplicate_of"])
        counts["accepted"] += 1
    return counts


@transaction.atomic
def webform_process_overflow(*, actor: Actor, form: WebForm) -> dict[str, int]:
    """An admin turns every waiting overflow submission into leads now, past the daily budget."""
    require(actor, Perm.WORKSPACE_MANAGE)
    locked = (
        WebForm.objects.select_for_update()
        .select_related("workspace")
        .get(pk=form.pk, workspace=actor.workspace)
    )
    subs = list(
        locked.submissions.select_for_update()
        .filter(state=SubmissionState.OVERFLOW)
        .order_by("received_at", "id")
    )
    counts = _process(locked, subs)
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="overflow_processed",
        target=locked,
        changes={"accepted": [None, counts["accepted"]], "rejected": [None, counts["rejected"]]},
    )
    return counts


def webforms_process_overflow_due(now: dt.datetime | None = None) -> dict[int, dict[str, int]]:
    """The periodic job: overflow received before today (workspace time) becomes leads, oldest
    first, within today's budget of each form; what does not fit waits for the next day."""
    done: dict[int, dict[str, int]] = {}
    form_ids = (
        WebFormSubmission.objects.filter(state=SubmissionState.OVERFLOW)
        .values_list("form_id", flat=True)
        .distinct()
    )
    for form_id in list(form_ids):
        with transaction.atomic():
            form = WebForm.objects.select_for_update().select_related("workspace").get(pk=form_id)
            start, _end = day_bounds(form.workspace, now)
            room = form.daily_budget - accepted_today(form, now)
            if room <= 0:
                continue
            subs = list(
                form.submissions.select_for_update()
                .filter(state=SubmissionState.OVERFLOW, received_at__lt=start)
                .order_by("received_at", "id")[:room]
            )
            if subs:
                done[form_id] = _process(form, subs)
    return done


def thank_you_text(form: WebForm, lang: str) -> str:
    if lang.startswith("zh"):
        return form.thank_you_zh or str(DEFAULT_THANKS)
    return form.thank_you_en or str(DEFAULT_THANKS)


DEFAULT_THANKS = gettext_lazy("Thank you. We have received your message and will contact you soon.")
