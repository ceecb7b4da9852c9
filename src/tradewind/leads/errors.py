from enum import StrEnum


class LeadError(StrEnum):
    COMPANY_REQUIRED = "company_required"
    OWNER_NOT_MEMBER = "owner_not_member"


class LeadCaptureError(StrEnum):
    DUPLICATE = "duplicate"


class LeadStatusError(StrEnum):
    ILLEGAL_TRANSITION = "illegal_transition"
    USE_CONVERSION = "use_conversion"
    UNKNOWN_STATUS = "unknown_status"
    REASON_REQUIRED = "reason_required"
    UNKNOWN_REASON = "unknown_reason"


class LeadBulkError(StrEnum):
    NOTHING_SELECTED = "nothing_selected"
    TOO_MANY = "too_many"
    UNKNOWN_ACTION = "unknown_action"
