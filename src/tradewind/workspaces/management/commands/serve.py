"""Serve the web app with gunicorn and run the huey worker beside it; Ctrl+C stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server (gunicorn) and the background worker (huey) together."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", default=os.environ.get("WEB_CONCURRENCY", "2"))
        parser.add_argument(
            "--no-worker", action="store_true", help="serve only, without the huey consumer"
        )

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        if not settings.DEBUG:
            from django.core.management import call_command

            call_command("collectstatic", interactive=False, verbosity=0)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tradewind.config.settings"}
        bind = f"{opts['host']}:{opts['port']}"
        web = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [
                sys.executable,
                "-m",
                "gunicorn",
                "tradewind.config.wsgi:application",
                "--config",
                "python:tradewind.config.gunicorn",
                "--bind",
                bind,
                "--workers",
                str(opts["workers"]),
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "10",
            ],
            env=env,
        )
        procs = [web]
        if not opts["no_worker"]:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "tradewind", "run_huey", "--workers", "1"], env=env
                )
            )
        self.stdout.write(
            self.style.SUCCESS(f"Tradewind is serving on http://{bind}/  (Ctrl+C stops)")
        )

        def stop(*_args: object) -> None:
            for proc in procs:
                if proc.poll() is None:
                    proc.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for proc in procs:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
