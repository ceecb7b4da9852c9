"""Full-text search over library items, in Chinese and English (docs/enablement.md, "Search").

Each item keeps `search_text`: its title, text, review fields, file name and tag values, folded
(NFKC, lower case). A query is split on spaces into at most MAX_TERMS terms; an item matches when
every folded term occurs in its `search_text` (a plain `contains`, so the meaning is the same on
both engines). The engines only make it fast, as the leads search does (leads/search.py):

- PostgreSQL: a trigram GIN index on `search_text` (migration 0002) serves `LIKE '%term%'` for
  terms of 3+ characters, Chinese included (the database needs a UTF-8 locale, NOTES.md);
- SQLite: two FTS5 tables kept in step by triggers (migration 0002) narrow the candidates first —
  `enablement_libraryitem_fts` (trigram: 3+ characters) and `enablement_libraryitem_pairs`
  (unicode61 over `search_pairs`, the CJK character pairs: 2-character Chinese terms such as
  "价格"). Shorter terms fall back to the scan of the workspace's items.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from tradewind.leads.search import cjk_pairs, fts_phrase, fts_table_for

from .tags import fold

FTS_TABLE = "enablement_libraryitem_fts"
PAIRS_TABLE = "enablement_libraryitem_pairs"
MAX_TERMS = 5


def search_fields(item: Any, tag_values: list[str]) -> tuple[str, str]:
    """(search_text, search_pairs) of an item and the values of its tags."""
    parts = [
        item.title,
        item.body,
        item.worked,
        item.failed,
        item.profile,
        item.file_name,
        *tag_values,
    ]
    text = fold("\n".join(p for p in parts if p))
    return text, cjk_pairs(text)


def terms_of(q: str) -> list[str]:
    return [t for t in fold(q).split(" ") if t][:MAX_TERMS]


def _fts_available(alias: str) -> bool:
    connection = connections[alias]
    if connection.vendor != "sqlite":
        return False
    connection.ensure_connection()
    row = connection.connection.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)",
        (FTS_TABLE, PAIRS_TABLE),
    ).fetchone()
    return row[0] == 2


def _our_table(table: str) -> str:
    return {"leads_lead_fts": FTS_TABLE, "leads_lead_pairs": PAIRS_TABLE}[table]


def apply(qs: QuerySet, q: str) -> QuerySet:
    """Items of `qs` matching every term of `q` (an empty query keeps them all)."""
    terms = terms_of(q)
    if not terms:
        return qs
    fts = _fts_available(qs.db)
    for term in terms:
        table = fts_table_for(term) if fts else None
        if table is not None:
            # SQLite: candidates from the FTS table (constant SQL, the term bound as a parameter);
            # the contains test below still decides, so the meaning does not change.
            ours = _our_table(table)
            qs = qs.filter(
                id__in=RawSQL(  # noqa: S611 - constant SQL, user text bound as a parameter
                    f"SELECT rowid FROM {ours} WHERE {ours} MATCH %s",  # noqa: S608
                    (fts_phrase(term),),
                )
            )
        qs = qs.filter(search_text__contains=term)
    return qs
