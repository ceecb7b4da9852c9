"""Keyword search over leads: the SQLite full-text path and the keys it needs.

The meaning is fixed by `LeadFilter`'s icontains: a lead matches when the text occurs in its company,
contact, e-mail or phone, or equals its code (case-insensitive). PostgreSQL serves that query as is
(trigram indexes, migration 0004). On SQLite, migration 0006 adds two FTS5 tables kept in step by
triggers on leads_lead, used only to find the candidate rows; the icontains test still runs on them:

- `leads_lead_fts` (tokenizer `trigram`) over company, contact, e-mail and phone: 3+ characters;
- `leads_lead_pairs` (tokenizer `unicode61`) over `Lead.search_pairs`, the overlapping pairs of
  every run of CJK characters ("博鑫化工" -> "博鑫 鑫化 化工"): 2-character Chinese fragments, which
  trigrams cannot find.

PostgreSQL's trigram indexes cannot serve 2 characters either: there a 2-character Chinese fragment
is looked up in a GIN index over the same pairs as an array (migration 0016, `pairs_q`).
"""

from __future__ import annotations

import re

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.fields.array import ArrayContains
from django.db import connections
from django.db.models import F, Func, Q, TextField

FTS_TABLE = "leads_lead_fts"
PAIRS_TABLE = "leads_lead_pairs"
# The fields whose text search reads (and whose CJK pairs Lead.search_pairs holds).
SEARCHED_FIELDS = ("company_name", "contact_name", "email", "phone")

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_RUN = re.compile(f"[{_CJK}]{{2,}}")
_CJK_PAIR = re.compile(f"[{_CJK}]{{2}}")


def cjk_pairs(*texts: str | None) -> str:
    """Space-separated overlapping pairs of each run of CJK characters, in order (duplicates kept)."""
    pairs: list[str] = []
    for text in texts:
        for run in _CJK_RUN.findall(text or ""):
            pairs.extend(run[i : i + 2] for i in range(len(run) - 1))
    return " ".join(pairs)


def fts_phrase(text: str) -> str:
    """The user's text as one FTS5 string (a phrase): operators such as OR, *, NEAR( and column
    filters lose their meaning inside double quotes; a double quote is written twice."""
    return '"' + text.replace('"', '""') + '"'


def fts_table_for(q: str) -> str | None:
    """Which FTS table can find `q`, or None when only the base-table scan can (1 character, or 2
    characters that are not both CJK)."""
    if len(q) >= 3:
        return FTS_TABLE
    if len(q) == 2 and _CJK_PAIR.fullmatch(q):
        return PAIRS_TABLE
    return None


def fts_available(alias: str) -> bool:
    """True on SQLite once migration 0006 has created the FTS tables. Asked on the raw connection,
    so it is not one more query in a request's count (and costs microseconds)."""
    connection = connections[alias]
    if connection.vendor != "sqlite":
        return False
    connection.ensure_connection()
    row = connection.connection.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)",
        (FTS_TABLE, PAIRS_TABLE),
    ).fetchone()
    return row[0] == 2


def candidates_sql(table: str, lead_table: str) -> str:
    """Row ids that may match: the FTS match, plus the code equal to the text (ASCII
    case-insensitive like SQLite's LIKE; served by the index on UPPER(code)). Parameters: the FTS
    phrase, then the raw text. Table names are constants, never user input."""
    return (
        f"SELECT rowid FROM {table} WHERE {table} MATCH %s "  # noqa: S608 - constant names
        f"UNION ALL SELECT id FROM {lead_table} WHERE UPPER(code) = UPPER(%s)"
    )


def index_imported_sql(lead_table: str) -> list[str]:
    """SQLite: FTS entries for the rows above an id (parameter) that carry an import batch, which
    the insert trigger leaves to the import (migration 0017). Writers are serialised on SQLite and
    the caller holds the transaction, so "above the id read before the insert" is this insert."""
    fts_columns = ", ".join(SEARCHED_FIELDS)
    where = "WHERE id > %s AND import_batch_id IS NOT NULL"
    return [
        f"INSERT INTO {FTS_TABLE}(rowid, {fts_columns}) "  # noqa: S608 - constant names
        f"SELECT id, {fts_columns} FROM {lead_table} {where}",
        f"INSERT INTO {PAIRS_TABLE}(rowid, search_pairs) "  # noqa: S608 - constant names
        f"SELECT id, search_pairs FROM {lead_table} {where}",
    ]


# The expression of the PostgreSQL index lead_pairs_gin (migration 0016), written the same way so
# that the planner matches it.
PAIRS_INDEX_SQL = "string_to_array(search_pairs, ' ')"


def pairs_q(q: str) -> Q:
    """PostgreSQL, `q` two CJK characters (`fts_table_for(q) == PAIRS_TABLE`): the exact meaning of
    LeadFilter's search, served by indexes. Two CJK characters occur in a field exactly when they
    are one of its pairs (both belong to the same run), so the pairs stand for the icontains tests
    instead of narrowing them: ANDed with those, the planner multiplied two selectivities and read
    a common pair ("公司") through the index. Alone, its element statistics tell a rare pair (read
    the index) from a common one (walk the list order)."""
    pairs = Func(
        F("search_pairs"),
        template="string_to_array(%(expressions)s, ' ')",
        output_field=ArrayField(TextField()),
    )
    return Q(ArrayContains(pairs, [q])) | Q(code__iexact=q)
