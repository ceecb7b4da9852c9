"""Links from a lead to what it became (leads/conversion_models.py).

Every column is nullable, so SQLite adds it with ALTER TABLE ADD COLUMN instead of rebuilding
leads_lead, and the FTS5 triggers of migration 0006 survive."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0010_scoring_recycling"),
        ("customers", "0001_initial"),
        ("sales", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="lead",
            name="converted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="converted"),
        ),
        migrations.AddField(
            model_name="lead",
            name="converted_contact",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="customers.contact",
                verbose_name="converted to contact",
            ),
        ),
        migrations.AddField(
            model_name="lead",
            name="converted_customer",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="customers.customer",
                verbose_name="converted to customer",
            ),
        ),
        migrations.AddField(
            model_name="lead",
            name="converted_opportunity",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="sales.opportunity",
                verbose_name="converted to opportunity",
            ),
        ),
    ]
