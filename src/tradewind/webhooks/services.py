"""Webhook writes: endpoints (create, change, delete, rotate the secret, send a test event), the
admin setting for private targets, replays, and the two calls other apps make:

- `webhook_publish()` — one delivery per active endpoint subscribed to a public event type;
- `webhook_send()` — one delivery to one endpoint (the workflow rule action "call a webhook").

Each delivery row holds the exact body and the event id (`msg_…`) every attempt sends; a durable
job (`webhooks.deliver`, delivery.py) makes the attempts, signs them and retries with backoff.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, ErrorCode, NotFound, ServiceError
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.jobs import job_enqueue
from tradewind.workspaces.permissions import Perm

from . import guard
from .catalogue import EVENT_TYPES, PING_TYPE
from .errors import WebhookError
from .models import (
    DeliverySource,
    DeliveryState,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookSettings,
)
from .selectors import endpoints_visible, settings_for

JOB_KIND = "webhooks.deliver"
MAX_BODY_BYTES = 256 * 1024
MAX_ENDPOINTS = 50
ROTATION_OVERLAP = dt.timedelta(hours=24)
ENDPOINT_FIELDS = ["url", "description", "event_types", "is_active"]
_EVENT_TYPE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")


# --- building blocks -----------------------------------------------------------------------------


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form: "whsec_" + base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def new_event_id() -> str:
    return "msg_" + uuid.uuid4().hex


def private_targets_server_setting() -> bool:
    """Whether this server lets workspaces allow private targets at all (Django setting
    WEBHOOK_PRIVATE_TARGETS_SETTING, default True; set it False on shared hosting)."""
    return bool(getattr(settings, "WEBHOOK_PRIVATE_TARGETS_SETTING", True))


def private_targets_allowed(workspace_id: int) -> bool:
    """The workspace's "allow private network targets" setting, if the server allows it."""
    if not private_targets_server_setting():
        return False
    return settings_for(workspace_id).allow_private_targets


def render_body(event_type: str, data: dict[str, Any], when: dt.datetime) -> str:
    """The JSON body: {"type", "timestamp", "data"} (decimals and dates as strings)."""
    stamp = when.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    body = json.dumps(
        {"type": event_type, "timestamp": stamp, "data": data},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    if len(body.encode()) > MAX_BODY_BYTES:
        raise ServiceError(
            WebhookError.PAYLOAD_TOO_LARGE,
            _("The webhook payload is larger than %(kb)s KB.") % {"kb": MAX_BODY_BYTES // 1024},
        )
    return body


def _enqueue(delivery: WebhookDelivery, *, mode: str, max_attempts: int | None = None) -> None:
    from .delivery import MAX_ATTEMPTS

    job_enqueue(
        kind=JOB_KIND,
        payload={"delivery_id": delivery.pk, "mode": mode},
        workspace=delivery.workspace,
        key=f"{JOB_KIND}:{delivery.pk}" if mode == "auto" else "",
        max_attempts=max_attempts or MAX_ATTEMPTS,
    )


def _delivery(
    endpoint: WebhookEndpoint, *, event_id: str, event_type: str, body: str, source: str
) -> WebhookDelivery:
    """The delivery of one event to one endpoint, queued; the same event id twice gives the
    first delivery back (publishing is idempotent per event)."""
    existing = WebhookDelivery.objects.filter(endpoint=endpoint, event_id=event_id).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                workspace_id=endpoint.workspace_id,
                endpoint=endpoint,
                event_id=event_id,
                event_type=event_type,
                source=source,
                body=body,
                next_attempt_at=timezone.now(),
            )
    except IntegrityError:
        return WebhookDelivery.objects.get(endpoint=endpoint, event_id=event_id)
    _enqueue(delivery, mode="auto", max_attempts=1 if source == DeliverySource.TEST else None)
    return delivery


# --- the calls other apps make ------------------------------------------------------------------


def webhook_publish(
    *, workspace_id: int, event_type: str, data: dict, event_id: str | None = None
) -> int:
    """Queue one delivery of a public event (a key of catalogue.EVENT_TYPES) for every active
    endpoint of the workspace subscribed to it, all with the same event id (`msg_…`, new unless
    given; giving the same id again queues nothing more). `data` is the record's fields as JSON
    values (Decimal and dates are turned into strings). Returns how many deliveries were queued.

    Meant to run after the commit that made the change (from an event handler); it commits its
    own rows and the jobs are rung after that."""
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(workspace_id=workspace_id, is_active=True)
        if event_type in (e.event_types or [])
    ]
    if not endpoints:
        return 0
    event_id = event_id or new_event_id()
    body = render_body(event_type, data, timezone.now())
    with transaction.atomic():
        for endpoint in endpoints:
            _delivery(
                endpoint,
                event_id=event_id,
                event_type=event_type,
                body=body,
                source=DeliverySource.EVENT,
            )
    return len(endpoints)


