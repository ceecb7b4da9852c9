"""AuditEvent is append-only in the database itself; PostgreSQL gets pg_trgm for substring search."""

from django.db import migrations

SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON workspaces_auditevent
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
"""
PG_TRIGGER = """
CREATE OR REPLACE FUNCTION tradewind_audit_no_update() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_no_update ON workspaces_auditevent;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON workspaces_auditevent
FOR EACH ROW EXECUTE FUNCTION tradewind_audit_no_update();
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)
    elif vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(PG_TRIGGER)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_update")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_update ON workspaces_auditevent")
        schema_editor.execute("DROP FUNCTION IF EXISTS tradewind_audit_no_update()")


class Migration(migrations.Migration):
    dependencies = [("workspaces", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
