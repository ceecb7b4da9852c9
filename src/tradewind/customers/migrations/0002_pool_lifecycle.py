"""Customer public pool, claims, policy and life cycle (filled in by that work)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

STAGES = [
    ("potential", "Potential"),
    ("signed", "Signed"),
    ("repeat", "Repeat buyer"),
    ("lost", "Lost"),
    ("invalid", "Invalid"),
]


def _workspace_fk(**extra):
    return models.ForeignKey(
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to="workspaces.workspace",
        **extra,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("workspaces", "0004_saved_views"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Life cycle columns: database defaults, so SQLite adds them without rebuilding the table
        # and bulk paths that name only the columns they know keep working.
        migrations.AddField(
            model_name="customer",
            name="stage",
            field=models.CharField(
                choices=STAGES,
                db_default="potential",
                default="potential",
                max_length=12,
                verbose_name="stage",
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="stage_manual",
            field=models.BooleanField(
                db_default=False, default=False, editable=False, verbose_name="stage set by hand"
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="stage_reason",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                editable=False,
                max_length=200,
                verbose_name="stage reason",
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="stage_changed_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="stage changed"
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="targeted",
            field=models.BooleanField(db_default=False, default=False, verbose_name="targeted"),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["workspace", "stage", "-created_at", "-id"], name="customer_ws_stage_idx"
            ),
        ),
        migrations.CreateModel(
            name="CustomerPolicy",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "holding_cap",
                    models.PositiveIntegerField(
                        default=200,
                        verbose_name="most customers one rep may hold (signed ones not counted)",
                    ),
                ),
                (
                    "daily_claim_limit",
                    models.PositiveIntegerField(default=20, verbose_name="claims per rep per day"),
                ),
                (
                    "recycle_no_followup_days",
                    models.PositiveSmallIntegerField(
                        default=30, verbose_name="back to the pool after days without follow-up"
                    ),
                ),
                (
                    "recycle_no_opportunity_days",
                    models.PositiveSmallIntegerField(
                        default=90,
                        verbose_name="back to the pool after days without opportunity activity",
                    ),
                ),
                (
                    "recycle_signed",
                    models.BooleanField(
                        default=False, verbose_name="signed customers are recycled too"
                    ),
                ),
                (
                    "release_cooldown_days",
                    models.PositiveSmallIntegerField(
                        default=7,
                        verbose_name="days before a rep may claim again a customer they released",
                    ),
                ),
                (
                    "warn_days_before",
                    models.PositiveSmallIntegerField(
                        default=1, verbose_name="warn the owner this many days before recycling"
                    ),
                ),
                (
                    "lost_reasons",
                    models.JSONField(
                        blank=True, default=list, verbose_name="reasons a customer is lost"
                    ),
                ),
                (
                    "workspace",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="customer_policy",
                        to="workspaces.workspace",
                    ),
                ),
            ],
            options={"verbose_name": "customer pool policy"},
        ),
        migrations.CreateModel(
            name="CustomerClaim",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("claimed_at", models.DateTimeField(blank=True, null=True)),
                ("released_at", models.DateTimeField(blank=True, null=True)),
                ("release_reason", models.CharField(blank=True, max_length=200)),
                ("recycled", models.BooleanField(default=False)),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="claims",
                        to="customers.customer",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("workspace", _workspace_fk()),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["workspace", "user", "claimed_at"], name="custclaim_user_day_idx"
                    ),
                    models.Index(
                        fields=["customer", "user", "-released_at"], name="custclaim_cooldown_idx"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="CustomerJobRun",
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
                ("workspace", _workspace_fk()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("workspace", "job", "on_date"), name="customerjobrun_once_a_day"
                    )
                ],
            },
        ),
    ]
