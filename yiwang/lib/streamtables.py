"""Read a large CSV or XLSX file row by row, in constant memory, with row numbers.

``lib/tables.py`` reads a whole (small) reference-data file at once; message imports may be a
million rows, so this reader holds one row at a time. CSV: UTF-8 (with or without BOM), GBK or
GB18030, detected from the start of the file (Excel on a Chinese Windows saves "CSV" as GBK).
XLSX: openpyxl's read-only mode, one named sheet or the first; merged cells are refused (their
value sits in one cell only, the others would import as empty), found by scanning the sheet's
XML without loading it. Rows are numbered as the spreadsheet shows them (header = row 1).
Errors are ``UnreadableTable`` with a stable code; messages are English, translated by code.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from openpyxl import Workbook, load_workbook
from openpyxl.utils.cell import coordinate_from_string

from yiwang.lib.tables import UnreadableTable

SNIFF_BYTES = 1 << 20
CELL_LIMIT = 1 << 20  # characters in one CSV cell; a larger one is a damaged file
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+):([A-Z]+[0-9]+)"')
_ENCODINGS = ("utf-8", "gb18030")  # GB18030 reads all of GBK and GB2312


class TableError(UnreadableTable):
    """What is wrong, where: ``row`` (0 for the whole file), ``column`` and ``params``."""

    def __init__(self, code: str, message: str, row: int = 0, column: str = "", **params: str):
        super().__init__(code, message)
        self.row, self.column, self.params = row, column, params


@dataclass(frozen=True)
class TableRow:
    number: int
    values: tuple[str, ...]


class StreamedTable:
    """The header and an iterator of rows; ``fraction_read`` tells how far the reader is."""

    def __init__(self, header: list[str], rows: Iterator[TableRow], progress: _Progress) -> None:
        self.header = header
        self.rows = rows
        self._progress = progress

    def fraction_read(self) -> float:
        return self._progress.fraction()


class _Progress:
    def __init__(self, raw: IO[bytes] | None, size: int, rows_expected: int = 0) -> None:
        self.raw, self.size, self.rows_expected, self.rows_seen = raw, size, rows_expected, 0

    def fraction(self) -> float:
        if self.raw is not None and self.size:
            return 1.0 if self.raw.closed else min(1.0, self.raw.tell() / self.size)
        if self.rows_expected:
            return min(1.0, self.rows_seen / self.rows_expected)
        return 0.0


def open_table(path: Path, *, sheet: str = "") -> StreamedTable:
    """The file at ``path`` as a streamed table: ``.xlsx`` by name, anything else as CSV."""
    if path.suffix.lower() == ".xlsx":
        return _open_xlsx(path, sheet)
    return _open_csv(path)


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in _ENCODINGS:
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    raise TableError("unknown_encoding", "The file is neither UTF-8 nor GBK/GB18030 text.")


def _open_csv(path: Path) -> StreamedTable:
    raw = path.open("rb")
    encoding = detect_encoding(raw.read(SNIFF_BYTES))
    raw.seek(0)
    csv.field_size_limit(CELL_LIMIT)
    reader = csv.reader(_decoded_lines(raw, encoding))
    progress = _Progress(raw, path.stat().st_size)
    rows = _csv_rows(reader, raw)
    header = _header(rows)
    return StreamedTable(header, _numbered(rows, progress), progress)


def _decoded_lines(raw: IO[bytes], encoding: str) -> Iterator[str]:
    """Line by line, so that a line in another encoding is found by its own number.

    Splitting bytes at b"\n" is safe: no byte of a UTF-8 or GB18030 multi-byte character is
    0x0A. A BOM is removed from the first line only.
    """
    for number, line in enumerate(raw, start=1):
        try:
            yield line.decode(encoding if number == 1 else encoding.removesuffix("-sig"))
        except UnicodeDecodeError as exc:
            shown = "UTF-8" if encoding.startswith("utf-8") else "GBK/GB18030"
            message = f"Line {number} is not {shown} text like the lines before it."
            raise TableError("bad_encoding", message, number, encoding=shown) from exc


def _csv_rows(reader: Iterator[list[str]], raw: IO[bytes]) -> Iterator[list[str]]:
    try:
        yield from reader
    except csv.Error as exc:
        line = getattr(reader, "line_num", 0)
        raise TableError("bad_csv", f"Line {line} cannot be read: {exc}.", line) from exc
    finally:
        raw.close()


def _header(rows: Iterator[list[str]] | Iterator[tuple[object, ...]]) -> list[str]:
    try:
        first = next(rows)
    except StopIteration as exc:
        raise TableError("empty", "The file is empty.") from exc
    header = [_cell_text(value).strip() for value in first]
    named = [h for h in header if h]
    if not named:
        raise TableError("empty", "The file is empty.")
    if len(set(named)) != len(named):
        raise TableError("duplicate_header", "The header names a column twice.", 1)
    return header


def _numbered(
    rows: Iterator[list[str]] | Iterator[tuple[object, ...]], progress: _Progress
) -> Iterator[TableRow]:
    for number, values in enumerate(rows, start=2):
        progress.rows_seen = number - 1
        cells = tuple(_cell_text(v) for v in values)
        if any(cell.strip() for cell in cells):  # blank rows (Excel's formatted tail) are skipped
            yield TableRow(number, cells)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 13800138000.0 → the number as typed
    return str(value)


def _open_xlsx(path: Path, sheet_name: str) -> StreamedTable:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableError("not_xlsx", "The file is not a readable .xlsx workbook.") from exc
    if sheet_name and sheet_name not in book.sheetnames:
        book.close()
        names = ", ".join(book.sheetnames)
        message = f"The workbook has no sheet named {sheet_name} (it has: {names})."
        raise TableError("wrong_sheet", message, sheet=sheet_name, sheets=names)
    sheet = book[sheet_name] if sheet_name else book.worksheets[0]
    _refuse_merged_cells(path, getattr(sheet, "_worksheet_path", ""))
    progress = _Progress(None, 0, rows_expected=max(0, (sheet.max_row or 0) - 1))
    values = _closing(book, sheet.iter_rows(values_only=True))
    header = _header(values)
    return StreamedTable(header, _numbered(values, progress), progress)


def _closing(book: Workbook, rows: Iterator[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
    try:
        yield from rows
    finally:
        book.close()


def _refuse_merged_cells(path: Path, member: str) -> None:
    """Merged cells are listed after the rows in the sheet's XML: scan it in chunks."""
    if not member:
        return
    with zipfile.ZipFile(path) as archive, archive.open(member) as xml:
        tail = b""
        while chunk := xml.read(1 << 16):
            match = _MERGE.search(tail + chunk)
            if match is not None:
                first, last = (m.decode() for m in match.groups())
                column, row = coordinate_from_string(first)
                cells = f"{first}:{last}"
                message = f"Cells {cells} are merged; unmerge them and fill every cell."
                raise TableError("merged_cells", message, row, column, cells=cells)
            tail = chunk[-200:]
