"""Customer lists and import: the import batch, the customer's link to it, the list sort indexes."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_qualification_custom_fields"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("workspaces", "0004_saved_views"),
    ]

    operations = [
        migrations.CreateModel(
            name="CustomerImport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("version", models.PositiveIntegerField(default=1)),
                ("file", models.FileField(max_length=255, upload_to="imports/customers/%Y/%m/")),
                ("file_name", models.CharField(max_length=200, verbose_name="file")),
                ("file_sha256", models.CharField(max_length=64)),
                ("file_kind", models.CharField(max_length=8)),
                ("headers", models.JSONField(blank=True, default=list)),
                ("mapping", models.JSONField(blank=True, default=dict)),
                (
                    "mode",
                    models.CharField(
                        choices=[
                            ("stop_on_error", "Stop on the first error — nothing is written"),
                            ("skip_bad_rows", "Skip bad rows — download them as an error file"),
                        ],
                        default="skip_bad_rows",
                        max_length=16,
                        verbose_name="mode",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("uploaded", "Uploaded"),
                            ("previewed", "Previewed"),
                            ("done", "Done"),
                            ("failed", "Failed"),
                            ("undone", "Undone"),
                        ],
                        default="uploaded",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                ("total_rows", models.PositiveIntegerField(default=0, verbose_name="rows")),
                ("created_count", models.PositiveIntegerField(default=0, verbose_name="created")),
                ("contact_count", models.PositiveIntegerField(default=0, verbose_name="contacts")),
                (
                    "duplicate_count",
                    models.PositiveIntegerField(default=0, verbose_name="duplicates skipped"),
                ),
                (
                    "error_count",
                    models.PositiveIntegerField(default=0, verbose_name="rows with errors"),
                ),
                ("undone_count", models.PositiveIntegerField(default=0)),
                ("kept_count", models.PositiveIntegerField(default=0)),
                ("preview", models.JSONField(blank=True, default=dict)),
                (
                    "error_file",
                    models.FileField(
                        blank=True, max_length=255, upload_to="imports/customers/errors/%Y/%m/"
                    ),
                ),
                ("failure", models.CharField(blank=True, max_length=500)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="imported by",
                    ),
                ),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="workspaces.workspace",
                    ),
                ),
            ],
            options={
                "verbose_name": "customer import",
                "indexes": [
                    models.Index(
                        fields=["workspace", "-created_at", "-id"], name="custimport_ws_idx"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="customer",
            name="import_batch",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="customers",
                to="customers.customerimport",
                verbose_name="import batch",
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["workspace", "name", "id"], name="customer_ws_name_idx"),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["workspace", "-updated_at", "-id"], name="customer_ws_updated_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["workspace", "next_followup_at", "id"], name="customer_ws_due_idx"
            ),
        ),
    ]
