"""Trigram indexes that serve LeadFilter's keyword search on PostgreSQL (icontains = UPPER(col) LIKE).

Measured at 1M leads (make bench): 4-character Chinese 1.7 s -> 1.3 ms, e-mail 1.5 s -> 16 ms.
SQLite gets its own search path later (FTS5); on SQLite this migration does nothing.
"""

from django.db import migrations

INDEXES = {
    "lead_company_trgm": "USING gin (UPPER(company_name) gin_trgm_ops)",
    "lead_contact_trgm": "USING gin (UPPER(contact_name) gin_trgm_ops)",
    "lead_email_trgm": "USING gin (UPPER(email) gin_trgm_ops)",
    "lead_phone_trgm": "USING gin (phone gin_trgm_ops)",
    "lead_code_upper": "(UPPER(code))",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON leads_lead {definition}")
    # Expression indexes get statistics only from ANALYZE; without them the planner overestimates
    # matches and walks the created_at index instead (1.9 s instead of 33 ms at 1M leads).
    schema_editor.execute("ANALYZE leads_lead")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("leads", "0003_lead_fields_policy_claims"), ("workspaces", "0002_audit_append_only_trigram")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
