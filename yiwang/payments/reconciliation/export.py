"""A run's mismatches as an XLSX workbook for finance staff: headers in the reader's language,
amounts in yuan as numbers shown with two decimals, one row per mismatch."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from yiwang.lib.tables import neutralise_formula
from yiwang.payments.providers.money import yuan_from_fen
from yiwang.payments.reconciliation.models import Mismatch, ReconciliationRun

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YUAN_FORMAT = "0.00"

HEADERS = (
    _("Kind"),
    _("Line"),
    _("Trade number"),
    _("Provider's id"),
    _("Our amount (yuan)"),
    _("Their amount (yuan)"),
    _("Our payment's state"),
    _("Resolution"),
    _("Reason"),
    _("Note"),
    _("Resolved by"),
    _("Resolved at"),
)


def filename(run: ReconciliationRun) -> str:
    return f"reconciliation-{run.provider}-{run.day:%Y-%m-%d}.xlsx"


def write_workbook(run: ReconciliationRun, found: QuerySet[Mismatch]) -> IO[bytes]:
    """The workbook in a temporary file, at its start (the caller's response closes it)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(f"{run.provider} {run.day:%Y-%m-%d}")
    sheet.append([str(header) for header in HEADERS])
    for mismatch in found.iterator(chunk_size=1000):
        sheet.append(_cells(sheet, _row(mismatch)))
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    book.save(spool)
    spool.seek(0)
    return spool


def _row(m: Mismatch) -> list[Any]:
    return [
        m.get_kind_display(),
        m.get_line_kind_display(),
        m.trade_no,
        m.provider_id,
        _yuan(m.our_amount),
        _yuan(m.their_amount),
        m.payment.get_state_display() if m.payment is not None else "",
        m.get_resolution_display(),
        m.get_reason_display() if m.reason else "",
        m.note,
        m.resolved_by,
        _local(m.resolved_at),
    ]


def _cells(sheet: WriteOnlyWorksheet, values: Iterable[Any]) -> list[Any]:
    cells: list[Any] = []
    for value in values:
        if isinstance(value, Decimal):
            # openpyxl writes a Decimal's digits as they are; its stubs do not list Decimal.
            cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
            cell.number_format = YUAN_FORMAT
            cells.append(cell)
        elif isinstance(value, str):
            # The provider's texts may hold anything: no control characters, no formulas.
            cells.append(neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", value)))
        else:
            cells.append(value)
    return cells


def _yuan(fen: int | None) -> Decimal | None:
    # Through the digits, never a float: 1999 fen is exactly 19.99.
    return None if fen is None else Decimal(yuan_from_fen(fen))


def _local(at: dt.datetime | None) -> dt.datetime | None:
    # Spreadsheets have no time zones: the site's local time, as staff read it elsewhere.
    return None if at is None else timezone.localtime(at).replace(tzinfo=None)
