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
from tradewind.leads.models import AssignmentRule, Lead, LeadImport, WebForm
from tradewind.workspaces.models import ApiToken, Membership, SavedView, Team

from .isolation_parts import parts

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
    "leads:import_detail": "lead_import",
    "leads:import_preview": "lead_import",
    "leads:import_start": "lead_import",
    "leads:import_errors": "lead_import",
    "leads:import_undo": "lead_import",
    "leads:convert": "lead",
    "leads:merge": "lead",
    "customers:detail": "customer",
    "customers:edit": "customer",
    "customers:contact_create": "customer",
    "customers:contact_edit": "contact",
    "customers:qualification": "customer",
    "customers:node_tick": "customer",
    "custom_fields:edit": "custom_field",
    "custom_fields:toggle": "custom_field",
    "custom_fields:move": "custom_field",
    "followup_nodes:edit": "followup_node",
    "followup_nodes:toggle": "followup_node",
    "followup_nodes:move": "followup_node",
    "customers:view_delete": "customer_saved_view",
    "customers:import_detail": "customer_import",
    "customers:import_run": "customer_import",
    "customers:import_undo": "customer_import",
    "customers:import_errors": "customer_import",
    "customers:claim": "pool_customer",
    "customers:release": "customer",
    "customers:pool_panel": "customer",
    "customers:stage": "customer",
    "customers:targeted": "customer",
    "customers:collaborators": "customer",
    "customers:collaborator_add": "customer",
    "customers:collaborator_remove": "customer",  # the walker fills user_id with the same pk
    "customers:assign": "customer",
    "sales:opportunity_detail": "opportunity",
    "board:move": "opportunity",
    "board:close": "opportunity",
    "leads:assign": "lead",
    "leads:assignment_trial": "lead",
    "leads:webform_detail": "webform",
    "leads:webform_edit": "webform",
    "leads:webform_toggle": "webform",
    "leads:webform_process_overflow": "webform",
    "leads:assignment_rule_edit": "assignment_rule",
    "leads:assignment_rule_delete": "assignment_rule",
    "leads:assignment_rule_move": "assignment_rule",
    "webform_public:form": "webform",
    "leads:view_delete": "saved_view",
    "leads:score": "lead",
    "leads:grade": "lead",
    "leads:scoring_rule_edit": "scoring_rule",
    "leads:scoring_rule_delete": "scoring_rule",
    "activities:notification_read": "notification",
    "settings:member_edit": "member",
    "settings:member_deactivate": "member",
    "settings:member_reactivate": "member",
    "settings:team_edit": "team",
    "settings:token_revoke": "token",
    "tasks:edit": "task",
    "tasks:complete": "task",
    "tasks:reopen": "task",
    "tasks:cancel": "task",
    "comments:panel": "lead",  # /comments/<type>/<id>/: the walker's pk is no record type either
    "comments:edit": "comment",
    "comments:delete": "comment",
}
ROUTE_TARGETS.update(
    {
        **dict.fromkeys(
            ["pipelines:detail", "pipelines:move", "pipelines:default", "pipelines:archive"],
            "pipeline",
        ),
        **dict.fromkeys(["pipelines:stage_add", "pipelines:stage_reorder"], "pipeline"),
        **dict.fromkeys(
            ["pipelines:stage_edit", "pipelines:stage_move", "pipelines:stage_delete"],
            "pipeline_stage",
        ),
        **dict.fromkeys(["pipelines:task_add", "pipelines:task_reorder"], "pipeline_stage"),
        **dict.fromkeys(
            ["pipelines:task_edit", "pipelines:task_move", "pipelines:task_delete"], "stage_task"
        ),
        **dict.fromkeys(
            ["pipelines:reason_edit", "pipelines:reason_toggle", "pipelines:reason_move"],
            "close_reason",
        ),
    }
)
ROUTE_TARGETS.update(
    dict.fromkeys(
        ["sales:edit", "sales:move", "sales:checklist", "sales:close", "sales:reopen"],
        "opportunity",
    )
)
ROUTE_TARGETS.update({"sales:delete": "opportunity", "sales:view_delete": "opportunity_view"})
ROUTE_TARGETS.update(
    dict.fromkeys(
        [
            "quotes:detail",
            "quotes:edit",
            "quotes:transition",
            "quotes:revise",
            "quotes:quotation",
            "quotes:line_photo",  # line_id is filled with the same pk
            "quotes:line_photo_file",
            "quotes:document_create",
        ],
        "quote",
    )
)
ROUTE_TARGETS.update(
    {"quotes:document": "sales_document", "documents_settings:payment_term_edit": "payment_term"}
)
ROUTE_TARGETS.update(
    dict.fromkeys(
        [
            "orders:detail",
            "orders:transition",
            "orders:shipment_new",
            "orders:receipt_new",
            "orders:plan",
        ],
        "order",
    )
)
ROUTE_TARGETS.update(
    dict.fromkeys(
        [
            "products:detail",
            "products:deactivate",
            "products:reactivate",
            "products:price_set",
            "products:price_delete",
        ],
        "product",
    )
)
API_TARGETS: dict[str, str] = {"lead_id": "lead", "view_id": "saved_view", "form_id": "webform"}
API_TARGETS.update({"import_id": "lead_import"})
API_TARGETS.update({"notification_id": "notification"})
API_TARGETS.update({"custom_field_id": "custom_field", "node_id": "followup_node"})
API_TARGETS.update({"customer_import_id": "customer_import"})
API_TARGETS.update({"task_id": "task", "comment_id": "comment"})
API_TARGETS.update({"user_id": "collaborator_user"})
API_TARGETS.update(
    {
        "pipeline_id": "pipeline",
        "stage_id": "pipeline_stage",
        "stage_task_id": "stage_task",
        "close_reason_id": "close_reason",
    }
)
API_TARGETS.update(
    {"customer_id": "customer", "contact_id": "contact", "opportunity_id": "opportunity"}
)
API_TARGETS.update({"quote_id": "quote", "document_id": "sales_document"})
API_TARGETS.update({"order_id": "order"})
API_TARGETS.update({"product_id": "product"})
ROUTE_TARGETS.update(
    {
        "analytics:goal_edit": "goal",
        "analytics:goal_delete": "goal",
        "analytics:commission_rule_edit": "commission_rule",
        "analytics:commission_rule_delete": "commission_rule",
        "analytics:commission_statement": "goal_rep",
    }
)
API_TARGETS.update({"goal_id": "goal", "rule_id": "commission_rule", "rep_user_id": "goal_rep"})
# Catalogue data every member of the workspace reads (writes need a role's verb: 403): only the
# other workspace is an outsider for these; tests/sales/test_products_pages_api.py covers the rest.
WORKSPACE_WIDE_API_PARAMS = {"product_id"}
for _part in parts():
    ROUTE_TARGETS.update(getattr(_part, "ROUTES", {}))
    API_TARGETS.update(getattr(_part, "API", {}))
    WORKSPACE_WIDE_API_PARAMS |= set(getattr(_part, "WORKSPACE_WIDE", ()))

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
    saved_view, _new = SavedView.objects.get_or_create(
        workspace=world.ws, user=world.rep.user, module="leads", name="walker", query="grade=A"
    )
    webform, _new = WebForm.objects.get_or_create(
        workspace=world.ws, name="walker form", defaults={"fields": ["company_name"]}
    )
    rule, _new = AssignmentRule.objects.get_or_create(
        workspace=world.ws, name="walker rule", defaults={"action": "pool", "position": 1}
    )
    lead_import = import_target(world)
    return {
        **scoring_objects(world),
        "lead_import": lead_import,
        **customer_objects(world),
        **qualification_objects(world),
        **customer_list_objects(world),
        **pool_objects(world),
        **collaborator_objects(world),
        **task_objects(world),
        **pipeline_objects(world),
        **opportunity_objects(world),
        **quote_objects(world),
        **order_objects(world),
        **product_objects(world),
        **_goal_objects(world),
        **{
            k: v
            for part in parts()
            if hasattr(part, "objects")
            for k, v in part.objects(world).items()
        },
        "webform": webform,
        "assignment_rule": rule,
        "lead": world.lead,
        "member": world.rep,
        "team": world.east,
        "token": token,
        "saved_view": saved_view,
    }


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
        customer_state(world),
        qualification_state(world),
        customer_list_state(world),
        task_state(world),
        list(WebForm.objects.filter(workspace=world.ws).values_list("pk", "version", "is_active")),
        list(AssignmentRule.objects.filter(workspace=world.ws).values_list("pk", "version")),
        SavedView.objects.filter(workspace=world.ws).count(),
        scoring_state(world),
        collaborator_state(world),
        pipeline_state(world),
        opportunity_state(world),
        quote_state(world),
        order_state(world),
        product_state(world),
        _goal_state(world),
        tuple(part.state(world) for part in parts() if hasattr(part, "state")),
        list(LeadImport.objects.filter(workspace=world.ws).values_list("pk", "status", "mapping")),
    )


