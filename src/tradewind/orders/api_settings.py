"""The document and receipt settings over the API, as on the settings pages (WORKSPACE_MANAGE):
the document profile (letterhead, bank, clauses, chop), the payment terms list and the receipt
tolerance. A payment term id answers 404 to members who cannot edit settings, as other
configuration does; everyone may still read the list at GET /quotes/payment-terms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from tradewind.core.api import ERRORS, READ_ERRORS
from tradewind.core.errors import ErrorCode, ServiceError
from tradewind.workspaces.access import require
from tradewind.workspaces.permissions import Perm

from . import payments
from .api_quotes import PaymentTermOut
from .models import DocumentProfile, PaymentTerm
from .settings_services import PROFILE_FIELDS, payment_term_save, profile_get, profile_update

router = Router(tags=["settings"])


class DocumentProfileOut(Schema):
    seller_name_en: str
    seller_name_zh: str
    address_en: str
    address_zh: str
    phone: str
    email: str
    website: str
    bank_beneficiary: str
    bank_account: str
    bank_name: str
    bank_address: str
    bank_swift: str
    default_port_of_loading: str
    clauses_en: str
    clauses_zh: str
    has_chop: bool
    version: int
    updated_at: dt.datetime

    @staticmethod
    def resolve_has_chop(obj: DocumentProfile) -> bool:
        return bool(obj.chop)


class DocumentProfilePatch(Schema):
    # Lengths are judged by the service (coded `bad_field` with translated field errors).
    seller_name_en: str | None = None
    seller_name_zh: str | None = None
    address_en: str | None = None
    address_zh: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    bank_beneficiary: str | None = None
    bank_account: str | None = None
    bank_name: str | None = None
    bank_address: str | None = None
    bank_swift: str | None = None
    default_port_of_loading: str | None = None
    clauses_en: str | None = None
    clauses_zh: str | None = None
    version: int | None = Field(None, description="The version you read; a newer one answers 409")


class PaymentTermIn(Schema):
    label_en: str = ""
    label_zh: str = ""


class PaymentTermPatch(Schema):
    # Optional so an outsider's empty body answers 404; unset fields keep their value.
    label_en: str | None = None
    label_zh: str | None = None
    is_active: bool | None = None


class ToleranceOut(Schema):
    tolerance_amount: Decimal
    tolerance_percent: Decimal


class ToleranceIn(Schema):
    tolerance_amount: Decimal = Field(description="In the order's currency; 0 or more")
    tolerance_percent: Decimal = Field(description="A share of the plan item, 0 to 10")


def _manage(request: HttpRequest) -> None:
    require(request.actor, Perm.WORKSPACE_MANAGE)


@router.get(
    "/documents",
    response={200: DocumentProfileOut, 403: ERRORS[403], **READ_ERRORS},
    summary="The document profile: letterhead, bank details, clauses",
)
def document_profile_get(request: HttpRequest) -> DocumentProfile:
    _manage(request)
    return profile_get(request.workspace)


@router.patch(
    "/documents",
    response={200: DocumentProfileOut, **ERRORS},
    summary="Change the document profile (documents issued earlier keep theirs)",
)
def document_profile_update(request: HttpRequest, payload: DocumentProfilePatch) -> DocumentProfile:
    _manage(request)
    data = payload.dict(exclude_unset=True, exclude_none=True)
    version = data.pop("version", None)
    current = profile_get(request.workspace)
    fields = {name: data.get(name, getattr(current, name)) for name in PROFILE_FIELDS}
    return profile_update(actor=request.actor, fields=fields, expected_version=version)


def _profile_fields(request: HttpRequest) -> dict:
    current = profile_get(request.workspace)
    return {name: getattr(current, name) for name in PROFILE_FIELDS}


@router.post(
    "/documents/chop",
    response={200: DocumentProfileOut, **ERRORS},
    summary="Upload the company chop (PNG or JPEG) printed on documents",
    description="422 `bad_chop` for a file that is not an image we accept.",
)
def document_chop_set(
    request: HttpRequest, chop: Annotated[UploadedFile | None, File()] = None
) -> DocumentProfile:
    _manage(request)
    if chop is None:
        message = _("This field is required.")
        raise ServiceError(ErrorCode.INVALID, message, fields={"chop": [message]})
    return profile_update(actor=request.actor, fields=_profile_fields(request), chop=chop)


@router.delete(
    "/documents/chop",
    response={200: DocumentProfileOut, **ERRORS},
    summary="Remove the company chop",
)
def document_chop_remove(request: HttpRequest) -> DocumentProfile:
    _manage(request)
    return profile_update(actor=request.actor, fields=_profile_fields(request), remove_chop=True)


@router.post(
    "/payment-terms",
    response={201: PaymentTermOut, **ERRORS},
    summary="Add a payment term to the list quotes choose from",
)
def payment_term_create(request: HttpRequest, payload: PaymentTermIn) -> Status:
    term = payment_term_save(
        actor=request.actor, label_en=payload.label_en, label_zh=payload.label_zh
    )
    return Status(201, term)


@router.patch(
    "/payment-terms/{payment_term_id}",
    response={200: PaymentTermOut, **ERRORS},
    summary="Rename, (de)activate a payment term",
)
def payment_term_update(
    request: HttpRequest, payment_term_id: int, payload: PaymentTermPatch
) -> PaymentTerm:
    if not request.member.has(Perm.WORKSPACE_MANAGE):
        raise Http404  # configuration: an id says nothing to members who cannot edit it
    term = PaymentTerm.objects.filter(workspace=request.workspace, pk=payment_term_id).first()
    if term is None:
        raise Http404
    data = payload.dict(exclude_unset=True, exclude_none=True)
    return payment_term_save(
        actor=request.actor,
        term_id=term.pk,
        label_en=data.get("label_en", term.label_en),
        label_zh=data.get("label_zh", term.label_zh),
        is_active=data.get("is_active", term.is_active),
    )


@router.get(
    "/receipt-tolerance",
    response={200: ToleranceOut, 403: ERRORS[403], **READ_ERRORS},
    summary="How far a receipt may fall short of a plan item and still settle it",
)
def tolerance_get(request: HttpRequest) -> object:
    require(request.actor, Perm.OPPORTUNITY_VIEW)
    return payments.settings_for(request.workspace)


@router.put(
    "/receipt-tolerance",
    response={200: ToleranceOut, **ERRORS},
    summary="Set the receipt tolerance: an amount and a share; the larger applies",
)
def tolerance_set(request: HttpRequest, payload: ToleranceIn) -> object:
    return payments.tolerance_set(
        actor=request.actor, amount=payload.tolerance_amount, percent=payload.tolerance_percent
    )
