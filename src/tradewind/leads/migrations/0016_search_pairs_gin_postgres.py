"""PostgreSQL: a GIN index over the CJK pairs of the searched text (Lead.search_pairs as an array),
for 2-character Chinese fragments, which the trigram indexes of 0004 cannot serve (a trigram needs
3 characters). LeadFilter asks it through `leads.search.pairs_q`. SQLite has its own pairs table
(0006); there this migration does nothing.

Measured (docs/performance.md, session 5): a rare 2-character brand at 1M leads 543 ms p50 as a
page (a parallel scan of the table) -> a bitmap read of this index.
"""

from django.db import migrations

NAME = "lead_pairs_gin"
# Written as leads.search.PAIRS_INDEX_SQL is (a test keeps them equal): the planner matches the
# query's expression against the index's.
EXPRESSION = "string_to_array(search_pairs, ' ')"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME} ON leads_lead USING gin (({EXPRESSION}))"
    )
    # An expression index has statistics (here: the most common pairs) only after ANALYZE; the
    # planner needs them to tell a rare pair (read the index) from a common one (walk the list).
    schema_editor.execute("ANALYZE leads_lead")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("leads", "0015_import_mappings_shared")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
