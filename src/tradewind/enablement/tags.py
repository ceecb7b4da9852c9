"""Tags of library items and the keys suggestions match on.

- industry and objection tags are free text; their key is the text folded (NFKC, case-folded,
  spaces collapsed), so "Price too high", "price  too high" and "ＰＲＩＣＥ too high" are one tag;
- stage tags name a pipeline stage, a lead status or a customer life-cycle stage. A built-in
  stage is stored by its key ("quotation"), whichever language it was typed in ("报价" or
  "Quotation"), so a script tagged in Chinese is suggested on an English page; a workspace's own
  stage name is kept as folded text;
- product tags are catalogue products; their key is the product id.

An objection tag matches a follow-up's feedback when the folded tag occurs in the folded
feedback, or when every word of it does (so "price too high" matches "the price is too high").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from django.utils import translation

from .choices import TagKind

MAX_TAGS = 30  # per kind and item
TAG_MAX = 120
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def fold(text: str | None) -> str:
    """The matching form of a text: NFKC (full-width to half-width), case-folded, single spaces."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "").casefold()).strip()


def split_tags(value: str | Iterable[str] | None) -> list[str]:
    """Tags typed on one line (comma, Chinese comma, semicolon or new line) or given as a list;
    duplicates by folded form dropped, order kept."""
    if value is None:
        return []
    if isinstance(value, str):
        parts: Iterable[str] = re.split(r"[,，;；、\n]", value)
    else:
        parts = [str(v) for v in value]
    out: list[str] = []
    seen: set[str] = set()
    for part in parts:
        text = _SPACES.sub(" ", unicodedata.normalize("NFKC", part or "")).strip()
        key = fold(text)
        if key and key not in seen:
            seen.add(key)
            out.append(text)
    return out


def stage_choices() -> list[tuple[str, str]]:
    """Built-in stage keys with their label in the current language (for the tag picker)."""
    from tradewind.customers.pool_choices import CustomerStage
    from tradewind.leads.choices import LeadStatus
    from tradewind.sales.choices import STAGE_LABELS

    seen: dict[str, str] = {}
    for key, label in STAGE_LABELS.items():
        seen.setdefault(key, str(label))
    for value, label in [*LeadStatus.choices, *CustomerStage.choices]:
        seen.setdefault(str(value), str(label))
    return list(seen.items())


@lru_cache(maxsize=1)
def _stage_keys_by_label() -> dict[str, str]:
    """Folded label (English and Chinese) or key -> built-in stage key."""
    from tradewind.customers.pool_choices import CustomerStage
    from tradewind.leads.choices import LeadStatus
    from tradewind.sales.choices import STAGE_LABELS

    out: dict[str, str] = {}
    labelled = [
        *STAGE_LABELS.items(),
        *LeadStatus.choices,
        *CustomerStage.choices,
    ]
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for key, label in labelled:
                out.setdefault(fold(str(label)), str(key))
    for key, _label in labelled:
        out[fold(str(key))] = str(key)
        out.setdefault(fold(str(key).replace("_", " ")), str(key))
    return out


def stage_label(key: str) -> str:
    """A stage tag's key as the reader reads it (a built-in key translated)."""
    labels = dict(stage_choices())
    return labels.get(key, key)


def tag_key(kind: str, value: str) -> str:
    if kind == TagKind.STAGE:
        folded = fold(value)
        return _stage_keys_by_label().get(folded, folded)[:TAG_MAX]
    return fold(value)[:TAG_MAX]


def objection_matches(tag_key_: str, feedback_folded: str) -> bool:
    """Does an objection tag (its folded key) match a follow-up's folded feedback?"""
    if not tag_key_ or not feedback_folded:
        return False
    if tag_key_ in feedback_folded:
        return True
    if _CJK.search(tag_key_):
        return False  # Chinese has no spaces between words: only the substring test is meaningful
    words = _WORD.findall(tag_key_)
    have = set(_WORD.findall(feedback_folded))
    return bool(words) and all(w in have for w in words)
