"""Scoring rules, grade thresholds, hand grades, pool recycling by grade, the to-reactivate status
and the record of the daily lead jobs.

`Lead.grade_set_by_hand` is nullable so SQLite adds it with ALTER TABLE ADD COLUMN and keeps the
FTS triggers of migration 0006; the status change only adds a choice (no schema change)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import tradewind.leads.models


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0009_webforms_assignment"),
        ("workspaces", "0003_audit_actor_no_constraint"),
    ]

    operations = [
        migrations.AddField(
            model_name="lead",
            name="grade_set_by_hand",
            field=models.BooleanField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="leadpolicy",
            name="auto_grade",
            field=models.BooleanField(
                default=False,
                verbose_name="apply the suggested grade automatically when nobody set the grade by hand",
            ),
        ),
        migrations.AddField(
            model_name="leadpolicy",
            name="grade_a_min",
            field=models.IntegerField(default=70, verbose_name="suggest grade A from score"),
        ),
        migrations.AddField(
            model_name="leadpolicy",
            name="grade_b_min",
            field=models.IntegerField(default=40, verbose_name="suggest grade B from score"),
        ),
        migrations.AddField(
            model_name="leadpolicy",
            name="recycle_after_days",
            field=models.JSONField(
                blank=True,
                default=tradewind.leads.models.default_recycle_days,
                verbose_name="back to the pool after days without follow-up, by grade",
            ),
        ),
        migrations.AddField(
            model_name="leadpolicy",
            name="scoring_rules_seeded",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AlterField(
            model_name="lead",
            name="status",
            field=models.CharField(
                choices=[
                    ("new", "New"),
                    ("contacting", "Contacting"),
                    ("qualified", "Qualified"),
                    ("converted", "Converted"),
                    ("invalid", "Invalid"),
                    ("dormant", "Dormant"),
                    ("to_reactivate", "To reactivate"),
                ],
                default="new",
                max_length=16,
                verbose_name="status",
            ),
        ),
        migrations.CreateModel(
            name="LeadJobRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("job", models.CharField(max_length=32)),
                ("on_date", models.DateField()),
                ("ran_at", models.DateTimeField()),
                ("result", models.JSONField(blank=True, default=dict)),
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
                "constraints": [
                    models.UniqueConstraint(
                        fields=("workspace", "job", "on_date"), name="leadjobrun_once_a_day"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ScoringRule",
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
                ("name", models.CharField(max_length=120, verbose_name="name")),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "fact",
                    models.CharField(
                        choices=[
                            ("source_is", "Source is"),
                            ("company_size_is", "Company size is"),
                            ("country_in", "Country/region is one of"),
                            ("industry_contains", "Industry contains"),
                            ("budget_at_least", "Budget (upper end) at least"),
                            ("title_decision_maker", "Title looks like a decision maker"),
                            ("has_replied", "Has replied to a follow-up"),
                            ("has_email", "Has an e-mail address"),
                            ("has_phone", "Has a phone number"),
                            ("has_website", "Has a website"),
                            ("need_longer_than", "Need described in more than N characters"),
                        ],
                        max_length=32,
                        verbose_name="fact",
                    ),
                ),
                (
                    "value",
                    models.CharField(
                        blank=True,
                        help_text="A code, or several separated by commas (keywords, countries, industries).",
                        max_length=500,
                        verbose_name="value",
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=16,
                        null=True,
                        verbose_name="amount",
                    ),
                ),
                ("currency", models.CharField(blank=True, max_length=3, verbose_name="currency")),
                (
                    "number",
                    models.PositiveIntegerField(blank=True, null=True, verbose_name="number"),
                ),
                ("points", models.IntegerField(verbose_name="points")),
                ("position", models.PositiveIntegerField(default=0)),
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
                "verbose_name": "scoring rule",
                "ordering": ["position", "id"],
                "indexes": [
                    models.Index(fields=["workspace", "position"], name="scoringrule_ws_idx")
                ],
            },
        ),
    ]
