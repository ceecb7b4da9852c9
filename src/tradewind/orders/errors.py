from enum import StrEnum


class QuoteError(StrEnum):
    """Codes of the quote and document services; pages and the API show the same message."""

    CUSTOMER_REQUIRED = "customer_required"
    UNKNOWN_CUSTOMER = "unknown_customer"
    UNKNOWN_OPPORTUNITY = "unknown_opportunity"
    CONTACT_NOT_OF_CUSTOMER = "contact_not_of_customer"
    UNKNOWN_CURRENCY = "unknown_currency"
    UNKNOWN_PAYMENT_TERM = "unknown_payment_term"
    BAD_LINE = "bad_line"
    UNKNOWN_PRODUCT = "unknown_product"
    NO_LINES = "no_lines"
    BAD_FIELD = "bad_field"
    FROZEN = "frozen"  # the version was sent: make a new version to change it
    ILLEGAL_MOVE = "illegal_move"  # a status change the table of moves refuses
    EXPIRED = "expired"  # accepting a quote past its validity date
    NOT_ACCEPTED = "not_accepted"  # PI/SC only from an accepted quote
    BAD_KIND = "bad_kind"
    BAD_LANGUAGE = "bad_language"
    BAD_PHOTO = "bad_photo"
    BAD_CHOP = "bad_chop"
    PDF_UNAVAILABLE = "pdf_unavailable"
    NOT_BUILT = "not_built"


class OrderError(StrEnum):
    """Codes of the order, shipment and payment services (orders.py, shipments.py, payments.py)."""

    NOT_WON = "not_won"  # an order needs a won opportunity
    NOT_ACCEPTED = "quote_not_accepted"  # … or an accepted quote
    ALREADY_ORDERED = "already_ordered"  # the opportunity / quote has an order already
    NO_LINES = "order_no_lines"
    MISSING_RATE = "missing_rate"  # no exchange rate to the base currency (or order currency)
    ILLEGAL_MOVE = "order_illegal_move"
    SET_BY_SHIPMENTS = "set_by_shipments"  # partly shipped / shipped follow the shipments
    NOT_SHIPPED = "not_shipped"  # completing needs everything shipped
    NOT_PAID = "not_paid"  # completing needs the receivable settled (or the override)
    HAS_SHIPMENTS = "has_shipments"  # a shipped order cannot be cancelled
    HAS_RECEIPTS = "has_receipts"  # … nor one with money received
    CLOSED = "order_closed"  # cancelled / completed orders take no shipment or receipt
    OVER_SHIPPED = "over_shipped"  # more than the line still holds
    EMPTY_SHIPMENT = "empty_shipment"
    BAD_FIELD = "order_bad_field"
    BAD_PLAN = "bad_plan"
    OVERPAID = "overpaid"  # a receipt larger than the receivable
    UNKNOWN_CURRENCY = "order_unknown_currency"
