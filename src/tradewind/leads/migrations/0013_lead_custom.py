"""Custom field values of leads: the `custom` JSON column, added in place on SQLite (keeps the FTS
triggers of 0006), with a GIN index (jsonb_path_ops) on PostgreSQL. docs/custom-fields.md"""

from django.db import migrations, models

from tradewind.workspaces.custom_fields_migrations import AddCustomColumn, gin_index


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0012_list_sort_indexes"),
        ("workspaces", "0005_custom_fields"),
    ]

    operations = [
        AddCustomColumn(
            model_name="lead",
            name="custom",
            field=models.JSONField(
                blank=True,
                db_default=models.Value({}, models.JSONField()),
                default=dict,
                verbose_name="custom fields",
            ),
        ),
        gin_index("leads_lead", "lead_custom_gin"),
    ]
