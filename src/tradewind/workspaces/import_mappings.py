"""Remembered column mappings of the spreadsheet imports, shared by every kind of import."""

from __future__ import annotations

from typing import Any

from tradewind.core.import_columns import header_signature

from .models import Workspace
from .models_mappings import ColumnMapping


def mapping_remembered(
    workspace: Workspace, kind: str, headers: list[str]
) -> dict[str, str] | None:
    """The mapping remembered for a file with these headers, or None."""
    row = ColumnMapping.objects.filter(
        workspace=workspace, kind=kind, signature=header_signature(headers)
    ).first()
    return dict(row.mapping) if row else None


def mapping_remember(
    *, workspace: Workspace, kind: str, headers: list[str], mapping: dict[str, str], user: Any
) -> None:
    """Remember (or replace) the mapping for files with these headers. Called inside the import
    service's transaction, so it lands with the preview it belongs to."""
    ColumnMapping.objects.update_or_create(
        workspace=workspace,
        kind=kind,
        signature=header_signature(headers),
        defaults={"headers": headers, "mapping": mapping, "updated_by": user},
    )
