"""Scoring rules, grade thresholds and pool recycling (filled in by that work)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0009_webforms_assignment"),
    ]

    operations: list = []
