"""Import a service catalogue (items and their implementations) from CSV, XLSX or JSON.

One row (one JSON object) is one implementation with its item's fields; the item is found or
created by its basic code, the implementation by its code. Two passes over the file: the first
checks every row (and the items against each other and the parents), the second writes in
batches — all or nothing by default, or only the valid rows. A dry run stops after the checks
and counts what would change. CSV/XLSX are streamed; memory grows only with the codes seen
(to find duplicates) and the distinct items. See README.md for the columns and modes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import uscc

from yiwang.catalogue.codes import (
    AUDIENCE_CODES,
    FORM_CODES,
    BodyNature,
    BusinessKind,
    ItemType,
    Level,
    Node,
    Scope,
    TimeUnit,
)
from yiwang.catalogue.models import ServiceItem, ServiceTheme
from yiwang.catalogue.validation import (
    MAX_QUESTIONS,
    implementation_problems,
    item_problems,
    question_problem,
)
from yiwang.channels.imports.errors import file_error
from yiwang.lib.batches import batched
from yiwang.lib.streamtables import TableError, open_table
from yiwang.orgs.models import Department, Region

BATCH = 1000
ERRORS_KEPT = 1000
MAX_TEXT = 8000  # characters in a guide text (conditions, procedure …)

# key: the header names accepted (the English key is always accepted).
COLUMNS: dict[str, tuple[str, ...]] = {
    "name_zh": ("事项名称",),
    "name_en": ("英文名称", "English name"),
    "basic_code": ("基本编码",),
    "item_type": ("事项类型",),
    "node": ("层级节点",),
    "parent_code": ("上级基本编码",),
    "business_kind": ("业务类型",),
    "legal_basis": ("设定依据",),
    "code": ("实施编码",),
    "body": ("实施主体",),
    "body_credit_code": ("统一社会信用代码", "实施主体统一社会信用代码"),
    "body_nature": ("实施主体性质",),
    "region": ("区划代码",),
    "level": ("行使层级",),
    "statutory_limit": ("法定办结时限",),
    "statutory_unit": ("法定办结时限单位",),
    "promised_limit": ("承诺办结时限",),
    "promised_unit": ("承诺办结时限单位",),
    "audiences": ("服务对象",),
    "handling_forms": ("办理形式",),
    "scope": ("通办范围",),
    "conditions": ("受理条件",),
    "procedure": ("办理流程",),
    "result_name": ("结果名称",),
    "charges": ("是否收费",),
    "fee_basis": ("收费依据",),
    "online": ("是否网办",),
    "online_url": ("网办地址",),
    "appointment": ("是否支持预约",),
    "online_payment": ("是否支持网上支付",),
    "express": ("是否支持物流快递",),
    "place": ("办理地点",),
    "hours": ("办理时间",),
    "phone": ("咨询电话",),
    "supervision_phone": ("监督电话",),
    "conditions_en": ("英文受理条件", "conditions (English)"),
    "procedure_en": ("英文办理流程", "procedure (English)"),
    "materials": ("申请材料",),
    "themes": ("主题分类",),
    "faq": ("常见问题",),
}
REQUIRED = (
    "name_zh", "basic_code", "item_type", "node", "code", "body", "body_credit_code", "region",
    "level", "statutory_limit", "statutory_unit", "promised_limit", "promised_unit",
    "audiences", "handling_forms",
)  # fmt: skip
ITEM_FIELDS = (
    "name_zh", "name_en", "item_type", "node", "parent_code", "business_kind", "themes",
)  # fmt: skip
LISTS = {  # the columns JSON gives as lists of objects, with the message of a bad entry
    "materials": gettext_lazy("Material %(number)d: %(problem)s"),
    "faq": gettext_lazy("Question %(number)d: %(problem)s"),
}
LENGTHS = {
    "name_zh": 200, "name_en": 300, "result_name": 200, "online_url": 500, "place": 300,
    "hours": 200, "phone": 64, "supervision_phone": 64, "legal_basis": MAX_TEXT,
    "conditions": MAX_TEXT, "procedure": MAX_TEXT, "fee_basis": MAX_TEXT,
    "conditions_en": MAX_TEXT, "procedure_en": MAX_TEXT,
}  # fmt: skip
FLAGS = ("charges", "online", "appointment", "online_payment", "express")
_TRUE = {"是", "true", "1", "yes", "y", "有"}
_FALSE = {"否", "false", "0", "no", "n", "无", ""}
_UNITS = {"工作日": "working_days", "自然日": "calendar_days", "日": "calendar_days",
          "天": "calendar_days", "月": "months", "个月": "months", "即办": "immediate"}  # fmt: skip
_NODES = {"主项": "main", "子项": "sub", "业务办理项": "business"}
_KINDS = {"新办": "new", "变更": "change", "延续": "renewal", "注销": "cancellation",
          "其他": "other"}  # fmt: skip
_SCOPES = {"本地": "local", "跨县": "county", "跨市": "city", "跨省": "province",
           "全国": "national"}  # fmt: skip
_LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")
_ENTRY_SEPARATORS = re.compile(r"[;；\n]+")
_T = TypeVar("_T")


@dataclass(frozen=True)
class Problem:
    """What is wrong, where: a spreadsheet row (header = 1) or a JSON object's index."""

    row: int  # spreadsheet row, or JSON index; -1 for the whole file
    column: str  # the header as written, or the JSON key
    message: str
    is_json: bool = False

    def __str__(self) -> str:
        if self.row < 0:
            return f"{self.column}: {self.message}" if self.column else self.message
        if self.is_json:
            return _("object %(index)d, key %(key)s: %(message)s") % {
                "index": self.row, "key": self.column, "message": self.message
            }  # fmt: skip
        return _("row %(row)d, column %(column)s: %(message)s") % {
            "row": self.row, "column": self.column, "message": self.message
        }  # fmt: skip


