"""Webhook settings pages: endpoints (list, create, edit, delete, rotate, test, switch on/off), the
delivery log of an endpoint with filters, a delivery's attempts with replay, and the workspace
setting for private targets. Thin: parse, call services.py / selectors.py, render."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tradewind.core.errors import ServiceError
from tradewind.core.forms import report_service_error, save_form
from tradewind.core.htmx import render_page
from tradewind.workspaces.decorators import member_required
from tradewind.workspaces.permissions import Perm

from . import guard, selectors, services
from .catalogue import EVENT_TYPES, PING_TYPE, label
from .forms import EndpointForm
from .models import DeliveryState, WebhookDelivery, WebhookEndpoint

SECRET_KEY = "webhook_secret"


def _ctx(**extra: Any) -> dict[str, Any]:
    return {"nav_active": "settings", "tab": "webhooks", **extra}


def _endpoint(request: HttpRequest, pk: int) -> WebhookEndpoint:
    try:
        return services.endpoint_get(request.actor, pk)  # type: ignore[attr-defined]
    except ServiceError:
        raise Http404 from None


def _delivery(request: HttpRequest, pk: int) -> WebhookDelivery:
    try:
        return services.delivery_get(request.actor, pk)  # type: ignore[attr-defined]
    except ServiceError:
        raise Http404 from None


def _keep_secret(request: HttpRequest, endpoint: WebhookEndpoint, secret: str) -> None:
    """Shown once: the next view of the endpoint's page takes it out of the session."""
    request.session[SECRET_KEY] = {"endpoint": endpoint.pk, "secret": secret}


def _take_secret(request: HttpRequest, endpoint: WebhookEndpoint) -> str:
    kept = request.session.get(SECRET_KEY)
    if isinstance(kept, dict) and kept.get("endpoint") == endpoint.pk:
        del request.session[SECRET_KEY]
        return str(kept.get("secret", ""))
    return ""


@member_required(Perm.WEBHOOK_MANAGE)
def endpoint_list(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    endpoints = selectors.endpoint_list(member)
    for e in endpoints:
        e.event_labels = [label(t) for t in e.event_types or []]  # type: ignore[attr-defined]
    return render(
        request,
        "webhooks/list.html",
        _ctx(
            endpoints=endpoints,
            settings_row=selectors.settings_for(member.workspace),
            server_allows_private=services.private_targets_server_setting(),
            can_set_private=member.has(Perm.WORKSPACE_MANAGE),
        ),
    )


@require_POST
@member_required(Perm.WEBHOOK_MANAGE)
def settings_save(request: HttpRequest) -> HttpResponse:
    try:
        row = services.webhook_settings_set(
            actor=request.actor,  # type: ignore[attr-defined]
            allow_private_targets=request.POST.get("allow_private_targets") == "on",
        )
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(
            request,
            _("Private network targets are allowed.")
            if row.allow_private_targets
            else _("Private network targets are refused."),
        )
    return redirect("webhooks:list")


def _form_page(
    request: HttpRequest, form: EndpointForm, endpoint: WebhookEndpoint | None
) -> HttpResponse:
    return render(
        request,
        "webhooks/form.html",
        _ctx(form=form, endpoint=endpoint, chosen=set(form["event_types"].value() or [])),
    )


@member_required(Perm.WEBHOOK_MANAGE)
def endpoint_create(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None, initial={"is_active": True})
    created = save_form(
        request,
        form,
        lambda: services.endpoint_create(
            actor=request.actor,  # type: ignore[attr-defined]
            **form.cleaned_data,
        ),
        _("Endpoint created. Copy its signing secret now: it is shown only once."),
    )
    if created is not None:
        endpoint, secret = created
        _keep_secret(request, endpoint, secret)
        return redirect("webhooks:detail", pk=endpoint.pk)
    return _form_page(request, form, None)


@member_required(Perm.WEBHOOK_MANAGE)
def endpoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": list(endpoint.event_types or []),
        "is_active": endpoint.is_active,
    }
    form = EndpointForm(request.POST or None, initial=initial)
    saved = save_form(
        request,
        form,
        lambda: services.endpoint_update(
            actor=request.actor,  # type: ignore[attr-defined]
            endpoint_id=endpoint.pk,
            **form.cleaned_data,
        ),
        _("Saved."),
    )
    if saved is not None:
        return redirect("webhooks:detail", pk=endpoint.pk)
    return _form_page(request, form, endpoint)