def import_target(world) -> LeadImport:
    """An import batch of the rep (a colleague in another team and the other workspace see 404)."""
    batch, _new = LeadImport.objects.get_or_create(
        workspace=world.ws,
        created_by=world.rep.user,
        file_name="walker.csv",
        defaults={"status": "done", "created_count": 1, "headers": ["Company"], "total_rows": 1},
    )
    return batch


def body(resp) -> bytes:
    """The bytes of a response, streamed (exports, downloads) or not."""
    return b"".join(resp.streaming_content) if resp.streaming else resp.content


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
        assert resp.status_code in (200, 403, 405), f"/{route}: {resp.status_code}"
        assert not any(s in body(resp) for s in SECRETS), (
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
            if member is world.other_rep and set(params) <= WORKSPACE_WIDE_API_PARAMS:
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
            assert not any(s in body(resp) for s in SECRETS), f"GET {path} leaked data"


def test_api_requires_authentication(world, api):
    for method, path in api_operations():
        url = re.sub(r"{(\w+)}", str(world.lead.pk), path)
        resp = api(method, url, json={} if method in ("post", "put", "patch") else None)
        assert resp.status_code == 401, f"{method.upper()} {url}: {resp.status_code}"
        assert resp.json()["code"] == "unauthenticated"


def customer_objects(world) -> dict[str, object]:
    """A customer of the rep (workspace A, team east) with a contact and an opportunity."""
    from tradewind.customers.models import Contact, Customer
    from tradewind.sales.models import Opportunity
    from tradewind.sales.services import pipeline_default

    customer, _new = Customer.objects.get_or_create(
        workspace=world.ws,
        code="KHWALK1",
        defaults={"name": "ALPHA-EAST-SECRET Buyer GmbH", "owner": world.rep.user},
    )
    contact, _new = Contact.objects.get_or_create(
        workspace=world.ws, customer=customer, name="ALPHA-EAST-SECRET Person"
    )
    pipeline = pipeline_default(world.ws)
    opportunity, _new = Opportunity.objects.get_or_create(
        workspace=world.ws,
        code="SJWALK1",
        defaults={
            "name": "ALPHA-EAST-SECRET deal",
            "customer": customer,
            "pipeline": pipeline,
            "stage": pipeline.stages.first(),
            "owner": world.rep.user,
        },
    )
    return {"customer": customer, "contact": contact, "opportunity": opportunity}


def customer_state(world) -> tuple:
    from tradewind.customers.models import Contact, Customer
    from tradewind.sales.models import Opportunity

    return (
        list(Customer.objects.filter(workspace=world.ws).values_list("pk", "version", "name")),
        list(Contact.objects.filter(workspace=world.ws).values_list("pk", "version", "name")),
        Opportunity.objects.filter(workspace=world.ws).count(),
    )


def scoring_objects(world) -> dict[str, object]:
    """A scoring rule of workspace A and a notification of the rep (anyone else sees 404)."""
    from tradewind.activities.models import Notification
    from tradewind.leads.models import ScoringRule

    rule, _new = ScoringRule.objects.get_or_create(
        workspace=world.ws, name="walker scoring rule", defaults={"fact": "has_email", "points": 1}
    )
    note, _new = Notification.objects.get_or_create(
        workspace=world.ws, user=world.rep.user, kind="lead.recycled", key="walker"
    )
    return {"scoring_rule": rule, "notification": note}


def scoring_state(world) -> tuple:
    from tradewind.activities.models import Notification
    from tradewind.leads.models import ScoringRule

    return (
        list(ScoringRule.objects.filter(workspace=world.ws).values_list("pk", "version", "name")),
        list(Notification.objects.filter(workspace=world.ws).values_list("pk", "read_at")),
    )


def task_objects(world) -> dict[str, object]:
    """A task the rep made for themself on their lead, and the rep's comment on it (workspace A,
    team east): another team's rep and the other workspace get 404."""
    from tradewind.activities.models import Comment, Task

    task = Task.objects.filter(workspace=world.ws, title="ALPHA-EAST-SECRET task").first()
    if task is None:
        from tradewind.activities.task_services import task_create

        task = task_create(
            actor=world.actor(world.rep),
            title="ALPHA-EAST-SECRET task",
            due_kind="tomorrow",
            target_type="lead",
            target_id=world.lead.pk,
        )
    comment, _new = Comment.objects.get_or_create(
        workspace=world.ws,
        target_type="lead",
        target_id=world.lead.pk,
        author=world.rep.user,
        defaults={"body": "ALPHA-EAST-SECRET comment"},
    )
    return {"task": task, "comment": comment}


def task_state(world) -> tuple:
    from tradewind.activities.models import Comment, Task

    return (
        list(Task.objects.filter(workspace=world.ws).values_list("pk", "version", "status")),
        list(Comment.objects.filter(workspace=world.ws).values_list("pk", "version", "body")),
    )


def pool_objects(world) -> dict[str, object]:
    """A customer of workspace A in the public pool: every member of A may claim it, nobody else."""
    from tradewind.customers.models import Customer

    customer, _new = Customer.objects.get_or_create(
        workspace=world.ws, code="KHWALKPOOL", defaults={"name": "ALPHA-POOL-SECRET Buyer"}
    )
    return {"pool_customer": customer}


def collaborator_objects(world) -> dict[str, object]:
    """rep2 collaborates on the rep's customer: a foreign DELETE of it would change the state."""
    from tradewind.customers.models import CustomerCollaborator

    customer = customer_objects(world)["customer"]
    CustomerCollaborator.objects.get_or_create(
        workspace=world.ws, customer=customer, user=world.rep2.user
    )
    return {"collaborator_user": world.rep2.user}


def collaborator_state(world) -> tuple:
    from tradewind.customers.models import Customer, CustomerCollaborator

    return (
        list(
            CustomerCollaborator.objects.filter(workspace=world.ws)
            .order_by("pk")
            .values_list("pk", "customer_id", "user_id")
        ),
        list(
            Customer.objects.filter(workspace=world.ws).order_by("pk").values_list("pk", "owner_id")
        ),
    )


def customer_list_objects(world) -> dict[str, object]:
    """The rep's customer import batch and saved customer view (a colleague in another team and
    the other workspace see 404)."""
    from tradewind.customers.imports_models import CustomerImport

    batch, _new = CustomerImport.objects.get_or_create(
        workspace=world.ws,
        created_by=world.rep.user,
        file_name="walker.csv",
        defaults={"status": "previewed", "headers": ["Company"], "mapping": {"0": "name"}},
    )
    view, _new = SavedView.objects.get_or_create(
        workspace=world.ws, user=world.rep.user, module="customers", name="walker", query="tag=x"
    )
    return {"customer_import": batch, "customer_saved_view": view}


def customer_list_state(world) -> tuple:
    from tradewind.customers.imports_models import CustomerImport

    imports = CustomerImport.objects.filter(workspace=world.ws)
    views = SavedView.objects.filter(workspace=world.ws, module="customers")
    return (
        list(imports.values_list("pk", "status", "mapping")),
        list(views.values_list("pk", "query")),
    )


def qualification_objects(world) -> dict[str, object]:
    """A lead custom field and the first follow-up node of workspace A (configuration: only its
    admins see them, so another team's rep and the other workspace get 404)."""
    from tradewind.customers.qualification import nodes_of
    from tradewind.workspaces.models_custom_fields import CustomFieldDefinition

    field, _new = CustomFieldDefinition.objects.get_or_create(
        workspace=world.ws, target="lead", key="walker", defaults={"type": "text", "label_en": "W"}
    )
    return {"custom_field": field, "followup_node": nodes_of(world.ws)[0]}


def qualification_state(world) -> tuple:
    from tradewind.customers.models_qualification import (
        CustomerNode,
        CustomerQualification,
        FollowUpNode,
    )
    from tradewind.workspaces.models_custom_fields import CustomFieldDefinition

    return (
        list(
            CustomFieldDefinition.objects.filter(workspace=world.ws).values_list(
                "pk", "version", "active", "position"
            )
        ),
        list(FollowUpNode.objects.filter(workspace=world.ws).values_list("pk", "version")),
        CustomerQualification.objects.filter(workspace=world.ws).count(),
        CustomerNode.objects.filter(workspace=world.ws).count(),
    )


def pipeline_objects(world) -> dict[str, object]:
    """A second pipeline of workspace A (from the standard template), its first stage and task,
    and a close reason: settings only PIPELINE_MANAGE changes, so everyone else sees 404."""
    from tradewind.sales.models import CloseReason, Pipeline
    from tradewind.sales.pipelines import pipeline_create

    pipeline = Pipeline.objects.filter(workspace=world.ws, name="walker pipeline").first()
    if pipeline is None:
        pipeline = pipeline_create(actor=world.actor(world.owner), name="walker pipeline")
    stage = pipeline.stages.order_by("position").first()
    reason, _new = CloseReason.objects.get_or_create(
        workspace=world.ws, kind="lost", label="walker reason", defaults={"position": 99}
    )
    return {
        "pipeline": pipeline,
        "pipeline_stage": stage,
        "stage_task": stage.tasks.order_by("position").first(),
        "close_reason": reason,
    }


def pipeline_state(world) -> tuple:
    from tradewind.sales.models import CloseReason, Pipeline, Stage, StageTask

    return (
        list(
            Pipeline.objects.filter(workspace=world.ws)
            .order_by("pk")
            .values_list("pk", "version", "name", "is_active", "is_default", "position")
        ),
        list(
            Stage.objects.filter(pipeline__workspace=world.ws)
            .order_by("pk")
            .values_list("pk", "name", "position", "probability")
        ),
        list(
            StageTask.objects.filter(stage__pipeline__workspace=world.ws)
            .order_by("pk")
            .values_list("pk", "title", "position", "is_required")
        ),
        list(
            CloseReason.objects.filter(workspace=world.ws)
            .order_by("pk")
            .values_list("pk", "label", "position", "is_active")
        ),
    )


def opportunity_objects(world) -> dict[str, object]:
    """The rep's saved opportunity view (the rep's opportunity is in customer_objects)."""
    view, _new = SavedView.objects.get_or_create(
        workspace=world.ws, user=world.rep.user, module="opportunities", name="walker", query="x=1"
    )
    return {"opportunity_view": view}


def opportunity_state(world) -> tuple:
    from tradewind.sales.models import Opportunity, OpportunityLine, StageChange, StageTaskCheck

    opportunities = Opportunity.objects.filter(workspace=world.ws).order_by("pk")
    return (
        list(opportunities.values_list("pk", "version", "stage_id", "status", "owner_id", "name")),
        OpportunityLine.objects.filter(opportunity__workspace=world.ws).count(),
        StageChange.objects.filter(workspace=world.ws).count(),
        StageTaskCheck.objects.filter(opportunity__workspace=world.ws).count(),
        list(
            SavedView.objects.filter(workspace=world.ws, module="opportunities").values_list("pk")
        ),
    )


def quote_objects(world) -> dict[str, object]:
    """An accepted quote with a PI on the rep's walker customer, and a payment term of workspace A."""
    from tradewind.orders.documents import document_create
    from tradewind.orders.models import PaymentTerm, Quote, SalesDocument
    from tradewind.orders.quotes import quote_create, quote_transition

    customer = customer_objects(world)["customer"]
    quote = Quote.objects.filter(workspace=world.ws, customer=customer).first()
    if quote is None:
        act = world.actor(world.rep)
        quote = quote_create(
            actor=act,
            customer_id=customer.pk,
            title="ALPHA-EAST-SECRET quote",
            lines=[{"description": "ALPHA-EAST-SECRET item", "quantity": 2, "unit_price": "5"}],
        )
        quote_transition(actor=act, quote_id=quote.pk, to="sent")
        quote_transition(actor=act, quote_id=quote.pk, to="accepted")
        document_create(actor=act, quote_id=quote.pk, kind="PI")
    document = SalesDocument.objects.filter(quote=quote).first()
    term = PaymentTerm.objects.filter(workspace=world.ws).first()
    return {"quote": quote, "sales_document": document, "payment_term": term}


def quote_state(world) -> tuple:
    from tradewind.orders.models import (
        DocumentProfile,
        PaymentTerm,
        Quote,
        QuoteLine,
        SalesDocument,
    )

    return (
        list(Quote.objects.filter(workspace=world.ws).values_list("pk", "version", "status")),
        QuoteLine.objects.filter(version__quote__workspace=world.ws).count(),
        SalesDocument.objects.filter(workspace=world.ws).count(),
        list(
            PaymentTerm.objects.filter(workspace=world.ws).values_list(
                "pk", "label_en", "is_active"
            )
        ),
        list(DocumentProfile.objects.filter(workspace=world.ws).values_list("version", flat=True)),
    )


def product_objects(world) -> dict[str, object]:
    """A product of workspace A with a price (catalogue data: the other workspace sees 404)."""
    from tradewind.sales.models_products import Product, ProductPrice

    product, _new = Product.objects.get_or_create(
        workspace=world.ws, sku="WALK-1", defaults={"name_en": "ALPHA-EAST-SECRET product"}
    )
    ProductPrice.objects.get_or_create(
        product=product, currency="USD", defaults={"unit_price": "1.5"}
    )
    return {"product": product}


def product_state(world) -> tuple:
    from tradewind.sales.models_products import Product, ProductPrice

    return (
        list(
            Product.objects.filter(workspace=world.ws)
            .order_by("pk")
            .values_list("pk", "version", "sku", "name_en", "is_active")
        ),
        list(
            ProductPrice.objects.filter(product__workspace=world.ws)
            .order_by("pk")
            .values_list("pk", "currency", "unit_price")
        ),
    )


def order_objects(world) -> dict[str, object]:
    """An order from the rep's accepted walker quote (base currency: no rate needed)."""
    from tradewind.orders.models import Order
    from tradewind.orders.orders import order_create

    quote = quote_objects(world)["quote"]
    order = Order.objects.filter(workspace=world.ws, quote=quote).first()
    if order is None:
        order = order_create(actor=world.actor(world.rep), quote_id=quote.pk)
    return {"order": order}


def order_state(world) -> tuple:
    from tradewind.orders.models import (
        Order,
        OrderLine,
        OrderSettings,
        PaymentPlanItem,
        Receipt,
        Shipment,
    )

    return (
        list(Order.objects.filter(workspace=world.ws).values_list("pk", "version", "status")),
        list(
            OrderLine.objects.filter(order__workspace=world.ws).values_list(
                "pk", "shipped_quantity"
            )
        ),
        Shipment.objects.filter(workspace=world.ws).count(),
        Receipt.objects.filter(workspace=world.ws).count(),
        list(
            PaymentPlanItem.objects.filter(order__workspace=world.ws).values_list(
                "pk", "percent", "received"
            )
        ),
        list(OrderSettings.objects.filter(workspace=world.ws).values_list("tolerance_amount")),
    )


def _goal_objects(world) -> dict:
    from tests.analytics.goal_helpers import goal_objects

    return goal_objects(world)


def _goal_state(world) -> tuple:
    from tests.analytics.goal_helpers import goal_state

    return goal_state(world)
