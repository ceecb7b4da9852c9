from enum import StrEnum


class TaskError(StrEnum):
    INVALID = "task_invalid"  # a field is missing or wrong (see `fields`)
    CLOSED = "task_closed"  # a done or cancelled task cannot be edited; reopen it first
    NOT_OPEN = "task_not_open"  # only an open task can be completed or cancelled
    ALREADY_OPEN = "task_already_open"


class CommentError(StrEnum):
    INVALID = "comment_invalid"
