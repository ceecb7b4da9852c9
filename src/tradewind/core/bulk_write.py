"""Many rows into one table by the database's bulk path: COPY on PostgreSQL, one parameterised
executemany elsewhere. No model instances: for tens of thousands of rows, building and compiling
them costs more than the write (an import's routing audit rows, the import's leads)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def write_values(model: type[models.Model], fields: Sequence[str], rows: list[list[Any]]) -> None:
    """Insert `rows` (values already prepared for the database, in `fields` order)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    # Names from the model, never from input.
    concrete = {f.name: f.column for f in model._meta.concrete_fields}
    columns = ", ".join(quote(concrete[name]) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608
