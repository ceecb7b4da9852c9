"""Idempotency keys for POST calls to /api/v1 (the `Idempotency-Key` header).

Two decorators every API operation wears (config/api.py):
- `claim` (around the endpoint, after authentication, rate limits and input parsing): a POST with a
  key inserts an in-flight IdempotencyRecord keyed by (workspace, caller, key) — committed at once,
  so a concurrent repeat sees it (409 idempotency_in_flight). A repeat of a finished call with the
  same method, path and body gets the stored answer back (`Idempotent-Replayed: true`) and the
  endpoint does not run; the same key with another request is 422 idempotency_key_reused.
- `store` (around the whole operation): writes the answer into the record, or deletes the record
  when the answer is a 5xx, streamed or too large, so the key can be retried.

Records count for a day (the nightly prune in tasks_jobs.py deletes them); an older record is
treated as absent. A record left in flight by a killed worker is taken over after the lease.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from tradewind.core.errors import Conflict, ServiceError

from .models_jobs import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = re.compile(r"[\x20-\x7e]{1,200}")
KEEP = dt.timedelta(hours=24)
# Longer than any request may run (gunicorn kills a worker after its timeout): an older in-flight
# record belongs to a request that died before it committed an answer.
IN_FLIGHT_LEASE = dt.timedelta(minutes=5)
MAX_STORED_BYTES = 1_000_000


class IdempotencyCode(StrEnum):
    KEY_INVALID = "idempotency_key_invalid"
    KEY_REUSED = "idempotency_key_reused"
    IN_FLIGHT = "idempotency_in_flight"


def caller_of(request: HttpRequest) -> str:
    actor = request.actor  # type: ignore[attr-defined]
    return f"token:{actor.token_id}" if actor.token_id else f"user:{actor.user_id}"


def fingerprint(request: HttpRequest) -> str:
    """What makes two requests "the same": method, path with query, and the body. A multipart body
    is hashed by its parts (its boundary differs on every send)."""
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    if request.content_type == "multipart/form-data":
        for name in sorted(request.POST):
            for value in request.POST.getlist(name):
                digest.update(f"{name}={value}\n".encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(f"{name}:{upload.name}:{upload.size}\n".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.response_body), status=record.status, content_type=record.content_type
    )
    response[REPLAYED_HEADER] = "true"
    return response


def _take_over(record: IdempotencyRecord, now: dt.datetime, body_hash: str, path: str) -> bool:
    """Restart an expired or abandoned record as ours; False when another request won the race."""
    return bool(
        IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at).update(
            created_at=now,
            status=None,
            body_hash=body_hash,
            path=path,
            response_body=b"",
            content_type="",
        )
    )


def _claim(request: HttpRequest, key: str) -> IdempotencyRecord | HttpResponse:
    body_hash = fingerprint(request)
    path = request.get_full_path()[:500]
    fields = {"workspace": request.workspace, "caller": caller_of(request), "key": key}  # type: ignore[attr-defined]
    for _attempt in range(3):
        now = timezone.now()
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    **fields,
                    method=request.method or "POST",
                    path=path,
                    body_hash=body_hash,
                    created_at=now,
                    user_id=request.actor.user_id,  # type: ignore[attr-defined]
                )
        except IntegrityError:
            record = IdempotencyRecord.objects.filter(**fields).first()
        if record is None:  # pruned between our insert and our read
            continue
        expired = record.created_at <= now - KEEP
        abandoned = record.status is None and record.created_at <= now - IN_FLIGHT_LEASE
        if expired or (abandoned and record.body_hash == body_hash):
            if _take_over(record, now, body_hash, path):
                record.refresh_from_db()
                return record
            continue
        if record.body_hash != body_hash:
            raise ServiceError(
                IdempotencyCode.KEY_REUSED,
                _("This Idempotency-Key was already used for a different request."),
            )
        if record.status is None:
            raise Conflict(
                IdempotencyCode.IN_FLIGHT,
                _("A request with this Idempotency-Key is still running; try again shortly."),
            )
        return _replay(record)
    raise Conflict(
        IdempotencyCode.IN_FLIGHT,
        _("A request with this Idempotency-Key is still running; try again shortly."),
    )


def claim(view_func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view_func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return view_func(request, *args, **kwargs)
        if not KEY_PATTERN.fullmatch(key):
            message = _("An Idempotency-Key is 1 to 200 printable ASCII characters.")
            raise ServiceError(
                IdempotencyCode.KEY_INVALID, message, fields={"idempotency_key": [message]}
            )
        outcome = _claim(request, key)
        if isinstance(outcome, HttpResponse):
            return outcome
        request._idempotency_record = outcome  # type: ignore[attr-defined]
        return view_func(request, *args, **kwargs)

    return wrapper


def _finish(record: IdempotencyRecord, response: HttpResponse | None) -> None:
    mine = IdempotencyRecord.objects.filter(
        pk=record.pk, created_at=record.created_at, status__isnull=True
    )
    if (
        response is None
        or response.streaming
        or response.status_code >= 500
        or len(response.content) > MAX_STORED_BYTES
    ):
        mine.delete()  # nothing to promise: the key may be retried
        return
    mine.update(
        status=response.status_code,
        response_body=response.content,
        content_type=response.get("Content-Type", ""),
    )


def store(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = run(request, *args, **kwargs)
        except BaseException:
            record = getattr(request, "_idempotency_record", None)
            if record is not None:
                _finish(record, None)
            raise
        record = getattr(request, "_idempotency_record", None)
        if record is not None:
            request._idempotency_record = None  # type: ignore[attr-defined]
            _finish(record, response)
        return response

    return wrapper
