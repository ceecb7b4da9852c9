"""Column mappings someone chose to remember for a kind of import (leads, customers, products),
found again by the file's header signature (core/import_columns.header_signature)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ColumnMapping(models.Model):
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20)  # which import: "leads", "customers", "products"
    signature = models.CharField(max_length=64)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "signature"], name="columnmapping_unique_signature"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} mapping {self.signature[:8]}"
