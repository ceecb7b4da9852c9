"""Coded errors shared by pages, the API and import reports.

Each app declares an enum of codes; a ServiceError carries one, a translated message and an HTTP
status so every surface says the same thing.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Codes any app may raise; apps extend with their own StrEnum."""

    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    INVALID = "invalid"
    CONFLICT = "conflict"
    STALE_VERSION = "stale_version"
    UNAUTHENTICATED = "unauthenticated"


class ServiceError(Exception):
    status = 422

    def __init__(
        self,
        code: str,
        message: Any,
        *,
        status: int | None = None,
        fields: dict[str, list[Any]] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.code = str(code)
        self.message = message
        self.fields = fields or {}
        if status is not None:
            self.status = status

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {k: [str(m) for m in v] for k, v in self.fields.items()},
        }


class NotFound(ServiceError):
    status = 404


class PermissionDenied(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409
