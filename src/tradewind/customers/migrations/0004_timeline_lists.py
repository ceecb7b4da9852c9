"""Timeline and list support (if any model is needed) (filled in by that work)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_qualification_custom_fields"),
    ]

    operations: list = []
