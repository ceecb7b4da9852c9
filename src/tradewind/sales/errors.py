from enum import StrEnum


class OpportunityError(StrEnum):
    NAME_REQUIRED = "name_required"
    UNKNOWN_STAGE = "unknown_stage"
    CLOSED_STAGE = "closed_stage"
    BAD_AMOUNT = "bad_amount"
    UNKNOWN_CURRENCY = "unknown_currency"
    CONTACT_NOT_OF_CUSTOMER = "contact_not_of_customer"
