from enum import StrEnum


class MailError(StrEnum):
    INVALID = "email_invalid"  # see the fields
    UNKNOWN_FIELD = "email_template_unknown_field"  # a merge field outside the catalogue
    BAD_SYNTAX = "email_template_bad_syntax"  # "{%", an unclosed "{{", a filter
    NO_CONTENT = "email_template_empty"  # neither language has a subject and a body
    NAME_TAKEN = "email_template_name_taken"
    BAD_ADDRESS = "email_bad_address"
    NO_RECIPIENT = "email_no_recipient"
    TEMPLATE_MISMATCH = "email_template_record_type"  # a lead template used on a customer
    TEMPLATE_INACTIVE = "email_template_inactive"
    NO_ACCOUNT = "email_no_account"
    CONNECTION_FAILED = "email_connection_failed"
    PASSWORD_UNREADABLE = "email_password_unreadable"
    UNSUBSCRIBED = "email_recipient_unsubscribed"  # automated mail to an opted-out address
