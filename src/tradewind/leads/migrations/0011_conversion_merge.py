"""Links from a lead to what it became, and lead merges (filled in by that work)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0010_scoring_recycling"),
    ]

    operations: list = []
