from enum import StrEnum


class LibraryError(StrEnum):
    TITLE_REQUIRED = "library_title_required"
    BODY_REQUIRED = "library_body_required"
    FILE_REQUIRED = "library_file_required"
    FILE_TOO_LARGE = "library_file_too_large"
    BAD_KIND = "library_bad_kind"
    BAD_VISIBILITY = "library_bad_visibility"
    BAD_FOLDER = "library_bad_folder"
    FOLDER_NOT_EMPTY = "library_folder_not_empty"
    FOLDER_CYCLE = "library_folder_cycle"
    FOLDER_TOO_DEEP = "library_folder_too_deep"
    NAME_REQUIRED = "library_name_required"
    NOT_YOURS = "library_not_yours"
    BAD_TAG = "library_bad_tag"
    BAD_PRODUCT = "library_bad_product"
    BAD_ACTION = "library_bad_action"
    BAD_TARGET = "library_bad_target"
    NOT_A_FILE = "library_not_a_file"
    NOT_A_SCRIPT = "library_not_a_script"
    EMAIL_UNAVAILABLE = "library_email_unavailable"
    USE_REVIEW_FORM = "library_use_review_form"


class ReviewError(StrEnum):
    NOT_CLOSED = "review_opportunity_not_closed"
    EXISTS = "review_exists"
    EMPTY = "review_empty"
    BAD_MONTH = "review_bad_month"


class DailyReportError(StrEnum):
    BAD_DAY = "daily_report_bad_day"
    FUTURE_DAY = "daily_report_future_day"
    SUBMITTED = "daily_report_submitted"
    NOT_YOURS = "daily_report_not_yours"
    COMMENT_REQUIRED = "daily_report_comment_required"
    TOO_LONG = "daily_report_too_long"
