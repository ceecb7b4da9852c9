"""Qualification (三定), follow-up nodes and custom field values (filled in by that work)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_pool_lifecycle"),
    ]

    operations: list = []
