"""Tasks with fuzzy due times and comments with mentions (filled in by that work)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0002_notification"),
    ]

    operations: list = []
