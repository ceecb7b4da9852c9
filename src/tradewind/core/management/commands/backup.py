from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tradewind.core.backups import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database and the uploaded files into one .tar file "
        "while the server runs: `tradewind backup [--output FILE]`."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--output",
            help="the .tar file to write (default: <data dir>/backups/tradewind-<time>.tar)",
        )

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        output = Path(opts["output"] or settings.DATA_DIR / "backups" / f"tradewind-{stamp}.tar")
        try:
            manifest = backup_create(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            f"{output}: {manifest['engine']} database, {len(manifest['counts'])} tables, "
            f"{rows:,} rows"
        )