@dataclass
class Record:
    """One row as text by key, with the column each key came from (for the errors)."""

    row: int
    values: dict[str, str]
    columns: dict[str, str]
    lists: dict[str, list[Any]] = field(default_factory=dict)  # JSON's lists of objects (LISTS)
    is_json: bool = False
    problems: list[Problem] = field(default_factory=list)  # found while reading

    def get(self, key: str) -> str:
        return self.values.get(key, "").strip()

    def problem(self, key: str, message: str) -> Problem:
        return Problem(self.row, self.columns.get(key, key), message, self.is_json)


@dataclass(frozen=True)
class MaterialIn:
    name_zh: str
    issuer: str = ""
    originals: int = 0
    copies: int = 0
    required: bool = True
    name_en: str = ""


@dataclass(frozen=True)
class QuestionIn:
    question: str
    answer: str


@dataclass
class Parsed:
    """A row that passed its own checks: the item's and the implementation's fields.

    ``item["themes"]`` and ``faq`` are None when the file leaves them out: stored ones stay."""

    row: int
    item: dict[str, Any]
    implementation: dict[str, Any]
    materials: list[MaterialIn]
    body: str
    region: str
    faq: list[QuestionIn] | None = None


@dataclass
class ImportResult:
    rows: int = 0
    valid: int = 0
    items_created: int = 0
    items_updated: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[Problem] = field(default_factory=list)
    written: bool = False

    def add(self, problems: list[Problem]) -> None:
        self.error_count += len(problems)
        self.errors.extend(problems[: max(0, ERRORS_KEPT - len(self.errors))])


