"""Custom fields (自定义字段): a workspace defines extra fields for leads, customers, contacts and
opportunities; values live in each record's JSON column `custom` (docs/custom-fields.md)."""

from __future__ import annotations

from django.db import models
from django.db.models import Value
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import WorkspaceModel


class CustomFieldTarget(models.TextChoices):
    LEAD = "lead", _("Leads")
    CUSTOMER = "customer", _("Customers")
    CONTACT = "contact", _("Contacts")
    OPPORTUNITY = "opportunity", _("Opportunities")


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    MONEY = "money", _("Money")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Single choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    BOOLEAN = "boolean", _("Yes/no")


CHOICE_TYPES = frozenset({CustomFieldType.CHOICE, CustomFieldType.MULTI_CHOICE})


def custom_column() -> models.JSONField:
    """The `custom` column every record with custom fields carries: {key: value}, {} by default
    also for rows written by raw INSERTs (imports)."""
    return models.JSONField(
        _("custom fields"), blank=True, default=dict, db_default=Value({}, models.JSONField())
    )


class CustomFieldDefinition(WorkspaceModel):
    """One field a workspace added to one kind of record. `key` is stable (values are stored under
    it); labels and choices may change. Deactivated fields keep their values but leave forms,
    filters and exports."""

    AUDIT_TYPE = "custom_field"
    SCOPE_OWNER_FIELD = None  # workspace configuration: pages and API ask for WORKSPACE_MANAGE

    target = models.CharField(_("record type"), max_length=16, choices=CustomFieldTarget.choices)
    key = models.SlugField(_("key"), max_length=40)
    label_en = models.CharField(_("label (English)"), max_length=80, blank=True)
    label_zh = models.CharField(_("label (Chinese)"), max_length=80, blank=True)
    type = models.CharField(_("type"), max_length=16, choices=CustomFieldType.choices)
    # [{"value": str, "en": str, "zh": str}]; the stored value of a record is "value".
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("custom field")
        ordering = ["target", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "target", "key"], name="customfield_unique_key"
            )
        ]
        indexes = [
            models.Index(
                fields=["workspace", "target", "active", "position"], name="customfield_ws_idx"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The label in the reader's language, else the other one."""
        zh = (translation.get_language() or "").startswith("zh")
        first, second = (self.label_zh, self.label_en) if zh else (self.label_en, self.label_zh)
        return first or second or self.key

    @property
    def header(self) -> str:
        """Spreadsheet header: "中文 English" like the import template's, or the one label."""
        parts = [p for p in (self.label_zh, self.label_en) if p]
        return " ".join(dict.fromkeys(parts)) or self.key

    @property
    def param(self) -> str:
        return f"cf_{self.key}"

    def choice_label(self, value: str) -> str:
        zh = (translation.get_language() or "").startswith("zh")
        for choice in self.choices or []:
            if choice.get("value") == value:
                first, second = (
                    (choice.get("zh"), choice.get("en"))
                    if zh
                    else (choice.get("en"), choice.get("zh"))
                )
                return first or second or value
        return value

    @property
    def choice_values(self) -> list[str]:
        return [c["value"] for c in self.choices or []]
