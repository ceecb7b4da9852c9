"""Custom field definitions (docs/custom-fields.md)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workspaces", "0004_saved_views"),
    ]

    operations = [
        migrations.CreateModel(
            name="CustomFieldDefinition",
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
                (
                    "target",
                    models.CharField(
                        choices=[
                            ("lead", "Leads"),
                            ("customer", "Customers"),
                            ("contact", "Contacts"),
                            ("opportunity", "Opportunities"),
                        ],
                        max_length=16,
                        verbose_name="record type",
                    ),
                ),
                ("key", models.SlugField(max_length=40, verbose_name="key")),
                (
                    "label_en",
                    models.CharField(blank=True, max_length=80, verbose_name="label (English)"),
                ),
                (
                    "label_zh",
                    models.CharField(blank=True, max_length=80, verbose_name="label (Chinese)"),
                ),
                (
                    "type",
                    models.CharField(
                        choices=[
                            ("text", "Text"),
                            ("long_text", "Long text"),
                            ("number", "Number"),
                            ("money", "Money"),
                            ("date", "Date"),
                            ("choice", "Single choice"),
                            ("multi_choice", "Multiple choice"),
                            ("boolean", "Yes/no"),
                        ],
                        max_length=16,
                        verbose_name="type",
                    ),
                ),
                ("choices", models.JSONField(blank=True, default=list, verbose_name="choices")),
                ("required", models.BooleanField(default=False, verbose_name="required")),
                (
                    "help_text",
                    models.CharField(blank=True, max_length=200, verbose_name="help text"),
                ),
                ("position", models.PositiveIntegerField(default=0, verbose_name="position")),
                ("active", models.BooleanField(default=True, verbose_name="active")),
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
                "verbose_name": "custom field",
                "ordering": ["target", "position", "id"],
                "indexes": [
                    models.Index(
                        fields=["workspace", "target", "active", "position"],
                        name="customfield_ws_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("workspace", "target", "key"), name="customfield_unique_key"
                    )
                ],
            },
        ),
    ]
