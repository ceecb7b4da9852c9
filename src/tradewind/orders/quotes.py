"""Writes of quotes (报价单): create (from an opportunity or from scratch), edit the latest
version, make a new version, the one status transition, line photos, and the daily expiry.

Every service is keyword-only and atomic, checks the actor's permission first, locks the quote it
writes (re-read through the actor's visibility: anything else is 404), records one audit row in
the same transaction and emits its event after commit. Totals come from orders/totals.py only."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tradewind.core import normalize
from tradewind.core.errors import Conflict, ErrorCode, NotFound, ServiceError
from tradewind.core.money import all_currencies
from tradewind.customers.models import Contact, Customer
from tradewind.sales.choices import Incoterm
from tradewind.sales.models import Opportunity
from tradewind.sales.models_products import Product, ProductPrice
from tradewind.workspaces import audit
from tradewind.workspaces.access import require
from tradewind.workspaces.actors import Actor
from tradewind.workspaces.choices import AuditVerb
from tradewind.workspaces.daily_jobs import local_date
from tradewind.workspaces.events import emit
from tradewind.workspaces.numbering import code_next
from tradewind.workspaces.permissions import Perm
from tradewind.workspaces.selectors import ACTION_LABELS, FACT_LABELS

from .choices import QUOTE_MOVES, QuoteStatus
from .errors import QuoteError
from .models import PaymentTerm, Quote, QuoteLine, QuoteVersion
from .settings_services import payment_terms_ensure
from .totals import line_amount, quote_totals

LINES_MAX = 200
QUANTITY_MAX = Decimal("99999999999.999")
PRICE_MAX = Decimal("999999999999.9999")
AMOUNT_MAX = Decimal("9999999999999999.99")
PHOTO_MAX_BYTES = 3 * 1024 * 1024
TEXT_LIMITS = {
    "title": 200,
    "named_place": 120,
    "moq": 120,
    "lead_time": 120,
    "packing": 300,
    "change_note": 300,
    "note": 300,
}
VERSION_FIELDS = [
    "currency",
    "incoterm",
    "named_place",
    "quote_date",
    "valid_until",
    "moq",
    "lead_time",
    "packing",
    "payment_term",
    "notes",
]

ACTION_LABELS.setdefault("quote_sent", gettext_lazy("marked the quote sent"))
ACTION_LABELS.setdefault("quote_accepted", gettext_lazy("marked the quote accepted"))
ACTION_LABELS.setdefault("quote_rejected", gettext_lazy("marked the quote rejected"))
ACTION_LABELS.setdefault("quote_expired", gettext_lazy("quote expired"))
ACTION_LABELS.setdefault("quote_revised", gettext_lazy("made a new quote version"))
FACT_LABELS.setdefault("version", gettext_lazy("version"))


# --- helpers ---------------------------------------------------------------------------------------


def not_found() -> NotFound:
    return NotFound(ErrorCode.NOT_FOUND, _("Not found."))


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise not_found() from None


def lock_quote(actor: Actor, quote_id: Any) -> Quote:
    """The quote locked for update, read through the actor's visibility (404 outside it)."""
    pk = _pk(quote_id)
    qs = Quote.objects.filter(workspace=actor.workspace, pk=pk)
    if actor.member is not None:
        qs = qs.filter(pk__in=Quote.objects.visible_to(actor.member).values("pk"))
    quote = qs.select_for_update(of=("self",)).first()
    if quote is None:
        raise not_found()
    return quote


def latest_version(quote: Quote) -> QuoteVersion:
    return QuoteVersion.objects.get(quote=quote, number=quote.latest_version)


def _check_version(quote: Quote, expected: int | None) -> None:
    if expected is not None and quote.version != expected:
        raise Conflict(
            ErrorCode.STALE_VERSION,
            _("Someone else changed this quote since you opened it. Reload to see it."),
        )


