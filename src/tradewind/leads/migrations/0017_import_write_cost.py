"""What each imported lead costs to write (docs/performance.md, session 5).

1. `leads_lead_workspace_id_…`, the foreign key's own index on workspace_id alone, serves no query:
   every index of the table starts with workspace_id (lead_ws_*, lead_unique_code). Dropped.
2. The three conversion links are NULL on nearly every lead, yet their foreign-key indexes took a
   write for each one. They become partial (`WHERE col IS NOT NULL`): a lookup by value (the
   customer 360, SET_NULL when a customer goes) still reads them, on both databases.
3. SQLite: the insert trigger of the FTS tables (0006) skips rows that carry an import batch; the
   import indexes each chunk's rows with one INSERT … SELECT per FTS table in the chunk's own
   transaction (leads.imports_rows.write_rows), so a crash leaves neither the rows nor their FTS
   entries. Measured on the 100k bench: insert CPU 5.3k -> 19.9k rows/s for that part alone.
   Every other write path (services, generator, bulk SQL without a batch) keeps the trigger.

These are database-level changes outside the model state (as 0008's dedupe indexes): should a
later migration rebuild leads_lead on SQLite, it must recreate them, and 0006's triggers.
"""

from django.db import migrations

FK_WORKSPACE = "leads_lead_workspace_id_e3ee80f5"
PARTIAL = {
    "leads_lead_converted_customer_id_83a4e5e8": "converted_customer_id",
    "leads_lead_converted_contact_id_ec7f0840": "converted_contact_id",
    "leads_lead_converted_opportunity_id_923e0297": "converted_opportunity_id",
}
SEARCHED = ("company_name", "contact_name", "email", "phone")
COLUMNS = ", ".join(SEARCHED)
NEW_VALUES = ", ".join(f"new.{c}" for c in SEARCHED)
TRIGGER_BODY = f"""BEGIN
        INSERT INTO leads_lead_fts(rowid, {COLUMNS}) VALUES (new.id, {NEW_VALUES});
        INSERT INTO leads_lead_pairs(rowid, search_pairs) VALUES (new.id, new.search_pairs);
    END"""  # noqa: S608 - constant names
TRIGGER_IMPORT_AWARE = (
    "CREATE TRIGGER leads_lead_search_ai AFTER INSERT ON leads_lead "
    f"WHEN new.import_batch_id IS NULL {TRIGGER_BODY}"
)
TRIGGER_EVERY_ROW = f"CREATE TRIGGER leads_lead_search_ai AFTER INSERT ON leads_lead {TRIGGER_BODY}"


def _indexes(schema_editor, *, partial: bool) -> None:
    for name, column in PARTIAL.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        where = f" WHERE {column} IS NOT NULL" if partial else ""
        schema_editor.execute(f"CREATE INDEX {name} ON leads_lead ({column}){where}")


def forwards(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {FK_WORKSPACE}")
    _indexes(schema_editor, partial=True)
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS leads_lead_search_ai")
        schema_editor.execute(TRIGGER_IMPORT_AWARE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS leads_lead_search_ai")
        schema_editor.execute(TRIGGER_EVERY_ROW)
    _indexes(schema_editor, partial=False)
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {FK_WORKSPACE} ON leads_lead (workspace_id)")


class Migration(migrations.Migration):
    dependencies = [("leads", "0016_search_pairs_gin_postgres")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
