"""Workspace data API: the whole-workspace export and the erasure of a person (owners only)."""

from __future__ import annotations

from typing import Literal

from django.http import FileResponse, HttpRequest
from ninja import Router, Schema

from tradewind.core.api import ERRORS, ErrorOut

from . import erasure, export_all

router = Router(tags=["workspace"])


class ErasureIn(Schema):
    # Defaults, so a missing or foreign id answers 404 (not 422) like every other route.
    kind: Literal["lead", "contact"] = "lead"
    id: int = 0


class ErasureOut(Schema):
    kind: str
    id: int
    erased: bool


@router.get(
    "/export",
    response={200: None, 401: ErrorOut, 403: ErrorOut},
    summary="Export every record of the workspace (zip: one XLSX workbook and JSON per model)",
    description="Owners only. Synchronous: the zip is built, then streamed. Audited.",
)
def workspace_export(request: HttpRequest) -> FileResponse:
    out, name = export_all.workspace_export(actor=request.actor)
    return FileResponse(out, as_attachment=True, filename=name, content_type="application/zip")


@router.post(
    "/erasures",
    response={200: ErasureOut, **ERRORS},
    summary="Erase a person: a lead's or a contact's personal data, search keys and history values",
    description="Owners only. Irreversible. The audit trail keeps a redacted entry.",
)
def person_erase(request: HttpRequest, payload: ErasureIn) -> dict:
    record = erasure.erase_person(actor=request.actor, kind=payload.kind, record_id=payload.id)
    return {"kind": payload.kind, "id": record.pk, "erased": True}
