"""Reading and writing spreadsheets: CSV, XLSX, XLS (and ODS). No business models here.

Reading streams: `read_rows()` yields `(row_number, cells)` one row at a time, so a 100,000-row file is
never held whole. CSV encodings are sniffed (UTF-8 with or without BOM, else GB18030, which covers
GBK and GB2312), and so is the delimiter (`,` `;` tab). Excel cells come back as Python values
through python-calamine: dates as `date`, whole floats as text without ".0" (`13800138000`), numbers
stored as text stay text.

Writing escapes formula injection: a text cell starting with = + - @ tab or CR gets a leading
apostrophe in CSV (Excel and WPS show it as text) and is written as an explicit string cell in XLSX.
`read_rows()` removes exactly that apostrophe again, so an export re-imports as it was.

Limits against hostile files (docs/reliability.md): an XLSX/ODS whose zip entries declare more than
MAX_UNCOMPRESSED bytes, or an entry inflating more than MAX_RATIO times, is refused before the reader
opens it (a zip bomb never reaches memory); rows beyond MAX_ROWS, rows wider than MAX_COLUMNS and
cells longer than MAX_CELL characters (Excel's own cell limit) raise `SpreadsheetError`, which every
import turns into its coded, translated "cannot be read" message. Control characters (NUL, BEL, ...
but not tab, LF, CR) are dropped from every cell.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
KINDS = ("csv", "xlsx", "xls", "ods")
SNIFF_BYTES = 256 * 1024
Cell = str | dt.date | dt.datetime | None
MAX_UNCOMPRESSED = 256 * 1024 * 1024  # all entries of an XLSX / ODS together, as declared
MAX_RATIO = 200  # one entry's uncompressed size over its compressed size (sheets are ~5-30x)
MAX_ROWS = 1_048_576  # Excel's own sheet limit
MAX_COLUMNS = 1_000
MAX_CELL = 32_767  # Excel's own cell limit, in characters
# C0 control characters but tab, LF and CR, and DEL: invisible, refused by XLSX writers and by
# PostgreSQL (NUL), so a pasted or hostile cell never carries them into a record.
XLSX_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SpreadsheetError(ValueError):
    """The file cannot be read as a spreadsheet (the caller turns it into a coded error)."""


def detect_kind(name: str, head: bytes) -> str:
    """csv / xlsx / xls / ods from the first bytes, falling back on the file name."""
    if head.startswith(b"PK\x03\x04"):
        return "ods" if name.lower().endswith(".ods") else "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2 compound file: BIFF .xls
        return "xls"
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix in ("xlsx", "xls", "ods"):
        raise SpreadsheetError(f"not a valid {suffix} file")
    return "csv"


def sniff_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=False)  # a character cut at the sample's end is fine
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def sniff_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t").delimiter
    except csv.Error:
        first = lines[0]
        return max((",", ";", "\t"), key=first.count)


def cell_value(value: Any) -> Cell:
    """A spreadsheet value as the import engine wants it: text, a date, or None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time.min:
            return value.date()
        return value
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.time | dt.timedelta):
        return str(value)
    return unescape_formula(CONTROL.sub("", str(value))) or None


