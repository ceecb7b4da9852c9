from enum import StrEnum


class CustomerError(StrEnum):
    DUPLICATE = "duplicate"
    NAME_REQUIRED = "name_required"
    CONTACT_NAME_REQUIRED = "contact_name_required"
