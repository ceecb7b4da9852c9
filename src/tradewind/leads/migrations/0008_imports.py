"""Spreadsheet import batches (filled in by the import work)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0007_leadpolicy_cadence_days"),
    ]

    operations: list = []
