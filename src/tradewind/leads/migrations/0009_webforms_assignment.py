"""Web-to-lead forms and assignment rules (filled in by that work)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0008_imports"),
    ]

    operations: list = []
