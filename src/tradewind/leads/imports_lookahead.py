"""The import's look-ups against the database, one chunk ahead, on a second connection.

On PostgreSQL at a million leads the writer spent about half its time waiting on the dedupe
look-ups (13 indexed `= ANY(array)` probes per chunk into leads, customers and contacts) and the
other half on COPY, routing and the audit rows, one after the other. Here a worker thread with its
own connection runs chunk N+1's look-ups while the writer writes chunk N, so the two overlap on
the server's two cores.

Why it stays correct: the look-ups for chunk N+1 may not see chunk N's rows (not yet committed),
but every good row of the file is in the writer's `FileKeys`, which `dedupe_chunk` checks after
the database matches; leads that other captures commit meanwhile are seen or missed exactly as
before, when the look-up ran a few milliseconds later in the writer's own transaction.

Only on PostgreSQL, and only when the writer's connection holds nothing uncommitted when the
job starts (a worker, not a test wrapped in a transaction): another connection sees only what is
committed. SQLite meets its import target without it, and its reads would compete with the
writer in the same process.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.db import connection

from . import imports_rows as engine
from .imports_cleaner import CleanedChunk

Found = dict[tuple[str, str], list[tuple[str, str, str]]]


def available() -> bool:
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def with_lookups(
    ctx: engine.RowContext, chunks: Iterator[CleanedChunk]
) -> Iterator[tuple[CleanedChunk, Found | None]]:
    """(chunk, its database matches), the matches looked up on a second connection while the
    caller writes the previous chunk; (chunk, None) when that is not available: the caller looks
    up in its own transaction."""
    if not available():
        for cleaned in chunks:
            yield cleaned, None
        return
    # The pool starts its thread at the first submit, after the first next(chunks) has forked
    # the cleaning process: the fork never copies a thread holding a lock.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-lookups")
    pending: tuple[CleanedChunk, Future[Found]] | None = None
    try:
        for cleaned in chunks:
            future = pool.submit(_lookups, ctx, cleaned)
            if pending is not None:
                yield pending[0], pending[1].result()
            pending = (cleaned, future)
        if pending is not None:
            yield pending[0], pending[1].result()
    finally:
        if pending is not None:
            pending[1].cancel()
        pool.submit(_close).result()  # the worker thread's own connection
        pool.shutdown(wait=True)


def _lookups(ctx: engine.RowContext, cleaned: CleanedChunk) -> Found:
    return engine.existing_matches(ctx, (keys for _n, _v, keys in cleaned.rows))


def _close(*_args: Any) -> None:
    connection.close()
