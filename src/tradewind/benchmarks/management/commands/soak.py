"""`tradewind soak`: mixed load against the production server on loopback (benchmarks/soak.py)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

from tradewind.benchmarks import soak
from tradewind.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Drive tradewind serve with 70% reads, 20% writes, 5% search, 5% import/export."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--seconds", type=int, default=600)
        parser.add_argument("--concurrency", type=int, default=8)
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
        parser.add_argument("--out", default="", help="write the figures into this markdown file")

    def handle(self, *args, seconds: int, concurrency: int, workers: int, out: str, **kw) -> None:  # type: ignore[no-untyped-def]
        if not Workspace.objects.filter(slug="demo").exists():
            call_command("demo")
        result = soak.run(
            seconds=seconds, concurrency=concurrency, workers=workers, log=self.stdout.write
        )
        text = soak.markdown(result)
        self.stdout.write(text)
        self.stdout.write(json.dumps(result["verdict"]))
        for what, body in result["refused"].items():  # expected refusals, shown to check the mix
            self.stdout.write(f"refused {what}: {body}")
        if out:
            soak.write_into(Path(out), text)
