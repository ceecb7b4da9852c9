from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """`tradewind bench`: scale data generator and the figures of docs/performance.md."""

    name = "tradewind.benchmarks"
    label = "benchmarks"
