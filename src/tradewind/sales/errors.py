from enum import StrEnum


class OpportunityError(StrEnum):
    NAME_REQUIRED = "name_required"
    UNKNOWN_STAGE = "unknown_stage"
    CLOSED_STAGE = "closed_stage"
    BAD_AMOUNT = "bad_amount"
    UNKNOWN_CURRENCY = "unknown_currency"
    CONTACT_NOT_OF_CUSTOMER = "contact_not_of_customer"
    # opportunities issue (helper "core"): services, moves, closing
    UNKNOWN_PIPELINE = "unknown_pipeline"
    BAD_LINE = "bad_line"
    UNKNOWN_PRODUCT = "unknown_product"
    NO_PRICE = "no_price"
    AMOUNT_FROM_LINES = "amount_from_lines"
    BAD_MEMBER = "bad_member"
    CLOSED = "closed"
    NOT_CLOSED = "not_closed"
    USE_CLOSE = "use_close"
    STAGE_TASKS_MISSING = "stage_tasks_missing"
    UNKNOWN_TASK = "unknown_task"
    BAD_OUTCOME = "bad_outcome"
    NO_OUTCOME_STAGE = "no_outcome_stage"
    REASON_REQUIRED = "reason_required"
    UNKNOWN_REASON = "unknown_reason"
    NOTE_REQUIRED = "note_required"


class OpportunityListError(StrEnum):
    """Bulk actions and export of the opportunity list (helper "pages")."""

    UNKNOWN_ACTION = "unknown_action"
    NOTHING_SELECTED = "nothing_selected"
    TOO_MANY = "too_many"


class ProductError(StrEnum):
    """The product catalogue (helper "products")."""

    SKU_REQUIRED = "sku_required"
    SKU_TAKEN = "sku_taken"
    NAME_REQUIRED = "product_name_required"
    BAD_HS_CODE = "bad_hs_code"
    BAD_MOQ = "bad_moq"
    BAD_PRICE = "bad_price"
    UNKNOWN_CURRENCY = "product_unknown_currency"
    PRICE_NOT_FOUND = "price_not_found"
    FILE_UNREADABLE = "product_file_unreadable"
    FILE_TOO_LARGE = "product_file_too_large"
    TOO_MANY_ROWS = "product_too_many_rows"
    BAD_MAPPING = "product_bad_mapping"
    SKU_NOT_MAPPED = "sku_not_mapped"
    ROWS_HAVE_ERRORS = "product_rows_have_errors"
    IMPORT_EXPIRED = "product_import_expired"


class PipelineError(StrEnum):
    """Pipeline, stage, stage-task and close-reason settings (helper "pipelines")."""

    NAME_REQUIRED = "pipeline_name_required"
    UNKNOWN_TEMPLATE = "pipeline_unknown_template"
    BAD_VALUE = "pipeline_bad_value"
    DEFAULT_ARCHIVED = "pipeline_default_archived"
    ARCHIVED = "pipeline_archived"
    BAD_ORDER = "pipeline_bad_order"
    STAGE_IN_USE = "stage_in_use"
    STAGE_FIXED = "stage_fixed"
    TASK_TITLE_REQUIRED = "stage_task_title_required"
    REASON_LABEL_REQUIRED = "close_reason_label_required"
    REASON_TAKEN = "close_reason_taken"
    UNKNOWN_KIND = "close_reason_unknown_kind"
