"""Custom field definitions API: list, create, get, update (labels, choices, required, active),
move. Definitions are workspace configuration: without WORKSPACE_MANAGE they do not exist (404)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS

from . import custom_fields_services as services
from .access import require
from .models_custom_fields import CustomFieldDefinition
from .permissions import Perm

router = Router(tags=["custom fields"])


class ChoiceOut(Schema):
    value: str
    en: str = ""
    zh: str = ""


class CustomFieldOut(Schema):
    id: int
    target: str
    key: str
    label_en: str
    label_zh: str
    type: str
    choices: list[ChoiceOut]
    required: bool
    help_text: str
    position: int
    active: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomFieldIn(Schema):
    target: str = Field(description="lead, customer, contact or opportunity")
    type: str = Field(
        description="text, long_text, number, money, date, choice, multi_choice or boolean"
    )
    label_en: str = Field("", max_length=80)
    label_zh: str = Field("", max_length=80)
    key: str = Field("", max_length=40, description="stable; empty: from the English label")
    choices: list[Any] = Field(
        [], description='strings ("English | 中文") or {"value", "en", "zh"} objects'
    )
    required: bool = False
    help_text: str = Field("", max_length=200)


class CustomFieldPatch(Schema):
    label_en: str | None = Field(None, max_length=80)
    label_zh: str | None = Field(None, max_length=80)
    choices: list[Any] | None = None
    required: bool | None = None
    help_text: str | None = Field(None, max_length=200)
    active: bool | None = None
    version: int | None = Field(None, description="The version you read; a newer one answers 409")


class CustomFieldMoveIn(Schema):
    # Optional for the schema so a foreign id answers 404 before the body is judged (422).
    direction: Literal["up", "down"] | None = None


def _get(request: HttpRequest, custom_field_id: int) -> CustomFieldDefinition:
    if not request.member.has(Perm.WORKSPACE_MANAGE):
        raise Http404
    field = CustomFieldDefinition.objects.visible_to(request.member).filter(pk=custom_field_id)
    found = field.first()
    if found is None:
        raise Http404
    return found


@router.get("", response={200: list[CustomFieldOut], **READ_ERRORS})
def custom_field_list(
    request: HttpRequest, target: str = "", active: bool | None = None
) -> list[CustomFieldDefinition]:
    """Every member may read the definitions (forms and imports need them)."""
    qs = CustomFieldDefinition.objects.visible_to(request.member)
    if target:
        qs = qs.filter(target=target)
    if active is not None:
        qs = qs.filter(active=active)
    return list(qs.order_by("target", "position", "id"))


@router.post("", response={201: CustomFieldOut, **ERRORS})
def custom_field_create(request: HttpRequest, payload: CustomFieldIn) -> Status:
    require(request.actor, Perm.WORKSPACE_MANAGE)
    return Status(201, services.custom_field_create(actor=request.actor, **payload.dict()))


@router.get("/{custom_field_id}", response={200: CustomFieldOut, **READ_ERRORS})
def custom_field_get(request: HttpRequest, custom_field_id: int) -> CustomFieldDefinition:
    return _get(request, custom_field_id)


@router.patch("/{custom_field_id}", response={200: CustomFieldOut, **ERRORS})
def custom_field_update(
    request: HttpRequest, custom_field_id: int, payload: CustomFieldPatch
) -> CustomFieldDefinition:
    field = _get(request, custom_field_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    data.pop("version", None)
    return services.custom_field_update(
        actor=request.actor, field=field, version=payload.version, **data
    )


@router.post("/{custom_field_id}/move", response={200: CustomFieldOut, **ERRORS})
def custom_field_move(
    request: HttpRequest, custom_field_id: int, payload: CustomFieldMoveIn
) -> CustomFieldDefinition:
    field = _get(request, custom_field_id)
    direction = {"up": -1, "down": 1}.get(payload.direction or "", 0)
    return services.custom_field_move(actor=request.actor, field=field, direction=direction)
