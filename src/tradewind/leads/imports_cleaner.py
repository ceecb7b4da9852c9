"""Cleaned chunks of an import file, cleaned in a second process while this one writes.

Cleaning (reading the file, phone parsing, pinyin, the company key) is pure Python and needs no
query; dedupe and the writes need the database. A large file is read and cleaned in a forked child
that sends each cleaned chunk through a pipe, so the two halves run on two cores at once. The pipe
holds about one chunk: the child never runs far ahead of the writer, and memory stays bounded.
Small files (and platforms without fork) are cleaned here, chunk by chunk, with the same results.

The child shares this process's memory as it was at the fork, including its database connection:
it must never query, and it leaves through `os._exit` (multiprocessing's fork start does) so it
never closes that connection either.
"""

from __future__ import annotations

import multiprocessing
import pickle
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.conf import settings

from . import imports_rows as engine
from .imports_chunks import REPORT_LIMIT, Tally, chunks, clean_chunk, data_rows
from .models_imports import LeadImport


@dataclass
class CleanedChunk:
    size: int  # data rows read, good and bad
    rows: list[tuple[int, dict[str, Any], dict[str, set[str]]]]  # (row, values, dedupe keys)
    error_rows: int = 0
    errors: list[list[Any]] = field(default_factory=list)  # [row, column, reason], capped
    bad: list[tuple[int, list[Any], str]] = field(default_factory=list)  # for the error file

    def tally_into(self, tally: Tally) -> None:
        tally.error_rows += self.error_rows
        tally.errors.extend(self.errors[: max(0, REPORT_LIMIT - len(tally.errors))])


class CleanerFailed(RuntimeError):
    """The cleaning process stopped without a picklable exception (killed, or out of memory)."""


def _clean(ctx: engine.RowContext, chunk: list[tuple[int, list[Any]]]) -> CleanedChunk:
    tally = Tally()
    bad: list[tuple[int, list[Any], str]] = []
    rows = clean_chunk(ctx, chunk, tally, bad)
    return CleanedChunk(len(chunk), rows, tally.error_rows, tally.errors, bad)


def _rows(batch: LeadImport, skip: int) -> Iterator[tuple[int, list[Any]]]:
    return islice(data_rows(batch), skip, None)


def cleaned_chunks(
    batch: LeadImport, ctx: engine.RowContext, *, skip: int = 0
) -> Iterator[CleanedChunk]:
    """The file's data rows after the first `skip`, cleaned, chunk by chunk in file order."""
    left = max(0, (batch.total_rows or 0) - skip)
    if left < settings.TRADEWIND_IMPORT_CLEANER_ROWS or not _fork_available():
        for chunk in chunks(_rows(batch, skip), engine.CHUNK_SIZE):
            yield _clean(ctx, chunk)
        return
    yield from _from_child(batch, ctx, skip)


def _fork_available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _from_child(batch: LeadImport, ctx: engine.RowContext, skip: int) -> Iterator[CleanedChunk]:
    mp = multiprocessing.get_context("fork")
    receiver, sender = mp.Pipe(duplex=False)
    child = mp.Process(target=_produce, args=(batch, ctx, skip, sender), daemon=True)
    child.start()
    sender.close()  # the child holds the only writing end: its exit ends the stream
    try:
        while True:
            try:
                message = receiver.recv()
            except EOFError:
                child.join(5)
                raise CleanerFailed(
                    f"the import's cleaning process stopped (exit code {child.exitcode})"
                ) from None
            if message is None:
                return
            if isinstance(message, BaseException):
                raise message
            yield message
    finally:
        receiver.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _produce(batch: LeadImport, ctx: engine.RowContext, skip: int, sender: Any) -> None:
    try:
        for chunk in chunks(_rows(batch, skip), engine.CHUNK_SIZE):
            sender.send(_clean(ctx, chunk))
        sender.send(None)
    except (BrokenPipeError, ConnectionResetError):
        return  # the writer stopped reading: it failed or was cancelled, and says why itself
    except BaseException as exc:  # handed to the writer, which raises it
        try:
            pickle.dumps(exc)
        except Exception:  # not picklable: send its text instead
            exc = CleanerFailed("".join(traceback.format_exception(exc)))
        sender.send(exc)