class UnreadableCatalogue(ValueError):
    """The file as a whole cannot be imported (not readable, wrong header …)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


_ALIASES = {alias.strip().lower(): key for key, names in COLUMNS.items() for alias in (key, *names)}


def column_key(header: str) -> str | None:
    """The key a header names: 事项名称 or name_zh; a note in brackets after it is ignored."""
    text = header.strip().lower()
    return _ALIASES.get(text) or _ALIASES.get(re.sub(r"\s*[(（].*[)）]\s*$", "", text))


def open_records(path: Path, sheet: str = "") -> Iterator[Record]:
    """The rows of the file, read lazily; UnreadableCatalogue for a file that cannot be used."""
    if path.suffix.lower() == ".json":
        return _json_records(path)
    try:
        table = open_table(path, sheet=sheet)
    except TableError as exc:
        raise UnreadableCatalogue([_file_problem(exc)]) from exc
    columns = _header_columns(table.header)
    return _table_records(table.rows, table.header, columns)


def _file_problem(exc: TableError) -> Problem:
    error = file_error(exc)
    return Problem(error.row or -1, error.column, error.message)


def _header_columns(header: list[str]) -> dict[int, str]:
    """Column index → key; unknown and missing columns reject the file."""
    problems, columns = [], {}
    for index, name in enumerate(header):
        if not name:
            continue
        key = column_key(name)
        if key is None:
            problems.append(Problem(1, name, _("This column is not part of the format.")))
        else:
            columns[index] = key
    problems.extend(_missing(set(columns.values()), row=1))
    if problems:
        raise UnreadableCatalogue(problems)
    return columns


def _missing(keys: set[str], row: int, is_json: bool = False) -> list[Problem]:
    message = _("The column %(column)s (%(name)s) is missing.")
    return [
        Problem(row, key, message % {"column": key, "name": COLUMNS[key][0]}, is_json)
        for key in REQUIRED
        if key not in keys
    ]


def _table_records(
    rows: Iterator[Any], header: list[str], columns: dict[int, str]
) -> Iterator[Record]:
    try:
        for row in rows:
            values = {key: row.values[i] for i, key in columns.items() if i < len(row.values)}
            names = {key: header[i] for i, key in columns.items()}
            yield Record(row.number, values, names)
    except TableError as exc:
        raise UnreadableCatalogue([_file_problem(exc)]) from exc


def _json_records(path: Path) -> Iterator[Record]:
    data = path.read_bytes()
    if not data.strip():
        raise UnreadableCatalogue([Problem(-1, "", _("The file is empty."))])
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        message = _("The file is not JSON in UTF-8: %(error)s.") % {"error": str(exc)}
        raise UnreadableCatalogue([Problem(-1, "", message)]) from exc
    if isinstance(document, dict):
        document = document.get("implementations")
    if not isinstance(document, list):
        message = _(
            "The file holds a list of objects, or an object with a list in implementations."
        )
        raise UnreadableCatalogue([Problem(-1, "", message)])
    return (_json_record(index, obj) for index, obj in enumerate(document))


def _json_record(index: int, obj: object) -> Record:
    record = Record(index, {}, {}, is_json=True)
    if not isinstance(obj, dict):
        record.problems.append(
            Problem(index, "", _("Each entry is an object of keys and values."), True)
        )
        return record
    for name, value in obj.items():
        key = column_key(str(name))
        if key is None:
            message = _("This key is not part of the format.")
            record.problems.append(Problem(index, str(name), message, True))
            continue
        record.columns[key] = str(name)
        if key in LISTS and isinstance(value, list):
            record.lists[key] = value
        elif (text := _json_text(value)) is None:
            message = _("Give text, a number, true/false or a list of codes.")
            record.problems.append(record.problem(key, message))
        else:
            record.values[key] = text
    return record


def _json_text(value: object) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, int | str) for v in value):
        return ",".join(str(v) for v in value)
    return None


def check_record(record: Record) -> Parsed | list[Problem]:
    """A row's own checks (no database): required values, lengths, codes, enumerations."""
    problems = list(record.problems)
    for key in REQUIRED:
        if not record.get(key) and not any(p.column == record.columns.get(key) for p in problems):
            problems.append(record.problem(key, _("This value is required.")))
    for key, limit in LENGTHS.items():
        if len(record.get(key)) > limit:
            message = _("At most %(limit)d characters.") % {"limit": limit}
            problems.append(record.problem(key, message))
    item = _item_fields(record, problems)
    implementation = _implementation_fields(record, problems)
    materials = _entry_list(record, "materials", _text_material, _json_material, problems) or []
    faq = _faq(record, problems)
    if problems:
        return problems
    return Parsed(
        record.row, item, implementation, materials, record.get("body"), record.get("region"), faq
    )


def _choice(record: Record, key: str, allowed: list[str], words: dict[str, str],
            problems: list[Problem]) -> str:  # fmt: skip
    value = record.get(key)
    value = words.get(value, value.lower() if value.isascii() else value)
    if value and value not in allowed:
        message = _("Use one of: %(choices)s.") % {"choices": ", ".join(allowed)}
        problems.append(record.problem(key, message))
    return value


