"""Checks and the all-or-nothing runner shared by the reference-data imports (decision 0008).

Every row is checked first; one bad row saves nothing. Rows upsert by their code, so importing
the same file twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.lib.tables import ImportReport, Row, RowError, Table


def missing_columns(table: Table, needed: tuple[str, ...]) -> list[RowError]:
    return [
        RowError(0, column, _("The column %(column)s is missing.") % {"column": column})
        for column in table.missing(needed)
    ]


def check_required(row: Row, columns: tuple[str, ...], errors: list[RowError]) -> None:
    for column in columns:
        if not row.get(column):
            errors.append(RowError(row.number, column, _("This value is required.")))


def check_length(row: Row, limits: dict[str, int], errors: list[RowError]) -> None:
    for column, limit in limits.items():
        if len(row.get(column)) > limit:
            message = _("At most %(limit)d characters.") % {"limit": limit}
            errors.append(RowError(row.number, column, message))


def _repeated(table: Table, key: str, errors: list[RowError]) -> None:
    """A code twice in one file would silently keep only its last row."""
    seen: set[str] = set()
    for row in sorted(table.rows, key=lambda r: r.number):
        code = row.get(key)
        if code and code in seen:
            errors.append(RowError(row.number, key, _("This code appears on an earlier row.")))
        seen.add(code)


def _loops(table: Table, key: str, parent_key: str, errors: list[RowError]) -> None:
    """A row that is its own ancestor in the file would lose its parent when saved."""
    by_code = {row.get(key): row.get(parent_key) for row in table.rows}
    for row in table.rows:
        start, parent = row.get(key), row.get(parent_key)
        seen: set[str] = set()
        while parent and parent in by_code and parent not in seen:
            if parent == start:
                message = _("This row is its own parent or ancestor.")
                errors.append(RowError(row.number, parent_key, message))
                break
            seen.add(parent)
            parent = by_code[parent]


def run_all_or_nothing(
    table: Table,
    needed: tuple[str, ...],
    check: Callable[[Row, list[RowError]], None],
    save: Callable[[Row], bool],
    key: str = "code",
    parent_key: str = "",
) -> ImportReport:
    report = ImportReport(errors=missing_columns(table, needed))
    if report.errors:
        return report
    for row in table.rows:
        check(row, report.errors)
    _repeated(table, key, report.errors)
    if parent_key:
        _loops(table, key, parent_key, report.errors)
    if report.errors:
        report.errors.sort(key=lambda e: e.row)
        return report
    with transaction.atomic():
        for row in table.rows:
            if save(row):
                report.created += 1
            else:
                report.updated += 1
    return report
