"""The probing loop of tests/reliability/test_access_scopes.py: every parameterised page and API
route of the isolation walk, as one member, against the walk's objects (all the rep's).

A route whose record the oracle hides must answer exactly what it answers for an id that exists
nowhere (same status; for the API the same error code) and show none of the record's text; a
route whose record the oracle shows must open (detail pages and single-record API reads)."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from tests.test_isolation import (
    API_TARGETS,
    ROUTE_TARGETS,
    api_operations,
    fill,
    page_routes,
)
from tradewind.config.api import api as ninja_api
from tradewind.workspaces.models import Membership

from .access_support import NEUTRAL_TARGETS, is_scoped, text_of, visible

ABSENT = 987654321
SECRETS = (b"ALPHA-EAST-SECRET", b"x@east.test")
# A write with every field a form of ours might read, pointing where it must not.
PAGE_BODY = {
    "name": "hijack",
    "title": "hijack",
    "company_name": "hijack",
    "body": "hijack",
    "comment": "hijack",
    "reason": "hijack",
    "status": "won",
    "to": "won",
    "to_status": "invalid",
    "outcome": "won",
    "amount": "1",
    "version": "1",
}
# Pages whose record must open for every member the oracle lets see it.
DETAIL_PAGES = {
    "leads:detail",
    "customers:detail",
    "sales:opportunity_detail",
    "quotes:detail",
    "orders:detail",
    "enablement:item_detail",
    "daily_reports:detail",
    "mailing:message",
}


class Probe:
    def __init__(self, objects: dict[str, Any]) -> None:
        self.objects = objects
        self.failures: list[str] = []
        self.probed = 0
        self.opened = 0
        self._absent: dict[tuple, tuple] = {}
        self._seen: dict[tuple[int, str], bool] = {}
        schema = ninja_api.get_openapi_schema()
        self.paths = schema["paths"]
        self.components = schema["components"]["schemas"]

    # -- oracle ----------------------------------------------------------------------------------

    def hidden(self, member: Membership, target_names: list[str]) -> bool | None:
        """True if one scoped target is hidden from the member, False if all are seen, None if the
        route has no scoped target (workspace configuration or settings)."""
        scoped = [
            t for t in target_names if t not in NEUTRAL_TARGETS and is_scoped(self.objects[t])
        ]
        if not scoped:
            return None
        for t in scoped:
            if (member.pk, t) not in self._seen:
                self._seen[member.pk, t] = visible(member, self.objects[t])
        return not all(self._seen[member.pk, t] for t in scoped)

    # -- pages -----------------------------------------------------------------------------------

    def pages(self, member: Membership, client: Client, *, opening: bool) -> None:
        """opening: open the visible records' detail pages; else probe the hidden records."""
        role = (member.role, member.data_scope)
        for route, name, params in page_routes():
            if not params:
                continue
            target = ROUTE_TARGETS[name]
            hidden = self.hidden(member, [target])
            if hidden is None or hidden == opening:
                continue
            url = fill(route, self.objects[target].pk)
            if opening:
                if name in DETAIL_PAGES:
                    self.opened += 1
                    resp = client.get(url)
                    if resp.status_code != 200 or SECRETS[0] not in text_of(resp):
                        self.failures.append(
                            f"{member.user.email}: GET {url} ({name}) should open: "
                            f"{resp.status_code}"
                        )
                continue
            for method in ("get", "post"):
                key = ("page", role, method, route)
                if key not in self._absent:
                    gone = getattr(client, method)(fill(route, ABSENT), PAGE_BODY)
                    self._absent[key] = (gone.status_code,)
                if self._absent[key] == (405,):
                    continue  # the method decorator answers before the view looks anything up
                resp = getattr(client, method)(url, PAGE_BODY)
                self.check(member, f"{method.upper()} {url} ({name})", resp, self._absent[key])

    # -- API -------------------------------------------------------------------------------------

    def api(self, member: Membership, token: str, *, opening: bool) -> None:
        role = (member.role, member.data_scope)
        for method, path in api_operations():
            params = re.findall(r"{(\w+)}", path)
            if not params:
                continue
            hidden = self.hidden(member, [API_TARGETS[p] for p in params])
            if hidden is None or hidden == opening:
                continue
            url = re.sub(r"{(\w+)}", lambda m: str(self.objects[API_TARGETS[m.group(1)]].pk), path)
            if opening:
                if method == "get" and len(params) == 1 and path.endswith("}"):
                    self.opened += 1
                    resp = call(method, url, token)
                    if resp.status_code != 200:
                        self.failures.append(
                            f"{member.user.email}: GET {url} should open: {resp.status_code}"
                        )
                continue
            body = self.body_for(method, path)
            key = ("api", role, method, path)
            if key not in self._absent:
                gone = call(method, re.sub(r"{(\w+)}", str(ABSENT), path), token, body)
                self._absent[key] = (gone.status_code, _code(gone))
            resp = call(method, url, token, body)
            self.check(member, f"API {method.upper()} {url}", resp, self._absent[key])

    def body_for(self, method: str, path: str) -> Any:
        if method not in ("post", "put", "patch"):
            return None
        op = self.paths["/api/v1" + path][method]
        content = (op.get("requestBody") or {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        return self.example(schema) if schema else {}

    def example(self, schema: dict, depth: int = 0) -> Any:
        """The smallest body the schema accepts, so a probe reaches the record lookup."""
        if "$ref" in schema:
            schema = self.components[schema["$ref"].rsplit("/", 1)[-1]]
        for key in ("anyOf", "oneOf", "allOf"):
            if key in schema:
                options = [s for s in schema[key] if s.get("type") != "null"]
                return self.example(options[0], depth) if options else None
        if "enum" in schema:
            return schema["enum"][0]
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            wanted = set(schema.get("required", [])) | {"version"}
            props = schema.get("properties", {})
            return {k: self.example(v, depth + 1) for k, v in props.items() if k in wanted}
        if kind == "array":
            n = schema.get("minItems", 0)
            return [self.example(schema.get("items", {}), depth + 1) for _ in range(n)]
        if kind == "integer":
            return 1
        if kind == "number":
            return 1
        if kind == "boolean":
            return True
        if schema.get("format") == "date":
            return "2024-03-18"
        if schema.get("format") == "date-time":
            return "2024-03-18T09:00:00Z"
        return "hijack"

    # -- the rule --------------------------------------------------------------------------------

    def check(self, member: Membership, what: str, resp, absent: tuple) -> None:
        self.probed += 1
        got = (resp.status_code,) if len(absent) == 1 else (resp.status_code, _code(resp))
        if got != absent:
            self.failures.append(f"{member.user.email}: {what} answered {got}, absent id {absent}")
        elif got[0] not in (403, 404, 405, 422):
            self.failures.append(f"{member.user.email}: {what} answered {got[0]}")
        if any(s in text_of(resp) for s in SECRETS):
            self.failures.append(f"{member.user.email}: {what} leaked the record's text")


def call(method: str, url: str, token: str, body: Any = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    fn = getattr(Client(), method)
    if body is not None:
        return fn(f"/api/v1{url}", data=body, content_type="application/json", **headers)
    return fn(f"/api/v1{url}", **headers)


def _code(resp) -> str | None:
    if resp.get("Content-Type", "").startswith("application/json"):
        try:
            return resp.json().get("code")
        except ValueError:
            return None
    return None
