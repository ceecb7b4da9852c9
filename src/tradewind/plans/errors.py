from enum import StrEnum


class PlanError(StrEnum):
    INVALID = "plan_invalid"  # a field is missing or wrong (see `fields`)
    NO_STEPS = "plan_no_steps"  # a plan without steps cannot start
    INACTIVE = "plan_inactive"  # a switched-off plan cannot start
    WRONG_TARGET = "plan_wrong_target"  # the plan applies to the other record type
    ALREADY_RUNNING = "plan_already_running"  # one running run of a plan per record
    IN_USE = "plan_in_use"  # a plan that has runs cannot be deleted (switch it off instead)
    NOT_RUNNING = "plan_not_running"  # pause/resume/stop of a run in the wrong state
    ENDLESS_NOT_LAST = "plan_endless_not_last"  # a step repeating until stopped must come last
    EMAIL_UNAVAILABLE = "plan_email_unavailable"  # the mailing app cannot send (yet)
