"""Qualification (三定), follow-up nodes and custom field values of customers and contacts
(docs/customers-qualification.md, docs/custom-fields.md)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from tradewind.workspaces.custom_fields_migrations import AddCustomColumn, gin_index


def _custom() -> models.JSONField:
    return models.JSONField(
        blank=True,
        db_default=models.Value({}, models.JSONField()),
        default=dict,
        verbose_name="custom fields",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_pool_lifecycle"),
        ("workspaces", "0005_custom_fields"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddCustomColumn(model_name="customer", name="custom", field=_custom()),
        AddCustomColumn(model_name="contact", name="custom", field=_custom()),
        gin_index("customers_customer", "customer_custom_gin"),
        gin_index("customers_contact", "contact_custom_gin"),
        migrations.CreateModel(
            name="FollowUpNode",
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
                ("key", models.SlugField(max_length=40, verbose_name="key")),
                (
                    "label_en",
                    models.CharField(blank=True, max_length=80, verbose_name="label (English)"),
                ),
                (
                    "label_zh",
                    models.CharField(blank=True, max_length=80, verbose_name="label (Chinese)"),
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
                "verbose_name": "follow-up node",
                "ordering": ["position", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("workspace", "key"), name="followupnode_unique_key"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="CustomerNode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reached_on", models.DateField(verbose_name="reached on")),
                ("ticked_at", models.DateTimeField(auto_now=True)),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="nodes",
                        to="customers.customer",
                    ),
                ),
                (
                    "ticked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
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
                (
                    "node",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ticks",
                        to="customers.followupnode",
                    ),
                ),
            ],
            options={
                "verbose_name": "reached node",
                "indexes": [
                    models.Index(
                        fields=["workspace", "node", "reached_on"], name="customernode_funnel_idx"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("customer", "node"), name="customernode_unique")
                ],
            },
        ),
        migrations.CreateModel(
            name="CustomerQualification",
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
                    "qualitative",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("valuable", "Valuable"),
                            ("uncertain", "Uncertain"),
                            ("not_valuable", "Not valuable"),
                        ],
                        max_length=16,
                        verbose_name="qualitative",
                    ),
                ),
                (
                    "deal_grade",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("big", "Big deal"),
                            ("normal", "Normal deal"),
                            ("small", "Small deal"),
                        ],
                        max_length=8,
                        verbose_name="grade",
                    ),
                ),
                (
                    "expected_sign_date",
                    models.DateField(blank=True, null=True, verbose_name="expected sign date"),
                ),
                (
                    "expected_amount",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=16,
                        null=True,
                        verbose_name="expected amount",
                    ),
                ),
                ("currency", models.CharField(blank=True, max_length=3, verbose_name="currency")),
                (
                    "qualified_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="first marked valuable"
                    ),
                ),
                (
                    "customer",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="qualification",
                        to="customers.customer",
                        verbose_name="customer",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
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
                "verbose_name": "qualification",
                "indexes": [
                    models.Index(
                        fields=["workspace", "qualitative"], name="qualification_ws_qual_idx"
                    )
                ],
            },
        ),
    ]
