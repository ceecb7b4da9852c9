"""Remembered column mappings of the spreadsheet imports, shared by every kind of import."""

from __future__ import annotations

from typing import Any

from tradewind.core.import_columns import header_signature

from .actors import Actor
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


def mapping_remember(*, actor: Actor, kind: str, batch: Any) -> None:
    """Remember (or replace) the mapping of an import batch (its `headers` and `mapping`) for files
    with the same header row. Called inside the import service's transaction, so it lands with the
    preview it belongs to."""
    ColumnMapping.objects.update_or_create(
        workspace=actor.workspace,
        kind=kind,
        signature=header_signature(batch.headers),
        defaults={"headers": batch.headers, "mapping": batch.mapping, "updated_by": actor.user},
    )
