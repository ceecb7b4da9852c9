"""Issue #10 item 1, mass assignment: fields a caller may not set are never taken.

1. The OpenAPI document, by construction: no request body of any operation (nested schemas too)
   names a server-owned field (workspace, creator, timestamps, computed money, codes); a field that
   hands records to people, moves a state or carries money or an id is allowed only where listed
   below with the reason — a new schema with such a field fails here until someone looks at it.
2. Every write operation with a body, sent by the workspace's owner (who holds every verb, so the
   request reaches the service) with every server-owned field its schema lacks: afterwards no row
   of any table points at the other workspace or at a stranger as creator or owner, and no row
   carries the planted timestamp, amount or id.
3. A rep may not hand a lead, customer or opportunity on by editing it (page and API), a stale or
   invented `version` changes nothing, and the page forms ignore the same extra fields.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models
from django.db.models import Q
from django.test import Client

from tests.conftest import add_member
from tests.test_isolation import API_TARGETS, targets
from tradewind.config.api import api as ninja_api
from tradewind.workspaces.choices import DataScope, Role
from tradewind.workspaces.models import Workspace

from .access_probe import Probe, call

NEVER = {
    "workspace",
    "workspace_id",
    "created_by",
    "created_by_id",
    "created_at",
    "updated_at",
    "base_amount",
    "paid",
    "paid_amount",
    "received",
    "code",
    "pk",
    "score",
}
WATCHED = {"id", "status", "amount", "owner", "owner_id", "assignee_id", "rep_id", "user_id"}
WATCHED |= {"target_user_id", "executor_user_id"}
_ASSIGN = "needs the assign verb of its record type (authorization tests)"
_CONFIG = "workspace configuration: only its admins write it (authorization tests)"
ALLOWED = {
    ("POST /workspace/erasures", "id"): "the person to erase; owner only",
    ("POST /quotes", "lines.[]id"): "a line of the quote's own draft, looked up inside it",
    ("PATCH /quotes/{quote_id}", "lines.[]id"): "a line of the quote's own draft",
    ("POST /campaigns/consent", "status"): "the consent being recorded is the point of the call",
    ("POST /opportunities/bulk", "filters.status"): "a filter",
    ("POST /opportunities/bulk", "filters.owner"): "a filter, inside the member's scope",
    ("POST /leads/bulk", "filters.status"): "a filter",
    ("POST /leads/bulk", "filters.owner"): "a filter, inside the member's scope",
    ("POST /customers/bulk", "filters.owner"): "a filter, inside the member's scope",
    ("POST /leads/{lead_id}/convert", "amount"): "the new opportunity's expected amount",
    ("POST /opportunities", "amount"): "the expected amount; the lines' total when lines are sent",
    ("PATCH /opportunities/{opportunity_id}", "amount"): "as on create",
    ("POST /orders/{order_id}/receipts", "amount"): "the money received is the input",
    ("POST /leads/scoring/rules", "amount"): "a rule's threshold",
    ("PUT /leads/scoring/rules/{scoring_rule_id}", "amount"): "a rule's threshold",
    ("POST /leads", "owner_id"): "capture for a colleague; handing on later needs lead.assign",
    ("PATCH /leads/{lead_id}", "owner_id"): "a change needs lead.assign (probed below)",
    ("POST /customers", "owner_id"): "capture for a colleague; later changes need customer.assign",
    ("PATCH /customers/{customer_id}", "owner_id"): "a change needs customer.assign (probed)",
    ("POST /opportunities", "owner_id"): "capture for a colleague",
    ("PATCH /opportunities/{opportunity_id}", "owner_id"): "needs opportunity.assign (probed)",
    ("POST /opportunities", "members.[]user_id"): "the deal team, members of the workspace",
    ("PATCH /opportunities/{opportunity_id}", "members.[]user_id"): "the deal team",
    ("POST /customers/{customer_id}/assign", "owner_id"): _ASSIGN,
    ("POST /leads/{lead_id}/assign", "owner_id"): _ASSIGN,
    ("POST /leads/assign-bulk", "owner_id"): _ASSIGN,
    ("POST /customers/{customer_id}/collaborators", "user_id"): "the owner or customer.assign",
    ("POST /tasks", "assignee_id"): "a task may be given to a colleague by design",
    ("PATCH /tasks/{task_id}", "assignee_id"): "as on create",
    ("POST /leads/webforms", "owner_id"): _CONFIG,
    ("PATCH /leads/webforms/{form_id}", "owner_id"): _CONFIG,
    ("POST /leads/assignment-rules", "target_user_id"): _CONFIG,
    ("PUT /leads/assignment-rules/{assignment_rule_id}", "target_user_id"): _CONFIG,
    ("POST /reports/goals", "rep_id"): _CONFIG,
    ("POST /reports/commission/rules", "rep_id"): _CONFIG,
    ("PUT /reports/commission/rules/{rule_id}", "rep_id"): _CONFIG,
    ("POST /plans", "steps.[]executor_user_id"): _CONFIG,
    ("POST /plans/{plan_id}/steps", "executor_user_id"): _CONFIG,
    ("PATCH /plans/{plan_id}/steps/{plan_step_id}", "executor_user_id"): _CONFIG,
}
# Write operations the taint loop does not send, with the reason.
NOT_SENT = {
    "POST /workspace/erasures": "erases a person for real; its body is kind + id (checked above)",
    "POST /email/send": "queues real mail; its body has no record field (checked above)",
}
TAINT_USER_EMAIL = "stranger@a.test"
TAINT_TIME = "2001-02-03T04:05:06Z"
TAINT_AMOUNT = Decimal("424242.42")
TAINT_ID = 777777


def body_operations():
    schema = ninja_api.get_openapi_schema()
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            if method in ("post", "put", "patch"):
                yield method, path.removeprefix("/api/v1"), op, schema["components"]["schemas"]


def _properties(schema: dict, comps: dict, prefix: str = "", seen: frozenset = frozenset()):
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return
        seen, schema = seen | {name}, comps[name]
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            yield from _properties(sub, comps, prefix, seen)
    if "items" in schema:
        yield from _properties(schema["items"], comps, prefix + "[]", seen)
    for name, sub in schema.get("properties", {}).items():
        yield prefix + name
        yield from _properties(sub, comps, prefix + name + ".", seen)


def _body_schema(op: dict) -> tuple[str, dict] | None:
    content = (op.get("requestBody") or {}).get("content", {})
    for kind, value in content.items():
        return kind, value["schema"]
    return None


def test_request_schemas_take_no_server_owned_field_and_watched_ones_are_reviewed():
    never, unreviewed = [], []
    for method, path, op, comps in body_operations():
        found = _body_schema(op)
        if found is None:
            continue
        for prop in _properties(found[1], comps):
            leaf = prop.rsplit(".", 1)[-1].removeprefix("[]")
            where = f"{method.upper()} {path}"
            if leaf in NEVER:
                never.append(f"{where}: {prop}")
            elif leaf in WATCHED and (where, prop) not in ALLOWED:
                unreviewed.append(f"{where}: {prop}")
    assert not never, f"server-owned fields in request bodies: {never}"
    assert not unreviewed, (
        f"review these fields and list them in ALLOWED with a reason: {unreviewed}"
    )


def _taint_counts(ws2: Workspace, stranger_id: int) -> tuple[dict, list[str]]:
    """Rows per model in the other workspace, and every planted value found anywhere."""
    per_model, planted = {}, []
    since = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)
    until = dt.datetime(2002, 1, 1, tzinfo=dt.UTC)
    for model in apps.get_app_configs():
        if not model.name.startswith("tradewind."):
            continue
        for m in model.get_models():
            fields = m._meta.concrete_fields
            manager = m._base_manager
            ws_fields = [f for f in fields if f.is_relation and f.related_model is Workspace]
            if ws_fields:
                per_model[m._meta.label] = manager.filter(**{ws_fields[0].attname: ws2.pk}).count()
            cond = (
                Q(pk=TAINT_ID)
                if isinstance(m._meta.pk, models.AutoField | models.BigAutoField)
                else Q()
            )
            for f in fields:
                if f.is_relation and f.name in ("owner", "created_by", "author", "assignee", "rep"):
                    cond |= Q(**{f.attname: stranger_id})
                elif isinstance(f, models.DateTimeField):
                    cond |= Q(**{f"{f.name}__gte": since, f"{f.name}__lt": until})
                elif isinstance(f, models.DecimalField) and f.max_digits - f.decimal_places >= 6:
                    cond |= Q(**{f.name: TAINT_AMOUNT})
            if cond and manager.filter(cond).exists():
                planted.append(m._meta.label)
    return per_model, planted


def test_every_write_takes_none_of_the_fields_its_schema_lacks(world, token_for):
    stranger = add_member(
        world.ws, world.owner, TAINT_USER_EMAIL, Role.SALES, world.east, DataScope.OWN
    )
    objects = targets(world)
    probe = Probe(objects)
    token = token_for(world.owner)
    extras = {
        "workspace": world.ws2.pk,
        "workspace_id": world.ws2.pk,
        "owner": stranger.user_id,
        "owner_id": stranger.user_id,
        "created_by": stranger.user_id,
        "created_by_id": stranger.user_id,
        "author_id": stranger.user_id,
        "assignee_id": stranger.user_id,
        "rep_id": stranger.user_id,
        "created_at": TAINT_TIME,
        "updated_at": TAINT_TIME,
        "id": TAINT_ID,
        "pk": TAINT_ID,
        "amount": str(TAINT_AMOUNT),
        "base_amount": str(TAINT_AMOUNT),
        "paid": str(TAINT_AMOUNT),
        "received": str(TAINT_AMOUNT),
        "total": str(TAINT_AMOUNT),
    }
    # the walker's customer import batch has no file (the walk never reads it); a real one has
    batch = objects["customer_import"]
    batch.file.save("walker.csv", ContentFile(b"Company\nZQ import\n"), save=True)
    before, planted = _taint_counts(world.ws2, stranger.user_id)
    assert not planted, planted
    sent, errors = 0, []
    for method, path, op, _comps in body_operations():
        where = f"{method.upper()} {path}"
        found = _body_schema(op)
        if found is None or where in NOT_SENT:
            continue
        kind, schema = found
        resolved = schema
        if "$ref" in schema:
            resolved = probe.components[schema["$ref"].rsplit("/", 1)[-1]]
        props = set(resolved.get("properties", {}))
        body = probe.example(schema) if kind == "application/json" else {}
        body = {**{k: v for k, v in extras.items() if k not in props}, **(body or {})}
        url = re.sub(r"{(\w+)}", lambda m: str(objects[API_TARGETS[m.group(1)]].pk), path)
        if kind == "application/json":
            resp = call(method, url, token, body)
        else:  # multipart: the extras as form fields beside the (missing) file
            resp = getattr(Client(), method)(
                f"/api/v1{url}", body, HTTP_AUTHORIZATION=f"Bearer {token}"
            )
        sent += 1
        if resp.status_code >= 500:
            errors.append(f"{where}: {resp.status_code}")
    after, planted = _taint_counts(world.ws2, stranger.user_id)
    assert not errors, errors
    assert not planted, f"planted values stored in: {planted}"
    assert after == before, "a write in workspace A changed rows of workspace B"
    assert sent > 100


def test_a_rep_cannot_hand_records_on_by_editing_them(world, client_for, token_for):
    from tradewind.customers.models import Customer
    from tradewind.leads.models import Lead
    from tradewind.sales.models import Opportunity

    objects = targets(world)
    token = token_for(world.rep)
    lead, customer, opportunity = world.lead, objects["customer"], objects["opportunity"]
    for url, new_owner in (
        (f"/leads/{lead.pk}", world.rep2.user_id),
        (f"/leads/{lead.pk}", None),
        (f"/customers/{customer.pk}", world.rep2.user_id),
        (f"/customers/{customer.pk}", None),
        (f"/opportunities/{opportunity.pk}", world.rep2.user_id),
    ):
        resp = call("patch", url, token, {"owner_id": new_owner})
        assert resp.status_code == 403, f"PATCH {url} owner {new_owner}: {resp.status_code}"
        assert resp.json()["code"] == "permission_denied"
    client = client_for(world.rep)
    client.post(f"/leads/{lead.pk}/edit/", {"company_name": "x", "owner": world.rep2.user_id})
    client.post(f"/customers/{customer.pk}/edit/", {"name": "x", "owner": world.rep2.user_id})
    assert Lead.objects.get(pk=lead.pk).owner_id == world.rep.user_id
    assert Customer.objects.get(pk=customer.pk).owner_id == world.rep.user_id
    assert Opportunity.objects.get(pk=opportunity.pk).owner_id == world.rep.user_id
    # the manager holds the assign verbs: the same edit goes through
    resp = call(
        "patch", f"/leads/{lead.pk}", token_for(world.manager), {"owner_id": world.rep2.user_id}
    )
    assert resp.status_code == 200 and Lead.objects.get(pk=lead.pk).owner_id == world.rep2.user_id


def test_a_stale_or_invented_version_changes_nothing(world, token_for):
    from tradewind.activities.models import Task
    from tradewind.customers.models import Customer
    from tradewind.leads.models import Lead
    from tradewind.sales.models import Opportunity

    objects = targets(world)
    token = token_for(world.rep)
    records = (
        (Lead, world.lead.pk, "/leads", {"company_name": "tampered"}),
        (Customer, objects["customer"].pk, "/customers", {"name": "tampered"}),
        (Opportunity, objects["opportunity"].pk, "/opportunities", {"name": "tampered"}),
        (Task, objects["task"].pk, "/tasks", {"title": "tampered"}),
    )
    for model, pk, base, change in records:
        current = model.objects.get(pk=pk)
        for version in (current.version - 1, current.version + 7):
            resp = call("patch", f"{base}/{pk}", token, {**change, "version": version})
            assert resp.status_code == 409, f"{base} version {version}: {resp.status_code}"
            assert resp.json()["code"] == "stale_version"
        again = model.objects.get(pk=pk)
        assert again.version == current.version
        assert "tampered" not in str(model.objects.filter(pk=pk).values().get())


def test_page_forms_ignore_fields_they_do_not_have(world, client_for):
    from tradewind.customers.models import Customer
    from tradewind.leads.models import Lead

    client = client_for(world.rep)
    extras = {
        "workspace": world.ws2.pk,
        "workspace_id": world.ws2.pk,
        "created_by": world.rep2.user_id,
        "created_at": TAINT_TIME,
        "status": "converted",
        "code": "HACK-1",
        "id": TAINT_ID,
        "version": 99,
        "score": 99,
    }
    made = client.post(
        "/leads/new/",
        {"company_name": "ZQ form lead", "source": "trade_show", "owner": world.rep.user_id}
        | extras,
    )
    assert made.status_code == 302, made.context["form"].errors if made.context else made
    made = client.post(
        "/customers/new/",
        {"name": "ZQ form customer", "source": "trade_show", "owner": world.rep.user_id} | extras,
    )
    assert made.status_code == 302, made.context["form"].errors if made.context else made
    lead = Lead.objects.get(company_name="ZQ form lead")
    customer = Customer.objects.get(name="ZQ form customer")
    for row in (lead, customer):
        assert row.workspace_id == world.ws.pk and row.pk != TAINT_ID
        assert row.code != "HACK-1" and row.created_at.year != 2001
        assert row.version == 1
    assert lead.status == "new" and lead.score != 99
    client.post(
        f"/leads/{lead.pk}/edit/",
        {**extras, "company_name": "ZQ form lead 2", "source": "trade_show", "version": 1},
    )
    lead.refresh_from_db()
    assert lead.status == "new" and lead.code != "HACK-1" and lead.workspace_id == world.ws.pk
