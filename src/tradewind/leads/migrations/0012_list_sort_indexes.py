"""Indexes behind the leads list's sorts (docs/leads-lists.md). CREATE INDEX only: on SQLite no
table rebuild, so the search triggers of 0006 stay."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0011_conversion_merge"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                fields=["workspace", "company_name", "id"], name="lead_ws_company_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(fields=["workspace", "-score", "-id"], name="lead_ws_score_idx"),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                fields=["workspace", "-updated_at", "-id"], name="lead_ws_updated_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(fields=["workspace", "next_due_at", "id"], name="lead_ws_due_idx"),
        ),
    ]
