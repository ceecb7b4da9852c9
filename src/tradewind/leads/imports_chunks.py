"""The chunk work shared by the dry run and the job: stream the stored file's data rows in chunks,
clean a chunk (no queries), dedupe it (one query per key kind), tally the outcome, and append bad
rows to the error file."""

from __future__ import annotations

import io
from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from tradewind.core.spreadsheets import read_rows, write_csv

from . import imports_rows as engine
from .models_imports import LeadImport

REPORT_LIMIT = 200  # errors and duplicates kept on the batch for the pages; the error file has all


def data_rows(batch: LeadImport) -> Iterator[tuple[int, list[Any]]]:
    """The data rows (after the header row), streamed from the stored file."""
    for number, cells in read_rows(batch.file.path, batch.file_kind):
        if number > batch.header_row:
            yield number, cells


def chunks(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def display(values: dict[str, Any], ctx: engine.RowContext) -> dict[str, str]:
    shown = {}
    for _i, name, _h in ctx.columns:
        if name == "owner":
            shown[name] = ctx.owner_names.get(values.get("owner_id"), "")
        elif name == "budget":
            lo, hi = values.get("budget_min"), values.get("budget_max")
            shown[name] = " – ".join(str(v) for v in dict.fromkeys((lo, hi)) if v is not None)
        elif name == "tags":
            shown[name] = ", ".join(values.get("tags", []))
        else:
            shown[name] = "" if values.get(name) is None else str(values.get(name))
    if values.get("phone_e164"):
        shown["phone"] = values["phone_e164"]
    return shown


class Tally:
    def __init__(self) -> None:
        self.good = 0
        self.error_rows = 0
        self.duplicate_rows = 0
        self.errors: list[list[Any]] = []
        self.duplicates: list[dict[str, Any]] = []

    def totals(self, total: int) -> dict[str, int]:
        return {
            "rows": total,
            "valid": self.good,
            "errors": self.error_rows,
            "duplicates": self.duplicate_rows,
        }


def clean_chunk(
    ctx: engine.RowContext,
    chunk: list[tuple[int, list[Any]]],
    tally: Tally,
    bad_rows: list[tuple[int, list[Any], str]] | None = None,
) -> list[tuple[int, dict[str, Any], dict[str, set[str]]]]:
    """Clean every row of a chunk (no queries). Returns (row, values, dedupe keys) of good rows."""
    cleaned = []
    for number, cells in chunk:
        values, errors = engine.clean_row(ctx, cells)
        if errors:
            tally.error_rows += 1
            for column, reason in errors:
                if len(tally.errors) < REPORT_LIMIT:
                    tally.errors.append([number, column, reason])
            if bad_rows is not None:
                bad_rows.append((number, cells, "; ".join(f"{c}: {r}" for c, r in errors)))
            continue
        cleaned.append((number, values, engine.row_keys(values)))
    return cleaned


def dedupe_chunk(
    ctx: engine.RowContext,
    cleaned: list[tuple[int, dict[str, Any], dict[str, set[str]]]],
    file_keys: engine.FileKeys,
    tally: Tally,
    found: dict[tuple[str, str], list[tuple[str, str, str]]] | None = None,
) -> list[tuple[int, dict[str, Any]]]:
    """Drop rows matching a lead of the workspace (one query per key kind for the whole chunk) or
    an earlier row of the file. Returns the rows to create. `found`: the chunk's database matches
    when they were looked up already (imports_lookahead)."""
    if found is None:
        found = engine.existing_matches(ctx, (keys for _n, _v, keys in cleaned))
    good = []
    for number, values, keys in cleaned:
        matches = [
            engine.describe_match(kind, match)
            for kind, vals in keys.items()
            for value in sorted(vals)
            for match in found.get((kind, value), [])
        ]
        earlier_row = None if matches else file_keys.match(keys)
        if matches or earlier_row is not None:
            tally.duplicate_rows += 1
            if len(tally.duplicates) < REPORT_LIMIT:
                tally.duplicates.append(
                    {
                        "row": number,
                        "company": values.get("company_name", ""),
                        "matches": matches[:3],
                        "same_as_row": earlier_row,
                    }
                )
            continue
        file_keys.add(keys, number)
        tally.good += 1
        good.append((number, values))
    return good


def write_error_file(batch: LeadImport, bad_rows: list[tuple[int, list[Any], str]]) -> None:
    """Append bad rows (original cells + an "error" column naming row, column and reason) to the
    batch's error file, a UTF-8 CSV with BOM that re-imports once the rows are fixed. The file
    exists only when some row was bad."""
    if not bad_rows:
        return
    first = not batch.error_file
    if first:
        batch.error_file.save(f"import-{batch.pk}-errors.csv", ContentFile(b""), save=False)
        LeadImport.objects.filter(pk=batch.pk).update(error_file=batch.error_file.name)
    width = len(batch.headers)
    rows: list[list[Any]] = [[*batch.headers, _("error")]] if first else []
    for number, cells, reason in bad_rows:
        row_label = _("Row %(row)s") % {"row": number}
        rows.append([*(list(cells) + [None] * width)[:width], f"{row_label} · {reason}"])
    buffer = io.BytesIO()
    write_csv(rows, buffer)
    data = buffer.getvalue()
    with open(batch.error_file.path, "wb" if first else "ab") as handle:
        handle.write(data if first else data[3:])  # one BOM, at the start