def today_for(quote_or_workspace: Any) -> dt.date:
    workspace = getattr(quote_or_workspace, "workspace", quote_or_workspace)
    return local_date(timezone.now(), workspace)


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[Any]] = {}
        self.code: str | None = None

    def add(self, field: str, message: Any, code: str = QuoteError.BAD_FIELD) -> None:
        self.fields.setdefault(field, []).append(message)
        self.code = self.code or str(code)

    def has_prefix(self, prefix: str) -> bool:
        return any(k == prefix or k.startswith(prefix + ".") for k in self.fields)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ServiceError(
                self.code or QuoteError.BAD_FIELD,
                _("Please correct the marked fields."),
                fields=self.fields,
            )


def _number(value: Any, field: str, errors: _Errors, *, allow_none: bool = False) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        if not allow_none:
            errors.add(field, _("Enter a number."), QuoteError.BAD_LINE)
        return None
    if isinstance(value, bool):
        errors.add(field, _("Enter a number."), QuoteError.BAD_LINE)
        return None
    text = repr(value) if isinstance(value, float) else str(value)
    try:
        number = Decimal(text.replace(",", "").strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        errors.add(field, _("Enter a number."), QuoteError.BAD_LINE)
        return None
    return number


def _text(value: Any, field: str, errors: _Errors) -> str:
    text = str(value or "").strip()
    limit = TEXT_LIMITS.get(field)
    if limit and len(text) > limit:
        errors.add(field, _("At most %(n)s characters.") % {"n": limit})
    return text


def _date(value: Any, field: str, errors: _Errors) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.add(field, _("Enter a valid date (YYYY-MM-DD)."))
        return None


def clean_lines(workspace: Any, lines: Any, currency: str, errors: _Errors) -> list[dict[str, Any]]:
    """Validated lines: product (own workspace) or a description, quantity > 0, unit price ≥ 0 (a
    product line without one takes the product's list price in `currency`), discount 0–100 %,
    specs, HS code, unit, and the amount rounded by the one rule. `id` names a line of the version
    being edited whose photo the line keeps. Errors are keyed `lines.<n>.<field>`."""
    if not isinstance(lines, list | tuple):
        errors.add("lines", _("Lines must be a list."), QuoteError.BAD_LINE)
        return []
    if len(lines) > LINES_MAX:
        errors.add("lines", _("At most %(n)s lines.") % {"n": LINES_MAX}, QuoteError.BAD_LINE)
        return []
    ids = set()
    for line in lines:
        pid = line.get("product_id") if isinstance(line, dict) else None
        if pid not in (None, ""):
            with contextlib.suppress(TypeError, ValueError):
                ids.add(int(str(pid)))
    products = {p.pk: p for p in Product.objects.filter(workspace=workspace, pk__in=ids)}
    prices = {
        p.product_id: p.unit_price
        for p in ProductPrice.objects.filter(product_id__in=products, currency=currency)
    }
    cleaned: list[dict[str, Any]] = []
    for i, line in enumerate(lines):
        key = f"lines.{i}"
        if not isinstance(line, dict):
            errors.add(key, _("Each line must be an object."), QuoteError.BAD_LINE)
            continue
        product = None
        pid = line.get("product_id")
        if pid not in (None, ""):
            try:
                product = products.get(int(str(pid)))
            except (TypeError, ValueError):
                product = None
            if product is None:
                errors.add(f"{key}.product_id", _("Choose a product."), QuoteError.UNKNOWN_PRODUCT)
        description = normalize.drop_controls(str(line.get("description") or "")).strip()
        if product is None and not description and not errors.has_prefix(f"{key}.product_id"):
            errors.add(
                f"{key}.description",
                _("Choose a product or describe the line."),
                QuoteError.BAD_LINE,
            )
        if len(description) > 300:
            errors.add(f"{key}.description", _("At most %(n)s characters.") % {"n": 300})
        quantity = _number(line.get("quantity"), f"{key}.quantity", errors)
        if quantity is not None and not (0 < quantity <= QUANTITY_MAX):
            errors.add(f"{key}.quantity", _("Enter a quantity above zero."), QuoteError.BAD_LINE)
        unit_price = _number(line.get("unit_price"), f"{key}.unit_price", errors, allow_none=True)
        if unit_price is None and not errors.has_prefix(f"{key}.unit_price"):
            if product is not None and product.pk in prices:
                unit_price = prices[product.pk]
            elif product is not None:
                errors.add(
                    f"{key}.unit_price",
                    _("This product has no list price in %(currency)s; enter a unit price.")
                    % {"currency": currency},
                    QuoteError.BAD_LINE,
                )
            else:
                errors.add(f"{key}.unit_price", _("Enter a unit price."), QuoteError.BAD_LINE)
        if unit_price is not None and not (0 <= unit_price <= PRICE_MAX):
            errors.add(
                f"{key}.unit_price", _("Enter a price of zero or more."), QuoteError.BAD_LINE
            )
        discount = _number(
            line.get("discount_percent"), f"{key}.discount_percent", errors, allow_none=True
        )
        discount = discount if discount is not None else Decimal(0)
        if not (0 <= discount <= 100):
            errors.add(
                f"{key}.discount_percent",
                _("Enter a discount between 0 and 100 %."),
                QuoteError.BAD_LINE,
            )
        unit = str(line.get("unit") or "").strip() or (product.unit if product else "")
        if len(unit) > 20:
            errors.add(f"{key}.unit", _("At most %(n)s characters.") % {"n": 20})
        hs_code = str(line.get("hs_code") or "").strip() or (product.hs_code if product else "")
        if len(hs_code) > 16:
            errors.add(f"{key}.hs_code", _("At most %(n)s characters.") % {"n": 16})
        specs = str(line.get("specs") or "").strip()
        if errors.has_prefix(key):
            continue
        amount = line_amount(quantity, unit_price, discount, currency)
        if amount > AMOUNT_MAX:
            errors.add(f"{key}.quantity", _("The line amount is too large."), QuoteError.BAD_LINE)
            continue
        keep = line.get("id")
        cleaned.append(
            {
                "keep_id": int(str(keep)) if str(keep or "").isdigit() else None,
                "position": i,
                "product": product,
                "description": description,
                "specs": specs,
                "hs_code": hs_code,
                "quantity": quantity.quantize(Decimal("0.001")),
                "unit": unit,
                "unit_price": unit_price.quantize(Decimal("0.0001")),
                "discount_percent": discount.quantize(Decimal("0.01")),
            }
        )
    return cleaned


def _clean_terms(
    workspace: Any, data: dict[str, Any], errors: _Errors, *, base: dict[str, Any]
) -> dict[str, Any]:
    """The version's terms: `base` (the previous values) overridden by the keys present in `data`."""
    values = dict(base)
    if "currency" in data:
        currency = str(data["currency"] or "").strip().upper()
        if currency not in all_currencies():
            errors.add("currency", _("Unknown currency code."), QuoteError.UNKNOWN_CURRENCY)
        values["currency"] = currency
    if "incoterm" in data:
        incoterm = str(data["incoterm"] or "").strip().upper()
        if incoterm and incoterm not in Incoterm.values:
            errors.add("incoterm", _("Choose one of the listed values."))
        values["incoterm"] = incoterm
    for name in ("named_place", "moq", "lead_time", "packing"):
        if name in data:
            values[name] = _text(data[name], name, errors)
    if "notes" in data:
        values["notes"] = str(data["notes"] or "").strip()
    if "quote_date" in data:
        values["quote_date"] = _date(data["quote_date"], "quote_date", errors) or values.get(
            "quote_date"
        )
    if "valid_until" in data:
        values["valid_until"] = _date(data["valid_until"], "valid_until", errors)
    if "payment_term_id" in data:
        term_id = data["payment_term_id"]
        term = None
        if term_id not in (None, ""):
            try:
                term = PaymentTerm.objects.filter(
                    workspace=workspace, pk=int(term_id), is_active=True
                ).first()
            except (TypeError, ValueError):
                term = None
            if term is None:
                errors.add(
                    "payment_term_id",
                    _("Choose one of the workspace's payment terms."),
                    QuoteError.UNKNOWN_PAYMENT_TERM,
                )
        values["payment_term"] = term
    if not values.get("currency"):
        errors.add(
            "currency", _("Say which currency the quote is in."), QuoteError.UNKNOWN_CURRENCY
        )
    quote_date, valid_until = values.get("quote_date"), values.get("valid_until")
    if quote_date and valid_until and valid_until < quote_date:
        errors.add("valid_until", _("The validity date cannot be before the quote date."))
    return values


def _write_lines(
    version: QuoteVersion, lines: list[dict[str, Any]], photos: dict[int, str]
) -> None:
    rows = []
    for line in lines:
        data = {k: v for k, v in line.items() if k != "keep_id"}
        data["amount"] = line_amount(
            data["quantity"], data["unit_price"], data["discount_percent"], version.currency
        )
        rows.append(
            QuoteLine(version=version, photo=photos.get(line.get("keep_id") or 0, ""), **data)
        )
    QuoteLine.objects.bulk_create(rows)


def _refresh_totals(quote: Quote, version: QuoteVersion) -> None:
    """Store the version's total (orders/totals.py) and mirror it on the header."""
    lines = list(version.lines.all())
    totals = quote_totals(lines, version.currency)
    for line, amount in zip(lines, totals.line_amounts, strict=True):
        if line.amount != amount:  # the currency changed: the stored amounts follow
            line.amount = amount
            line.save(update_fields=["amount"])
    version.total = totals.total
    version.save(update_fields=["total"])
    quote.currency = version.currency
    quote.total = totals.total
    quote.valid_until = version.valid_until


def _lines_text(version: QuoteVersion) -> list[str]:
    return [
        f"{line.description or (line.product.sku if line.product else '')} × "
        f"{line.quantity.normalize():f} @ {line.unit_price.normalize():f}"
        + (f" −{line.discount_percent.normalize():f}%" if line.discount_percent else "")
        for line in version.lines.select_related("product")
    ]


def _visible_customer(actor: Actor, customer_id: Any) -> Customer:
    pk = _pk(customer_id)
    qs = Customer.objects.filter(workspace=actor.workspace, pk=pk)
    if actor.member is not None:
        qs = Customer.objects.visible_to(actor.member).filter(pk=pk)
    customer = qs.first()
    if customer is None:
        raise not_found()
    return customer


def _visible_opportunity(actor: Actor, opportunity_id: Any) -> Opportunity:
    pk = _pk(opportunity_id)
    qs = Opportunity.objects.filter(workspace=actor.workspace, pk=pk)
    if actor.member is not None:
        qs = Opportunity.objects.visible_to(actor.member).filter(pk=pk)
    opportunity = qs.select_related("customer").first()
    if opportunity is None:
        raise not_found()
    return opportunity


def _contact(customer: Customer, contact_id: Any, errors: _Errors) -> Contact | None:
    if contact_id in (None, ""):
        return None
    try:
        contact = Contact.objects.filter(customer=customer, pk=int(contact_id)).first()
    except (TypeError, ValueError):
        contact = None
    if contact is None:
        errors.add(
            "contact_id",
            _("Choose a contact of this customer."),
            QuoteError.CONTACT_NOT_OF_CUSTOMER,
        )
    return contact


# --- create, edit, new version ----------------------------------------------------------------------


@transaction.atomic
def quote_create(
    *,
    actor: Actor,
    customer_id: int | None = None,
    opportunity_id: int | None = None,
    contact_id: Any = None,
    title: str = "",
    lines: list[dict[str, Any]] | None = None,
    **terms: Any,
) -> Quote:
    """A new quote, version 1. From an opportunity it copies the customer, contact, currency,
    Incoterm and named place and the product lines unless they are given; from scratch it needs a
    customer. Terms: currency, incoterm, named_place, quote_date, valid_until, moq, lead_time,
    packing, payment_term_id, notes."""
    require(actor, Perm.OPPORTUNITY_CREATE)
    unknown = set(terms) - {f for f in VERSION_FIELDS if f != "payment_term"} - {"payment_term_id"}
    if unknown:
        raise ServiceError(ErrorCode.INVALID, _("Unknown field: %(f)s") % {"f": sorted(unknown)[0]})
    workspace = actor.workspace
    payment_terms_ensure(workspace)
    errors = _Errors()
    opportunity = None
    if opportunity_id not in (None, ""):
        opportunity = _visible_opportunity(actor, opportunity_id)
        customer = opportunity.customer
        if customer_id not in (None, "") and _pk(customer_id) != customer.pk:
            errors.add("customer_id", _("The opportunity belongs to another customer."))
    elif customer_id not in (None, ""):
        customer = _visible_customer(actor, customer_id)
    else:
        raise ServiceError(
            QuoteError.CUSTOMER_REQUIRED,
            _("Please correct the marked fields."),
            fields={"customer_id": [_("Choose a customer or an opportunity.")]},
        )
    if contact_id in (None, "") and opportunity is not None:
        contact = opportunity.contact
    else:
        contact = _contact(customer, contact_id, errors)
    base: dict[str, Any] = {
        "currency": (opportunity.currency if opportunity else "") or workspace.base_currency,
        "incoterm": opportunity.incoterm if opportunity else "",
        "named_place": opportunity.named_place if opportunity else "",
        "quote_date": today_for(workspace),
        "valid_until": None,
        "moq": "",
        "lead_time": "",
        "packing": "",
        "payment_term": None,
        "notes": "",
    }
    values = _clean_terms(workspace, terms, errors, base=base)
    if values["valid_until"] is None and "valid_until" not in terms:
        values["valid_until"] = values["quote_date"] + dt.timedelta(days=30)
    title = _text(title, "title", errors) or (opportunity.name if opportunity else "")
    if lines is None and opportunity is not None:
        lines = [
            {
                "product_id": line.product_id,
                "description": line.description,
                "specs": line.specs_note or (line.product.specs if line.product else ""),
                "quantity": line.quantity,
                "unit": line.unit,
                "unit_price": line.unit_price,
                "discount_percent": line.discount_percent,
            }
            for line in opportunity.lines.select_related("product")
        ]
    cleaned = clean_lines(workspace, lines or [], values.get("currency") or "USD", errors)
    errors.raise_if_any()
    quote = Quote.objects.create(
        workspace=workspace,
        code=code_next(workspace=workspace, kind="quote"),
        customer=customer,
        contact=contact,
        opportunity=opportunity,
        title=title[:200],
        currency=values["currency"],
        created_by_id=actor.user_id,
    )
    version = QuoteVersion.objects.create(
        quote=quote, number=1, created_by_id=actor.user_id, **values
    )
    _write_lines(version, cleaned, {})
    _refresh_totals(quote, version)
    quote.save()
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        target=quote,
        changes={
            "code": [None, quote.code],
            "customer": [None, customer.pk],
            "opportunity": [None, opportunity.pk if opportunity else None],
            "total": [None, f"{quote.total} {quote.currency}"],
            "lines": [None, _lines_text(version)],
        },
    )
    emit("quote.created", workspace_id=workspace.pk, quote_id=quote.pk)
    return quote


