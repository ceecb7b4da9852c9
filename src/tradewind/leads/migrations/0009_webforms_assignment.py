"""Web-to-lead forms, their submissions, and the ordered assignment rules."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import tradewind.leads.models_webforms


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0008_imports"),
        ("workspaces", "0003_audit_actor_no_constraint"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="WebForm",
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
                (
                    "key",
                    models.CharField(
                        default=tradewind.leads.models_webforms.new_form_key,
                        editable=False,
                        max_length=40,
                        unique=True,
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("fields", models.JSONField(default=list, verbose_name="fields shown")),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("trade_show", "Trade show"),
                            ("web_form", "Web form"),
                            ("alibaba_rfq", "Alibaba RFQ"),
                            ("email", "E-mail"),
                            ("referral", "Referral"),
                            ("customs_data", "Customs data"),
                            ("directory", "Directory / database"),
                            ("social", "Social media"),
                            ("other", "Other"),
                        ],
                        default="web_form",
                        max_length=24,
                        verbose_name="source",
                    ),
                ),
                (
                    "source_detail",
                    models.CharField(blank=True, max_length=200, verbose_name="source detail"),
                ),
                (
                    "allowed_origins",
                    models.JSONField(blank=True, default=list, verbose_name="allowed sites"),
                ),
                (
                    "daily_budget",
                    models.PositiveIntegerField(default=200, verbose_name="most leads per day"),
                ),
                (
                    "thank_you_en",
                    models.TextField(blank=True, verbose_name="thank-you text (English)"),
                ),
                (
                    "thank_you_zh",
                    models.TextField(blank=True, verbose_name="thank-you text (Chinese)"),
                ),
                (
                    "redirect_url",
                    models.URLField(
                        blank=True, max_length=500, verbose_name="redirect after sending"
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner of new leads",
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
                "verbose_name": "web form",
                "indexes": [models.Index(fields=["workspace", "name"], name="webform_ws_name_idx")],
            },
        ),
        migrations.CreateModel(
            name="WebFormSubmission",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("received_at", models.DateTimeField()),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("accepted", "Accepted"),
                            ("overflow", "Over the daily budget"),
                            ("spam", "Spam"),
                            ("rejected", "Rejected"),
                        ],
                        max_length=16,
                    ),
                ),
                ("payload", models.JSONField(default=dict)),
                ("lang", models.CharField(blank=True, max_length=10)),
                ("ip", models.GenericIPAddressField(blank=True, null=True)),
                ("origin", models.CharField(blank=True, max_length=200)),
                ("accepted_at", models.DateTimeField(blank=True, null=True)),
                ("duplicate_of", models.JSONField(blank=True, default=list)),
                ("errors", models.JSONField(blank=True, default=dict)),
                (
                    "form",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="submissions",
                        to="leads.webform",
                    ),
                ),
                (
                    "lead",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="leads.lead",
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
                "indexes": [
                    models.Index(
                        fields=["form", "state", "received_at"], name="webformsub_state_idx"
                    ),
                    models.Index(fields=["form", "accepted_at"], name="webformsub_accepted_idx"),
                    models.Index(
                        fields=["form", "-received_at", "-id"], name="webformsub_recent_idx"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="AssignmentRule",
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
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("position", models.PositiveIntegerField(default=0)),
                (
                    "conditions",
                    models.JSONField(blank=True, default=dict, verbose_name="conditions"),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("user", "A named member"),
                            ("round_robin", "Round-robin within a team"),
                            ("least_loaded", "Fewest open leads in a team"),
                            ("pool", "The lead pool"),
                        ],
                        max_length=16,
                        verbose_name="action",
                    ),
                ),
                ("last_user_id", models.BigIntegerField(blank=True, null=True)),
                (
                    "target_team",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="workspaces.team",
                        verbose_name="team",
                    ),
                ),
                (
                    "target_user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="member",
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
                "verbose_name": "assignment rule",
                "indexes": [
                    models.Index(fields=["workspace", "position", "id"], name="assignrule_pos_idx")
                ],
            },
        ),
    ]