def unescape_formula(text: str) -> str:
    """Undo `escape_formula`: the apostrophe our writers add before a formula trigger."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text


def escape_formula(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def read_rows(path: str | Path, kind: str) -> Iterator[tuple[int, list[Cell]]]:
    """Yield (row number as the spreadsheet shows it, cells) for every non-empty row."""
    if kind == "csv":
        rows = _read_csv(Path(path))
    elif kind in ("xlsx", "xls", "ods"):
        rows = _read_excel(Path(path))
    else:
        raise SpreadsheetError(f"unknown kind {kind}")
    for number, cells in rows:
        _check_row(number, cells)
        yield number, cells


def _check_row(number: int, cells: list[Cell]) -> None:
    if number > MAX_ROWS:
        raise SpreadsheetError(f"more than {MAX_ROWS} rows")
    if len(cells) > MAX_COLUMNS:
        raise SpreadsheetError(f"row {number} has more than {MAX_COLUMNS} columns")
    for cell in cells:
        if isinstance(cell, str) and len(cell) > MAX_CELL:
            raise SpreadsheetError(f"row {number} has a cell longer than {MAX_CELL} characters")


def check_zip(path: Path) -> None:
    """Refuse a zip container (XLSX, ODS) that is corrupt or would inflate beyond the limits,
    from its central directory alone: nothing is decompressed here."""
    try:
        with zipfile.ZipFile(path) as archive:
            total = 0
            for info in archive.infolist():
                total += info.file_size
                if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(
                    info.compress_size, 1
                ):
                    raise SpreadsheetError(f"{info.filename} inflates too much")
            if total > MAX_UNCOMPRESSED:
                raise SpreadsheetError("the file inflates beyond the limit")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise SpreadsheetError(str(exc)) from exc


def _read_csv(path: Path) -> Iterator[tuple[int, list[Cell]]]:
    with path.open("rb") as raw:
        sample = raw.read(SNIFF_BYTES)
    encoding = sniff_encoding(sample)
    delimiter = sniff_delimiter(sample.decode(encoding, errors="ignore"))
    try:
        with path.open(encoding=encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            for number, row in enumerate(reader, start=1):
                cells = [cell_value(c.strip()) for c in row]
                if any(c is not None for c in cells):
                    yield number, cells
    except UnicodeDecodeError as exc:
        raise SpreadsheetError("the file mixes text encodings") from exc
    except csv.Error as exc:
        raise SpreadsheetError(str(exc)) from exc


def _trim(text: str) -> str:
    """Surrounding whitespace goes, except a leading tab or CR: our XLSX export writes such text as
    an explicit string cell (no apostrophe), so keeping it is what makes the round trip exact."""
    return text.rstrip() if text.startswith(("\t", "\r")) else text.strip()


def _read_excel(path: Path) -> Iterator[tuple[int, list[Cell]]]:
    from python_calamine import CalamineError, CalamineWorkbook

    with path.open("rb") as raw:
        if raw.read(4) == b"PK\x03\x04":
            check_zip(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        # iter_rows() starts at the sheet's first row (leading empty rows included), so the index
        # is the row number Excel shows, less one.
        for index, row in enumerate(sheet.iter_rows()):
            cells = [cell_value(_trim(c) if isinstance(c, str) else c) for c in row]
            if any(c is not None for c in cells):
                yield index + 1, cells
    except (CalamineError, OSError, ValueError) as exc:
        raise SpreadsheetError(str(exc)) from exc


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def write_csv(rows: Iterable[Iterable[Any]], stream: IO[bytes]) -> None:
    """UTF-8 with BOM (Excel and WPS then read Chinese correctly), formula triggers escaped."""
    stream.write(codecs.BOM_UTF8)
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        for row in rows:
            writer.writerow([escape_formula(_text(v)) for v in row])
    finally:
        text.detach()


def _xlsx_text(text: str) -> str:
    """XML turns a CR into LF when read, so a CR is written as OOXML's `_x000D_` escape (readers
    decode it), and text that already looks like such an escape gets its `_` escaped first."""
    if "_x" in text:
        text = XLSX_ESCAPE.sub("_x005F_", text)
    return text.replace("\r", "_x000D_")


def write_xlsx(rows: Iterable[Iterable[Any]], stream: IO[bytes], *, title: str = "Sheet1") -> None:
    """A streaming (write-only) workbook; text that looks like a formula stays text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                value = _xlsx_text(value)
            if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
                cell = WriteOnlyCell(sheet, value=None)
                cell._value = value  # bypass openpyxl's "=… is a formula" guess
                cell.data_type = "s"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    workbook.save(stream)