def _item_fields(record: Record, problems: list[Problem]) -> dict[str, Any]:
    item_type = record.get("item_type")
    if item_type.isdigit() and len(item_type) == 1:
        item_type = item_type.zfill(2)  # Excel drops the leading zero of 01
    if item_type and item_type not in ItemType.values:
        message = _("Use a type code of A.1: %(codes)s.") % {"codes": ", ".join(ItemType.values)}
        problems.append(record.problem("item_type", message))
    return {
        "basic_code": record.get("basic_code").upper(),
        "name_zh": record.get("name_zh"),
        "name_en": record.get("name_en"),
        "item_type": item_type,
        "node": _choice(record, "node", Node.values, _NODES, problems),
        "parent_code": record.get("parent_code").upper(),
        "business_kind": _choice(record, "business_kind", BusinessKind.values, _KINDS, problems),
        "legal_basis": record.get("legal_basis"),
        "themes": _themes(record),
    }


def _themes(record: Record) -> tuple[str, ...] | None:
    """The theme codes, sorted (their order says nothing); None without the column."""
    if "themes" not in record.columns:
        return None
    return tuple(sorted(set(filter(None, _LIST_SEPARATORS.split(record.get("themes"))))))


def _implementation_fields(record: Record, problems: list[Problem]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        key: record.get(key)
        for key in ("result_name", "fee_basis", "online_url", "place", "hours", "phone",
                    "supervision_phone", "conditions", "procedure", "conditions_en",
                    "procedure_en")
    }  # fmt: skip
    fields["code"] = record.get("code")
    # Stored as GB 32100 writes it: capitals, no spaces or dashes (what the check accepted).
    fields["body_credit_code"] = uscc.compact(record.get("body_credit_code"))
    fields["level"] = _choice(record, "level", Level.values, {}, problems)
    nature = _choice(record, "body_nature", BodyNature.values, {}, problems)
    fields["body_nature"] = nature or BodyNature.STATUTORY
    fields["scope"] = _choice(record, "scope", Scope.values, _SCOPES, problems) or Scope.LOCAL
    for key in FLAGS:
        fields[key] = _flag(record, key, problems)
    fields["audiences"] = _bits(record, "audiences", AUDIENCE_CODES, problems)
    fields["handling_forms"] = _bits(record, "handling_forms", FORM_CODES, problems)
    if fields["online_url"]:
        try:
            URLValidator(schemes=["http", "https"])(fields["online_url"])
        except ValidationError:
            problems.append(record.problem("online_url", _("This is not a web address.")))
    _limits(record, fields, problems)
    return fields


def _flag(record: Record, key: str, problems: list[Problem]) -> bool:
    value = record.get(key).lower()
    if value not in _TRUE | _FALSE:
        problems.append(record.problem(key, _("Use 是 or 否 (yes or no).")))
    return value in _TRUE


def _bits(record: Record, key: str, codes: dict[str, int], problems: list[Problem]) -> int:
    bits = 0
    for code in filter(None, _LIST_SEPARATORS.split(record.get(key))):
        if code not in codes:
            message = _("%(code)s is not a code; use codes among %(codes)s.") % {
                "code": code, "codes": ", ".join(codes)
            }  # fmt: skip
            problems.append(record.problem(key, message))
            return 0
        bits |= codes[code]
    return bits


def _limits(record: Record, fields: dict[str, Any], problems: list[Problem]) -> None:
    units = TimeUnit.values
    for kind in ("statutory", "promised"):
        unit = _choice(record, f"{kind}_unit", units, _UNITS, problems)
        text = record.get(f"{kind}_limit")
        if text and not text.isdigit():
            problems.append(record.problem(f"{kind}_limit", _("Give a whole number of days.")))
        fields[f"{kind}_limit"] = int(text) if text.isdigit() else 0
        fields[f"{kind}_unit"] = unit
    if any(p.row == record.row and p.column in _limit_columns(record) for p in problems):
        return
    found = implementation_problems(
        fields["code"],
        fields["body_credit_code"],
        (fields["statutory_limit"], fields["statutory_unit"]),
        (fields["promised_limit"], fields["promised_unit"]),
    )
    problems.extend(record.problem(key, message) for key, message in found.items())


