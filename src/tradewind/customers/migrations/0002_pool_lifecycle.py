"""Customer public pool, claims, policy and life cycle (filled in by that work)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
    ]

    operations: list = []
