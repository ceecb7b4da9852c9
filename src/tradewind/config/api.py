"""The JSON API under /api/v1: mounts each app's router, maps every error to {code, message, fields}."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import (
    AuthenticationError,
    AuthorizationError,
    HttpError,
    Throttled,
    ValidationError,
)

from tradewind import __version__
from tradewind.activities.api import router as notifications_router
from tradewind.activities.api_comments import router as comments_router
from tradewind.activities.api_tasks import router as tasks_router
from tradewind.analytics.api_conversion import router as reports_conversion_router
from tradewind.analytics.api_customers import router as reports_customers_router
from tradewind.analytics.api_dashboards import router as dashboards_router
from tradewind.analytics.api_goals import router as reports_goals_router
from tradewind.automation.api import router as automation_router
from tradewind.campaigns.api import router as campaigns_router
from tradewind.core.errors import ErrorCode, ServiceError
from tradewind.customers.api import router as customers_router
from tradewind.customers.api_360 import router as customers_360_router
from tradewind.customers.api_assignment import router as customers_assignment_router
from tradewind.customers.api_collaborators import router as customers_collaborators_router
from tradewind.customers.api_lists import router as customers_lists_router
from tradewind.customers.api_pool import router as customers_pool_router
from tradewind.customers.qualification_api import nodes_router as followup_nodes_router
from tradewind.customers.qualification_api import router as qualification_router
from tradewind.enablement.api import router as library_router
from tradewind.enablement.api_daily import router as daily_reports_router
from tradewind.leads.api import router as leads_router
from tradewind.leads.api_assignment import router as leads_assignment_router
from tradewind.leads.api_conversion import router as leads_conversion_router
from tradewind.leads.api_followups import router as leads_followups_router
from tradewind.leads.api_imports import router as leads_imports_router
from tradewind.leads.api_lists import router as leads_lists_router
from tradewind.leads.api_merge import router as leads_merge_router
from tradewind.leads.api_pool import router as leads_pool_router
from tradewind.leads.api_recycling import router as leads_recycling_router
from tradewind.leads.api_scoring import router as leads_scoring_router
from tradewind.leads.api_status import router as leads_status_router
from tradewind.leads.api_webforms import router as leads_webforms_router
from tradewind.mailing.api import router as mailing_router
from tradewind.orders.api_orders import finance_router as customer_finance_router
from tradewind.orders.api_orders import router as orders_router
from tradewind.orders.api_quote_photos import router as quote_photos_router
from tradewind.orders.api_quotes import documents_router, quotes_router
from tradewind.orders.api_settings import router as orders_settings_router
from tradewind.plans.api import router as plans_router
from tradewind.sales.api import router as opportunities_router
from tradewind.sales.api_board import router as board_router
from tradewind.sales.api_forecast import router as forecast_router
from tradewind.sales.api_lists import router as opportunities_lists_router
from tradewind.sales.api_pipelines import reasons_router as close_reasons_router
from tradewind.sales.api_pipelines import router as pipelines_router
from tradewind.sales.api_products import router as products_router
from tradewind.webhooks.api import router as webhooks_router
from tradewind.workspaces import idempotency
from tradewind.workspaces.api import router as workspaces_router
from tradewind.workspaces.api_auth import MemberSessionAuth, TokenAuth
from tradewind.workspaces.api_data import router as workspace_data_router
from tradewind.workspaces.api_jobs import router as jobs_router
from tradewind.workspaces.api_limits import CallerRateThrottle, RateLimitCode, with_rate_headers
from tradewind.workspaces.custom_fields_api import router as custom_fields_router

api = NinjaAPI(
    title="Tradewind API",
    version=__version__,
    description=(
        "Lead-to-cash CRM. Authenticate with a personal token: `Authorization: Bearer tw_…`. "
        "Each token has a request budget per minute (429 with `Retry-After` beyond it; "
        "`RateLimit-*` headers on every answer). POST calls accept an `Idempotency-Key` header: "
        "a repeat answers the stored result (`Idempotent-Replayed: true`)."
    ),
    auth=[TokenAuth(), MemberSessionAuth()],
    # Per-caller budgets (workspaces/api_limits.py); docs/api.md describes them.
    throttle=[CallerRateThrottle()],
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)

# Outermost last: the rate headers go on every answer, replays included.
api.add_decorator(idempotency.claim, mode="operation")
api.add_decorator(idempotency.store, mode="view")
api.add_decorator(with_rate_headers, mode="view")


def _error(
    request: HttpRequest, status: int, code: str, message: str, fields: dict | None = None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "fields": fields or {}}, status=status
    )


@api.exception_handler(ServiceError)
def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, ErrorCode.NOT_FOUND, _("Not found."))


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request,
        401,
        ErrorCode.UNAUTHENTICATED,
        _("Authentication required: send a valid API token."),
    )


@api.exception_handler(AuthorizationError)
def forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return _error(
        request, 403, ErrorCode.PERMISSION_DENIED, _("You do not have permission to do this.")
    )


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [
            str(part)
            for part in error.get("loc", ())
            if part not in ("body", "query", "path", "payload")
        ]
        fields.setdefault(".".join(loc) or "__all__", []).append(_validation_message(error))
    return _error(request, 422, ErrorCode.INVALID, _("Please correct the marked fields."), fields)


def _validation_message(error: dict) -> str:
    """Pydantic speaks English; say the same thing in the user's language."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_short":
        return _("This field cannot be blank.") if ctx.get("min_length") == 1 else _("Too short.")
    if kind == "string_too_long":
        return _("At most %(n)s characters.") % {"n": ctx.get("max_length")}
    if kind in ("enum", "literal_error"):
        return _("Choose one of: %(values)s.") % {"values": ctx.get("expected", "")}
    if kind.startswith(("int_", "decimal_", "float_")):
        return _("Enter a number.")
    if kind.startswith(("date_", "datetime_")):
        return _("Enter a valid date (YYYY-MM-DD).")
    if kind in ("json_invalid", "model_attributes_type", "dict_type"):
        return _("The request body is not valid JSON.")
    if kind.startswith(("greater_than", "less_than")):
        return _("The value is out of range.")
    return _("Invalid value.")


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    # ninja adds the Retry-After header from exc.wait.
    message = _("Too many requests: try again in %(n)s seconds.") % {"n": exc.wait or 1}
    return _error(request, 429, RateLimitCode.RATE_LIMITED, message)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:  # ninja: "Cannot parse request body" (not JSON, bad multipart)
        message = _("The request body is not valid JSON.")
        return _error(request, 422, ErrorCode.INVALID, message, {"__all__": [message]})
    return _error(
        request,
        exc.status_code,
        ErrorCode.INVALID if exc.status_code < 500 else "server_error",
        str(exc),
    )


