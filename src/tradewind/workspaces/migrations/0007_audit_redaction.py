"""The audit trail stays append-only, with one documented exception: redaction after an erasure.

An UPDATE of workspaces_auditevent is refused unless the new row carries `"_redacted": true` in
`changes` and nothing but `changes` and `target_repr` differs from the old row (who, when, what
verb and which target stay as recorded). workspaces/erasure.py is the only writer that sets the
flag (docs/workspace-export-erasure.md). Deletes were never guarded by this trigger and are not now.
A later migration that rebuilds the table on SQLite (AlterField) must run this `forwards` again,
not 0002's, or the exception is lost (0003 shows the pattern).
"""

from django.db import migrations

KEPT = (
    "id",
    "workspace_id",
    "created_at",
    "actor_kind",
    "actor_user_id",
    "actor_token_id",
    "actor_label",
    "verb",
    "action",
    "target_type",
    "target_id",
)
SQLITE_SAME = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in KEPT)
PG_SAME = " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in KEPT)

SQLITE_TRIGGER = f"""
CREATE TRIGGER audit_no_update BEFORE UPDATE ON workspaces_auditevent
WHEN NOT (json_valid(NEW.changes)
          AND COALESCE(json_extract(NEW.changes, '$._redacted') = 1, 0)
          AND {SQLITE_SAME})
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
"""
PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION tradewind_audit_no_update() RETURNS trigger AS $$
BEGIN
  IF COALESCE((NEW.changes -> '_redacted') = 'true'::jsonb, false) AND {PG_SAME} THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit events are append-only';
END; $$ LANGUAGE plpgsql;
"""
PG_STRICT = """
CREATE OR REPLACE FUNCTION tradewind_audit_no_update() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql;
"""
SQLITE_STRICT = """
CREATE TRIGGER audit_no_update BEFORE UPDATE ON workspaces_auditevent
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_update")
        schema_editor.execute(SQLITE_TRIGGER)
    elif vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)  # the trigger (0002) calls this function


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_update")
        schema_editor.execute(SQLITE_STRICT)
    elif vendor == "postgresql":
        schema_editor.execute(PG_STRICT)


class Migration(migrations.Migration):
    dependencies = [("workspaces", "0006_column_mappings")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