def _limit_columns(record: Record) -> set[str]:
    keys = ("statutory_limit", "statutory_unit", "promised_limit", "promised_unit", "code",
            "body_credit_code")  # fmt: skip
    return {record.columns.get(key, key) for key in keys}


def _entry_list(
    record: Record,
    key: str,
    from_text: Callable[[list[str]], _T | str],
    from_json: Callable[[object], _T | str],
    problems: list[Problem],
) -> list[_T] | None:
    """A list column (materials, FAQ): JSON's list of objects, or text with entries separated
    by ``；``, ``;`` or new lines and fields by ``|``; None when the row leaves it out. The
    parsers return an entry, or a str that says what is wrong with it."""
    if key not in record.columns:
        return None
    if key in record.lists:
        entries = [from_json(entry) for entry in record.lists[key]]
    else:
        parts = filter(str.strip, _ENTRY_SEPARATORS.split(record.get(key)))
        entries = [from_text([f.strip() for f in part.split("|")]) for part in parts]
    kept: list[_T] = []
    for number, entry in enumerate(entries, start=1):
        if isinstance(entry, str):
            message = str(LISTS[key]) % {"number": number, "problem": entry}
            problems.append(record.problem(key, message))
        else:
            kept.append(entry)
    return kept


def _text_material(parts: list[str]) -> MaterialIn | str:
    """``名称|出具机构|原件份数|复印件份数|是否必备|English name``: only the name is needed."""
    if len(parts) > 6:
        return _("use at most 6 fields: 名称|出具机构|原件份数|复印件份数|是否必备|English name.")
    return _material(*[*parts, "", "", "", "", ""][:6])


def _json_material(entry: object) -> MaterialIn | str:
    if not isinstance(entry, dict):
        return _("each material is an object.")
    values = {str(k): _json_text(v) or "" for k, v in entry.items()}
    unknown = set(values) - {"name_zh", "name_en", "issuer", "originals", "copies", "required"}
    if unknown:
        return _("unknown keys %(keys)s.") % {"keys": ", ".join(sorted(unknown))}
    keys = ("name_zh", "issuer", "originals", "copies", "required", "name_en")
    return _material(*[values.get(key, "") for key in keys])


def _material(
    name: str, issuer: str, originals: str, copies: str, required: str, name_en: str
) -> MaterialIn | str:
    if not name:
        return _("the name is missing.")
    if len(name) > 200 or len(issuer) > 200:
        return _("a name or an issuer has at most 200 characters.")
    if len(name_en) > 300:
        return _("an English name has at most 300 characters.")
    counts = []
    for value in (originals, copies):
        if value and not (value.isdigit() and int(value) <= 99):
            return _("the numbers of originals and copies are whole numbers up to 99.")
        counts.append(int(value) if value else 0)
    if required.lower() not in _TRUE | _FALSE:
        return _("whether it is required is 是 or 否.")
    needed = required.lower() in _TRUE or not required
    return MaterialIn(name, issuer, counts[0], counts[1], needed, name_en)


def _faq(record: Record, problems: list[Problem]) -> list[QuestionIn] | None:
    """JSON: a list of ``{"question", "answer"}``; text: ``question|answer`` entries."""
    faq = _entry_list(record, "faq", _text_question, _json_question, problems)
    if faq is not None and len(faq) > MAX_QUESTIONS:
        message = _("At most %(count)d questions.") % {"count": MAX_QUESTIONS}
        problems.append(record.problem("faq", message))
    return faq


def _text_question(parts: list[str]) -> QuestionIn | str:
    if len(parts) != 2 or not all(parts):
        return _("give the question and the answer, separated by |.")
    return _question(*parts)


def _json_question(entry: object) -> QuestionIn | str:
    pairs = entry.items() if isinstance(entry, dict) else []
    texts = {str(key): (_json_text(value) or "").strip() for key, value in pairs}
    if set(texts) != {"question", "answer"} or not all(texts.values()):
        return _("each question is an object with a question and an answer.")
    return _question(texts["question"], texts["answer"])


def _question(question: str, answer: str) -> QuestionIn | str:
    return question_problem(question, answer) or QuestionIn(question, answer)


@dataclass
class _SeenItem:
    fields: dict[str, Any]
    row: int
    columns: dict[str, str]
    is_json: bool
    bad: bool = False


