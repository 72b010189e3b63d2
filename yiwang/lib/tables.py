"""Read CSV or XLSX files into rows of text keyed by header, remembering row numbers.

Staff keep reference data in Excel/WPS; imports take either format and report errors by row
(1-based, the header being row 1) and column, as a spreadsheet user would look them up.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from openpyxl import load_workbook

MAX_ROWS = 200_000


class UnreadableTable(ValueError):
    """The file cannot be read as a table; ``code`` is stable for translation."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Row:
    number: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[Row]

    def missing(self, needed: tuple[str, ...]) -> list[str]:
        return [column for column in needed if column not in self.header]


def read_table(data: bytes, filename: str) -> Table:
    """Rows of a .csv (UTF-8, with or without BOM) or .xlsx file (first sheet)."""
    if filename.lower().endswith(".xlsx"):
        return _read_xlsx(data)
    return _read_csv(data)


def _read_csv(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableTable(
            "not_utf8", "The file is not UTF-8 text; save it as CSV UTF-8."
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    return _rows(reader)


def _read_xlsx(data: bytes) -> Table:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise UnreadableTable("not_xlsx", "The file is not a readable .xlsx workbook.") from exc
    sheet = book.worksheets[0]
    values = (
        ["" if cell is None else str(cell) for cell in row]
        for row in sheet.iter_rows(values_only=True)
    )
    return _rows(values)


def _rows(source: Iterable[Sequence[object]]) -> Table:
    iterator = iter(source)
    try:
        header = [str(h).strip() for h in next(iterator)]
    except StopIteration as exc:
        raise UnreadableTable("empty", "The file is empty.") from exc
    # Columns without a name (Excel's formatted-but-empty columns, trailing commas) are ignored.
    named = [h for h in header if h]
    if len(set(named)) != len(named):
        raise UnreadableTable("duplicate_header", "The header names a column twice.")
    rows = []
    for number, values in enumerate(iterator, start=2):
        if number > MAX_ROWS:
            raise UnreadableTable("too_many_rows", f"More than {MAX_ROWS} rows; split the file.")
        cells = {h: str(v) for h, v in zip(header, values, strict=False) if h}
        if not any(v.strip() for v in cells.values()):
            continue
        rows.append(Row(number, cells))
    return Table(named, rows)


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based, header = 1; 0 for the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}, column {self.column}" if self.row else "file"
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: str) -> str:
    """A cell a spreadsheet would run as a formula (=cmd|…, +1+1, @SUM) kept as text.

    Exports carry what citizens typed; a leading apostrophe makes Excel and WPS show the text
    instead of evaluating it (OWASP, "CSV injection").
    """
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value
