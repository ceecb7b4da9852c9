"""The JSON API under /api/v1: mounts each app's router, maps every error to {code, message, fields}."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from tradewind import __version__
from tradewind.core.errors import ErrorCode, ServiceError
from tradewind.leads.api import router as leads_router
from tradewind.workspaces.api import router as workspaces_router
from tradewind.workspaces.api_auth import MemberSessionAuth, TokenAuth

api = NinjaAPI(
    title="Tradewind API",
    version=__version__,
    description="Lead-to-cash CRM. Authenticate with a personal token: `Authorization: Bearer tw_…`.",
    auth=[TokenAuth(), MemberSessionAuth()],
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


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
        fields.setdefault(".".join(loc) or "__all__", []).append(str(error.get("msg", "")))
    return _error(request, 422, ErrorCode.INVALID, _("Please correct the marked fields."), fields)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(
        request,
        exc.status_code,
        ErrorCode.INVALID if exc.status_code < 500 else "server_error",
        str(exc),
    )


api.add_router("/", workspaces_router)
api.add_router("/leads", leads_router)
