from enum import StrEnum


class LeadError(StrEnum):
    COMPANY_REQUIRED = "company_required"
    OWNER_NOT_MEMBER = "owner_not_member"
