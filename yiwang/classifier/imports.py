"""Import labelled historical messages to train on (CSV/XLSX, any column names).

All or nothing, as every import (decision 0008): every row is checked first and one bad row
saves nothing. Labels name a category of the active taxonomy by code, by its path of names
("城乡建设/住房" with ``/`` or ``>``) or by a name used once in the tree; or a department by
short code or name. A row already imported (same target, title, text and label), or repeated
in the file, is skipped, so importing a file twice adds nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.classifier.models import Target, TrainingExample
from yiwang.lib.tables import ImportReport, Row, RowError, Table
from yiwang.orgs.models import Department
from yiwang.tableimport import check_length, check_required, missing_columns
from yiwang.taxonomy.models import Category, TaxonomyVersion

TITLE_LIMIT = 200
TEXT_LIMIT = 100_000
LABEL_LIMIT = 300
_PATH_SEPARATOR = re.compile(r"\s*[/>＞／]\s*")


@dataclass(frozen=True)
class Columns:
    """Which column of the file holds what; the title column may be absent."""

    text: str = "text"
    label: str = "label"
    title: str = "title"


class CategoryLabels:
    """Resolve a label to a category of the active taxonomy (built once per import)."""

    def __init__(self) -> None:
        version = TaxonomyVersion.objects.filter(is_active=True).first()
        categories = list(Category.objects.filter(version=version))
        by_id = {c.pk: c for c in categories}
        self.by_code = {c.code: c for c in categories}
        self.by_path: dict[str, Category] = {}
        self.by_name: dict[str, list[Category]] = {}
        for category in categories:
            names: list[str] = []
            node: Category | None = category
            while node is not None:
                names.append(node.name_zh)
                node = by_id.get(node.parent_id) if node.parent_id else None
            self.by_path["/".join(reversed(names))] = category
            self.by_name.setdefault(category.name_zh, []).append(category)

    def resolve(self, label: str) -> Category | str:
        """The category, or why there is none."""
        if label in self.by_code:
            return self.by_code[label]
        path = "/".join(_PATH_SEPARATOR.split(label))
        if path in self.by_path:
            return self.by_path[path]
        named = self.by_name.get(path, [])
        if len(named) == 1:
            return named[0]
        if named:
            return _("Several categories have this name: give its path or code.")
        return _("No category of the active taxonomy has this code, path or name.")


def _department(label: str) -> Department | str:
    found = Department.objects.filter(short_code=label).first()
    found = found or Department.objects.filter(name_zh=label).first()
    return found if found else _("No department has this short code or name.")


def fingerprint(target: str, title: str, text: str, label: str) -> str:
    joined = "\x1f".join((target, title, text, label))
    return hashlib.sha256(joined.encode()).hexdigest()


def _check(row: Row, columns: Columns, errors: list[RowError]) -> None:
    check_required(row, (columns.text, columns.label), errors)
    limits = {columns.title: TITLE_LIMIT, columns.text: TEXT_LIMIT, columns.label: LABEL_LIMIT}
    check_length(row, limits, errors)


def import_examples(
    table: Table, target: Target, columns: Columns, source: str, user: User | None = None
) -> ImportReport:
    needed = (columns.text, columns.label)
    report = ImportReport(errors=missing_columns(table, needed))
    if report.errors:
        return report
    categories = CategoryLabels() if target == Target.CATEGORY else None
    examples: dict[str, TrainingExample] = {}
    for row in table.rows:
        _check(row, columns, report.errors)
        label = row.get(columns.label)
        resolved = categories.resolve(label) if categories else _department(label)
        if label and isinstance(resolved, str):
            report.errors.append(RowError(row.number, columns.label, resolved))
        if report.errors:
            continue
        example = _example(row, columns, target, resolved, source, user)
        if example.fingerprint in examples:
            report.skipped += 1  # repeated in the file
        examples[example.fingerprint] = example
    if report.errors:
        report.errors.sort(key=lambda e: e.row)
        return report
    return _save(list(examples.values()), report)


def _example(
    row: Row,
    columns: Columns,
    target: Target,
    label: Category | Department | str,
    source: str,
    user: User | None,
) -> TrainingExample:
    title, text, raw = row.get(columns.title), row.get(columns.text), row.get(columns.label)
    return TrainingExample(
        target=target,
        title=title,
        text=text,
        category=label if isinstance(label, Category) else None,
        department=label if isinstance(label, Department) else None,
        label=raw,
        source=source[:200],
        fingerprint=fingerprint(target, title, text, raw),
        imported_at=timezone.now(),
        imported_by=user,
    )


def _save(examples: list[TrainingExample], report: ImportReport) -> ImportReport:
    known = set(
        TrainingExample.objects.filter(
            fingerprint__in=[e.fingerprint for e in examples]
        ).values_list("fingerprint", flat=True)
    )
    new = [e for e in examples if e.fingerprint not in known]
    report.skipped += len(examples) - len(new)
    with transaction.atomic():
        # ignore_conflicts: an import running at the same time may have added the same rows.
        TrainingExample.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    report.created = len(new)
    return report
