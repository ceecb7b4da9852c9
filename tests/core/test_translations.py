"""The zh_Hans catalogue is complete, keeps its placeholders, is compiled, and is the one Django uses."""

from __future__ import annotations

import gettext
import io
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation

import tradewind

LOCALE_DIR = Path(tradewind.__file__).resolve().parent / "locale"
PO_PATH = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# %(name)s, %(count)d, %s, %.2f … (not %%); {name}, {0}, {name!r:>10} (not {{ or }}).
PERCENT = re.compile(r"%(?:\([^)]+\))?[#0\- +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]")
BRACE = re.compile(r"(?<!\{)\{[^{}]*\}(?!\})")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    with PO_PATH.open("rb") as fh:
        return read_po(fh, abort_invalid=True)


def _messages(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]


def _ids(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple | list) else [message.id]


def _strings(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]


def _placeholders(text: str, message: Message) -> Counter[str]:
    found: Counter[str] = Counter()
    if "python-format" in message.flags:
        found.update(PERCENT.findall(text.replace("%%", "")))
    if "python-brace-format" in message.flags:
        found.update(BRACE.findall(text))
    return found


def test_header_declares_zh_hans_with_one_plural_form(catalog):
    headers = dict(catalog.mime_headers)
    assert headers.get("Language") == "zh_Hans"
    assert catalog.num_plurals == 1
    assert re.sub(r"\s+", "", catalog.plural_forms) == "nplurals=1;plural=0;"
    assert not catalog.fuzzy, "the header is still marked fuzzy"


def test_every_message_is_translated_and_not_fuzzy(catalog):
    messages = _messages(catalog)
    assert len(messages) > 100, "the catalogue looks empty: run `make messages`"
    fuzzy = [m.id for m in messages if m.fuzzy]
    untranslated = [m.id for m in messages if not all(s.strip() for s in _strings(m))]
    assert not (fuzzy or untranslated), (
        f"untranslated: {untranslated}; fuzzy (check the text, then drop the flag): {fuzzy}"
    )


def test_plural_entries_have_exactly_one_form(catalog):
    wrong = [
        m.id
        for m in _messages(catalog)
        if m.pluralizable and len(_strings(m)) != catalog.num_plurals
    ]
    assert not wrong, f"plural entries need {catalog.num_plurals} msgstr form(s): {wrong}"


def test_placeholders_survive_translation(catalog):
    problems = []
    for message in _messages(catalog):
        ids = _ids(message)
        # With nplurals=1 the single form serves every n, so it carries the plural msgid's
        # placeholders (which may add %(count)s to the singular's).
        wanted = _placeholders(ids[-1], message)
        allowed = set().union(*(_placeholders(i, message) for i in ids))
        for string in _strings(message):
            have = _placeholders(string, message)
            missing = wanted - have
            extra = set(have) - allowed
            if missing or extra:
                problems.append((message.id, string, sorted(missing), sorted(extra)))
    assert not problems, (
        f"placeholders lost or invented (msgid, msgstr, missing, extra): {problems}"
    )


def test_html_tags_survive_translation(catalog):
    problems = [
        (m.id, s)
        for m in _messages(catalog)
        for s in _strings(m)
        if Counter(TAG.findall(_ids(m)[0])) != Counter(TAG.findall(s))
    ]
    assert not problems, f"HTML tags changed in translation: {problems}"


def test_translations_add_no_ascii_apostrophes(catalog):
    """Chinese text quotes with “…”. Some templates put a translation inside a JS string literal,
    e.g. onsubmit="return confirm('{% translate "…" %}')", where an ASCII ' ends the string."""
    problems = [
        (m.id, s)
        for m in _messages(catalog)
        for s in _strings(m)
        if "'" in s and not any("'" in i for i in _ids(m))
    ]
    assert not problems, f"use full-width quotes in translations: {problems}"


def test_committed_mo_matches_po(catalog):
    assert MO_PATH.exists(), "django.mo is missing: run `python scripts/compile_messages.py`"
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    expected = gettext.GNUTranslations(buffer)._catalog  # type: ignore[attr-defined]
    with MO_PATH.open("rb") as fh:
        actual = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    expected.pop("", None)
    actual.pop("", None)
    stale = {k for k in expected.keys() | actual.keys() if expected.get(k) != actual.get(k)}
    assert not stale, (
        f"django.mo is stale, run `python scripts/compile_messages.py`: {sorted(map(str, stale))}"
    )


def test_django_loads_our_catalogue_from_locale_paths():
    assert LOCALE_DIR in [Path(p).resolve() for p in settings.LOCALE_PATHS]
    with translation.override("zh-hans"):
        assert translation.gettext("Leads") == "线索"
        assert translation.gettext("Lead pool") == "线索池"
        assert translation.gettext("Sign In") == "登录"
        assert translation.gettext("Hello, %(name)s") % {"name": "王海"} == "您好，王海"
    with translation.override("en"):
        assert translation.gettext("Leads") == "Leads"
