"""Writes of the product catalogue (产品目录): products and their list price per currency.

One cleaning function (`clean_product`, `clean_price`) serves the form, the API and the import, so
a value is refused with the same coded, translated message wherever it came from. Services are
keyword-only, atomic, need PRODUCT_MANAGE, write one audit row per change and emit after commit.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tradewind.core import normalize
from tradewind.core.errors import Conflict, ErrorCode, NotFound, ServiceError
from tradewind.core.money import all_currencies, to_decimal
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.events import emit
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import ACTION_LABELS

from .errors import ProductError
from .models_products import Product, ProductPrice

EDITABLE = ["sku", "name_en", "name_zh", "specs", "unit", "hs_code", "moq"]
AUDIT_FIELDS = [*EDITABLE, "is_active"]
MOQ_MAX = Decimal("99999999999.999")  # max_digits=14, decimal_places=3
PRICE_MAX = Decimal("999999999999.9999")  # max_digits=16, decimal_places=4
HS_CODE = re.compile(r"\d+(?:\.\d+)*")

Errors = dict[str, list[Any]]

ACTION_LABELS.setdefault("price_set", gettext_lazy("set a list price"))
ACTION_LABELS.setdefault("price_deleted", gettext_lazy("removed a list price"))
ACTION_LABELS.setdefault("imported", gettext_lazy("imported from a spreadsheet"))


def _refuse(code: str, errors: Errors) -> ServiceError:
    return ServiceError(code, _("Please correct the marked fields."), fields=errors)


# --- cleaning (form, API and import alike) ---------------------------------------------------------


def fold_sku(value: Any) -> str:
    """NFKC (full-width "ＡＢ－１" is "AB-1"), trimmed, inner spaces folded to one."""
    return normalize.clean_text(str(value or ""))


def _decimal(value: Any, places: int, maximum: Decimal, minimum: Decimal) -> Decimal | None:
    """A Decimal within [minimum, maximum] with at most `places` decimals, or None when invalid."""
    try:
        number = to_decimal(value)
    except (ServiceError, TypeError):
        return None
    exponent = number.as_tuple().exponent
    if not isinstance(exponent, int) or -exponent > places:
        number = number.normalize()
        exponent = number.as_tuple().exponent
        if not isinstance(exponent, int) or -exponent > places:
            return None
    if number < minimum or number > maximum:
        return None
    return number


def clean_product(data: dict[str, Any], *, creating: bool) -> tuple[dict[str, Any], Errors]:
    """(cleaned values, errors by field) for the given fields; on create every field is checked."""
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if creating:
        data = {name: data.get(name) for name in EDITABLE}
    cleaned: dict[str, Any] = {}
    errors: Errors = {}
    if "sku" in data:
        sku = fold_sku(data["sku"])
        if not sku:
            errors["sku"] = [_("Enter the SKU (article number).")]
        elif len(sku) > 64:
            errors["sku"] = [_("At most %(n)s characters.") % {"n": 64}]
        cleaned["sku"] = sku
    for name, size in (("name_en", 200), ("name_zh", 200)):
        if name in data:
            cleaned[name] = normalize.trim_text(data[name] or "")
            if len(cleaned[name]) > size:
                errors[name] = [_("At most %(n)s characters.") % {"n": size}]
    if "specs" in data:
        cleaned["specs"] = str(data["specs"] or "").strip()
    if "unit" in data:
        cleaned["unit"] = normalize.clean_text(data["unit"] or "")
        if len(cleaned["unit"]) > 20:
            errors["unit"] = [_("At most %(n)s characters.") % {"n": 20}]
    if "hs_code" in data:
        hs_code = normalize.clean_text(data["hs_code"] or "").replace(" ", "")
        digits = sum(ch.isdigit() for ch in hs_code)
        if hs_code and (not HS_CODE.fullmatch(hs_code) or not 6 <= digits <= 10):
            errors["hs_code"] = [
                _("An HS code has 6 to 10 digits, optionally with dots, e.g. 8539.52.00.")
            ]
        cleaned["hs_code"] = hs_code
    if "moq" in data:
        value = data["moq"]
        if value in (None, ""):
            cleaned["moq"] = None
        else:
            moq = _decimal(value, 3, MOQ_MAX, Decimal(0))
            if moq is None or moq <= 0:
                errors["moq"] = [_("Enter a quantity above zero, e.g. 500.")]
            cleaned["moq"] = moq
    return cleaned, errors


def check_names(values: dict[str, Any], errors: Errors) -> None:
    """At least one name, in Chinese or in English (after an edit or on create)."""
    if not (values.get("name_en") or values.get("name_zh")):
        message = _("Give the product a name in Chinese or in English.")
        errors.setdefault("name_en", []).append(message)


def error_code(errors: Errors) -> str:
    """The coded error of the first problem, so page, API and import say the same thing."""
    codes = {
        "sku": ProductError.SKU_REQUIRED,
        "name_en": ProductError.NAME_REQUIRED,
        "name_zh": ProductError.NAME_REQUIRED,
        "hs_code": ProductError.BAD_HS_CODE,
        "moq": ProductError.BAD_MOQ,
        "currency": ProductError.UNKNOWN_CURRENCY,
        "unit_price": ProductError.BAD_PRICE,
    }
    for name in errors:
        if name in codes:
            return codes[name]
    return ErrorCode.INVALID


def clean_price(currency: Any, unit_price: Any) -> tuple[str, Decimal | None, Errors]:
    """An ISO 4217 code (validated against core.money's list) and a price >= 0, 4 decimals max."""
    errors: Errors = {}
    code = normalize.clean_text(str(currency or "")).upper()
    if code not in all_currencies():
        errors["currency"] = [_("Unknown currency code: %(code)s") % {"code": code or "—"}]
    price = None
    if unit_price in (None, ""):
        errors["unit_price"] = [_("Enter a price, e.g. 12.50.")]
    else:
        price = _decimal(unit_price, 4, PRICE_MAX, Decimal(0))
        if price is None:
            errors["unit_price"] = [
                _("Enter a price of zero or more with at most 4 decimals, e.g. 12.50.")
            ]
    return code, price, errors


def _sku_taken(workspace_id: int, sku: str, exclude: int | None = None) -> bool:
    qs = Product.objects.filter(workspace_id=workspace_id, sku=sku)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.exists()


def _taken_error() -> ServiceError:
    message = _("Another product already has this SKU.")
    return ServiceError(
        ProductError.SKU_TAKEN,
        message,
        status=409,
        fields={"sku": [message]},
    )


def _check_version(current: Product, version: int | None) -> None:
    if version is not None and current.version != version:
        raise Conflict(
            ErrorCode.STALE_VERSION,
            _("Someone else changed this record since you opened it. Reload to see their changes."),
        )


# --- services --------------------------------------------------------------------------------------


@transaction.atomic
def product_create(
    *,
    actor: Actor,
    sku: str,
    name_en: str = "",
    name_zh: str = "",
    specs: str = "",
    unit: str = "",
    hs_code: str = "",
    moq: Any = None,
    prices: list[tuple[str, Any]] | None = None,
) -> Product:
    """A new active product, optionally with list prices [(currency, unit price)]."""
    require(actor, Perm.PRODUCT_MANAGE)
    data = {
        "sku": sku,
        "name_en": name_en,
        "name_zh": name_zh,
        "specs": specs,
        "unit": unit,
        "hs_code": hs_code,
        "moq": moq,
    }
    cleaned, errors = clean_product(data, creating=True)
    check_names(cleaned, errors)
    clean_prices: dict[str, Decimal] = {}
    for currency, unit_price in prices or []:
        code, price, price_errors = clean_price(currency, unit_price)
        for name, messages in price_errors.items():
            errors.setdefault(f"prices.{name}", []).extend(messages)
        if price is not None and not price_errors:
            clean_prices[code] = price
    if errors:
        raise _refuse(error_code({k.removeprefix("prices."): v for k, v in errors.items()}), errors)
    if _sku_taken(actor.workspace.pk, cleaned["sku"]):
        raise _taken_error()
    now = timezone.now()
    try:
        with transaction.atomic():
            product = Product.objects.create(
                workspace=actor.workspace, created_at=now, updated_at=now, **cleaned
            )
    except IntegrityError:  # a concurrent create took the SKU between the check and the insert
        raise _taken_error() from None
    ProductPrice.objects.bulk_create(
        ProductPrice(product=product, currency=code, unit_price=price)
        for code, price in sorted(clean_prices.items())
    )
    changes = {
        k: [None, v]
        for k, v in audit.snapshot(product, AUDIT_FIELDS).items()
        if v not in (None, "")
    }
    changes |= {f"price {code}": [None, str(price)] for code, price in clean_prices.items()}
    audit.record(actor=actor, verb=AuditVerb.CREATE, target=product, changes=changes)
    emit("product.created", workspace_id=actor.workspace.pk, product_id=product.pk)
    return product


def _locked(actor: Actor, product: Product) -> Product:
    return Product.objects.select_for_update().get(pk=product.pk, workspace=actor.workspace)


@transaction.atomic
def product_update(
    *, actor: Actor, product: Product, version: int | None = None, **data: Any
) -> Product:
    """Change the given fields of a product the caller fetched through visible_to(). Optimistic
    locking: pass the version the editor saw; a newer one refuses the write (409)."""
    require(actor, Perm.PRODUCT_MANAGE)
    current = _locked(actor, product)
    cleaned, errors = clean_product(data, creating=False)
    check_names(
        {
            "name_en": cleaned.get("name_en", current.name_en),
            "name_zh": cleaned.get("name_zh", current.name_zh),
        },
        errors,
    )
    if errors:
        raise _refuse(error_code(errors), errors)
    _check_version(current, version)
    if "sku" in cleaned and _sku_taken(actor.workspace.pk, cleaned["sku"], exclude=current.pk):
        raise _taken_error()
    changes = audit.apply_changes(current, cleaned, EDITABLE)
    if not changes:
        return current
    try:
        with transaction.atomic():
            audit.save_update(actor=actor, target=current, changes=changes)
    except IntegrityError:
        raise _taken_error() from None
    emit(
        "product.updated",
        workspace_id=actor.workspace.pk,
        product_id=current.pk,
        fields=sorted(changes),
    )
    return current


def _set_active(actor: Actor, product: Product, active: bool) -> Product:
    require(actor, Perm.PRODUCT_MANAGE)
    current = _locked(actor, product)
    if current.is_active == active:
        return current  # already so: nothing to record
    current.is_active = active
    current.updated_at = timezone.now()
    current.version += 1
    current.save(update_fields=["is_active", "updated_at", "version"])
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        target=current,
        changes={"is_active": [not active, active]},
        action="reactivated" if active else "deactivated",
    )
    emit(
        "product.reactivated" if active else "product.deactivated",
        workspace_id=actor.workspace.pk,
        product_id=current.pk,
    )
    return current


