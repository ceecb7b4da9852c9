from enum import StrEnum


class AutomationError(StrEnum):
    INVALID = "invalid"
    UNKNOWN_RECORD_TYPE = "unknown_record_type"
    BAD_TRIGGER = "bad_trigger"
    UNKNOWN_FIELD = "unknown_field"
    BAD_OPERATOR = "bad_operator"
    BAD_VALUE = "bad_value"
    BAD_ACTION = "bad_action"
    TOO_MANY = "too_many"
    RECORD_NOT_FOUND = "record_not_found"
    MODULE_MISSING = "module_missing"
