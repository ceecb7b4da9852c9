"""What the workspaces app connects at start-up: the job kinds of the job machinery and every
app's schedules (declared in their tasks modules), so the web process, huey's consumer and
`tradewind jobs work` all know the same job kinds, schedules and notification kinds."""

from __future__ import annotations


def connect() -> None:
    from . import jobs_builtin  # noqa: F401
    from .schedules import schedules_load

    schedules_load()
