"""Export of a whole workspace: one zip holding an XLSX workbook (a sheet per model) and a JSON file
per model. docs/workspace-export-erasure.md

The models are found generically (`exported_models()`): every concrete model with a `workspace`
foreign key, plus the child rows reached through a foreign key to such a model (order lines,
opportunity lines, claims …), each filtered on this workspace only. Secrets never leave: fields
whose name says hash, secret, password or totp are left out, and users are reached only through
memberships (id, e-mail, name). Rows are read with `.iterator(chunk_size=…)` and written straight to
temporary files (openpyxl's write-only workbook, JSON written row by row into the zip entry), so
memory stays flat whatever the size. Text starting with = + - @ tab or CR stays text in the
workbook (core/spreadsheets.py's rule); the JSON keeps values exactly.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

from tradewind.core.spreadsheets import FORMULA_TRIGGERS

from . import audit
from .access import require
from .actors import Actor
from .choices import AuditVerb
from .models import Membership, Workspace
from .permissions import Perm

CHUNK = 2000
SECRET_WORDS = ("hash", "secret", "password", "totp")
# Extra columns read through a relation (the user behind a membership: never the password).
EXTRA_COLUMNS: dict[type[models.Model], list[str]] = {
    Membership: ["user__email", "user__full_name"],
}
XLSX_MAX_ROWS = 1_048_575  # one header row + Excel's limit; the JSON file always has every row


@dataclass(frozen=True)
class ExportedModel:
    model: type[models.Model]
    lookup: str  # the path to the workspace id: "workspace_id" or "<fk>__workspace_id"

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def columns(self) -> list[str]:
        names = [
            f.attname
            for f in self.model._meta.concrete_fields
            if not any(word in f.name.lower() for word in SECRET_WORDS)
        ]
        return names + EXTRA_COLUMNS.get(self.model, [])

    def rows(self, workspace: Workspace) -> Iterator[tuple[Any, ...]]:
        qs = self.model._default_manager.filter(**{self.lookup: workspace.pk}).order_by("pk")
        return qs.values_list(*self.columns()).iterator(chunk_size=CHUNK)


def _workspace_fk(model: type[models.Model]) -> models.Field | None:
    try:
        field = model._meta.get_field("workspace")
    except FieldDoesNotExist:
        return None
    if field.is_relation and field.related_model is Workspace and field.concrete:
        return field  # type: ignore[return-value]
    return None


def _parent_rank(field: models.Field) -> tuple[bool, bool]:
    """Prefer the FK a row cannot live without: not null, deleted with its parent."""
    on_delete = getattr(field.remote_field, "on_delete", None)
    return (bool(field.null), on_delete is not models.CASCADE)


def exported_models() -> list[ExportedModel]:
    """Every concrete model with a `workspace` FK, then, level by level, the models reaching one
    through an FK (order lines, quote versions and their lines, stage tasks, many-to-many rows)."""
    candidates = [
        m
        for m in apps.get_models(include_auto_created=True)
        if not m._meta.proxy and m is not Workspace
    ]
    lookups: dict[type[models.Model], str] = {
        m: "workspace_id" for m in candidates if _workspace_fk(m) is not None
    }
    while True:
        added = False
        for model in candidates:
            if model in lookups:
                continue
            parents = [
                f
                for f in model._meta.concrete_fields
                if f.many_to_one and f.related_model in lookups
            ]
            if parents:
                field = min(parents, key=_parent_rank)
                lookups[model] = f"{field.name}__{lookups[field.related_model]}"  # type: ignore[index]
                added = True
        if not added:
            break
    found = [ExportedModel(m, lookup) for m, lookup in lookups.items()]
    return sorted(found, key=lambda e: e.label)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool | dict | list):
        return value
    return str(value)


def _sheet_value(value: Any, sheet: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, Decimal | uuid.UUID | dt.time) or not (
        value is None or isinstance(value, str | int | float | bool | dt.date)
    ):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        cell = WriteOnlyCell(sheet, value=None)
        cell._value = value  # text, never a formula (as core.spreadsheets.write_xlsx)
        cell.data_type = "s"
        return cell
    return value


def _sheet_title(label: str, used: set[str]) -> str:
    title = label.replace(".", " ")[:31]
    n = 2
    while title in used:
        suffix = f" {n}"
        title = label.replace(".", " ")[: 31 - len(suffix)] + suffix
        n += 1
    used.add(title)
    return title


def write_export(workspace: Workspace, out: IO[bytes]) -> dict[str, int]:
    """Write the zip to `out`; returns the row count per model label (also in manifest.json)."""
    from openpyxl import Workbook

    counts: dict[str, int] = {}
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for exported in exported_models():
            columns = exported.columns()
            sheet = workbook.create_sheet(title=_sheet_title(exported.label, used))
            sheet.append(columns)
            count = 0
            with archive.open(f"json/{exported.label}.json", "w", force_zip64=True) as entry:
                entry.write(b"[")
                for row in exported.rows(workspace):
                    record = dict(zip(columns, (_json_value(v) for v in row), strict=True))
                    entry.write((b",\n" if count else b"\n") + _dumps(record))
                    if count < XLSX_MAX_ROWS:
                        sheet.append([_sheet_value(v, sheet) for v in row])
                    count += 1
                entry.write(b"\n]\n")
            counts[exported.label] = count
        with tempfile.TemporaryFile() as book:
            workbook.save(book)
            book.seek(0)
            with archive.open("workspace.xlsx", "w", force_zip64=True) as entry:
                while chunk := book.read(1 << 20):
                    entry.write(chunk)
        manifest = {
            "workspace": {"id": workspace.pk, "name": workspace.name},
            "exported_at": timezone.now().isoformat(),
            "format": 1,
            "counts": counts,
            "xlsx_row_limit": XLSX_MAX_ROWS,
        }
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return counts


def _dumps(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, default=str).encode()


def workspace_export(*, actor: Actor) -> tuple[IO[bytes], str]:
    """The whole workspace as a zip in a temporary file (positioned at 0) and its file name.
    Owners only (WORKSPACE_MANAGE); audited with the row counts."""
    require(actor, Perm.WORKSPACE_MANAGE)
    workspace = actor.workspace
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response streams and closes it
    counts = write_export(workspace, out)
    out.seek(0)
    audit.record(
        actor=actor,
        verb=AuditVerb.ACTION,
        action="workspace_exported",
        target=workspace,
        changes={"rows": [None, sum(counts.values())], "models": [None, len(counts)]},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    slug = getattr(workspace, "slug", "") or f"workspace-{workspace.pk}"
    return out, f"{slug}-export-{stamp}.zip"
