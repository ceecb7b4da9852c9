"""Walk every registered page and API route as outsiders and assert: 404, no data, no side effect.

A new route with URL parameters fails here until it is mapped in ROUTE_TARGETS, so every later
route is covered by construction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tradewind.config.api import api
from tradewind.leads.models import Lead
from tradewind.workspaces.models import ApiToken, Membership, Team

# Routes that are not workspace data: authentication flows, public pages, the API (walked below).
SKIP_PREFIXES = ("accounts/", "api/", "invite/", "i18n/", "healthz", "static/")

# URL name -> which object of workspace A (or of another team) its parameters point at.
ROUTE_TARGETS: dict[str, str] = {
    "leads:detail": "lead",
    "leads:edit": "lead",
    "leads:delete": "lead",
    "leads:transition": "lead",
    "leads:claim": "lead",
    "leads:release": "lead",
    "leads:followup_add": "lead",
    "settings:member_edit": "member",
    "settings:member_deactivate": "member",
    "settings:member_reactivate": "member",
    "settings:team_edit": "team",
    "settings:token_revoke": "token",
}
API_TARGETS: dict[str, str] = {"lead_id": "lead"}

SECRETS = (b"ALPHA-EAST-SECRET", b"ALPHA-WEST-SECRET", b"rep@a.test", b"Alpha Trading")


def walk(
    patterns: list, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, list[str]]]:
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from walk(p.url_patterns, route, ns)
        elif isinstance(p, URLPattern):
            yield route, f"{namespace}{p.name}", re.findall(r"<(?:\w+:)?(\w+)>", route)


def page_routes() -> list[tuple[str, str, list[str]]]:
    return [r for r in walk(get_resolver().url_patterns) if not r[0].startswith(SKIP_PREFIXES)]


def fill(route: str, pk: int) -> str:
    return "/" + re.sub(r"<(?:\w+:)?\w+>", str(pk), route)


def targets(world) -> dict[str, Callable[[], object]]:
    token, _secret = ApiToken.objects.get_or_create(
        workspace=world.ws,
        user=world.rep.user,
        name="walker",
        defaults={"prefix": "walker01", "token_hash": "x"},
    )
    return {"lead": world.lead, "member": world.rep, "team": world.east, "token": token}


def state(world) -> tuple:
    """Everything an outsider's request could have changed."""
    lead = Lead.objects.get(pk=world.lead.pk)
    member = Membership.objects.get(pk=world.rep.pk)
    team = Team.objects.get(pk=world.east.pk)
    tokens = list(
        ApiToken.objects.filter(workspace=world.ws, name="walker").values_list("pk", "revoked_at")
    )
    return (
        lead.version,
        lead.company_name,
        member.role,
        member.is_active,
        team.name,
        team.parent_id,
        tokens,
    )


def absent_status(client, method: str, route: str) -> int:
    """What the route answers for an id that exists nowhere: 404, 405 for a POST-only route, or 403
    when the member lacks the verb for every id. Answering the same for a real foreign id leaks nothing."""
    status = getattr(client, method)(fill(route, 987654321)).status_code
    assert status in (403, 404, 405)
    return status


def test_every_parameterised_page_route_is_mapped():
    unmapped = [
        name for route, name, params in page_routes() if params and name not in ROUTE_TARGETS
    ]
    assert not unmapped, (
        f"map these routes in ROUTE_TARGETS so the isolation walk covers them: {unmapped}"
    )


def outsiders(world) -> list:
    # The other workspace's owner holds every permission, so only isolation can stop them.
    return [world.owner2]


@pytest.mark.parametrize("method", ["get", "post"])
def test_pages_answer_404_to_other_workspace(world, client_for, method):
    objects = targets(world)
    before = state(world)
    checked = 0
    for member in outsiders(world):
        client = client_for(member)
        for route, name, params in page_routes():
            if not params:
                continue
            url = fill(route, objects[ROUTE_TARGETS[name]].pk)
            resp = getattr(client, method)(
                url, {"name": "hijack", "role": "owner", "company_name": "hijack"}
            )
            assert resp.status_code == absent_status(client, method, route), (
                f"{method.upper()} {url} ({name})"
            )
            assert not any(s in resp.content for s in SECRETS), f"{url} leaked data"
            checked += 1
    assert checked >= len(ROUTE_TARGETS)
    assert state(world) == before


def test_lead_routes_answer_404_to_other_team(world, client_for):
    """A rep whose scope is 'own' gets 404 for a colleague's lead in another team, never 403."""
    client = client_for(world.other_rep)
    before = state(world)
    for route, name, params in page_routes():
        if params and ROUTE_TARGETS.get(name) == "lead":
            for method in ("get", "post"):
                resp = getattr(client, method)(
                    fill(route, world.lead.pk), {"company_name": "hijack"}
                )
                assert resp.status_code == absent_status(client, method, route), f"{method} {route}"
                assert b"ALPHA-EAST-SECRET" not in resp.content
    assert state(world) == before


def test_list_pages_show_no_foreign_data(world, client_for):
    client = client_for(world.owner2)
    for route, name, params in page_routes():
        if params:
            continue
        resp = client.get("/" + route, follow=True)
        assert resp.status_code in (200, 403), f"/{route}: {resp.status_code}"
        assert not any(s in resp.content for s in SECRETS), (
            f"/{route} leaked data of another workspace"
        )


def api_operations() -> Iterator[tuple[str, str]]:
    schema = api.get_openapi_schema()
    for path, ops in schema["paths"].items():
        for method in ops:
            yield method, path.removeprefix("/api/v1")


def test_every_parameterised_api_route_is_mapped():
    unmapped = {
        p
        for _m, path in api_operations()
        for p in re.findall(r"{(\w+)}", path)
        if p not in API_TARGETS
    }
    assert not unmapped, f"map these API path parameters in API_TARGETS: {unmapped}"


def test_api_answers_404_to_other_workspace_and_other_team(world, api, token_for):
    objects = targets(world)
    before = state(world)
    for member in (world.owner2, world.other_rep):
        token = token_for(member)
        for method, path in api_operations():
            params = re.findall(r"{(\w+)}", path)
            if not params:
                continue
            url = re.sub(r"{(\w+)}", lambda m: str(objects[API_TARGETS[m.group(1)]].pk), path)
            resp = api(
                method, url, token=token, json={} if method in ("post", "put", "patch") else None
            )
            assert resp.status_code == 404, (
                f"{method.upper()} {url} as {member.user.email}: {resp.status_code}"
            )
            assert resp.json()["code"] == "not_found"
            assert not any(s in resp.content for s in SECRETS)
    assert state(world) == before


def test_api_lists_show_no_foreign_data(world, api, token_for):
    token = token_for(world.owner2)
    for method, path in api_operations():
        if method == "get" and "{" not in path:
            resp = api("get", path, token=token)
            assert resp.status_code in (200, 422), f"GET {path}: {resp.status_code}"
            assert not any(s in resp.content for s in SECRETS), f"GET {path} leaked data"


def test_api_requires_authentication(world, api):
    for method, path in api_operations():
        url = re.sub(r"{(\w+)}", str(world.lead.pk), path)
        resp = api(method, url, json={} if method in ("post", "put", "patch") else None)
        assert resp.status_code == 401, f"{method.upper()} {url}: {resp.status_code}"
        assert resp.json()["code"] == "unauthenticated"
