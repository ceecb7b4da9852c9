"""The generic part of a list's bulk action: the selection capped and turned into ids, then each
row through the same service as a single change, inside its own savepoint. A row that refuses is
skipped and counted by its (translated) reason; the others are done. Used by leads and customers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from .errors import ServiceError

BULK_MAX = 2000


@dataclass
class BulkResult:
    done: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


def selection_ids(
    selection: QuerySet,
    *,
    nothing: Callable[[], ServiceError],
    too_many: Callable[[], ServiceError],
    limit: int = BULK_MAX,
) -> list[int]:
    """The selected ids (at most `limit`); refuses an empty or too large selection."""
    ids = list(selection.order_by("id").values_list("id", flat=True)[: limit + 1])
    if not ids:
        raise nothing()
    if len(ids) > limit:
        raise too_many()
    return ids


def apply_each(rows: Iterable[Any], step: Callable[[Any], object]) -> BulkResult:
    result = BulkResult()
    for row in rows:
        try:
            with transaction.atomic():
                step(row)
        except ServiceError as exc:
            result.skipped[str(exc.message)] += 1
        else:
            result.done += 1
    return result
