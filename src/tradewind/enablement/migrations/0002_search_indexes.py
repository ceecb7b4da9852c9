"""Search indexes of library items (enablement/search.py).

- PostgreSQL: a trigram GIN index on search_text (pg_trgm comes with workspaces 0002), serving
  `search_text LIKE '%term%'` for terms of 3+ characters, Chinese included.
- SQLite: two external-content FTS5 tables over enablement_libraryitem kept in step by triggers:
  enablement_libraryitem_fts (trigram over search_text: 3+ characters) and
  enablement_libraryitem_pairs (unicode61 over search_pairs, the CJK pairs: 2-character Chinese).
  A later migration that makes Django rebuild this table on SQLite drops the triggers: recreate
  them there (see leads 0006 and docs/architecture.md).
"""

from django.db import migrations

CREATE_SQLITE = [
    "CREATE VIRTUAL TABLE enablement_libraryitem_fts USING fts5(search_text, "
    "content='enablement_libraryitem', content_rowid='id', tokenize='trigram')",
    "CREATE VIRTUAL TABLE enablement_libraryitem_pairs USING fts5(search_pairs, "
    "content='enablement_libraryitem', content_rowid='id', tokenize='unicode61')",
    "INSERT INTO enablement_libraryitem_fts(enablement_libraryitem_fts) VALUES ('rebuild')",
    "INSERT INTO enablement_libraryitem_pairs(enablement_libraryitem_pairs) VALUES ('rebuild')",
    """CREATE TRIGGER enablement_libraryitem_search_ai AFTER INSERT ON enablement_libraryitem BEGIN
        INSERT INTO enablement_libraryitem_fts(rowid, search_text) VALUES (new.id, new.search_text);
        INSERT INTO enablement_libraryitem_pairs(rowid, search_pairs)
            VALUES (new.id, new.search_pairs);
    END""",
    """CREATE TRIGGER enablement_libraryitem_search_ad AFTER DELETE ON enablement_libraryitem BEGIN
        INSERT INTO enablement_libraryitem_fts(enablement_libraryitem_fts, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
        INSERT INTO enablement_libraryitem_pairs(enablement_libraryitem_pairs, rowid, search_pairs)
            VALUES ('delete', old.id, old.search_pairs);
    END""",
    """CREATE TRIGGER enablement_libraryitem_search_au AFTER UPDATE ON enablement_libraryitem
        WHEN old.search_text IS NOT new.search_text OR old.id IS NOT new.id BEGIN
        INSERT INTO enablement_libraryitem_fts(enablement_libraryitem_fts, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
        INSERT INTO enablement_libraryitem_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER enablement_libraryitem_pairs_au AFTER UPDATE ON enablement_libraryitem
        WHEN old.search_pairs IS NOT new.search_pairs OR old.id IS NOT new.id BEGIN
        INSERT INTO enablement_libraryitem_pairs(enablement_libraryitem_pairs, rowid, search_pairs)
            VALUES ('delete', old.id, old.search_pairs);
        INSERT INTO enablement_libraryitem_pairs(rowid, search_pairs)
            VALUES (new.id, new.search_pairs);
    END""",
]
DROP_SQLITE = [
    "DROP TRIGGER IF EXISTS enablement_libraryitem_pairs_au",
    "DROP TRIGGER IF EXISTS enablement_libraryitem_search_au",
    "DROP TRIGGER IF EXISTS enablement_libraryitem_search_ad",
    "DROP TRIGGER IF EXISTS enablement_libraryitem_search_ai",
    "DROP TABLE IF EXISTS enablement_libraryitem_pairs",
    "DROP TABLE IF EXISTS enablement_libraryitem_fts",
]
CREATE_POSTGRES = [
    "CREATE INDEX IF NOT EXISTS libitem_search_trgm ON enablement_libraryitem "
    "USING gin (search_text gin_trgm_ops)",
]
DROP_POSTGRES = ["DROP INDEX IF EXISTS libitem_search_trgm"]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": CREATE_SQLITE, "postgresql": CREATE_POSTGRES}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": DROP_SQLITE, "postgresql": DROP_POSTGRES}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("enablement", "0001_library_and_daily_reports"),
        ("workspaces", "0002_audit_append_only_trigram"),
    ]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
