from enum import StrEnum


class CampaignError(StrEnum):
    INVALID = "campaign_invalid"  # see the fields
    BAD_ADDRESS = "campaign_bad_address"
    NAME_TAKEN = "campaign_name_taken"
    NOT_EDITABLE = "campaign_not_editable"  # sending, sent or cancelled
    NOT_CANCELLABLE = "campaign_not_cancellable"
    NOT_SCHEDULABLE = "campaign_not_schedulable"
    LIST_IN_USE = "marketing_list_in_use"
    IMPORT_EMPTY = "consent_import_empty"
