"""Tasks with fuzzy due windows, recurrence and reminders; comments with mentions."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0002_notification"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Comment",
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
                ("target_type", models.CharField(max_length=64, verbose_name="record type")),
                ("target_id", models.BigIntegerField(verbose_name="record")),
                ("body", models.TextField(verbose_name="comment")),
                ("mentions", models.JSONField(blank=True, default=list, verbose_name="mentioned")),
                ("edited_at", models.DateTimeField(blank=True, null=True, verbose_name="edited")),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
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
                "verbose_name": "comment",
                "indexes": [
                    models.Index(
                        fields=["workspace", "target_type", "target_id", "-id"],
                        name="comment_target_idx",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Task",
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
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("notes", models.TextField(blank=True, verbose_name="notes")),
                (
                    "target_type",
                    models.CharField(blank=True, max_length=64, verbose_name="record type"),
                ),
                ("target_id", models.BigIntegerField(blank=True, null=True, verbose_name="record")),
                (
                    "priority",
                    models.CharField(
                        choices=[
                            ("low", "Low"),
                            ("normal", "Normal"),
                            ("high", "High"),
                            ("urgent", "Urgent"),
                        ],
                        default="normal",
                        max_length=8,
                        verbose_name="priority",
                    ),
                ),
                (
                    "due_kind",
                    models.CharField(
                        choices=[
                            ("exact", "Exact time"),
                            ("later_today", "Later today"),
                            ("tonight", "Tonight"),
                            ("tomorrow", "Tomorrow"),
                            ("this_week", "This week"),
                            ("next_week", "Next week"),
                            ("next_month", "Next month"),
                        ],
                        max_length=16,
                        verbose_name="due",
                    ),
                ),
                ("due_start", models.DateTimeField(verbose_name="due from")),
                ("due_end", models.DateTimeField(verbose_name="due by")),
                (
                    "workdays_only",
                    models.BooleanField(default=False, verbose_name="working days only"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled")],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("done_at", models.DateTimeField(blank=True, null=True, verbose_name="done at")),
                (
                    "recurrence",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Does not repeat"),
                            ("daily", "Every day"),
                            ("weekly", "Every week"),
                            ("monthly", "Every month"),
                        ],
                        default="",
                        max_length=8,
                        verbose_name="repeat",
                    ),
                ),
                ("recur_from", models.DateTimeField(blank=True, editable=False, null=True)),
                (
                    "recur_day",
                    models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
                ),
                (
                    "remind_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="remind me at"),
                ),
                ("reminded_at", models.DateTimeField(blank=True, editable=False, null=True)),
                (
                    "assignee",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assignee",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                (
                    "previous",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="activities.task",
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
                "verbose_name": "task",
                "indexes": [
                    models.Index(
                        fields=["workspace", "assignee", "status", "due_end"],
                        name="task_assignee_due_idx",
                    ),
                    models.Index(
                        fields=["workspace", "target_type", "target_id", "status"],
                        name="task_target_idx",
                    ),
                    models.Index(
                        condition=models.Q(("reminded_at__isnull", True), ("status", "open")),
                        fields=["remind_at"],
                        name="task_remind_pending_idx",
                    ),
                ],
            },
        ),
    ]
