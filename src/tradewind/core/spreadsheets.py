"""Reading and writing spreadsheets: CSV, XLSX, XLS (and ODS). No business models here.

Reading streams: `read_rows()` yields `(row_number, cells)` one row at a time, so a 100,000-row file is
never held whole. CSV encodings are sniffed (UTF-8 with or without BOM, else GB18030, which covers
GBK and GB2312), and so is the delimiter (`,` `;` tab). Excel cells come back as Python values
through python-calamine: dates as `date`, whole floats as text without ".0" (`13800138000`), numbers
stored as text stay text.

Writing escapes formula injection: a text cell starting with = + - @ tab or CR gets a leading
apostrophe in CSV (Excel and WPS show it as text) and is written as an explicit string cell in XLSX.
`read_rows()` removes exactly that apostrophe again, so an export re-imports as it was.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
KINDS = ("csv", "xlsx", "xls", "ods")
SNIFF_BYTES = 256 * 1024
Cell = str | dt.date | dt.datetime | None


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
    return unescape_formula(str(value))


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
        yield from _read_csv(Path(path))
    elif kind in ("xlsx", "xls", "ods"):
        yield from _read_excel(Path(path))
    else:
        raise SpreadsheetError(f"unknown kind {kind}")


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


def _read_excel(path: Path) -> Iterator[tuple[int, list[Cell]]]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        # iter_rows() starts at the sheet's first row (leading empty rows included), so the index
        # is the row number Excel shows, less one.
        for index, row in enumerate(sheet.iter_rows()):
            cells = [cell_value(c.strip() if isinstance(c, str) else c) for c in row]
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


def write_xlsx(rows: Iterable[Iterable[Any]], stream: IO[bytes], *, title: str = "Sheet1") -> None:
    """A streaming (write-only) workbook; text that looks like a formula stays text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
                cell = WriteOnlyCell(sheet, value=None)
                cell._value = value  # bypass openpyxl's "=… is a formula" guess
                cell.data_type = "s"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    workbook.save(stream)