@member_required(Perm.WEBHOOK_MANAGE)
def endpoint_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation, POST deletes."""
    endpoint = _endpoint(request, pk)
    if request.method == "POST":
        try:
            services.endpoint_delete(actor=request.actor, endpoint_id=endpoint.pk)  # type: ignore[attr-defined]
        except ServiceError as exc:
            report_service_error(request, exc)
            return redirect("webhooks:detail", pk=endpoint.pk)
        messages.success(request, _("Endpoint deleted."))
        return redirect("webhooks:list")
    return render(request, "webhooks/delete.html", _ctx(endpoint=endpoint))


@require_POST
@member_required(Perm.WEBHOOK_MANAGE)
def endpoint_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    try:
        endpoint, secret = services.endpoint_rotate_secret(
            actor=request.actor,  # type: ignore[attr-defined]
            endpoint_id=endpoint.pk,
        )
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        _keep_secret(request, endpoint, secret)
        messages.success(
            request,
            _(
                "New signing secret made. For 24 hours messages are signed with the old one too, "
                "so your receiver can switch without losing anything."
            ),
        )
    return redirect("webhooks:detail", pk=endpoint.pk)


@require_POST
@member_required(Perm.WEBHOOK_MANAGE)
def endpoint_test(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    try:
        delivery = services.endpoint_test(actor=request.actor, endpoint_id=endpoint.pk)  # type: ignore[attr-defined]
    except ServiceError as exc:
        report_service_error(request, exc)
        return redirect("webhooks:detail", pk=endpoint.pk)
    messages.success(request, _("Test event queued. Its result is in the delivery log."))
    return redirect("webhooks:delivery", pk=delivery.pk)


@require_POST
@member_required(Perm.WEBHOOK_MANAGE)
def endpoint_active(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    switch_on = request.POST.get("active") == "on"
    try:
        endpoint = services.endpoint_update(
            actor=request.actor,  # type: ignore[attr-defined]
            endpoint_id=endpoint.pk,
            is_active=switch_on,
        )
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(
            request,
            _("The endpoint is switched on.")
            if endpoint.is_active
            else _("The endpoint is switched off."),
        )
    return redirect("webhooks:detail", pk=endpoint.pk)


@member_required(Perm.WEBHOOK_MANAGE)
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    endpoint = _endpoint(request, pk)
    state = request.GET.get("state", "")
    state = state if state in DeliveryState.values else ""
    event_type = request.GET.get("event_type", "")
    event_type = event_type if event_type in EVENT_TYPES or event_type == PING_TYPE else ""
    page = selectors.delivery_page(
        member,
        endpoint_id=endpoint.pk,
        state=state,
        event_type=event_type,
        cursor=request.GET.get("cursor") or None,
        limit=50,
    )
    query = urlencode({k: v for k, v in {"state": state, "event_type": event_type}.items() if v})
    return render_page(
        request,
        "webhooks/detail.html",
        _ctx(
            endpoint=endpoint,
            event_labels=[label(t) for t in endpoint.event_types or []],
            secret=_take_secret(request, endpoint),
            page=page,
            state=state,
            event_type=event_type,
            states=DeliveryState.choices,
            event_choices=[
                *((k, v) for k, v in EVENT_TYPES.items()),
                (PING_TYPE, label(PING_TYPE)),
            ],
            query=query,
        ),
        partial="deliveries",
    )


def _attempt_error(error: str) -> str:
    """A refusal is stored as its code; say it in the reader's language."""
    if error.startswith("refused: "):
        code = error.removeprefix("refused: ")
        reason = guard.REASONS.get(code)
        return _("Not sent: %(reason)s.") % {"reason": reason} if reason else error
    return error


@member_required(Perm.WEBHOOK_MANAGE)
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _delivery(request, pk)
    attempts = list(delivery.log.order_by("-id"))
    for a in attempts:
        a.error_text = _attempt_error(a.error)  # type: ignore[attr-defined]
    try:
        body = json.dumps(json.loads(delivery.body), indent=2, ensure_ascii=False)
    except ValueError:
        body = delivery.body
    return render(
        request,
        "webhooks/delivery.html",
        _ctx(
            delivery=delivery,
            endpoint=delivery.endpoint,
            attempts=attempts,
            body=body,
            type_label=label(delivery.event_type),
            last_error=_attempt_error(delivery.last_error),
        ),
    )


@require_POST
@member_required(Perm.WEBHOOK_MANAGE)
def delivery_replay(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _delivery(request, pk)
    try:
        services.delivery_replay(actor=request.actor, delivery_id=delivery.pk)  # type: ignore[attr-defined]
    except ServiceError as exc:
        report_service_error(request, exc)
    else:
        messages.success(request, _("Replay queued with the same webhook-id and payload."))
    return redirect("webhooks:delivery", pk=delivery.pk)
