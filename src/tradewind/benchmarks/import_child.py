"""`python -m tradewind.benchmarks.import_child <import id>`: run one queued lead import in a fresh
process, as the worker would, and print its wall time and peak memory.

The bench starts this instead of huey so the import's peak RSS is that of one clean process
(Django and the app loaded, then the import), not of the bench process holding its test client
and earlier figures. Prints one line: `BENCH-RESULT {json}`.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time


def _rss_mb() -> float:
    """This process's peak RSS in MB. VmHWM belongs to the process image (reset by exec);
    ru_maxrss is not: Linux carries the forking parent's high-water mark over the exec."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tradewind.config.settings")
    import django

    django.setup()
    from django.db import connection

    from tradewind.leads.imports import lead_import_run

    # Everything the run needs loaded before the baseline is read (first query, translations).
    connection.ensure_connection()
    baseline = _rss_mb()
    t0 = time.perf_counter()
    batch = lead_import_run(import_id=int(argv[0]))
    seconds = time.perf_counter() - t0
    result = {
        "seconds": seconds,
        "peak_mb": _rss_mb(),
        # The cleaning process it forks for a large file (leads/imports_cleaner.py), if any: its
        # RSS counts the pages it shares with this process from the fork.
        "cleaner_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "baseline_mb": baseline,
        "status": getattr(batch, "status", None),
        "failure": getattr(batch, "failure", ""),
    }
    connection.close()
    sys.stdout.write("BENCH-RESULT " + json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
