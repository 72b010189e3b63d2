"""Import a taxonomy version from CSV/XLSX, in either of two layouts.

* Coded: ``code, parent_code, name_zh, name_en, description_zh, description_en, keywords,
  dept_kind`` (keywords separated by ``|``): the shipped default uses it.
* Levels: one column per level (``一级分类, 二级分类, 三级分类`` or ``level1, level2 …``),
  one row per path, as many real taxonomies are kept; codes are assigned in order of first
  appearance (``01``, ``01.02``, ``01.02.03``).

A new version never changes an existing one, so messages filed under an older version keep
their categories. All or nothing: a file with an error creates no version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.lib.tables import ImportReport, Row, RowError, Table
from yiwang.orgs.kinds import DepartmentKind
from yiwang.tableimport import check_length, check_required, run_all_or_nothing
from yiwang.taxonomy.models import Category, TaxonomyVersion, Theme

CODED_COLUMNS = ("code", "parent_code", "name_zh")
LIMITS = {"name_zh": 128, "name_en": 200, "description_zh": 300, "description_en": 400}
LEVEL_NAMES = ("一级分类", "二级分类", "三级分类", "四级分类", "五级分类")
_CODE = re.compile(r"\d{2}(\.\d{2,3})*")


@dataclass
class Node:
    code: str
    parent_code: str
    name_zh: str
    name_en: str = ""
    description_zh: str = ""
    description_en: str = ""
    keywords: list[str] = field(default_factory=list)
    dept_kind: str = ""


def _level_columns(table: Table) -> list[str]:
    chinese = [name for name in LEVEL_NAMES if name in table.header]
    if chinese:
        return chinese
    return [f"level{i}" for i in range(1, 10) if f"level{i}" in table.header]


def nodes_from_levels(table: Table, columns: list[str], errors: list[RowError]) -> list[Node]:
    nodes: dict[tuple[str, ...], Node] = {}
    children: dict[tuple[str, ...], int] = {}
    for row in table.rows:
        path: tuple[str, ...] = ()
        for depth, column in enumerate(columns):
            name = row.get(column)
            if not name:
                if any(row.get(c) for c in columns[depth + 1 :]):
                    errors.append(RowError(row.number, column, _("A level is empty.")))
                break
            parent, path = path, (*path, name)
            if len(name) > LIMITS["name_zh"]:
                message = _("At most %(limit)d characters.") % {"limit": LIMITS["name_zh"]}
                errors.append(RowError(row.number, column, message))
                break
            if path not in nodes:
                children[parent] = children.get(parent, 0) + 1
                prefix = nodes[parent].code + "." if parent else ""
                nodes[path] = Node(
                    f"{prefix}{children[parent]:02d}", nodes[parent].code if parent else "", name
                )
    return list(nodes.values())


def nodes_from_codes(table: Table, errors: list[RowError]) -> list[Node]:
    nodes: list[Node] = []
    seen: set[str] = set()
    for row in table.rows:
        node = _coded_node(row, seen, errors)
        if node is not None:
            nodes.append(node)
            seen.add(node.code)
    return nodes


def _coded_node(row: Row, seen: set[str], errors: list[RowError]) -> Node | None:
    code, parent = row.get("code"), row.get("parent_code")
    problems = []
    if not _CODE.fullmatch(code):
        problems.append(("code", _("Codes look like 07 or 07.03.")))
    elif code in seen:
        problems.append(("code", _("This code appears twice.")))
    expected = code.rpartition(".")[0]
    if _CODE.fullmatch(code) and parent != expected:
        problems.append(("parent_code", _wrong_parent(code, expected)))
    elif parent and parent not in seen:
        problems.append(("parent_code", _("The parent must appear on an earlier row.")))
    if not row.get("name_zh"):
        problems.append(("name_zh", _("This value is required.")))
    problems.extend(
        (column, _("At most %(limit)d characters.") % {"limit": limit})
        for column, limit in LIMITS.items()
        if len(row.get(column)) > limit
    )
    kind = row.get("dept_kind")
    if kind and kind not in DepartmentKind.values:
        problems.append(("dept_kind", _("This is not a department kind.")))
    errors.extend(RowError(row.number, column, message) for column, message in problems)
    if problems:
        return None
    keywords = [k.strip() for k in row.get("keywords").split("|") if k.strip()]
    return Node(
        code,
        parent,
        row.get("name_zh"),
        row.get("name_en"),
        row.get("description_zh"),
        row.get("description_en"),
        keywords,
        kind,
    )


def _wrong_parent(code: str, expected: str) -> str:
    """A code names its parent (07.03 is under 07): a different parent_code is a typo."""
    if not expected:
        return _("The code %(code)s has no dot, so it has no parent.") % {"code": code}
    return _("The parent of %(code)s is %(expected)s.") % {"code": code, "expected": expected}


def import_taxonomy(
    table: Table, *, name: str, source: str = "", activate: bool = False
) -> tuple[TaxonomyVersion | None, ImportReport]:
    report = ImportReport()
    if TaxonomyVersion.objects.filter(name=name).exists():
        report.errors.append(RowError(0, "name", _("A version with this name exists already.")))
        return None, report
    columns = _level_columns(table)
    if columns:
        nodes = nodes_from_levels(table, columns, report.errors)
    elif not table.missing(CODED_COLUMNS):
        nodes = nodes_from_codes(table, report.errors)
    else:
        message = _("Give the columns code, parent_code, name_zh, or one column per level.")
        report.errors.append(RowError(0, "header", message))
        return None, report
    if report.errors or not nodes:
        if not nodes and not report.errors:
            report.errors.append(RowError(0, "header", _("The file holds no categories.")))
        return None, report
    version = _save(nodes, name=name, source=source, activate=activate)
    report.created = len(nodes)
    return version, report


@transaction.atomic
def _save(nodes: list[Node], *, name: str, source: str, activate: bool) -> TaxonomyVersion:
    version = TaxonomyVersion.objects.create(name=name, source=source[:256])
    saved: dict[str, Category] = {}
    parents = {n.parent_code for n in nodes if n.parent_code}
    for order, node in enumerate(nodes):
        parent = saved.get(node.parent_code)
        saved[node.code] = Category.objects.create(
            version=version,
            code=node.code,
            parent=parent,
            depth=(parent.depth + 1) if parent else 1,
            name_zh=node.name_zh,
            name_en=node.name_en,
            description_zh=node.description_zh,
            description_en=node.description_en,
            keywords=node.keywords,
            dept_kind=node.dept_kind,
            is_leaf=node.code not in parents,
            sort_order=order,
        )
    if activate:
        do_activate_version(version)
    return version


def do_activate_version(version: TaxonomyVersion) -> None:
    with transaction.atomic():
        TaxonomyVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(
            is_active=False
        )
        TaxonomyVersion.objects.filter(pk=version.pk).update(is_active=True)
    version.is_active = True


THEME_COLUMNS = ("code", "name_zh", "name_en", "description_zh", "description_en", "sort_order")


def import_themes(table: Table) -> ImportReport:
    """Upsert themes by code (all or nothing)."""

    def check(row: Row, errors: list[RowError]) -> None:
        check_required(row, ("code", "name_zh", "name_en"), errors)
        check_length(row, {**LIMITS, "code": 16, "name_zh": 64, "name_en": 128}, errors)
        if row.get("sort_order") and not row.get("sort_order").isdigit():
            errors.append(RowError(row.number, "sort_order", _("Give a whole number.")))

    def save(row: Row) -> bool:
        _theme, created = Theme.objects.update_or_create(
            code=row.get("code"),
            defaults={
                "name_zh": row.get("name_zh"),
                "name_en": row.get("name_en"),
                "description_zh": row.get("description_zh"),
                "description_en": row.get("description_en"),
                "sort_order": int(row.get("sort_order") or 0),
            },
        )
        return created

    return run_all_or_nothing(table, THEME_COLUMNS, check, save)
