"""From a row of someone else's spreadsheet to our ``SubmissionInput``, by a saved mapping.

A source's mapping names, for each of our fields, the column of their file that holds it.
Values are translated where systems differ: natures written in Chinese (投诉 → complaint),
dates in the source's format or a common one (also Excel serial numbers stored as text),
a default region or nature for files that have none. Each problem is reported with the row
and the *file's* column name, as the person fixing the file will look for it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.channels.models import ImportSource
from yiwang.intake.models import Nature
from yiwang.intake.validation import (
    IMPORT_CONTENT_LIMIT,
    CleanSubmission,
    InvalidInput,
    SubmissionInput,
    validate_submission,
)
from yiwang.lib.streamtables import TableRow
from yiwang.lib.tables import RowError

EXTERNAL_ID_LIMIT = 64
DERIVED_TITLE = 30  # characters of the content that title a row without one
FIELDS = {
    "external_id": gettext_lazy("External id (their work-order number)"),
    "title": gettext_lazy("Title"),
    "content": gettext_lazy("Content"),
    "nature": gettext_lazy("Nature"),
    "region": gettext_lazy("Region code"),
    "theme": gettext_lazy("Theme code"),
    "submitted_at": gettext_lazy("Submitted at"),
    "contact_name": gettext_lazy("Contact name"),
    "mobile": gettext_lazy("Mobile"),
    "email": gettext_lazy("E-mail"),
}
_SYNONYMS = {
    "external_id": ("工单号", "工单编号", "编号", "留言编号", "id"),
    "title": ("标题", "留言主题", "主题"),
    "content": ("内容", "留言详情", "诉求内容", "来电内容", "留言内容"),
    "nature": ("性质", "诉求类型", "类型", "留言类型"),
    "region": ("区划代码", "行政区划代码", "地区代码"),
    "theme": ("主题代码",),
    "submitted_at": ("时间", "留言时间", "来电时间", "受理时间", "提交时间"),
    "contact_name": ("姓名", "联系人", "留言用户"),
    "mobile": ("手机", "手机号", "手机号码", "联系电话", "电话"),
    "email": ("邮箱", "电子邮件", "电子邮箱"),
}
_NATURES = {
    **{value: value for value in Nature.values},
    **{"咨询": "consult", "求助": "help", "投诉": "complaint", "举报": "report"},
    **{"建议": "suggestion", "感谢": "thanks", "表扬": "thanks", "其他": "other"},
}
_DATE_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
    "%Y.%m.%d %H:%M",
    "%Y.%m.%d",
    "%Y%m%d%H%M%S",
)
_EXCEL_SERIAL = re.compile(r"[0-9]{5}(\.[0-9]+)?")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def guess_mapping(header: list[str]) -> dict[str, str]:
    """Our field → their column, for headers that name it the usual way (a starting point)."""
    lowered = {h.strip().lower(): h for h in header if h.strip()}
    guessed = {}
    for field, names in _SYNONYMS.items():
        for name in (field, *names):
            if name.lower() in lowered:
                guessed[field] = lowered[name.lower()]
                break
    return guessed


@dataclass(frozen=True)
class ImportRow:
    number: int
    external_id: str
    submitted_at: dt.datetime | None
    clean: CleanSubmission


class RowReader:
    """Turns rows of one file into validated submissions for one source."""

    def __init__(self, source: ImportSource, header: list[str]) -> None:
        self.source = source
        self.mapping = {f: c for f, c in source.mapping.items() if f in FIELDS and c}
        self.index = {column: i for i, column in enumerate(header) if column}

    def missing_columns(self) -> list[RowError]:
        """The mapping's columns the file lacks, and fields no column or default provides."""
        errors = []
        for column in self.mapping.values():
            if column not in self.index:
                found = ", ".join(c for c in self.index)
                message = _("The file has no column %(column)s (it has: %(found)s).") % {
                    "column": column,
                    "found": found[:300],
                }
                errors.append(RowError(1, column, message))
        for field, default in (
            ("content", ""),
            ("nature", self.source.default_nature),
            ("region", self.source.default_region),
        ):
            if field not in self.mapping and not default:
                message = _("No column is mapped to %(field)s and it has no default.") % {
                    "field": FIELDS[field]
                }
                errors.append(RowError(1, str(FIELDS[field]), message))
        return errors

    def read(self, row: TableRow) -> ImportRow | list[RowError]:
        errors: list[RowError] = []
        external_id = self._value(row, "external_id")
        if len(external_id) > EXTERNAL_ID_LIMIT:
            self._error(errors, row, "external_id", _("At most 64 characters."))
        submitted_at = self._submitted_at(row, errors)
        raw = self._input(row, errors)
        try:
            clean = validate_submission(raw, content_limit=IMPORT_CONTENT_LIMIT)
        except InvalidInput as exc:
            for field, problems in exc.errors.items():
                for problem in problems:
                    self._error(errors, row, field, problem.message)
            return errors
        return errors or ImportRow(row.number, external_id, submitted_at, clean)

    def external_id(self, row: TableRow) -> str:
        return self._value(row, "external_id")

    def column(self, field: str) -> str:
        """The file's column for one of our fields (our field's name when none is mapped)."""
        return self.mapping.get(field) or str(FIELDS.get(field, field))

    def _value(self, row: TableRow, field: str) -> str:
        column = self.mapping.get(field)
        if column is None or column not in self.index:
            return ""
        position = self.index[column]
        return row.values[position].strip() if position < len(row.values) else ""

    def _error(self, errors: list[RowError], row: TableRow, field: str, message: str) -> None:
        errors.append(RowError(row.number, self.column(field), message))

    def _input(self, row: TableRow, errors: list[RowError]) -> SubmissionInput:
        content = self._value(row, "content")
        title = self._value(row, "title") if "title" in self.mapping else ""
        if not title.strip():  # no title column, or an empty cell (half of some boards' rows)
            title = content.strip().splitlines()[0][:DERIVED_TITLE] if content.strip() else ""
        nature_text = self._value(row, "nature") or self.source.default_nature
        nature = _NATURES.get(nature_text.lower(), nature_text)
        if nature_text and nature not in Nature.values:
            message = _("Unknown nature %(value)s.") % {"value": nature_text[:40]}
            self._error(errors, row, "nature", message)
            nature = Nature.OTHER  # reported above; keeps the other checks going
        return SubmissionInput(
            title=title,
            content=content,
            nature=nature,
            region=self._value(row, "region") or self.source.default_region,
            theme=self._value(row, "theme"),
            contact_name=self._value(row, "contact_name"),
            mobile=self._value(row, "mobile"),
            email=self._value(row, "email"),
        )

    def _submitted_at(self, row: TableRow, errors: list[RowError]) -> dt.datetime | None:
        if "submitted_at" not in self.mapping:
            return None
        text = self._value(row, "submitted_at")
        when = parse_when(text, self.source.date_format)
        if when is None:
            pattern = self.source.date_format or "2024-03-05 14:20"
            message = _("%(value)s is not a date and time like %(pattern)s.") % {
                "value": text[:40] or _("(empty)"),
                "pattern": pattern,
            }
            self._error(errors, row, "submitted_at", message)
        elif when > timezone.now():
            self._error(errors, row, "submitted_at", _("This time is in the future."))
        return when


def parse_when(text: str, date_format: str = "") -> dt.datetime | None:
    """A date and time as written in a file, in local time; None when it is not one."""
    naive = _parse_naive(text.strip(), date_format)
    if naive is None:
        return None
    return timezone.make_aware(naive) if timezone.is_naive(naive) else naive


def _parse_naive(text: str, date_format: str) -> dt.datetime | None:
    if not text:
        return None
    formats = (date_format,) if date_format else _DATE_FORMATS
    if not date_format:
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            pass
        if _EXCEL_SERIAL.fullmatch(text):  # a date cell turned into text: days since 1899-12-30
            return _EXCEL_EPOCH + dt.timedelta(days=float(text))
    for pattern in formats:
        try:
            return dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None
