"""Spreadsheet import batches, remembered column mappings, the lead's link to its batch, and the
indexes the import's set-based dedupe reads (one `IN (…)` query per key kind and chunk).

`import_batch` is nullable without a default, so SQLite adds it with ALTER TABLE ADD COLUMN and the
FTS5 triggers of 0006 stay in place. The dedupe indexes are created with plain SQL (valid on SQLite
and PostgreSQL) and are not part of the model state: Lead's Meta belongs to the leads issue.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

DEDUPE_INDEXES = {
    "lead_ws_phone_idx": "phone_e164",
    "lead_ws_email_idx": "email",
    "lead_ws_email_domain_idx": "email_domain",
    "lead_ws_web_domain_idx": "web_domain",
    "lead_ws_company_key_idx": "company_key",
    "lead_ws_pinyin_idx": "company_pinyin",
}


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0007_leadpolicy_cadence_days"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="LeadImport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("version", models.PositiveIntegerField(default=1)),
                ("file", models.FileField(max_length=255, upload_to="imports/%Y/%m/")),
                ("file_name", models.CharField(max_length=200, verbose_name="file")),
                ("file_sha256", models.CharField(max_length=64)),
                ("file_kind", models.CharField(max_length=8)),
                ("header_row", models.PositiveIntegerField(default=1)),
                ("headers", models.JSONField(blank=True, default=list)),
                ("mapping", models.JSONField(blank=True, default=dict)),
                ("mode", models.CharField(choices=[("stop_on_error", "Stop on the first error — nothing is written"), ("skip_bad_rows", "Skip bad rows — download them as an error file")], default="skip_bad_rows", max_length=16, verbose_name="mode")),
                ("status", models.CharField(choices=[("uploaded", "Uploaded"), ("previewed", "Previewed"), ("queued", "Queued"), ("running", "Running"), ("done", "Done"), ("failed", "Failed"), ("undone", "Undone")], default="uploaded", max_length=12, verbose_name="status")),
                ("total_rows", models.PositiveIntegerField(default=0, verbose_name="rows")),
                ("processed_rows", models.PositiveIntegerField(default=0)),
                ("created_count", models.PositiveIntegerField(default=0, verbose_name="created")),
                ("duplicate_count", models.PositiveIntegerField(default=0, verbose_name="duplicates skipped")),
                ("error_count", models.PositiveIntegerField(default=0, verbose_name="rows with errors")),
                ("undone_count", models.PositiveIntegerField(default=0)),
                ("kept_count", models.PositiveIntegerField(default=0)),
                ("preview", models.JSONField(blank=True, default=dict)),
                ("report", models.JSONField(blank=True, default=dict)),
                ("error_file", models.FileField(blank=True, max_length=255, upload_to="imports/errors/%Y/%m/")),
                ("failure", models.CharField(blank=True, max_length=500)),
                ("lease_until", models.DateTimeField(blank=True, null=True)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("created_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="imported by")),
                ("workspace", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="workspaces.workspace")),
            ],
            options={
                "verbose_name": "lead import",
                "indexes": [
                    models.Index(fields=["workspace", "-created_at", "-id"], name="leadimport_ws_idx"),
                    models.Index(fields=["status", "lease_until"], name="leadimport_lease_idx"),
                ],
            },
        ),
        migrations.AddField(
            model_name="lead",
            name="import_batch",
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="leads", to="leads.leadimport", verbose_name="import batch"),
        ),
        migrations.CreateModel(
            name="ImportMapping",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("signature", models.CharField(max_length=64)),
                ("headers", models.JSONField(default=list)),
                ("mapping", models.JSONField(default=dict)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("updated_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("workspace", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="workspaces.workspace")),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("workspace", "signature"), name="importmapping_unique_signature")],
            },
        ),
        *[
            migrations.RunSQL(
                f"CREATE INDEX IF NOT EXISTS {name} ON leads_lead (workspace_id, {column})",
                f"DROP INDEX IF EXISTS {name}",
                elidable=False,
            )
            for name, column in DEDUPE_INDEXES.items()
        ],
    ]
