"""Time one bilingual proforma invoice (20 lines, Chinese and English) rendered to PDF by
WeasyPrint: `.venv/bin/python bench/document_render.py [runs]`. No database is needed: the document
renders from a snapshot, as a stored PI does (`tradewind.benchmarks.document`). Prints the first
(cold: fonts loaded) and the median of the warm runs, beside the floor (WeasyPrint alone on a bare
page of the same text). `tradewind bench` reports the same figure in docs/performance.md."""

from __future__ import annotations

import os
import statistics
import sys


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tradewind.config.settings")
    import django

    django.setup()
    from tradewind.benchmarks.document import time_renders

    result = time_renders(runs)
    print(f"PDF bytes: {result['bytes']}")
    print(f"cold render: {result['cold_ms']:.0f} ms")
    print(f"warm median of {runs}: {statistics.median(result['samples']):.0f} ms")
    print(f"floor (bare page, same text) median: {result['floor_p50']:.0f} ms")


if __name__ == "__main__":
    main()
