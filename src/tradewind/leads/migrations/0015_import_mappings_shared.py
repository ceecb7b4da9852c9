"""Remembered lead import mappings move to the shared workspaces.ColumnMapping (kind "leads"),
which the customer and product imports use too."""

from django.db import migrations


def copy_mappings(apps, schema_editor):
    old = apps.get_model("leads", "ImportMapping")
    new = apps.get_model("workspaces", "ColumnMapping")
    new.objects.bulk_create(
        new(
            workspace_id=row.workspace_id,
            kind="leads",
            signature=row.signature,
            headers=row.headers,
            mapping=row.mapping,
            updated_by_id=row.updated_by_id,
        )
        for row in old.objects.all()
    )


def copy_back(apps, schema_editor):
    old = apps.get_model("leads", "ImportMapping")
    new = apps.get_model("workspaces", "ColumnMapping")
    old.objects.bulk_create(
        old(
            workspace_id=row.workspace_id,
            signature=row.signature,
            headers=row.headers,
            mapping=row.mapping,
            updated_by_id=row.updated_by_id,
        )
        for row in new.objects.filter(kind="leads")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0014_lead_other_im"),
        ("workspaces", "0006_column_mappings"),
    ]

    operations = [
        migrations.RunPython(copy_mappings, copy_back),
        migrations.DeleteModel(name="ImportMapping"),
    ]