@transaction.atomic
def quote_update(
    *,
    actor: Actor,
    quote_id: int,
    expected_version: int | None = None,
    fields: dict[str, Any],
) -> Quote:
    """Edit the latest version (terms, lines) and the header (title, contact) while it is a draft
    that was not sent. `fields` holds only what changes; `lines` replaces all lines."""
    require(actor, Perm.OPPORTUNITY_EDIT)
    quote = lock_quote(actor, quote_id)
    _check_version(quote, expected_version)
    allowed = {*VERSION_FIELDS, "payment_term_id", "title", "contact_id", "lines"} - {
        "payment_term"
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ServiceError(ErrorCode.INVALID, _("Unknown field: %(f)s") % {"f": sorted(unknown)[0]})
    version = latest_version(quote)
    if version.is_frozen or quote.status != QuoteStatus.DRAFT:
        raise Conflict(
            QuoteError.FROZEN,
            _("This version was sent and is frozen. Make a new version to change the quote."),
        )
    errors = _Errors()
    base = {name: getattr(version, name) for name in VERSION_FIELDS}
    values = _clean_terms(quote.workspace, fields, errors, base=base)
    header: dict[str, Any] = {}
    if "title" in fields:
        header["title"] = _text(fields["title"], "title", errors)
    if "contact_id" in fields:
        customer = Customer.objects.get(pk=quote.customer_id)
        header["contact"] = _contact(customer, fields["contact_id"], errors)
    cleaned = None
    if "lines" in fields:
        cleaned = clean_lines(quote.workspace, fields["lines"], values["currency"], errors)
    errors.raise_if_any()
    before_lines = _lines_text(version)
    changes = audit.apply_changes(version, values, VERSION_FIELDS)
    changes.update(
        audit.apply_changes(quote, header, [k for k in ("title", "contact") if k in header])
    )
    version.save()
    if cleaned is not None:
        photos = dict(version.lines.exclude(photo="").values_list("pk", "photo"))
        version.lines.all().delete()
        _write_lines(version, cleaned, photos)
    _refresh_totals(quote, version)
    after_lines = _lines_text(version)
    if after_lines != before_lines:
        changes["lines"] = [before_lines, after_lines]
    if not changes:
        quote.save()
        return quote
    changes["version"] = [None, version.number]
    audit.save_update(actor=actor, target=quote, changes=changes)
    emit("quote.updated", workspace_id=quote.workspace_id, quote_id=quote.pk)
    return quote


def _check_move(quote: Quote, to: str) -> None:
    if to not in QUOTE_MOVES.get(quote.status, frozenset()):
        raise Conflict(
            QuoteError.ILLEGAL_MOVE,
            _("A quote that is %(from)s cannot become %(to)s.")
            % {
                "from": QuoteStatus(quote.status).label,
                "to": QuoteStatus(to).label if to in QuoteStatus.values else to,
            },
        )


@transaction.atomic
def quote_revise(
    *, actor: Actor, quote_id: int, change_note: str = "", expected_version: int | None = None
) -> Quote:
    """A new version: a full copy of the latest one (terms, lines, photos) that is a draft again."""
    require(actor, Perm.OPPORTUNITY_EDIT)
    quote = lock_quote(actor, quote_id)
    _check_version(quote, expected_version)
    errors = _Errors()
    note = _text(change_note, "change_note", errors)
    errors.raise_if_any()
    _check_move(quote, QuoteStatus.DRAFT)
    previous = latest_version(quote)
    version = QuoteVersion.objects.create(
        quote=quote,
        number=previous.number + 1,
        change_note=note,
        created_by_id=actor.user_id,
        total=previous.total,
        **{name: getattr(previous, name) for name in VERSION_FIELDS},
    )
    QuoteLine.objects.bulk_create(
        QuoteLine(
            version=version,
            position=line.position,
            product_id=line.product_id,
            description=line.description,
            specs=line.specs,
            photo=line.photo.name if line.photo else "",
            hs_code=line.hs_code,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            amount=line.amount,
        )
        for line in previous.lines.all()
    )
    old_status = quote.status
    quote.latest_version = version.number
    quote.status = QuoteStatus.DRAFT
    quote.sent_at = None
    audit.save_update(
        actor=actor,
        target=quote,
        changes={
            "version": [previous.number, version.number],
            "status": [old_status, QuoteStatus.DRAFT],
            **({"note": [None, note]} if note else {}),
        },
    )
    emit("quote.revised", workspace_id=quote.workspace_id, quote_id=quote.pk)
    return quote


@transaction.atomic
def quote_transition(
    *,
    actor: Actor,
    quote_id: int,
    to: str,
    note: str = "",
    expected_version: int | None = None,
) -> Quote:
    """The one status change of a quote: draft → sent (freezes the version and its rendered data),
    sent → accepted / rejected / expired. Anything else is refused with a coded error; a new
    version (back to draft) is quote_revise."""
    require(actor, Perm.OPPORTUNITY_EDIT)
    quote = lock_quote(actor, quote_id)
    _check_version(quote, expected_version)
    if to not in QuoteStatus.values or to == QuoteStatus.DRAFT:
        raise ServiceError(
            QuoteError.ILLEGAL_MOVE,
            _("Choose one of: %(values)s.") % {"values": "sent, accepted, rejected, expired"},
        )
    _check_move(quote, to)
    errors = _Errors()
    note = _text(note, "note", errors)
    errors.raise_if_any()
    version = latest_version(quote)
    now = timezone.now()
    today = today_for(quote)
    if to == QuoteStatus.SENT:
        if not version.lines.exists():
            raise ServiceError(QuoteError.NO_LINES, _("Add at least one line before sending."))
        if version.valid_until is not None and version.valid_until < today:
            raise ServiceError(
                QuoteError.EXPIRED,
                _("The validity date has passed. Change it before sending."),
                fields={"valid_until": [_("The validity date has passed.")]},
            )
        from .documents import quotation_snapshot

        version.frozen_at = now
        version.snapshot = quotation_snapshot(quote, version)
        version.save(update_fields=["frozen_at", "snapshot"])
        quote.sent_at = now
    elif to == QuoteStatus.ACCEPTED:
        if quote.valid_until is not None and quote.valid_until < today:
            raise Conflict(
                QuoteError.EXPIRED,
                _("This quote expired on %(date)s. Make a new version to quote again.")
                % {"date": quote.valid_until.isoformat()},
            )
        quote.decided_at = now
        quote.accepted_version = version.number
    elif to == QuoteStatus.REJECTED:
        quote.decided_at = now
    old = quote.status
    quote.status = to
    if note:
        quote.decision_note = note
    quote.version += 1
    quote.updated_at = now
    quote.save()
    audit.record(
        actor=actor,
        verb=AuditVerb.TRANSITION,
        target=quote,
        action=f"quote_{to}",
        changes={"status": [old, to], "version": [None, version.number]}
        | ({"note": [None, note]} if note else {}),
    )
    emit(f"quote.{to}", workspace_id=quote.workspace_id, quote_id=quote.pk)
    return quote


def quote_expire_due(*, workspace: Any, today: dt.date | None = None) -> int:
    """The daily job: every sent quote whose validity date has passed becomes expired (through
    quote_transition, as the system). Pages and the API also show it expired before the job ran."""
    today = today or today_for(workspace)
    actor = Actor.system(workspace, "quote expiry")
    ids = list(
        Quote.objects.filter(
            workspace=workspace, status=QuoteStatus.SENT, valid_until__lt=today
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        try:
            quote_transition(actor=actor, quote_id=pk, to=QuoteStatus.EXPIRED)
        except ServiceError:  # changed meanwhile
            continue
    return len(ids)


# --- line photos ------------------------------------------------------------------------------------


@transaction.atomic
def quote_line_photo_set(
    *, actor: Actor, quote_id: int, line_id: int, photo: UploadedFile | None
) -> QuoteLine:
    """Attach (or with None remove) a line's photo on the editable latest version."""
    require(actor, Perm.OPPORTUNITY_EDIT)
    quote = lock_quote(actor, quote_id)
    version = latest_version(quote)
    line = QuoteLine.objects.filter(version=version, pk=_pk(line_id)).first()
    if line is None:
        raise not_found()
    if version.is_frozen or quote.status != QuoteStatus.DRAFT:
        raise Conflict(
            QuoteError.FROZEN,
            _("This version was sent and is frozen. Make a new version to change the quote."),
        )
    if photo is not None:
        check_image(photo, QuoteError.BAD_PHOTO)
        line.photo.save(photo.name or "photo.jpg", photo, save=False)
    else:
        line.photo = ""
    line.save(update_fields=["photo"])
    quote.version += 1
    quote.updated_at = timezone.now()
    quote.save(update_fields=["version", "updated_at"])
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        target=quote,
        changes={"photo": [None, line.photo.name if line.photo else None]},
    )
    return line


def check_image(upload: UploadedFile, code: str) -> None:
    """A PNG or JPEG of at most 3 MB that Pillow can open."""
    from PIL import Image, UnidentifiedImageError

    if upload.size is not None and upload.size > PHOTO_MAX_BYTES:
        raise ServiceError(code, _("The image is larger than 3 MB."))
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError):
        raise ServiceError(code, _("Upload a PNG or JPEG image.")) from None
    finally:
        upload.seek(0)
    if kind not in ("PNG", "JPEG"):
        raise ServiceError(code, _("Upload a PNG or JPEG image."))


# --- the hook for the orders part of the issue -------------------------------------------------------


def order_from_quote(*, actor: Actor, quote_id: int) -> Any:
    """Create an order from an accepted quote (the accepted version's lines, exchange rate
    locked): orders.order_create does the work."""
    from .orders import order_create

    return order_create(actor=actor, quote_id=quote_id)
