"""Human codes per workspace and record type (XL2026000123): unique and gap-free.

The counter row is locked and bumped inside the caller's transaction, so a rolled-back create
also rolls back its number; concurrent creators queue on the row lock.
"""

from __future__ import annotations

from django.db import transaction

from .models import NumberFormat, NumberSequence, Workspace
from .timezones import workspace_now

DEFAULT_FORMATS: dict[str, tuple[str, bool, int]] = {
    "lead": ("XL", True, 6),
    "customer": ("KH", True, 6),
    "opportunity": ("SJ", True, 6),
    "quote": ("QT", True, 6),
    "order": ("SO", True, 6),
}


def number_format(workspace: Workspace, kind: str) -> NumberFormat:
    fmt = NumberFormat.objects.filter(workspace=workspace, kind=kind).first()
    if fmt is None:
        prefix, yearly, width = DEFAULT_FORMATS.get(kind, (kind[:2].upper(), True, 6))
        fmt = NumberFormat(
            workspace=workspace, kind=kind, prefix=prefix, yearly=yearly, width=width
        )
    return fmt


def sequence_next(*, workspace: Workspace, kind: str, count: int = 1) -> list[str]:
    """Reserve `count` consecutive codes. Must run inside the transaction that uses them."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_next must run inside the transaction that stores the record")
    fmt = number_format(workspace, kind)
    period = str(workspace_now(workspace).year) if fmt.yearly else ""
    NumberSequence.objects.bulk_create(
        [NumberSequence(workspace=workspace, kind=kind, period=period, last_value=0)],
        ignore_conflicts=True,
    )
    seq = NumberSequence.objects.select_for_update().get(
        workspace=workspace, kind=kind, period=period
    )
    start = seq.last_value + 1
    seq.last_value += count
    NumberSequence.objects.filter(pk=seq.pk).update(last_value=seq.last_value)
    return [f"{fmt.prefix}{period}{str(n).zfill(fmt.width)}" for n in range(start, start + count)]


def code_next(*, workspace: Workspace, kind: str) -> str:
    return sequence_next(workspace=workspace, kind=kind)[0]
