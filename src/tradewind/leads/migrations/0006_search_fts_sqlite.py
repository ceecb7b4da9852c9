"""Keyword search on SQLite: two FTS5 tables over leads_lead, kept in step by triggers.

- leads_lead_fts (trigram): company, contact, e-mail, phone; finds fragments of 3+ characters.
- leads_lead_pairs (unicode61): search_pairs, the CJK character pairs; finds 2-character Chinese.
- lead_code_upper: UPPER(code), so the code branch of the search is a lookup, not a scan.

Both are external-content tables (the text lives once, in leads_lead). The triggers keep them
correct for every write path, bulk ones included, without service code. LeadFilter uses them only
to find candidate rows and keeps the icontains test, so results mean what they meant before
(leads/search.py). Measured at 1M leads: built in ~40 s; searches 0.1-15 ms.

On PostgreSQL this only backfills search_pairs (trigram indexes serve search there, 0004).
"""

from django.db import migrations

SEARCHED = ("company_name", "contact_name", "email", "phone")
BATCH = 5000

FTS_COLUMNS = ", ".join(SEARCHED)
NEW_VALUES = ", ".join(f"new.{c}" for c in SEARCHED)
OLD_VALUES = ", ".join(f"old.{c}" for c in SEARCHED)
CHANGED = " OR ".join(f"old.{c} IS NOT new.{c}" for c in SEARCHED)

CREATE = [
    f"CREATE VIRTUAL TABLE leads_lead_fts USING fts5({FTS_COLUMNS}, "
    "content='leads_lead', content_rowid='id', tokenize='trigram')",
    "CREATE VIRTUAL TABLE leads_lead_pairs USING fts5(search_pairs, "
    "content='leads_lead', content_rowid='id', tokenize='unicode61')",
    "INSERT INTO leads_lead_fts(leads_lead_fts) VALUES ('rebuild')",
    "INSERT INTO leads_lead_pairs(leads_lead_pairs) VALUES ('rebuild')",
    f"""CREATE TRIGGER leads_lead_search_ai AFTER INSERT ON leads_lead BEGIN
        INSERT INTO leads_lead_fts(rowid, {FTS_COLUMNS}) VALUES (new.id, {NEW_VALUES});
        INSERT INTO leads_lead_pairs(rowid, search_pairs) VALUES (new.id, new.search_pairs);
    END""",
    f"""CREATE TRIGGER leads_lead_search_ad AFTER DELETE ON leads_lead BEGIN
        INSERT INTO leads_lead_fts(leads_lead_fts, rowid, {FTS_COLUMNS})
            VALUES ('delete', old.id, {OLD_VALUES});
        INSERT INTO leads_lead_pairs(leads_lead_pairs, rowid, search_pairs)
            VALUES ('delete', old.id, old.search_pairs);
    END""",
    # Django's save() writes every column: only a change of the searched text touches the index.
    f"""CREATE TRIGGER leads_lead_search_au AFTER UPDATE ON leads_lead
        WHEN {CHANGED} OR old.id IS NOT new.id BEGIN
        INSERT INTO leads_lead_fts(leads_lead_fts, rowid, {FTS_COLUMNS})
            VALUES ('delete', old.id, {OLD_VALUES});
        INSERT INTO leads_lead_fts(rowid, {FTS_COLUMNS}) VALUES (new.id, {NEW_VALUES});
    END""",
    """CREATE TRIGGER leads_lead_pairs_au AFTER UPDATE ON leads_lead
        WHEN old.search_pairs IS NOT new.search_pairs OR old.id IS NOT new.id BEGIN
        INSERT INTO leads_lead_pairs(leads_lead_pairs, rowid, search_pairs)
            VALUES ('delete', old.id, old.search_pairs);
        INSERT INTO leads_lead_pairs(rowid, search_pairs) VALUES (new.id, new.search_pairs);
    END""",
    "CREATE INDEX lead_code_upper ON leads_lead (UPPER(code))",
]
DROP = [
    "DROP INDEX IF EXISTS lead_code_upper",
    "DROP TRIGGER IF EXISTS leads_lead_pairs_au",
    "DROP TRIGGER IF EXISTS leads_lead_search_au",
    "DROP TRIGGER IF EXISTS leads_lead_search_ad",
    "DROP TRIGGER IF EXISTS leads_lead_search_ai",
    "DROP TABLE IF EXISTS leads_lead_pairs",
    "DROP TABLE IF EXISTS leads_lead_fts",
]


def backfill_pairs(schema_editor) -> None:
    """search_pairs of the rows that exist (new ones get it from the services and the generator)."""
    from tradewind.leads.search import cjk_pairs

    connection = schema_editor.connection
    last = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT id, {FTS_COLUMNS} FROM leads_lead WHERE id > %s ORDER BY id LIMIT %s",  # noqa: S608
                [last, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            last = rows[-1][0]
            updates = [(p, row[0]) for row in rows if (p := cjk_pairs(*row[1:]))]
            if updates:
                cursor.executemany("UPDATE leads_lead SET search_pairs = %s WHERE id = %s", updates)


def forwards(apps, schema_editor):
    backfill_pairs(schema_editor)
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in CREATE:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("leads", "0005_lead_search_pairs")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
