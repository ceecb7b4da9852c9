#!/usr/bin/env python3
"""Compile every src/tradewind/locale/*/LC_MESSAGES/django.po into django.mo with Babel.

Installs and CI then need no GNU gettext (`msgfmt`). Fuzzy entries are left out, as `msgfmt`
does. Exits 1 if any catalogue cannot be parsed; the others are still compiled.

    python scripts/compile_messages.py            # every catalogue under src/tradewind/locale
    python scripts/compile_messages.py a.po b.po  # only these
"""

from __future__ import annotations

import io
import os
import re
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "src" / "tradewind" / "locale"

# Babel's reader forgives some malformed lines (an unterminated string, a stray word) that msgfmt
# rejects; check every line's shape first so a broken file fails here, not silently at run time.
_STRING = r'"(?:[^"\\]|\\.)*"'
_LINE = re.compile(
    rf"^(?:#.*|\s*|(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+{_STRING}\s*|\s*{_STRING}\s*)$"
)


def _lint(po_path: Path) -> list[str]:
    text = po_path.read_text(encoding="utf-8")
    return [
        f"line {n}: malformed: {line[:60]!r}"
        for n, line in enumerate(text.splitlines(), 1)
        if not _LINE.match(line)
    ]


def _translated(string: str | tuple[str, ...]) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)


def compile_po(po_path: Path) -> bool:
    """Write the .mo beside `po_path`. False (and a message on stderr) when the .po is broken."""
    try:
        problems = _lint(po_path)
        if problems:
            print(f"error: {po_path}: " + "; ".join(problems[:5]), file=sys.stderr)
            return False
        with po_path.open("rb") as fh:
            catalog = read_po(fh, abort_invalid=True)
    except (OSError, PoFileError, UnicodeDecodeError, ValueError) as exc:
        print(f"error: {po_path}: {exc}", file=sys.stderr)
        return False
    for message, errors in catalog.check():
        for error in errors:
            print(f"warning: {po_path}: {message.id!r}: {error}", file=sys.stderr)

    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    data = buffer.getvalue()
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and mo_path.read_bytes() == data:
        status = "unchanged"
    else:
        tmp = mo_path.with_name(f".{mo_path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(mo_path)
        status = "written"
    translated = sum(1 for m in catalog if m.id and not m.fuzzy and _translated(m.string))
    fuzzy = sum(1 for m in catalog if m.id and m.fuzzy)
    print(
        f"{mo_path.relative_to(ROOT) if mo_path.is_relative_to(ROOT) else mo_path}: "
        f"{translated} messages, {fuzzy} fuzzy skipped ({status})"
    )
    return True


def main(argv: list[str]) -> int:
    paths = [Path(arg).resolve() for arg in argv] or sorted(
        LOCALE_DIR.glob("*/LC_MESSAGES/django.po")
    )
    if not paths:
        print(f"error: no django.po under {LOCALE_DIR}", file=sys.stderr)
        return 1
    ok = True
    for path in paths:
        ok = compile_po(path) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
