"""Web form administration API (WORKSPACE_MANAGE). The public endpoint /f/<key>/ is not here."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import webforms
from .models_webforms import SubmissionState, WebForm, WebFormSubmission
from .views_webforms import public_url

router = Router(tags=["web forms"])


class WebFormIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    is_active: bool = True
    fields: list[str] = Field(default_factory=lambda: list(webforms.DEFAULT_FIELDS))
    source: str = "web_form"
    source_detail: str = Field("", max_length=200)
    allowed_origins: list[str] = []
    daily_budget: int = Field(200, ge=1, le=webforms.BUDGET_MAX)
    owner_id: int | None = Field(None, description="null: the assignment rules decide")
    thank_you_en: str = Field("", max_length=webforms.TEXT_MAX)
    thank_you_zh: str = Field("", max_length=webforms.TEXT_MAX)
    redirect_url: str = Field("", max_length=500)


class WebFormPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    is_active: bool | None = None
    fields: list[str] | None = None
    source: str | None = None
    source_detail: str | None = Field(None, max_length=200)
    allowed_origins: list[str] | None = None
    daily_budget: int | None = Field(None, ge=1, le=webforms.BUDGET_MAX)
    owner_id: int | None = None
    thank_you_en: str | None = Field(None, max_length=webforms.TEXT_MAX)
    thank_you_zh: str | None = Field(None, max_length=webforms.TEXT_MAX)
    redirect_url: str | None = Field(None, max_length=500)


class WebFormOut(Schema):
    id: int
    name: str
    key: str
    url: str
    is_active: bool
    fields: list[str]
    source: str
    source_detail: str
    allowed_origins: list[str]
    daily_budget: int
    owner_id: int | None
    thank_you_en: str
    thank_you_zh: str
    redirect_url: str
    version: int
    created_at: dt.datetime

    @staticmethod
    def resolve_url(obj: WebForm) -> str:
        return public_url(obj)


class SubmissionOut(Schema):
    id: int
    received_at: dt.datetime
    state: str
    payload: dict
    lead_id: int | None
    duplicate_of: list[str]
    errors: dict


class ProcessedOut(Schema):
    accepted: int
    rejected: int


def _data(payload: Schema, *, partial: bool) -> dict:
    data = payload.dict(exclude_unset=partial)
    if "owner_id" in data:
        data["owner"] = data.pop("owner_id")
    return {k: v for k, v in data.items() if v is not None or k == "owner"}


def _get(request: HttpRequest, form_id: int) -> WebForm:
    """Web forms are workspace configuration: to members without WORKSPACE_MANAGE they do not
    exist (404), like any record outside a member's scope."""
    if not request.member.has(Perm.WORKSPACE_MANAGE):
        raise Http404
    form = WebForm.objects.visible_to(request.member).filter(pk=form_id).first()
    if form is None:
        raise Http404
    return form


@router.get("", response={200: list[WebFormOut], **READ_ERRORS, 403: ERRORS[403]})
def webform_list(request: HttpRequest) -> list[WebForm]:
    require(request.actor, Perm.WORKSPACE_MANAGE)
    return list(WebForm.objects.visible_to(request.member).order_by("name", "id"))


@router.post("", response={201: WebFormOut, **ERRORS})
def webform_create(request: HttpRequest, payload: WebFormIn) -> Status:
    return Status(
        201, webforms.webform_create(actor=request.actor, **_data(payload, partial=False))
    )


@router.get("/{form_id}", response={200: WebFormOut, **READ_ERRORS})
def webform_get(request: HttpRequest, form_id: int) -> WebForm:
    return _get(request, form_id)


@router.patch("/{form_id}", response={200: WebFormOut, **ERRORS})
def webform_update(request: HttpRequest, form_id: int, payload: WebFormPatch) -> WebForm:
    form = _get(request, form_id)
    return webforms.webform_update(actor=request.actor, form=form, **_data(payload, partial=True))


@router.delete("/{form_id}", response={204: None, **ERRORS})
def webform_delete(request: HttpRequest, form_id: int) -> Status:
    webforms.webform_delete(actor=request.actor, form=_get(request, form_id))
    return Status(204, None)


@router.get("/{form_id}/submissions", response={200: list[SubmissionOut], **READ_ERRORS})
def webform_submissions(
    request: HttpRequest, form_id: int, state: str = "", limit: int = 100
) -> list[WebFormSubmission]:
    form = _get(request, form_id)
    qs = form.submissions.order_by("-received_at", "-id")
    if state in SubmissionState.values:
        qs = qs.filter(state=state)
    return list(qs[: max(1, min(limit, 500))])


@router.post("/{form_id}/process-overflow", response={200: ProcessedOut, **ERRORS})
def webform_process_overflow(request: HttpRequest, form_id: int) -> dict:
    return webforms.webform_process_overflow(actor=request.actor, form=_get(request, form_id))
