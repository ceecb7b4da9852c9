"""A lead's other messaging accounts (Skype, Telegram, LINE, QQ …). Added in place on SQLite, so
the FTS triggers of 0006 stay (AddCustomColumn is a plain AddField elsewhere)."""

from django.db import migrations, models

from tradewind.workspaces.custom_fields_migrations import AddCustomColumn


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0013_lead_custom"),
    ]

    operations = [
        AddCustomColumn(
            model_name="lead",
            name="other_im",
            field=models.CharField(
                blank=True, db_default="", max_length=120, verbose_name="other IM"
            ),
        ),
    ]