@dataclass
class _Checks:
    """What the checking pass remembers for the writing pass."""

    items: dict[str, _SeenItem] = field(default_factory=dict)
    codes: dict[str, int] = field(default_factory=dict)
    triples: dict[tuple[str, str, str], int] = field(default_factory=dict)
    bad_rows: set[int] = field(default_factory=set)
    departments: dict[str, Department] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    themes: set[str] = field(default_factory=set)  # the stored theme codes


def import_catalogue(
    path: Path, *, valid_rows: bool = False, dry_run: bool = False, sheet: str = ""
) -> ImportResult:
    """Check the whole file, then write it (all or nothing, or only its valid rows)."""
    result = ImportResult()
    try:
        checks = _check_pass(path, sheet, result)
    except UnreadableCatalogue as exc:
        result.add(exc.problems)
        return result
    if dry_run or (result.error_count and not valid_rows):
        _count_pass(path, sheet, checks, result, write=False)
        return result
    _count_pass(path, sheet, checks, result, write=True)
    result.written = True
    return result


def _check_pass(path: Path, sheet: str, result: ImportResult) -> _Checks:
    checks = _Checks(themes=set(ServiceTheme.objects.values_list("code", flat=True)))
    for batch in batched(open_records(path, sheet), BATCH):
        parsed: list[tuple[Record, Parsed]] = []
        for record in batch:
            result.rows += 1
            outcome = check_record(record)
            if isinstance(outcome, list):
                _reject(record.row, outcome, checks, result)
            else:
                parsed.append((record, outcome))
        _check_batch(parsed, checks, result)
    _check_items(checks, result)
    result.errors.sort(key=lambda p: p.row)
    return checks


def _reject(row: int, problems: list[Problem], checks: _Checks, result: ImportResult) -> None:
    checks.bad_rows.add(row)
    result.add(problems)


def _check_batch(
    parsed: list[tuple[Record, Parsed]], checks: _Checks, result: ImportResult
) -> None:
    _load(checks, {p.body for _r, p in parsed}, {p.region for _r, p in parsed})
    stored = _stored_triples(parsed)
    for record, row in parsed:
        problems = _row_against_others(record, row, checks, stored)
        if problems:
            _reject(record.row, problems, checks, result)


def _load(checks: _Checks, bodies: set[str], regions: set[str]) -> None:
    """Departments and regions this batch names, fetched once for the whole import."""
    missing = bodies - set(checks.departments)
    for department in Department.objects.filter(short_code__in=missing):
        checks.departments[department.short_code] = department
    missing = regions - set(checks.regions)
    for region in Region.objects.filter(code__in=missing):
        checks.regions[region.code] = region


def _stored_triples(parsed: list[tuple[Record, Parsed]]) -> dict[tuple[str, str, str], str]:
    """Stored implementations of the same item, body and region under another code."""
    if not parsed:
        return {}
    from yiwang.catalogue.models import Implementation

    rows = Implementation.objects.filter(
        item__basic_code__in={p.item["basic_code"] for _r, p in parsed},
        body__short_code__in={p.body for _r, p in parsed},
        region__code__in={p.region for _r, p in parsed},
    ).exclude(code__in={p.implementation["code"] for _r, p in parsed})
    found = rows.values_list("item__basic_code", "body__short_code", "region__code", "code")
    return {(item, body, region): code for item, body, region, code in found}


def _row_against_others(
    record: Record, row: Parsed, checks: _Checks, stored: dict[tuple[str, str, str], str]
) -> list[Problem]:
    problems = []
    if row.body not in checks.departments:
        problems.append(record.problem("body", _("No department has this short code.")))
    if row.region not in checks.regions:
        problems.append(record.problem("region", _("No region has this code.")))
    code = row.implementation["code"]
    if code in checks.codes:
        message = _("This implementation code is already on row %(row)d.")
        problems.append(record.problem("code", message % {"row": checks.codes[code]}))
    triple = (row.item["basic_code"], row.body, row.region)
    if triple in checks.triples:
        message = _("Row %(row)d has this item by this body in this region already.")
        problems.append(record.problem("code", message % {"row": checks.triples[triple]}))
    elif triple in stored:
        message = _("This body already implements this item here under the code %(code)s.")
        problems.append(record.problem("code", message % {"code": stored[triple]}))
    problems.extend(_same_item(record, row, checks))
    if not problems:
        checks.codes[code] = record.row
        checks.triples[triple] = record.row
    return problems


