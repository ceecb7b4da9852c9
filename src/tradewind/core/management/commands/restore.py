from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tradewind.core.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Replace the database and the uploaded files with a backup made by `tradewind backup`: "
        "`tradewind restore FILE --yes`. Stop the server and the worker first."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", help="the .tar file written by `tradewind backup`")
        parser.add_argument(
            "--yes", action="store_true", help="confirm: the current data is replaced"
        )

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        if not opts["yes"]:
            raise CommandError("Restoring replaces all current data; add --yes to go ahead.")
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            report = backup_restore(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if report.mismatched:
            details = ", ".join(f"{t}: {a} != {b}" for t, (a, b) in report.mismatched.items())
            raise CommandError(f"Restored, but row counts differ from the backup: {details}")
        self.stdout.write(f"Restored {report.tables} tables, {report.rows:,} rows from {path}.")
