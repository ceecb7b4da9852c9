"""Migration operations for the `custom` column (docs/custom-fields.md).

`AddCustomColumn` adds the column with ALTER TABLE ADD COLUMN on SQLite too (Django would rebuild
the table for a NOT NULL column, which drops the FTS triggers of leads_lead). `GinIndex` creates
`<table>(custom jsonb_path_ops)` on PostgreSQL only: JSON containment (`@>`) is what the list
filters use for equality there."""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


class AddCustomColumn(migrations.AddField):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor != "sqlite":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        BaseDatabaseSchemaEditor.add_field(schema_editor, model, model._meta.get_field(self.name))
        return None


def gin_index(table: str, name: str) -> migrations.RunPython:
    def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            quote = schema_editor.quote_name
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} "
                "USING gin (custom jsonb_path_ops)"
            )

    def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")

    return migrations.RunPython(forwards, backwards, elidable=False)
