from enum import StrEnum


class FollowUpError(StrEnum):
    NO_OWNER = "followup_no_owner"  # a system actor recorded one on a record nobody owns
    WRONG_WORKSPACE = "followup_wrong_workspace"
