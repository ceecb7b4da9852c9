from enum import StrEnum


class WorkspaceError(StrEnum):
    LAST_OWNER = "last_owner"
    ALREADY_MEMBER = "already_member"
    TEAM_CYCLE = "team_cycle"
    TEAM_NOT_EMPTY = "team_not_empty"
    INVITATION_INVALID = "invitation_invalid"
    INVITATION_SIGN_IN = "invitation_sign_in"
    TOKEN_INVALID = "token_invalid"
    SELF_DEACTIVATE = "self_deactivate"
    INVALID_TIME_ZONE = "invalid_time_zone"
    VIEW_NAME_TAKEN = "view_name_taken"
    VIEW_NAME_MISSING = "view_name_missing"
    CUSTOM_FIELD_INVALID = "custom_field_invalid"
    CUSTOM_FIELD_KEY_TAKEN = "custom_field_key_taken"