def _same_item(record: Record, row: Parsed, checks: _Checks) -> list[Problem]:
    """Every row of one basic code describes the item the same way."""
    seen = checks.items.get(row.item["basic_code"])
    if seen is None:
        checks.items[row.item["basic_code"]] = _SeenItem(
            row.item, record.row, record.columns, record.is_json
        )
        return []
    for key in ITEM_FIELDS:
        if seen.fields[key] != row.item[key]:
            message = _("Row %(row)d describes this item differently.") % {"row": seen.row}
            return [record.problem(key, message)]
    return []


_ITEM_COLUMN = {
    "basic_code": "basic_code",
    "parent": "parent_code",
    "business_kind": "business_kind",
    "themes": "themes",
}


def _check_items(checks: _Checks, result: ImportResult) -> None:
    """The items against their parents (in the file or stored) and the stored themes; a bad
    parent spoils its children, and a bad item the rows that implement it."""
    stored = _stored_nodes(
        {s.fields["parent_code"] for s in checks.items.values()} - set(checks.items)
    )
    for node in (Node.MAIN, Node.SUB, Node.BUSINESS):
        for code, seen in checks.items.items():
            if seen.fields["node"] != node:
                continue
            found = _item_found(code, seen, checks, stored)
            if found:
                seen.bad = True
                result.add([
                    Problem(seen.row, seen.columns.get(_ITEM_COLUMN[key], _ITEM_COLUMN[key]),
                            message, seen.is_json)
                    for key, message in found.items()
                ])  # fmt: skip


def _item_found(
    code: str, seen: _SeenItem, checks: _Checks, stored: dict[str, str]
) -> dict[str, str]:
    parent_code = seen.fields["parent_code"]
    parent = checks.items.get(parent_code)
    parent_node = parent.fields["node"] if parent else stored.get(parent_code)
    found = item_problems(code, seen.fields["item_type"], seen.fields["node"], parent_node,
                          seen.fields["business_kind"])  # fmt: skip
    if parent_code and parent_node is None:
        found["parent"] = _("No item has this basic code, in the file or stored.")
    elif parent is not None and parent.bad and not found:
        found["parent"] = _("The parent item has errors (row %(row)d).") % {"row": parent.row}
    unknown = [theme for theme in seen.fields["themes"] or () if theme not in checks.themes]
    if unknown:
        found["themes"] = _("No theme has the code %(code)s.") % {"code": ", ".join(unknown)}
    return found


def _stored_nodes(codes: set[str]) -> dict[str, str]:
    nodes: dict[str, str] = {}
    for chunk in batched(sorted(codes - {""}), 500):
        nodes.update(
            ServiceItem.objects.filter(basic_code__in=chunk).values_list("basic_code", "node")
        )
    return nodes


def _count_pass(
    path: Path, sheet: str, checks: _Checks, result: ImportResult, *, write: bool
) -> None:
    """Count what changes (and write it): the items first, then the rows in batches."""
    from yiwang.catalogue.actions import (
        do_refresh_search,
        do_write_implementations,
        do_write_items,
        writing,
    )

    good_items = {code: seen.fields for code, seen in checks.items.items() if not seen.bad}
    with writing(atomic=write and result.error_count == 0, write=write):
        item_pks, created, updated = do_write_items(good_items, write=write)
        result.items_created, result.items_updated = created, updated
        for batch in batched(open_records(path, sheet), BATCH):
            rows = [
                parsed
                for record in batch
                if record.row not in checks.bad_rows
                and not isinstance(parsed := check_record(record), list)
                and parsed.item["basic_code"] in good_items
            ]
            result.valid += len(rows)
            counts = do_write_implementations(
                rows, item_pks, checks.departments, checks.regions, write=write
            )
            result.created += counts[0]
            result.updated += counts[1]
            result.unchanged += counts[2]
        if write and (
            result.items_created or result.items_updated or result.created or result.updated
        ):
            do_refresh_search(item_pks.values())
