"""Helpers for the workspace tests: a real login through allauth's form, a fresh throttle counter,
and test clients that share one request handler.

Why share a handler: under test WhiteNoise serves from the finders and walks every static file each
time a handler loads its middleware, about 0.1 s per new `Client`. A client here still has its own
cookies (its own session); only the stateless middleware chain is reused. `client_for` and `api`
keep the meaning of the root conftest's fixtures of the same name.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from tests.conftest import PASSWORD
from tradewind.workspaces.models import Membership

_shared_handler = None


def fresh_client() -> Client:
    """A test client with empty cookies that reuses the one loaded middleware chain."""
    global _shared_handler
    client = Client()
    if _shared_handler is None:
        _shared_handler = client.handler
    else:
        client.handler = _shared_handler
    return client


def session_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


@pytest.fixture
def client_for(db):
    """client_for(member) -> a test client signed in as that member (as in tests/conftest.py)."""

    def make(member: Membership) -> Client:
        client = fresh_client()
        client.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


@pytest.fixture
def api(db):
    """api(method, path, token=None, json=None) -> response from /api/v1 (as in tests/conftest.py)."""

    def call(method: str, path: str, token: str | None = None, json: object = None, **extra: str):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        fn = getattr(fresh_client(), method.lower())
        if json is not None:
            return fn(
                f"/api/v1{path}", data=json, content_type="application/json", **headers, **extra
            )
        return fn(f"/api/v1{path}", **headers, **extra)

    return call


@pytest.fixture
def fresh_cache():
    """allauth counts logins and failures per IP in the cache; every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def form_login(fresh_cache):
    """form_login(member_or_email, password=PASSWORD) -> (client, response of the login POST)."""

    def login(who: Membership | str, password: str = PASSWORD) -> tuple[Client, object]:
        email = who if isinstance(who, str) else who.user.email
        client = fresh_client()
        response = client.post("/accounts/login/", {"login": email, "password": password})
        return client, response

    return login
