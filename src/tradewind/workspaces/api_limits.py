"""Per-caller request budgets for /api/v1: a fixed window counted in Django's cache.

Every request that authenticated (a personal token, or a browser session) spends one unit of its
caller's budget, `TRADEWIND_API_RATE` (default 600 per minute); exports, PDFs and the writes of
imports and erasures also spend one unit of the smaller `TRADEWIND_API_RATE_HEAVY` budget. Over
budget the API answers 429 with `Retry-After` (seconds until the window ends) before the endpoint
runs, so a refused call changes nothing. Anonymous requests fail authentication first (401) and spend nothing.

The counter lives in the default cache so every gunicorn worker shares it: Redis with `REDIS_URL`
(INCR is atomic), the file cache otherwise. Django's file cache implements `add` and `incr` as
read-then-write, so its updates are serialised with an advisory file lock per key stripe.
"""

from __future__ import annotations

import fcntl
import hashlib
import math
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from ninja.throttling import BaseThrottle

from .models import ApiToken

PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
# Calls that read or write a whole list or render a document: the smaller budget applies too.
# Reading an import's status (polled while it runs) is not one of them; uploading, previewing,
# starting and undoing it are.
HEAVY_READ = re.compile(r"/(export|exports)(/|$)|[./]pdf$")
HEAVY_WRITE = re.compile(r"/(import|imports|erasures)(/|$)")
LOCK_STRIPES = 16


class RateLimitCode(StrEnum):
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class Rate:
    limit: int
    window: int  # seconds


@dataclass(frozen=True)
class Usage:
    limit: int
    remaining: int
    reset: int  # seconds until the window ends


@lru_cache(maxsize=32)
def parse_rate(text: str) -> Rate | None:
    """'600/m', '10/s', '5000/hour' -> Rate; '', '0' or 'off' -> None (no limit)."""
    text = text.strip().lower()
    if text in ("", "0", "off", "none"):
        return None
    count, _sep, period = text.partition("/")
    match = re.fullmatch(r"(\d*)\s*([a-z]+)", period.strip() or "m")
    if match is None or match.group(2) not in PERIODS or not count.strip().isdigit():
        raise ValueError(f"bad API rate {text!r}: use e.g. 600/m, 10/s, 5000/h")
    number, unit = match.groups()
    return Rate(limit=int(count), window=PERIODS[unit] * int(number or 1))


def is_heavy(method: str, path: str) -> bool:
    return bool(HEAVY_READ.search(path) or (method != "GET" and HEAVY_WRITE.search(path)))


def budgets(method: str, path: str) -> list[tuple[str, Rate]]:
    """The budgets a request spends, by name."""
    out = []
    general = parse_rate(settings.TRADEWIND_API_RATE)
    if general is not None:
        out.append(("all", general))
    if is_heavy(method, path):
        heavy = parse_rate(settings.TRADEWIND_API_RATE_HEAVY)
        if heavy is not None:
            out.append(("heavy", heavy))
    return out


def caller_key(request: HttpRequest) -> str | None:
    """Whose budget: the token (by its public prefix, which is unique), else the session."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiToken):
        return f"token:{auth.prefix}"
    session = getattr(request, "session", None)
    if auth is not None and session is not None and session.session_key:
        # The session key is a credential: keep only a digest of it in the cache.
        return "session:" + hashlib.sha256(session.session_key.encode()).hexdigest()[:32]
    return None


@contextmanager
def _serialised(cache: BaseCache, key: str) -> Iterator[None]:
    if not isinstance(cache, FileBasedCache):
        yield  # Redis INCR / locmem's lock already make the update atomic
        return
    stripe = zlib.crc32(key.encode()) % LOCK_STRIPES
    # not *.djcache, so the cache's clear() and culling leave the lock files alone
    lock_path = Path(cache._dir) / f"api-rate-{stripe}.lock"  # type: ignore[attr-defined]
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def hit(cache: BaseCache, key: str, ttl: int) -> int:
    """Count one request under `key`; the count after it (1 for the first in the window)."""
    with _serialised(cache, key):
        if cache.add(key, 1, timeout=ttl):
            return 1
        try:
            return int(cache.incr(key))
        except ValueError:  # the window's key expired between add and incr
            cache.set(key, 1, timeout=ttl)
            return 1


def spend(
    caller: str, method: str, path: str, now: float | None = None
) -> tuple[bool, Usage | None]:
    """Spend one unit of each budget the request draws on; (allowed, the tightest usage)."""
    now = time.time() if now is None else now
    cache = caches["default"]
    over: list[Usage] = []
    within: list[Usage] = []
    for name, rate in budgets(method, path):
        window_no = int(now // rate.window)
        reset = max(1, math.ceil((window_no + 1) * rate.window - now))
        count = hit(cache, f"tw:api-rate:{name}:{rate.window}:{caller}:{window_no}", reset + 1)
        usage = Usage(limit=rate.limit, remaining=max(0, rate.limit - count), reset=reset)
        (over if count > rate.limit else within).append(usage)
    if over:
        return False, max(over, key=lambda u: u.reset)
    return True, min(within, key=lambda u: u.remaining, default=None)


class CallerRateThrottle(BaseThrottle):
    """ninja runs throttles after authentication and before the endpoint."""

    _local = threading.local()

    def __init__(self) -> None:
        # A mistyped rate stops the start (the URLconf imports this), not every request later.
        for name in ("TRADEWIND_API_RATE", "TRADEWIND_API_RATE_HEAVY"):
            try:
                parse_rate(getattr(settings, name))
            except ValueError as exc:
                raise ImproperlyConfigured(f"{name}: {exc}") from exc

    def allow_request(self, request: HttpRequest) -> bool:
        caller = caller_key(request)
        if caller is None:
            return True
        allowed, usage = spend(caller, request.method or "GET", request.path)
        request._api_rate_usage = usage  # type: ignore[attr-defined]
        self._local.wait = usage.reset if usage is not None and not allowed else None
        return allowed

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)


def with_rate_headers(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorates each operation's run: tells the caller its budget on every answer."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = run(request, *args, **kwargs)
        usage: Usage | None = getattr(request, "_api_rate_usage", None)
        if usage is not None:
            response["RateLimit-Limit"] = str(usage.limit)
            response["RateLimit-Remaining"] = str(usage.remaining)
            response["RateLimit-Reset"] = str(usage.reset)
        return response

    return wrapper
