"""Custom field values of opportunities (docs/custom-fields.md)."""

from django.db import migrations, models

from tradewind.workspaces.custom_fields_migrations import AddCustomColumn, gin_index


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0001_initial"),
        ("workspaces", "0005_custom_fields"),
    ]

    operations = [
        AddCustomColumn(
            model_name="opportunity",
            name="custom",
            field=models.JSONField(
                blank=True,
                db_default=models.Value({}, models.JSONField()),
                default=dict,
                verbose_name="custom fields",
            ),
        ),
        gin_index("sales_opportunity", "opportunity_custom_gin"),
    ]