def webhook_send(
    *,
    workspace_id: int,
    endpoint_id: int,
    event_type: str,
    data: dict,
    event_id: str | None = None,
) -> WebhookDelivery:
    """Queue one delivery to one endpoint of the workspace, whatever it subscribes to (the rule
    action "call a webhook"). `event_type` is any dotted lower-case name (e.g. "rule.fired" or a
    catalogue type). Raises NotFound (404) for an endpoint not in the workspace and Conflict
    (409, WebhookError.ENDPOINT_DISABLED) for a switched-off one; ServiceError (422) for a bad
    event type or a payload over 256 KB. The same event_id twice gives the first delivery."""
    endpoint = WebhookEndpoint.objects.filter(workspace_id=workspace_id, pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Webhook endpoint not found."))
    if not endpoint.is_active:
        raise Conflict(WebhookError.ENDPOINT_DISABLED, _("This webhook endpoint is switched off."))
    event_type = str(event_type or "").strip()
    if not _EVENT_TYPE.match(event_type) or len(event_type) > 64:
        raise ServiceError(
            WebhookError.BAD_EVENT_TYPE,
            _("Name the event in lower case with dots, e.g. rule.fired."),
        )
    body = render_body(event_type, data, timezone.now())
    with transaction.atomic():
        return _delivery(
            endpoint,
            event_id=event_id or new_event_id(),
            event_type=event_type,
            body=body,
            source=DeliverySource.RULE,
        )


# --- endpoints ---------------------------------------------------------------------------------


def _invalid(code: str, field: str, message: str) -> ServiceError:
    return ServiceError(code, _("Please correct the marked fields."), fields={field: [message]})


def clean_url(url: Any, *, workspace_id: int) -> str:
    """The URL as given, if its form is right and every address it resolves to may be called."""
    text = str(url or "").strip()
    try:
        guard.resolve(text, allow_private=private_targets_allowed(workspace_id))
    except guard.Refused as exc:
        if exc.code in guard.REASONS:
            message = _("This URL may not be called: %(reason)s.") % {"reason": exc.message}
            raise _invalid(WebhookError.URL_REFUSED, "url", message) from None
        raise _invalid(WebhookError.BAD_URL, "url", str(exc.message)) from None
    return text


def clean_event_types(values: Any) -> list[str]:
    if isinstance(values, str):
        values = [v for v in re.split(r"[\s,]+", values) if v]
    chosen = [str(v).strip() for v in (values or [])]
    unknown = [v for v in chosen if v not in EVENT_TYPES]
    if unknown:
        raise _invalid(
            WebhookError.UNKNOWN_EVENT,
            "event_types",
            _("Unknown event: %(names)s.") % {"names": ", ".join(unknown[:5])},
        )
    if not chosen:
        raise _invalid(WebhookError.NO_EVENTS, "event_types", _("Choose at least one event."))
    return [t for t in EVENT_TYPES if t in chosen]  # catalogue order, no duplicates


def _clean_description(value: Any) -> str:
    text = str(value or "").strip()
    if len(text) > 300:
        raise _invalid(
            WebhookError.BAD_DESCRIPTION,
            "description",
            _("Keep the description to %(max)s characters or fewer.") % {"max": 300},
        )
    return text


def endpoint_get(actor: Actor, endpoint_id: int, *, lock: bool = False) -> WebhookEndpoint:
    """An endpoint the actor may manage (404 otherwise: members without WEBHOOK_MANAGE see none)."""
    if actor.member is not None:
        qs = endpoints_visible(actor.member)
    else:
        qs = WebhookEndpoint.objects.filter(workspace=actor.workspace)
    if lock:
        qs = qs.select_for_update()
    try:
        pk = int(endpoint_id)
    except (TypeError, ValueError):
        pk = 0
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Webhook endpoint not found."))
    return found


@transaction.atomic
def endpoint_create(
    *,
    actor: Actor,
    url: str,
    event_types: Any,
    description: str = "",
    is_active: bool = True,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint owned by the actor; returns it with its secret (shown this once)."""
    require(actor, Perm.WEBHOOK_MANAGE)
    ws = actor.workspace
    cleaned_url = clean_url(url, workspace_id=ws.pk)
    types = clean_event_types(event_types)
    text = _clean_description(description)
    if WebhookEndpoint.objects.filter(workspace=ws).count() >= MAX_ENDPOINTS:
        raise ServiceError(
            WebhookError.TOO_MANY_ENDPOINTS,
            _("A workspace may have at most %(max)s webhook endpoints.") % {"max": MAX_ENDPOINTS},
        )
    secret = new_secret()
    endpoint = WebhookEndpoint.objects.create(
        workspace=ws,
        url=cleaned_url,
        description=text,
        event_types=types,
        secret=secret,
        is_active=bool(is_active),
        owner_id=actor.user_id,
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        target=endpoint,
        changes={k: [None, v] for k, v in audit.snapshot(endpoint, ENDPOINT_FIELDS).items()},
    )
    emit("webhook_endpoint.created", workspace_id=ws.pk, endpoint_id=endpoint.pk)
    return endpoint, secret


@transaction.atomic
def endpoint_update(
    *,
    actor: Actor,
    endpoint_id: int,
    url: str | None = None,
    event_types: Any = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> WebhookEndpoint:
    """Change what is given (None: keep). Switching an endpoint on clears why it was switched
    off; its failure streak starts again."""
    current = endpoint_get(actor, endpoint_id, lock=True)
    require(actor, Perm.WEBHOOK_MANAGE)
    before = audit.snapshot(current, ENDPOINT_FIELDS)
    if url is not None:
        current.url = clean_url(url, workspace_id=current.workspace_id)
    if event_types is not None:
        current.event_types = clean_event_types(event_types)
    if description is not None:
        current.description = _clean_description(description)
    now = timezone.now()
    if is_active is not None and bool(is_active) != current.is_active:
        current.is_active = bool(is_active)
        if current.is_active:
            current.disabled_at, current.disabled_reason, current.failing_since = None, "", None
        else:
            current.disabled_at, current.disabled_reason = now, "manual"
    changes = audit.diff(before, audit.snapshot(current, ENDPOINT_FIELDS))
    if not changes:
        return current
    current.version += 1
    current.updated_at = now
    current.save()
    audit.record(actor=actor, verb=AuditVerb.UPDATE, target=current, changes=changes)
    emit(
        "webhook_endpoint.updated",
        workspace_id=current.workspace_id,
        endpoint_id=current.pk,
        fields=sorted(changes),
    )
    return current


@transaction.atomic
def endpoint_delete(*, actor: Actor, endpoint_id: int) -> None:
    """Delete an endpoint with its delivery log; queued attempts find nothing and stop."""
    current = endpoint_get(actor, endpoint_id, lock=True)
    require(actor, Perm.WEBHOOK_MANAGE)
    audit.record(
        actor=actor,
        verb=AuditVerb.DELETE,
        target=current,
        changes={k: [v, None] for k, v in audit.snapshot(current, ENDPOINT_FIELDS).items()},
    )
    pk, ws_id = current.pk, current.workspace_id
    current.delete()
    emit("webhook_endpoint.deleted", workspace_id=ws_id, endpoint_id=pk)


@transaction.atomic
def endpoint_rotate_secret(*, actor: Actor, endpoint_id: int) -> tuple[WebhookEndpoint, str]:
    """A new signing secret, returned this once. For a day, messages carry a signature with the
    old secret too, so the receiver can switch without rejecting anything."""
    current = endpoint_get(actor, endpoint_id, lock=True)
    require(actor, Perm.WEBHOOK_MANAGE)
    now = timezone.now()
    secret = new_secret()
    current.previous_secret = current.secret
    current.previous_secret_until = now + ROTATION_OVERLAP
    current.secret = secret
    current.version += 1
    current.updated_at = now
    current.save()
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="webhook_secret_rotated",
        target=current,
        changes={"secret": ["…", "…"]},  # that it changed, never what it is
    )
    emit("webhook_endpoint.rotated", workspace_id=current.workspace_id, endpoint_id=current.pk)
    return current, secret


@transaction.atomic
def endpoint_test(*, actor: Actor, endpoint_id: int) -> WebhookDelivery:
    """Queue a test event ("webhook.ping", one attempt, no retries) to the endpoint, switched on
    or not, so its receiver can be checked before and after switching it on."""
    current = endpoint_get(actor, endpoint_id)
    require(actor, Perm.WEBHOOK_MANAGE)
    data = {
        "endpoint_id": current.pk,
        "workspace": {"id": current.workspace_id, "name": actor.workspace.name},
        "message": "Test event from Tradewind",
    }
    delivery = _delivery(
        current,
        event_id=new_event_id(),
        event_type=PING_TYPE,
        body=render_body(PING_TYPE, data, timezone.now()),
        source=DeliverySource.TEST,
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="webhook_test_sent",
        target=current,
        changes={"event_id": [None, delivery.event_id]},
    )
    return delivery


# --- deliveries --------------------------------------------------------------------------------


def delivery_get(actor: Actor, delivery_id: int) -> WebhookDelivery:
    from .selectors import deliveries_visible

    if actor.member is not None:
        qs = deliveries_visible(actor.member)
    else:
        qs = WebhookDelivery.objects.filter(workspace=actor.workspace)
    try:
        pk = int(delivery_id)
    except (TypeError, ValueError):
        pk = 0
    found = qs.select_related("endpoint").filter(pk=pk).first()
    if found is None:
        raise NotFound(ErrorCode.NOT_FOUND, _("Delivery not found."))
    return found


@transaction.atomic
def delivery_replay(*, actor: Actor, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again: one new attempt with the same webhook-id and body (signed afresh,
    so the receiver's timestamp check passes). Works on a switched-off endpoint too."""
    delivery = delivery_get(actor, delivery_id)
    require(actor, Perm.WEBHOOK_MANAGE)
    WebhookDelivery.objects.filter(pk=delivery.pk).exclude(state=DeliveryState.DELIVERED).update(
        next_attempt_at=timezone.now()
    )
    _enqueue(delivery, mode="replay", max_attempts=1)
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="webhook_replayed",
        target=delivery.endpoint,
        changes={"event_id": [None, delivery.event_id]},
    )
    delivery.refresh_from_db()
    return delivery


# --- settings ------------------------------------------------------------------------------------


@transaction.atomic
def webhook_settings_set(*, actor: Actor, allow_private_targets: bool) -> WebhookSettings:
    """The workspace admin's switch for private network targets (on-premise installs).
    Loopback, private and shared (100.64/10) addresses pass with it; link-local, multicast,
    reserved and cloud metadata addresses never do."""
    require(actor, Perm.WEBHOOK_MANAGE)
    require(actor, Perm.WORKSPACE_MANAGE)
    if allow_private_targets and not private_targets_server_setting():
        raise ServiceError(
            ErrorCode.INVALID,
            _("This server does not allow webhooks to private network targets."),
        )
    row = settings_for(actor.workspace)
    row = WebhookSettings.objects.select_for_update().get(pk=row.pk)
    value = bool(allow_private_targets)
    if row.allow_private_targets == value:
        return row
    WebhookSettings.objects.filter(pk=row.pk).update(
        allow_private_targets=value, updated_at=timezone.now(), version=F("version") + 1
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        target=row,
        changes={"allow_private_targets": [row.allow_private_targets, value]},
    )
    row.refresh_from_db()
    emit("webhook_settings.updated", workspace_id=actor.workspace.pk)
    return row
