"""Parity of the pages and the API (issue #8 item 8): everything a user can do in the pages can be
done through /api/v1 with the same permissions and audit.

Every page URL pattern is walked (as tests/test_isolation.py does); each one whose view accepts a
write (a POST) must name its API operation in PAGE_TO_API — checked to exist in the OpenAPI schema
— or carry a reasoned exemption in EXEMPT. A new page route fails here until it is mapped, so parity
holds by construction. Routes of the areas other helpers are still building may wait in
PENDING_NEW_AREAS; that set may not hold a route of the older apps.

tests/api/test_parity_endpoints.py checks that the API operations added for the older apps write
the same audit rows as their pages and refuse the same callers.
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
import textwrap
from collections.abc import Callable, Iterator

from django.urls import URLPattern, URLResolver, get_resolver

from tradewind.config.api import api

# Areas built by the issue-8/11 helpers next to this one: their pages may wait for their API.
NEW_NAMESPACES = {"automation", "plans", "mailing", "webhooks", "enablement", "daily_reports"}
NEW_PREFIXES = ("settings/jobs/", "settings/schedules/", "notifications/preferences/")

EXEMPT_PREFIXES = {
    "accounts/": "sign-in, sign-up, password and two-factor flows of the browser session "
    "(django-allauth): API callers authenticate with a personal token instead",
}
EXEMPT = {
    "language": "i18n language switch: a page preference (cookie); API callers send "
    "Accept-Language, and PATCH /me sets the stored language",
    "webform_public:form": "public web-to-lead form: anonymous by design (a visitor, not a "
    "user); the forms themselves are managed at /leads/webforms",
    "invite_accept": "accepting an invitation is done by a person who has no account or token "
    "yet; inviting is POST /members",
    "settings:tokens": "creating a personal token stays in the signed-in session (MFA): a token "
    "that could mint tokens would outlive its own revocation; GET /tokens lists and "
    "DELETE /tokens/{token_id} revokes",
    "daily_reports:team": "no write: the team's day overview; its day picker reads the day from "
    "GET or POST (a shared helper)",
    "campaign_public:unsubscribe": "the unsubscribe link in campaign mail: anonymous by design "
    "(the reader, not a user; a signed token is the authority); consent is recorded through "
    "POST /campaigns/consent",
}

PAGE_TO_API: dict[str, str | tuple[str, ...]] = {
    # leads
    "leads:create": "POST /leads",
    "leads:edit": "PATCH /leads/{lead_id}",
    "leads:delete": "DELETE /leads/{lead_id}",
    "leads:transition": "POST /leads/{lead_id}/transition",
    "leads:claim": "POST /leads/{lead_id}/claim",
    "leads:release": "POST /leads/{lead_id}/release",
    "leads:followup_add": "POST /leads/{lead_id}/followups",
    "leads:convert": "POST /leads/{lead_id}/convert",
    "leads:merge": "POST /leads/merge",
    "leads:import_upload": "POST /leads/imports",
    "leads:import_preview": "POST /leads/imports/{import_id}/preview",
    "leads:import_start": "POST /leads/imports/{import_id}/start",
    "leads:import_undo": "POST /leads/imports/{import_id}/undo",
    "leads:webform_create": "POST /leads/webforms",
    "leads:webform_edit": "PATCH /leads/webforms/{form_id}",
    "leads:webform_toggle": "PATCH /leads/webforms/{form_id}",
    "leads:webform_process_overflow": "POST /leads/webforms/{form_id}/process-overflow",
    "leads:assignment_rule_create": "POST /leads/assignment-rules",
    "leads:assignment_rule_edit": "PUT /leads/assignment-rules/{assignment_rule_id}",
    "leads:assignment_rule_delete": "DELETE /leads/assignment-rules/{assignment_rule_id}",
    "leads:assignment_rule_move": "POST /leads/assignment-rules/{assignment_rule_id}/move",
    "leads:assign": "POST /leads/{lead_id}/assign",
    "leads:grade": "POST /leads/{lead_id}/grade",
    "leads:scoring_settings": ("PUT /leads/scoring/policy", "POST /leads/scoring/rules"),
    "leads:scoring_rescore": "POST /leads/scoring/rescore",
    "leads:scoring_rule_edit": "PUT /leads/scoring/rules/{scoring_rule_id}",
    "leads:scoring_rule_delete": "DELETE /leads/scoring/rules/{scoring_rule_id}",
    "leads:bulk": "POST /leads/bulk",
    "leads:view_save": "POST /leads/views",
    "leads:view_delete": "DELETE /leads/views/{view_id}",
    # customers
    "customers:create": "POST /customers",
    "customers:edit": "PATCH /customers/{customer_id}",
    "customers:contact_create": "POST /customers/{customer_id}/contacts",
    "customers:contact_edit": "PATCH /customers/contacts/{contact_id}",
    "customers:bulk": "POST /customers/bulk",
    "customers:view_save": "POST /customers/views",
    "customers:view_delete": "DELETE /customers/views/{view_id}",
    "customers:import_list": "POST /customers/imports",
    "customers:import_detail": "POST /customers/imports/{customer_import_id}/preview",
    "customers:import_run": "POST /customers/imports/{customer_import_id}/run",
    "customers:import_undo": "POST /customers/imports/{customer_import_id}/undo",
    "customers:pool_settings": "PATCH /customers/policy",
    "customers:claim": "POST /customers/{customer_id}/claim",
    "customers:release": "POST /customers/{customer_id}/release",
    "customers:stage": "POST /customers/{customer_id}/stage",
    "customers:targeted": "POST /customers/{customer_id}/targeted",
    "customers:qualification": "PUT /customers/{customer_id}/qualification",
    "customers:node_tick": "POST /customers/{customer_id}/nodes",
    "customers:collaborator_add": "POST /customers/{customer_id}/collaborators",
    "customers:collaborator_remove": "DELETE /customers/{customer_id}/collaborators/{user_id}",
    "customers:assign": "POST /customers/{customer_id}/assign",
    "followup_nodes:list": "POST /followup-nodes",
    "followup_nodes:edit": "PATCH /followup-nodes/{node_id}",
    "followup_nodes:toggle": "PATCH /followup-nodes/{node_id}",
    "followup_nodes:move": "PATCH /followup-nodes/{node_id}",
    # sales
    "board:move": "POST /opportunities/{opportunity_id}/move",
    "board:close": "POST /opportunities/{opportunity_id}/close",
    "sales:create": "POST /opportunities",
    "sales:bulk": "POST /opportunities/bulk",
    "sales:view_save": "POST /opportunities/views",
    "sales:view_delete": "DELETE /opportunities/views/{view_id}",
    "sales:edit": (
        "PATCH /opportunities/{opportunity_id}",
        "PUT /opportunities/{opportunity_id}/lines",
    ),
    "sales:move": "POST /opportunities/{opportunity_id}/move",
    "sales:checklist": "POST /opportunities/{opportunity_id}/checklist",
    "sales:close": "POST /opportunities/{opportunity_id}/close",
    "sales:reopen": "POST /opportunities/{opportunity_id}/reopen",
    "sales:delete": "DELETE /opportunities/{opportunity_id}",
    "products:create": "POST /products",
    "products:import": "POST /products/import",
    "products:detail": "PATCH /products/{product_id}",
    "products:deactivate": "POST /products/{product_id}/deactivate",
    "products:reactivate": "POST /products/{product_id}/reactivate",
    "products:price_set": "PUT /products/{product_id}/prices",
    "products:price_delete": "DELETE /products/{product_id}/prices",
    "pipelines:list": "POST /pipelines",
    "pipelines:reorder": "POST /pipelines/reorder",
    "pipelines:detail": "PATCH /pipelines/{pipeline_id}",
    "pipelines:move": "POST /pipelines/reorder",
    "pipelines:default": "PATCH /pipelines/{pipeline_id}",
    "pipelines:archive": "PATCH /pipelines/{pipeline_id}",
    "pipelines:stage_add": "POST /pipelines/{pipeline_id}/stages",
    "pipelines:stage_reorder": "POST /pipelines/{pipeline_id}/stages/reorder",
    "pipelines:stage_edit": "PATCH /pipelines/stages/{stage_id}",
    "pipelines:stage_move": "POST /pipelines/{pipeline_id}/stages/reorder",
    "pipelines:stage_delete": "DELETE /pipelines/stages/{stage_id}",
    "pipelines:task_add": "POST /pipelines/stages/{stage_id}/tasks",
    "pipelines:task_reorder": "POST /pipelines/stages/{stage_id}/tasks/reorder",
    "pipelines:task_edit": "PATCH /pipelines/tasks/{stage_task_id}",
    "pipelines:task_move": "POST /pipelines/stages/{stage_id}/tasks/reorder",
    "pipelines:task_delete": "DELETE /pipelines/tasks/{stage_task_id}",
    "pipelines:reasons": "POST /close-reasons",
    "pipelines:reason_reorder": "POST /close-reasons/reorder",
    "pipelines:reason_edit": "PATCH /close-reasons/{close_reason_id}",
    "pipelines:reason_toggle": "PATCH /close-reasons/{close_reason_id}",
    "pipelines:reason_move": "POST /close-reasons/reorder",
    # activities
    "activities:notification_read_all": "POST /notifications/read-all",
    "activities:notification_read": "POST /notifications/{notification_id}/read",
    "activities:notification_preferences": "PUT /notifications/preferences",
    "tasks:create": "POST /tasks",
    "tasks:edit": "PATCH /tasks/{task_id}",
    "tasks:complete": "POST /tasks/{task_id}/complete",
    "tasks:reopen": "POST /tasks/{task_id}/reopen",
    "tasks:cancel": "POST /tasks/{task_id}/cancel",
    "comments:panel": "POST /comments",
    "comments:edit": "PATCH /comments/{comment_id}",
    "comments:delete": "DELETE /comments/{comment_id}",
    # quotes and orders
    "quotes:new": "POST /quotes",
    "quotes:edit": "PATCH /quotes/{quote_id}",
    "quotes:transition": "POST /quotes/{quote_id}/transition",
    "quotes:revise": "POST /quotes/{quote_id}/versions",
    "quotes:line_photo": (
        "POST /quotes/{quote_id}/lines/{quote_line_id}/photo",
        "DELETE /quotes/{quote_id}/lines/{quote_line_id}/photo",
    ),
    "quotes:document_create": "POST /quotes/{quote_id}/documents",
    "orders:create": "POST /orders",
    "orders:overdue": "PUT /settings/receipt-tolerance",
    "orders:transition": "POST /orders/{order_id}/transition",
    "orders:shipment_new": "POST /orders/{order_id}/shipments",
    "orders:receipt_new": "POST /orders/{order_id}/receipts",
    "orders:plan": "PUT /orders/{order_id}/plan",
    "documents_settings:index": (
        "PATCH /settings/documents",
        "POST /settings/documents/chop",
        "DELETE /settings/documents/chop",
    ),
    "documents_settings:payment_term_add": "POST /settings/payment-terms",
    "documents_settings:payment_term_edit": "PATCH /settings/payment-terms/{payment_term_id}",
    # workspace settings
    "custom_fields:list": "POST /custom-fields",
    "custom_fields:edit": "PATCH /custom-fields/{custom_field_id}",
    "custom_fields:toggle": "PATCH /custom-fields/{custom_field_id}",
    "custom_fields:move": "POST /custom-fields/{custom_field_id}/move",
    "settings:index": "PATCH /workspace",
    "settings:members": "POST /members",
    "settings:member_edit": "PATCH /members/{member_id}",
    "settings:member_deactivate": "POST /members/{member_id}/deactivate",
    "settings:member_reactivate": "POST /members/{member_id}/reactivate",
    "settings:teams": "POST /teams",
    "settings:team_edit": ("PATCH /teams/{team_id}", "DELETE /teams/{team_id}"),
    "settings:token_revoke": "DELETE /tokens/{token_id}",
    "settings:rates": "POST /exchange-rates",
    "settings:numbering": "PUT /numbering",
    "settings:profile": "PATCH /me",
    "settings:data": "POST /workspace/erasures",
    "settings:export": "GET /workspace/export",
    "settings:worker_check": "POST /jobs/check",
    "settings:job_retry": "POST /jobs/{job_id}/retry",
    "settings:job_cancel": "POST /jobs/{job_id}/cancel",
    "settings:schedule_run_now": "POST /schedules/run",
    # reports
    "analytics:goal_new": "POST /reports/goals",
    "analytics:goal_edit": "POST /reports/goals",
    "analytics:goal_delete": "DELETE /reports/goals/{goal_id}",
    "analytics:commission_rule_new": "POST /reports/commission/rules",
    "analytics:commission_rule_edit": "PUT /reports/commission/rules/{rule_id}",
    "analytics:commission_rule_delete": "DELETE /reports/commission/rules/{rule_id}",
    "analytics:customer_settings": "PATCH /reports/customer-settings",
}
# The new areas' pages, mapped to the operations their helpers built.
PAGE_TO_API.update(
    {
        "automation:rule_create": "POST /automation/rules",
        "automation:rule_edit": "PUT /automation/rules/{workflow_rule_id}",
        "automation:rule_toggle": (
            "POST /automation/rules/{workflow_rule_id}/activate",
            "POST /automation/rules/{workflow_rule_id}/deactivate",
        ),
        "automation:rule_delete": "DELETE /automation/rules/{workflow_rule_id}",
        "mailing:template_new": "POST /email/templates",
        "mailing:template_preview": "POST /email/templates/{email_template_id}/preview",
        "mailing:template_edit": "PUT /email/templates/{email_template_id}",
        "mailing:template_delete": "DELETE /email/templates/{email_template_id}",
        "mailing:account": "PUT /email/accounts/me",
        "mailing:workspace_account": "PUT /email/accounts/workspace",
        "mailing:account_test": "POST /email/accounts/{mail_account_id}/test",
        "mailing:account_poll": "POST /email/accounts/{mail_account_id}/poll",
        "mailing:account_delete": "DELETE /email/accounts/{mail_account_id}",
        "mailing:compose_lead": "POST /email/send",
        "mailing:compose_customer": "POST /email/send",
        "mailing:compose_contact": "POST /email/send",
        "mailing:compose_opportunity": "POST /email/send",
        "webhooks:create": "POST /webhooks/endpoints",
        "webhooks:settings": "PUT /webhooks/settings",
        "webhooks:edit": "PATCH /webhooks/endpoints/{endpoint_id}",
        "webhooks:delete": "DELETE /webhooks/endpoints/{endpoint_id}",
        "webhooks:rotate": "POST /webhooks/endpoints/{endpoint_id}/rotate-secret",
        "webhooks:test": "POST /webhooks/endpoints/{endpoint_id}/test",
        "webhooks:active": "PATCH /webhooks/endpoints/{endpoint_id}",
        "webhooks:replay": "POST /webhooks/deliveries/{delivery_id}/replay",
        "plans:new": "POST /plans",
        "plans:edit": "PATCH /plans/{plan_id}",
        "plans:delete": "DELETE /plans/{plan_id}",
        "plans:step_new": "POST /plans/{plan_id}/steps",
        "plans:step_edit": "PATCH /plans/{plan_id}/steps/{plan_step_id}",
        "plans:step_delete": "DELETE /plans/{plan_id}/steps/{plan_step_id}",
        "plans:step_move": "POST /plans/{plan_id}/steps/{plan_step_id}/move",
        "plans:customer_panel": "POST /plans/runs",
        "plans:opportunity_panel": "POST /plans/runs",
        "plans:run_pause": "POST /plans/runs/{plan_run_id}/pause",
        "plans:run_resume": "POST /plans/runs/{plan_run_id}/resume",
        "plans:run_stop": "POST /plans/runs/{plan_run_id}/stop",
        "enablement:item_new": ("POST /library/items", "POST /library/files"),
        "enablement:item_edit": "PUT /library/items/{library_item_id}",
        "enablement:item_delete": "DELETE /library/items/{library_item_id}",
        "enablement:item_use": "POST /library/items/{library_item_id}/usage",
        "enablement:item_email": "POST /library/items/{library_item_id}/email",
        "enablement:folder_new": "POST /library/folders",
        "enablement:folder_edit": "PUT /library/folders/{folder_id}",
        "enablement:folder_delete": "DELETE /library/folders/{folder_id}",
        "enablement:review_new": "POST /library/reviews",
        "enablement:review_edit": "PUT /library/reviews/{review_id}",
        "daily_reports:mine": "POST /daily-reports/generate",
        "daily_reports:detail": (
            "PUT /daily-reports/{daily_report_id}",
            "POST /daily-reports/{daily_report_id}/submit",
        ),
        "daily_reports:comment": "POST /daily-reports/{daily_report_id}/comments",
        "campaigns:new": "POST /campaigns",
        "campaigns:edit": "PUT /campaigns/{campaign_id}",
        "campaigns:schedule": "POST /campaigns/{campaign_id}/schedule",
        "campaigns:cancel": "POST /campaigns/{campaign_id}/cancel",
        "campaigns:delete": "DELETE /campaigns/{campaign_id}",
        "campaigns:settings": "PUT /campaigns/settings",
        "campaigns:lists": "POST /campaigns/lists",
        "campaigns:list_detail": "PUT /campaigns/lists/{marketing_list_id}",
        "campaigns:list_addresses": "POST /campaigns/lists/{marketing_list_id}/addresses",
        "campaigns:list_address_remove": (
            "DELETE /campaigns/lists/{marketing_list_id}/addresses/{list_address_id}"
        ),
        "campaigns:list_delete": "DELETE /campaigns/lists/{marketing_list_id}",
        "campaigns:consent": "POST /campaigns/consent",
        "campaigns:consent_import": "POST /campaigns/consent/import",
    }
)
# New-area pages whose API operation does not exist yet (the lead engineer closes these).
PENDING_NEW_AREAS: set[str] = set()

POST_MARK = re.compile(r"require_POST|[\"']POST[\"']|request\.POST|request\.FILES")


def walk(
    patterns: list, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, Callable]]:
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from walk(p.url_patterns, route, ns)
        elif isinstance(p, URLPattern):
            yield route, f"{namespace}{p.name}", p.callback


def page_routes() -> list[tuple[str, str, Callable]]:
    # The API (its own parity is the schema) and static files are no pages.
    return [
        r for r in walk(get_resolver().url_patterns) if not r[0].startswith(("api/", "static/"))
    ]


def _source(fn: Callable, depth: int = 3) -> str:
    """The view's source with the module-level helpers it calls (a view often hands the request
    to a shared `_edit(request, …)` that does the POST handling)."""
    fn = inspect.unwrap(fn)
    try:
        text = inspect.getsource(fn)
    except (OSError, TypeError):
        return ""
    parts = [text]
    if depth:
        module = sys.modules.get(fn.__module__)
        for node in ast.walk(ast.parse(textwrap.dedent(text))):
            if isinstance(node, ast.Name) and node.id != fn.__name__:
                helper = getattr(module, node.id, None)
                if inspect.isfunction(helper) and helper.__module__ == fn.__module__:
                    parts.append(_source(helper, depth - 1))
    return "\n".join(parts)


def accepts_writes(callback: Callable) -> bool:
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post")
    return bool(POST_MARK.search(_source(callback)))


def write_routes() -> dict[str, str]:
    """URL name -> route of every page that accepts a POST."""
    return {name: route for route, name, callback in page_routes() if accepts_writes(callback)}


def is_new_area(name: str, route: str) -> bool:
    return name.split(":")[0] in NEW_NAMESPACES or route.startswith(NEW_PREFIXES)


def exempt_prefix(route: str) -> str | None:
    return next((p for p in EXEMPT_PREFIXES if route.startswith(p)), None)


def api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {
        f"{method.upper()} {path.removeprefix('/api/v1')}"
        for path, ops in schema["paths"].items()
        for method in ops
    }


def _ops(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else value


def test_the_walk_finds_the_writes_and_not_the_reads():
    routes = write_routes()
    assert {"leads:create", "leads:claim", "settings:members", "quotes:line_photo"} <= set(routes)
    # _edit(request, …) handles the POST of these two: found through the helper.
    assert {"leads:webform_create", "leads:assignment_rule_edit"} <= set(routes)
    assert not {"leads:list", "leads:detail", "home", "healthz"} & set(routes)


def test_every_page_write_has_an_api_operation_or_a_reason():
    missing = []
    for name, route in sorted(write_routes().items()):
        if name in PAGE_TO_API or name in EXEMPT or exempt_prefix(route):
            continue
        if name in PENDING_NEW_AREAS and is_new_area(name, route):
            continue
        missing.append(f"{name} (/{route})")
    assert not missing, (
        "these pages accept writes the API cannot do: add the API operation (same service, "
        f"same permission) and map it in PAGE_TO_API, or give a reason in EXEMPT: {missing}"
    )


def test_mapped_operations_exist_in_the_schema():
    operations = api_operations()
    unknown = {
        name: op
        for name, value in PAGE_TO_API.items()
        for op in _ops(value)
        if op not in operations
    }
    assert not unknown, f"PAGE_TO_API names operations the API does not have: {unknown}"


def test_the_tables_name_only_existing_write_pages():
    """A renamed or removed page must leave the tables too, so they stay true."""
    routes = write_routes()
    stale = sorted((set(PAGE_TO_API) | set(EXEMPT) | PENDING_NEW_AREAS) - set(routes))
    assert not stale, f"no page with a write has these names any more: {stale}"
    assert not set(PAGE_TO_API) & set(EXEMPT), "a page is either mapped or exempt"
    assert all(reason.strip() for reason in [*EXEMPT.values(), *EXEMPT_PREFIXES.values()])


def test_pending_holds_only_new_area_pages_still_unmapped():
    routes = write_routes()
    wrong = sorted(
        name
        for name in PENDING_NEW_AREAS
        if name in PAGE_TO_API or name not in routes or not is_new_area(name, routes[name])
    )
    assert not wrong, (
        "PENDING_NEW_AREAS may only hold unmapped pages of the new areas; the older apps' "
        f"pages must have their API: {wrong}"
    )
