"""Background work of spreadsheet imports: the run itself and the sweeper that re-queues a batch
whose worker died (status running, lease expired)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task(retries=0)
def run_lead_import(import_id: int) -> None:
    from .imports import lead_import_run

    lead_import_run(import_id=import_id)


@db_periodic_task(crontab(minute="*/5"))
def sweep_lead_imports() -> None:
    from .imports import lead_import_sweep

    lead_import_sweep()


__all__ = ["run_lead_import", "sweep_lead_imports"]
