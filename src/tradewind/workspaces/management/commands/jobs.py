"""`tradewind jobs work`: run durable jobs in this process (besides huey's consumer), e.g. a
dedicated worker, or `--once` from cron."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run durable background jobs (see workspaces/jobs.py)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        work = sub.add_parser("work", help="claim and run due jobs")
        work.add_argument("--once", action="store_true", help="stop when nothing is due")
        work.add_argument("--seconds", type=float, default=None, help="stop after this long")
        work.add_argument("--limit", type=int, default=None, help="stop after this many jobs")
        work.add_argument("--worker", default=None, help="worker name (default host:pid)")

    def handle(self, *args, action: str, **options) -> None:
        from tradewind.workspaces.jobs import jobs_work

        if action == "work":
            count = jobs_work(
                worker=options["worker"],
                once=options["once"],
                seconds=options["seconds"],
                limit=options["limit"],
            )
            self.stdout.write(f"{count} job(s) run")
