"""Import regions, departments and service halls from CSV/XLSX.

All or nothing: every row is checked first, and one bad row saves no row, because half an
organisation tree routes messages to the wrong place. Rows upsert by their code, so importing
the same file twice changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils.translation import gettext as _

from yiwang.lib.tables import ImportReport, Row, RowError, Table
from yiwang.orgs.kinds import DepartmentKind
from yiwang.orgs.models import Department, Region, RegionLevel, ServiceHall
from yiwang.tableimport import check_length, check_required, run_all_or_nothing

REGION_COLUMNS = ("code", "name_zh", "name_en", "parent_code", "level")
DEPARTMENT_COLUMNS = (
    "short_code",
    "name_zh",
    "name_en",
    "kind",
    "region_code",
    "parent_short_code",
)
HALL_COLUMNS = ("code", "name_zh", "name_en", "region_code", "address_zh", "address_en")
_REGION_CODE = re.compile(r"[1-9]\d{5}")


def import_regions(table: Table) -> ImportReport:
    codes_in_file = {row.get("code") for row in table.rows}

    def check(row: Row, errors: list[RowError]) -> None:
        check_required(row, ("code", "name_zh", "level"), errors)
        check_length(row, {"name_zh": 64, "name_en": 128}, errors)
        if row.get("code") and not _REGION_CODE.fullmatch(row.get("code")):
            errors.append(RowError(row.number, "code", _("A region code has six digits.")))
        if row.get("level") and row.get("level") not in RegionLevel.values:
            errors.append(RowError(row.number, "level", _("Use province, city or county.")))
        parent = row.get("parent_code")
        if (
            parent
            and parent not in codes_in_file
            and not Region.objects.filter(code=parent).exists()
        ):
            errors.append(RowError(row.number, "parent_code", _("No region has this code.")))

    def save(row: Row) -> bool:
        parent = Region.objects.filter(code=row.get("parent_code")).first()
        _obj, created = Region.objects.update_or_create(
            code=row.get("code"),
            defaults={
                "name_zh": row.get("name_zh"),
                "name_en": row.get("name_en"),
                "level": row.get("level"),
                "parent": parent,
            },
        )
        return created

    ordered = _parents_first(table, "code", "parent_code")
    return run_all_or_nothing(ordered, REGION_COLUMNS, check, save, parent_key="parent_code")


def _parents_first(table: Table, code: str, parent_code: str) -> Table:
    """The rows ordered so that a row's parent (when in the file) is saved before it."""
    by_code = {r.get(code): r.get(parent_code) for r in table.rows}

    def depth(row: Row) -> int:
        level, parent = 0, row.get(parent_code)
        while parent and parent in by_code and level < 10:
            level, parent = level + 1, by_code[parent]
        return level

    return Table(table.header, sorted(table.rows, key=depth))


def import_departments(table: Table) -> ImportReport:
    codes_in_file = {row.get("short_code") for row in table.rows}

    def check(row: Row, errors: list[RowError]) -> None:
        check_required(row, ("short_code", "name_zh", "kind", "region_code"), errors)
        check_length(row, {"short_code": 16, "name_zh": 128, "name_en": 200}, errors)
        if row.get("kind") and row.get("kind") not in DepartmentKind.values:
            errors.append(RowError(row.number, "kind", _("This is not a department kind.")))
        region = row.get("region_code")
        if region and not Region.objects.filter(code=region).exists():
            errors.append(RowError(row.number, "region_code", _("No region has this code.")))
        parent = row.get("parent_short_code")
        known = parent in codes_in_file or Department.objects.filter(short_code=parent).exists()
        if parent and not known:
            errors.append(
                RowError(row.number, "parent_short_code", _("No department has this code."))
            )

    def save(row: Row) -> bool:
        _obj, created = Department.objects.update_or_create(
            short_code=row.get("short_code"),
            defaults={
                "name_zh": row.get("name_zh"),
                "name_en": row.get("name_en"),
                "kind": row.get("kind"),
                "region": Region.objects.get(code=row.get("region_code")),
                "parent": Department.objects.filter(
                    short_code=row.get("parent_short_code")
                ).first(),
            },
        )
        return created

    ordered = _parents_first(table, "short_code", "parent_short_code")
    return run_all_or_nothing(
        ordered, DEPARTMENT_COLUMNS, check, save, key="short_code", parent_key="parent_short_code"
    )


def import_halls(table: Table) -> ImportReport:
    def check(row: Row, errors: list[RowError]) -> None:
        check_required(row, ("code", "name_zh", "region_code", "address_zh"), errors)
        check_length(
            row, {"code": 16, "name_zh": 128, "address_zh": 256, "address_en": 256}, errors
        )
        region = row.get("region_code")
        if region and not Region.objects.filter(code=region).exists():
            errors.append(RowError(row.number, "region_code", _("No region has this code.")))

    def save(row: Row) -> bool:
        _obj, created = ServiceHall.objects.update_or_create(
            code=row.get("code"),
            defaults={
                "name_zh": row.get("name_zh"),
                "name_en": row.get("name_en"),
                "region": Region.objects.get(code=row.get("region_code")),
                "address_zh": row.get("address_zh"),
                "address_en": row.get("address_en"),
            },
        )
        return created

    return run_all_or_nothing(table, HALL_COLUMNS, check, save)


IMPORTERS: dict[str, Callable[[Table], ImportReport]] = {
    "regions": import_regions,
    "departments": import_departments,
    "halls": import_halls,
}