api.add_router("/", workspaces_router)
api.add_router("/custom-fields", custom_fields_router)
api.add_router("/leads", leads_status_router)
api.add_router("/leads", leads_conversion_router)
api.add_router("/leads", leads_merge_router)
api.add_router("/customers", customers_assignment_router)
api.add_router("/customers", customers_collaborators_router)
api.add_router("/customers", customers_pool_router)
api.add_router("/customers", qualification_router)
api.add_router("/followup-nodes", followup_nodes_router)
api.add_router("/customers", customers_lists_router)
api.add_router("/customers", customers_360_router)
api.add_router("/customers", customer_finance_router)
api.add_router("/customers", customers_router)
api.add_router("/opportunities", opportunities_lists_router)
api.add_router("/opportunities", opportunities_router)
api.add_router("/quotes", quotes_router)
api.add_router("/quotes", quote_photos_router)
api.add_router("/settings", orders_settings_router)
api.add_router("/documents", documents_router)
api.add_router("/orders", orders_router)
api.add_router("/board", board_router)
api.add_router("/forecast", forecast_router)
api.add_router("/pipelines", pipelines_router)
api.add_router("/close-reasons", close_reasons_router)
api.add_router("/products", products_router)
api.add_router("/leads", leads_recycling_router)
api.add_router("/leads", leads_scoring_router)
api.add_router("/", notifications_router)
api.add_router("/", tasks_router)
api.add_router("/", comments_router)
api.add_router("/leads", leads_pool_router)
api.add_router("/leads/webforms", leads_webforms_router)
api.add_router("/leads", leads_assignment_router)
api.add_router("/leads", leads_followups_router)
api.add_router("/leads", leads_lists_router)
api.add_router("/leads", leads_imports_router)
api.add_router("/leads", leads_router)
api.add_router("/reports", reports_conversion_router)
api.add_router("/reports", dashboards_router)
api.add_router("/reports", reports_goals_router)
api.add_router("/reports", reports_customers_router)
api.add_router("/workspace", workspace_data_router)
api.add_router("/automation", automation_router)
api.add_router("/email", mailing_router)
api.add_router("/webhooks", webhooks_router)
api.add_router("/plans", plans_router)
api.add_router("/library", library_router)
api.add_router("/daily-reports", daily_reports_router)
api.add_router("/campaigns", campaigns_router)
api.add_router("/", jobs_router)