@transaction.atomic
def product_deactivate(*, actor: Actor, product: Product) -> Product:
    """An inactive product stays on the opportunities that use it but is no longer offered by
    the product picker (products:search). Doing it twice changes nothing."""
    return _set_active(actor, product, False)


@transaction.atomic
def product_reactivate(*, actor: Actor, product: Product) -> Product:
    return _set_active(actor, product, True)


def _touch(product: Product) -> None:
    Product.objects.filter(pk=product.pk).update(updated_at=timezone.now())


@transaction.atomic
def product_price_set(
    *, actor: Actor, product: Product, currency: str, unit_price: Any
) -> ProductPrice:
    """Add or change the list price in one currency (one price per currency and product)."""
    require(actor, Perm.PRODUCT_MANAGE)
    current = _locked(actor, product)
    code, price, errors = clean_price(currency, unit_price)
    if errors or price is None:
        raise _refuse(error_code(errors), errors)
    row = ProductPrice.objects.filter(product=current, currency=code).first()
    before = None if row is None else row.unit_price
    if row is None:
        row = ProductPrice.objects.create(product=current, currency=code, unit_price=price)
    elif row.unit_price != price:
        row.unit_price = price
        row.save(update_fields=["unit_price"])
    else:
        return row
    _touch(current)
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        target=current,
        action="price_set",
        changes={f"price {code}": [None if before is None else str(before), str(price)]},
    )
    emit(
        "product.price_set",
        workspace_id=actor.workspace.pk,
        product_id=current.pk,
        currency=code,
    )
    return row


@transaction.atomic
def product_price_delete(*, actor: Actor, product: Product, currency: str) -> None:
    require(actor, Perm.PRODUCT_MANAGE)
    current = _locked(actor, product)
    code = normalize.clean_text(str(currency or "")).upper()
    row = ProductPrice.objects.filter(product=current, currency=code).first()
    if row is None:
        raise NotFound(
            ProductError.PRICE_NOT_FOUND,
            _("This product has no price in %(code)s.") % {"code": code or "—"},
        )
    before = row.unit_price
    row.delete()
    _touch(current)
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        target=current,
        action="price_deleted",
        changes={f"price {code}": [str(before), None]},
    )
    emit(
        "product.price_deleted",
        workspace_id=actor.workspace.pk,
        product_id=current.pk,
        currency=code,
    )
