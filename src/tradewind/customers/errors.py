from enum import StrEnum


class CustomerError(StrEnum):
    DUPLICATE = "duplicate"
    NAME_REQUIRED = "name_required"
    CONTACT_NAME_REQUIRED = "contact_name_required"


class CustomerListError(StrEnum):
    """Bulk actions, export and import of the customer list."""

    UNKNOWN_ACTION = "unknown_action"
    NOTHING_SELECTED = "nothing_selected"
    TOO_MANY = "too_many"
    HAS_OPPORTUNITIES = "has_opportunities"
    FILE_UNREADABLE = "file_unreadable"
    FILE_TOO_LARGE = "file_too_large"
    NAME_NOT_MAPPED = "name_not_mapped"
    BAD_MAPPING = "bad_mapping"
    NOT_PREVIEWED = "not_previewed"
    ROWS_HAVE_ERRORS = "rows_have_errors"
    NOT_UNDOABLE = "not_undoable"
