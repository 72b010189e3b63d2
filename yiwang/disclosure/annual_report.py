"""The annual report on government information disclosure (政府信息公开工作年度报告) of one
body for one year: tables 2, 3 and 4 of the national template (国办公开办函〔2021〕30号), from
our data where we have it and from figures staff enter where we do not. Labels are the
template's own Chinese wording: the report is filed and published in Chinese.

Table 2 (主动公开政府信息情况)
    第二十条第（一）项, from our information of category ``rules`` (Art. 20 (1)): 规章 are those
    of kind ``regulation``, 行政规范性文件 all others. Issued (本年制发) = published in the
    year; repealed (本年废止) = ``repealed_on`` in the year; in force (现行有效) = published by
    the year's end and at its end neither repealed, expired (``valid_until``) nor withdrawn.
    Licensing, penalty and enforcement decisions and the fees (万元) are entered by staff.

Table 3 (收到和处理政府信息公开申请情况), columns the six applicant kinds and 总计
    new (本年新收) = received in the year; carried over (上年结转) = received before it and not
    concluded before it; carried forward (结转下年度) = received by the year's end and not
    concluded by it; results = requests concluded in the year. A request is concluded when it
    is answered (``answered_on``) or lapses for want of a correction (the day after the day
    the correction was due, Art. 30). Results by our answer (``RESULT_OF_REPLY``):

    ====================================  =============================================
    already public (Art. 36 (1))          （一）予以公开 (the applicant is told where)
    disclosed (36 (2))                    （一）予以公开, or （二）部分公开 when partial
    not disclosed (36 (3))                （三）不予公开 1. 属于国家秘密 — staff split
    does not exist (36 (4))               （四）无法提供 1. 本机关不掌握相关政府信息
    not this body's (36 (5))              （四）无法提供 1. 本机关不掌握相关政府信息
    repeated request (36 (6))             （五）不予处理 2. 重复申请
    its own legal route (36 (7))          （六）其他处理 3. 其他
    lapsed, no correction (Art. 30)       （六）其他处理 1. 逾期不补正
    ====================================  =============================================

    Our answers do not say which of the eight reasons a refusal rests on, nor whether
    "cannot provide" means not held, to be made anew or still unclear, nor the other grounds
    for not handling a request (petitions, publications, mass requests, confirmations): those
    requests sit in the first sub-row of their group (or the row named above) and staff move
    them between result rows by hand. Such edits keep each column's total of results: new,
    carried over and carried forward come from the data, and the report must balance
    (new + carried over = total of results + carried forward, per column).

Table 4 (政府信息公开行政复议、行政诉讼情况) is entered by staff: review, lawsuits filed
directly, lawsuits after review, each upheld / corrected / other / pending, with the total.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.disclosure.models import (
    AnnualReport,
    Category,
    EventKind,
    InfoKind,
    Information,
    InformationEvent,
    InformationRequest,
    ReplyType,
    ReportState,
    RequestState,
)
from yiwang.orgs.models import Department

Figure = int | Decimal


class ReportError(ValueError):
    """A report that cannot be saved as it is; ``field`` names the figure at fault, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


# --- The national tables' rows and columns -----------------------------------------------------

COLUMNS: tuple[tuple[str, str], ...] = (  # the applicant kinds (models.ApplicantKind) in order
    ("person", "自然人"),
    ("business", "商业企业"),
    ("research", "科研机构"),
    ("nonprofit", "社会公益组织"),
    ("legal", "法律服务机构"),
    ("other", "其他"),
)
TOTAL = "total"
APPLICANTS = tuple(key for key, _label in COLUMNS)
ALL_COLUMNS = (*APPLICANTS, TOTAL)
COLUMN_LABELS = dict(COLUMNS) | {TOTAL: "总计"}


@dataclass(frozen=True)
class Line:
    """A line of table 3: ``key`` is empty for a heading without figures; a ``result`` line
    is one staff may fill by hand."""

    key: str
    label: str
    result: bool = False
    level: int = 0  # indentation: 0 the numbered items, 1 their rows, 2 sub-rows


def _results(*lines: tuple[str, str]) -> tuple[Line, ...]:
    return tuple(Line(key, label, result=True, level=2) for key, label in lines)


TABLE3_LINES: tuple[Line, ...] = (
    Line("new", "一、本年新收政府信息公开申请数量"),
    Line("carried_over", "二、上年结转政府信息公开申请数量"),
    Line("", "三、本年度办理结果"),
    Line("disclosed", "（一）予以公开", result=True, level=1),
    Line(
        "partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", result=True, level=1
    ),
    Line("", "（三）不予公开", level=1),
    *_results(
        ("withheld_secret", "1.属于国家秘密"),
        ("withheld_law", "2.其他法律行政法规禁止公开"),
        ("withheld_safety", "3.危及“三安全一稳定”"),
        ("withheld_third_party", "4.保护第三方合法权益"),
        ("withheld_internal", "5.属于三类内部事务信息"),
        ("withheld_process", "6.属于四类过程性信息"),
        ("withheld_enforcement", "7.属于行政执法案卷"),
        ("withheld_inquiry", "8.属于行政查询事项"),
    ),
    Line("", "（四）无法提供", level=1),
    *_results(
        ("unavailable_not_held", "1.本机关不掌握相关政府信息"),
        ("unavailable_to_be_made", "2.没有现成信息需要另行制作"),
        ("unavailable_unclear", "3.补正后申请内容仍不明确"),
    ),
    Line("", "（五）不予处理", level=1),
    *_results(
        ("not_handled_petition", "1.信访举报投诉类申请"),
        ("not_handled_repeated", "2.重复申请"),
        ("not_handled_publication", "3.要求提供公开出版物"),
        ("not_handled_mass", "4.无正当理由大量反复申请"),
        ("not_handled_confirmation", "5.要求行政机关确认或重新出具已获取信息"),
    ),
    Line("", "（六）其他处理", level=1),
    *_results(
        (
            "other_no_correction",
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ),
        (
            "other_unpaid",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ),
        ("other_other", "3.其他"),
    ),
    Line("results_total", "（七）总计", level=1),
    Line("carried_forward", "四、结转下年度继续办理"),
)
RESULT_ROWS = tuple(line.key for line in TABLE3_LINES if line.result)
TABLE3_ROWS = tuple(line.key for line in TABLE3_LINES if line.key)
ROW_LABELS = {line.key: line.label for line in TABLE3_LINES if line.key}

RESULT_OF_REPLY: dict[str, str] = {
    ReplyType.ALREADY_PUBLIC: "disclosed",
    ReplyType.DISCLOSED: "disclosed",
    ReplyType.NOT_DISCLOSED: "withheld_secret",  # the reason's sub-row is split by hand
    ReplyType.DOES_NOT_EXIST: "unavailable_not_held",
    ReplyType.OTHER_BODY: "unavailable_not_held",
    ReplyType.REPEATED: "not_handled_repeated",
    ReplyType.OTHER_ROUTE: "other_other",
}
LAPSED_ROW = "other_no_correction"

OUTCOMES: tuple[tuple[str, str], ...] = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
)
GROUPS: tuple[tuple[str, str], ...] = (
    ("review", "行政复议"),
    ("lawsuit_direct", "行政诉讼（未经复议直接起诉）"),
    ("lawsuit_after_review", "行政诉讼（复议后起诉）"),
)

# Rules and normative documents issued before the platform, which our data cannot count:
# staff enter how many of them were repealed in the year and how many are still in force, and
# table 2 adds them to what our information counts.
EARLIER_DOCUMENTS: tuple[tuple[str, str], ...] = (
    ("regulations_earlier_repealed", "规章：本年废止件数中，本平台以外的（平台启用前制发）"),
    ("regulations_earlier_in_force", "规章：现行有效件数中，本平台以外的（平台启用前制发）"),
    ("normative_earlier_repealed", "行政规范性文件：本年废止件数中，本平台以外的"),
    ("normative_earlier_in_force", "行政规范性文件：现行有效件数中，本平台以外的"),
)
# The figures staff enter, in the page's order; table 2's are labelled as the template does.
TABLE2_ENTERED: tuple[tuple[str, str], ...] = (
    *EARLIER_DOCUMENTS,
    ("licensing", "行政许可：本年处理决定数量"),
    ("penalties", "行政处罚：本年处理决定数量"),
    ("enforcement", "行政强制：本年处理决定数量"),
    ("fees", "行政事业性收费：本年收费金额（单位：万元）"),
)
FEES_KEY = "t2.fees"
FIGURE_LABELS: dict[str, str] = {
    **{f"t2.{key}": label for key, label in TABLE2_ENTERED},
    **{
        f"t3.{row}.{column}": f"{ROW_LABELS[row]}：{COLUMN_LABELS[column]}"
        for row in RESULT_ROWS
        for column in APPLICANTS
    },
    **{
        f"t4.{group}.{outcome}": f"{group_label}：{outcome_label}"
        for group, group_label in GROUPS
        for outcome, outcome_label in OUTCOMES
    },
}
FIGURE_KEYS = tuple(FIGURE_LABELS)
MAX_COUNT = 999_999_999
MAX_FEES = Decimal("9999999999.9999")
FIRST_YEAR = 2008  # the first Regulations took effect on 1 May 2008


# --- The tables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentCounts:
    issued: int  # 本年制发件数
    repealed: int  # 本年废止件数
    in_force: int  # 现行有效件数


@dataclass(frozen=True)
class Table2:
    regulations: DocumentCounts  # 规章
    normative: DocumentCounts  # 行政规范性文件
    licensing: int  # 行政许可, decisions in the year
    penalties: int  # 行政处罚
    enforcement: int  # 行政强制
    fees: Decimal  # 行政事业性收费, 万元
    # Of ``regulations`` and ``normative``: those issued before the platform (entered).
    regulations_earlier_repealed: int = 0
    regulations_earlier_in_force: int = 0
    normative_earlier_repealed: int = 0
    normative_earlier_in_force: int = 0


@dataclass(frozen=True)
class Table3:
    """Figures by row (``TABLE3_ROWS``) and column (``ALL_COLUMNS``), totals included."""

    cells: dict[str, dict[str, int]]

    @classmethod
    def with_totals(cls, counts: Mapping[str, Mapping[str, int]]) -> Table3:
        """The table from the applicant columns of ``new``, ``carried_over``, the results and
        ``carried_forward``: the total column and the total of results added."""
        cells = {row: {column: counts[row][column] for column in APPLICANTS} for row in counts}
        cells["results_total"] = {
            column: sum(cells[row][column] for row in RESULT_ROWS) for column in APPLICANTS
        }
        for row in cells.values():
            row[TOTAL] = sum(row[column] for column in APPLICANTS)
        return cls({row: cells[row] for row in TABLE3_ROWS})

    def __getitem__(self, row: str) -> dict[str, int]:
        return self.cells[row]


@dataclass(frozen=True)
class Outcomes:
    upheld: int  # 结果维持
    corrected: int  # 结果纠正
    other: int  # 其他结果
    pending: int  # 尚未审结
    total: int  # 总计

    @classmethod
    def of(cls, upheld: int, corrected: int, other: int, pending: int) -> Outcomes:
        return cls(upheld, corrected, other, pending, upheld + corrected + other + pending)


@dataclass(frozen=True)
class Table4:
    review: Outcomes  # 行政复议
    lawsuit_direct: Outcomes  # 行政诉讼, 未经复议直接起诉
    lawsuit_after_review: Outcomes  # 行政诉讼, 复议后起诉


@dataclass(frozen=True)
class AnnualTables:
    table2: Table2
    table3: Table3
    table4: Table4

    def as_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["table2"]["fees"] = str(self.table2.fees)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AnnualTables:
        two, four = data["table2"], data["table4"]
        return cls(
            table2=Table2(
                regulations=DocumentCounts(**two["regulations"]),
                normative=DocumentCounts(**two["normative"]),
                licensing=two["licensing"],
                penalties=two["penalties"],
                enforcement=two["enforcement"],
                fees=Decimal(two["fees"]),
                # Reports made final before these figures existed have none.
                **{key: two.get(key, 0) for key, _label in EARLIER_DOCUMENTS},
            ),
            table3=Table3(data["table3"]["cells"]),
            table4=Table4(**{group: Outcomes(**four[group]) for group, _label in GROUPS}),
        )


# --- From the data -----------------------------------------------------------------------------


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The year's first instant and the next year's, in the site's time zone."""
    return (
        timezone.make_aware(dt.datetime(year, 1, 1)),
        timezone.make_aware(dt.datetime(year + 1, 1, 1)),
    )


DOCUMENT_KINDS = {
    "regulations": Q(kind=InfoKind.REGULATION),
    "normative": ~Q(kind=InfoKind.REGULATION),
}


def _document_conditions(year: int) -> dict[str, Q]:
    """Issued, repealed and in force in ``year``, on rules annotated ``withdrawn_by_end``."""
    start, end = year_bounds(year)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return {
        "issued": Q(published_at__gte=start, published_at__lt=end),
        "repealed": Q(repealed_on__gte=first, repealed_on__lte=last),
        "in_force": Q(published_at__lt=end, withdrawn_by_end=False)
        & (Q(repealed_on__isnull=True) | Q(repealed_on__gt=last))
        & (Q(valid_until__isnull=True) | Q(valid_until__gte=last)),
    }


def document_counts(body: Department, year: int) -> tuple[DocumentCounts, DocumentCounts]:
    """规章 and 行政规范性文件 issued, repealed and in force (table 2, Art. 20 (1)): one query."""
    withdrawn = InformationEvent.objects.filter(
        information=OuterRef("pk"), kind=EventKind.WITHDRAWN, at__lt=year_bounds(year)[1]
    )
    rules = Information.objects.filter(
        body=body, category=Category.RULES, published_at__isnull=False
    ).annotate(withdrawn_by_end=Exists(withdrawn))
    conditions = _document_conditions(year)
    figures = rules.aggregate(
        **{
            f"{group}_{name}": Count("pk", filter=kind & condition)
            for group, kind in DOCUMENT_KINDS.items()
            for name, condition in conditions.items()
        }
    )
    regulations, normative = (
        DocumentCounts(**{name: figures[f"{group}_{name}"] for name in conditions})
        for group in DOCUMENT_KINDS
    )
    return regulations, normative


def _relevant_requests(
    body: Department, first: dt.date, last: dt.date
) -> QuerySet[InformationRequest]:
    """Requests received by the year's end and not concluded before it began."""
    return (
        InformationRequest.objects.filter(body=body, received_on__lte=last)
        .exclude(state=RequestState.ANSWERED, answered_on__lt=first)
        .exclude(state=RequestState.LAPSED, correction_due__lt=first - dt.timedelta(days=1))
    )


def _concluded(
    state: str, answered_on: dt.date | None, correction_due: dt.date | None
) -> dt.date | None:
    """The day a request was concluded: answered, or lapsed the day after its correction was
    due (Art. 30); None while it is open."""
    if state == RequestState.ANSWERED:
        return answered_on
    if state == RequestState.LAPSED and correction_due is not None:
        return correction_due + dt.timedelta(days=1)
    return None


REQUEST_FIELDS = (
    "applicant_kind",
    "received_on",
    "state",
    "answered_on",
    "correction_due",
    "reply_type",
    "partial",
)


def request_counts(body: Department, year: int) -> dict[str, dict[str, int]]:
    """Table 3's applicant columns from the requests: every row, totals left out."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    counts = {row: dict.fromkeys(APPLICANTS, 0) for row in TABLE3_ROWS if row != "results_total"}
    rows = _relevant_requests(body, first, last).values_list(*REQUEST_FIELDS)
    for kind, received, state, answered, due, reply, partial in rows:
        concluded = _concluded(state, answered, due)
        if concluded is not None and concluded < first:
            continue
        column = kind if kind in APPLICANTS else "other"
        counts["new" if received >= first else "carried_over"][column] += 1
        if concluded is not None and concluded <= last:
            counts[_result_row(state, reply, partial)][column] += 1
        else:
            counts["carried_forward"][column] += 1
    return counts


def _result_row(state: str, reply_type: str, partial: bool) -> str:
    if state == RequestState.LAPSED:
        return LAPSED_ROW
    if reply_type == ReplyType.DISCLOSED and partial:
        return "partial"
    return RESULT_OF_REPLY.get(reply_type, "other_other")


# --- With the figures entered ------------------------------------------------------------------


def _count(figures: Mapping[str, Any], key: str) -> int:
    return int(figures.get(key, 0))


def table2(body: Department, year: int, figures: Mapping[str, Any]) -> Table2:
    """Our counts, with the documents issued before the platform added (entered)."""
    ours = document_counts(body, year)
    earlier = {key: _count(figures, f"t2.{key}") for key, _label in EARLIER_DOCUMENTS}
    regulations, normative = (
        DocumentCounts(
            issued=counts.issued,
            repealed=counts.repealed + earlier[f"{group}_earlier_repealed"],
            in_force=counts.in_force + earlier[f"{group}_earlier_in_force"],
        )
        for group, counts in zip(("regulations", "normative"), ours, strict=True)
    )
    return Table2(
        **earlier,
        regulations=regulations,
        normative=normative,
        licensing=_count(figures, "t2.licensing"),
        penalties=_count(figures, "t2.penalties"),
        enforcement=_count(figures, "t2.enforcement"),
        fees=Decimal(str(figures.get(FEES_KEY, "0"))),
    )


def table3(counts: Mapping[str, Mapping[str, int]], figures: Mapping[str, Any]) -> Table3:
    """The requests' counts with the results staff split by hand put in their place."""
    edited = {row: dict(columns) for row, columns in counts.items()}
    for row in RESULT_ROWS:
        for column in APPLICANTS:
            key = f"t3.{row}.{column}"
            if key in figures:
                edited[row][column] = int(figures[key])
    return Table3.with_totals(edited)


def table4(figures: Mapping[str, Any]) -> Table4:
    groups = {
        group: Outcomes.of(*(_count(figures, f"t4.{group}.{outcome}") for outcome, _l in OUTCOMES))
        for group, _label in GROUPS
    }
    return Table4(**groups)


def compute_tables(body: Department, year: int, figures: Mapping[str, Any]) -> AnnualTables:
    return AnnualTables(
        table2=table2(body, year, figures),
        table3=table3(request_counts(body, year), figures),
        table4=table4(figures),
    )


def report_of(body: Department, year: int) -> AnnualReport | None:
    return AnnualReport.objects.filter(body=body, year=year).first()


def report_tables(body: Department, year: int, report: AnnualReport | None) -> AnnualTables:
    """The tables as a final report froze them, or as the data and the figures make them now."""
    if report is not None and report.state == ReportState.FINAL:
        return AnnualTables.from_json(report.tables)
    return compute_tables(body, year, report.figures if report is not None else {})


def entered_figures(tables: AnnualTables) -> dict[str, Figure]:
    """The figures staff may enter, as the tables show them now (the form's starting values)."""
    two, three, four = tables.table2, tables.table3, tables.table4
    values: dict[str, Figure] = {f"t2.{key}": getattr(two, key) for key, _label in TABLE2_ENTERED}
    for row in RESULT_ROWS:
        values |= {f"t3.{row}.{column}": three[row][column] for column in APPLICANTS}
    for group, _label in GROUPS:
        outcomes = getattr(four, group)
        values |= {f"t4.{group}.{key}": getattr(outcomes, key) for key, _l in OUTCOMES}
    return values


# --- Checks ------------------------------------------------------------------------------------


def check_balance(table: Table3) -> None:
    """No negative figure, totals that are the sums of their parts, and in every column
    new + carried over = total of results + carried forward; the first failure is named."""
    _check_not_negative(table)
    _check_totals(table)
    for column in ALL_COLUMNS:
        new, over = table["new"][column], table["carried_over"][column]
        results, forward = table["results_total"][column], table["carried_forward"][column]
        if new + over != results + forward:
            message = _(
                "Table 3 does not balance for %(column)s: %(new)d + %(over)d ≠ %(results)d + "
                "%(forward)d (new requests and those carried over must equal the total of "
                "results and those carried forward)."
            )
            values = {"new": new, "over": over, "results": results, "forward": forward}
            raise ReportError(message % ({"column": COLUMN_LABELS[column]} | values))


def _check_not_negative(table: Table3) -> None:
    for row in TABLE3_ROWS:
        for column in ALL_COLUMNS:
            if table[row][column] < 0:
                field = f"t3.{row}.{column}" if f"t3.{row}.{column}" in FIGURE_LABELS else None
                names = {"row": ROW_LABELS[row], "column": COLUMN_LABELS[column]}
                raise ReportError(
                    _("Table 3 has a negative figure in %(row)s, %(column)s.") % names, field
                )


def _check_totals(table: Table3) -> None:
    message = _(
        "In table 3, %(row)s for %(column)s is %(total)d, not the sum of its parts, %(sum)d."
    )
    sums = [(row, TOTAL, sum(table[row][c] for c in APPLICANTS)) for row in TABLE3_ROWS]
    sums += [("results_total", c, sum(table[r][c] for r in RESULT_ROWS)) for c in ALL_COLUMNS]
    for row, column, parts in sums:
        if table[row][column] != parts:
            names = {"row": ROW_LABELS[row], "column": COLUMN_LABELS[column]}
            raise ReportError(message % (names | {"total": table[row][column], "sum": parts}))


WHOLE = re.compile(r"-?\d{1,12}")
AMOUNT = re.compile(r"-?\d{1,12}(?:\.\d{1,4})?")


def parse_figures(raw: Mapping[str, object]) -> dict[str, int | str]:
    """Entered figures checked one by one: known, whole numbers of 0 or more (the fees an
    amount in 万元 to four places, kept as text); the first bad one is named."""
    parsed: dict[str, int | str] = {}
    for key, value in raw.items():
        if key not in FIGURE_LABELS:
            names = {"key": str(key)[:60]}
            raise ReportError(_("The report has no figure called “%(key)s”.") % names, str(key))
        parsed[key] = _amount(key, value) if key == FEES_KEY else _whole(key, value)
    return parsed


def _whole(key: str, value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and WHOLE.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        raise ReportError(_("Enter a whole number."), key)
    _check_range(key, number, MAX_COUNT)
    return number


def _amount(key: str, value: object) -> str:
    if isinstance(value, Decimal) and value.is_finite():
        amount = value
    elif isinstance(value, int) and not isinstance(value, bool):
        amount = Decimal(value)
    elif isinstance(value, str) and AMOUNT.fullmatch(value.strip()):
        amount = Decimal(value.strip())
    else:
        raise ReportError(_("Enter an amount in 万元 with at most four decimal places."), key)
    _check_range(key, amount, MAX_FEES)
    if amount != amount.quantize(Decimal("0.0001")):
        raise ReportError(_("Enter an amount in 万元 with at most four decimal places."), key)
    return str(amount)


def _check_range(key: str, value: Figure, most: Figure) -> None:
    if value < 0:
        raise ReportError(_("A figure cannot be negative."), key)
    if value > most:
        raise ReportError(_("This figure is too large."), key)


def check_year(year: int, today: dt.date) -> None:
    if not FIRST_YEAR <= year <= today.year:
        raise ReportError(_("There is no annual report for %(year)s.") % {"year": year})


def check_can_edit_report(user: User, body: Department) -> None:
    if not user.has_perm("accounts.handle_disclosure") or user.department_id != body.pk:
        raise PermissionError(_("Only the body's disclosure office can edit its annual report."))


def check_can_finalise_report(user: User, body: Department) -> None:
    if not user.has_perm("accounts.approve_disclosure") or user.department_id != body.pk:
        raise PermissionError(
            _("Only the head of the body's disclosure office can make its annual report final.")
        )


# --- Writes ------------------------------------------------------------------------------------


def do_save_report(
    user: User, body: Department, year: int, figures: Mapping[str, object]
) -> AnnualReport:
    """Save the figures entered (all or some of them) into the year's draft. Refused, with
    nothing saved, when a figure is bad or table 3 would not balance with them."""
    check_can_edit_report(user, body)
    check_year(year, timezone.localdate())
    entered = parse_figures(figures)
    with transaction.atomic():
        report = _locked_report(body, year, user)
        counts = request_counts(body, year)
        merged = _merged(report.figures, entered, counts)
        check_balance(table3(counts, merged))
        report.figures, report.updated_by, report.updated_at = merged, user, timezone.now()
        report.save(update_fields=["figures", "updated_by", "updated_at"])
    return report


def _merged(
    stored: Mapping[str, Any], entered: Mapping[str, Any], counts: Mapping[str, Mapping[str, int]]
) -> dict[str, Any]:
    """The figures to keep: table 3's cells only where they differ from the data, so the
    cells nobody moved follow requests answered later."""
    merged = {key: value for key, value in {**stored, **entered}.items() if key in FIGURE_LABELS}
    for key in [key for key in merged if key.startswith("t3.")]:
        _table, row, column = key.split(".")
        if merged[key] == counts[row][column]:
            del merged[key]
    return merged


def do_finalise_report(user: User, body: Department, year: int) -> AnnualReport:
    """Make the year's report final: the tables are kept as they are now, and locked."""
    check_can_finalise_report(user, body)
    today = timezone.localdate()
    check_year(year, today)
    if year >= today.year:
        raise ReportError(_("A year's report can be made final only after the year has ended."))
    with transaction.atomic():
        report = _locked_report(body, year, user)
        tables = compute_tables(body, year, report.figures)
        check_balance(tables.table3)
        now = timezone.now()
        report.state, report.tables = ReportState.FINAL, tables.as_json()
        report.finalised_by, report.finalised_at = user, now
        report.updated_by, report.updated_at = user, now
        report.save()
    return report


MAX_REOPEN_REASON = 500


def do_reopen_report(user: User, body: Department, year: int, reason: str) -> AnnualReport:
    """Reopen a final report to correct it (the head, with the reason): it becomes a draft
    again with the figures it had, and its final tables, who made them final and when, and
    who reopened it, when and why, are kept in ``earlier``. Made final again, it is the
    corrected report that must be published."""
    check_can_finalise_report(user, body)
    reason = reason.strip()
    if not reason:
        raise ReportError(_("Say why the final report is reopened."), "reason")
    if len(reason) > MAX_REOPEN_REASON:
        raise ReportError(_("The reason is too long."), "reason")
    with transaction.atomic():
        # Locked: a save or a second reopening waits until this one is done.
        report = AnnualReport.objects.select_for_update().filter(body=body, year=year).first()
        if report is None or report.state != ReportState.FINAL:
            raise ReportError(_("Only a final report can be reopened."))
        now = timezone.now()
        report.earlier = [
            *report.earlier,
            {
                "tables": report.tables,
                "finalised_by": report.finalised_by_id,
                "finalised_at": report.finalised_at.isoformat() if report.finalised_at else None,
                "reopened_by": user.pk,
                "reopened_at": now.isoformat(),
                "reason": reason,
            },
        ]
        report.state, report.tables = ReportState.DRAFT, {}
        report.finalised_by, report.finalised_at = None, None
        report.updated_by, report.updated_at = user, now
        report.save()
    return report


def _locked_report(body: Department, year: int, user: User) -> AnnualReport:
    now = timezone.now()
    defaults = {"created_by": user, "created_at": now, "updated_by": user, "updated_at": now}
    AnnualReport.objects.get_or_create(body=body, year=year, defaults=defaults)
    # Locked: two officers saving at once would each merge into the figures they read (the
    # later dropping the earlier's edits), and a save could slip in after the head's finalising.
    report = AnnualReport.objects.select_for_update().get(body=body, year=year)
    if report.state != ReportState.DRAFT:
        raise ReportError(_("This report is final and can no longer be changed."))
    return report


def years_of(body: Department, today: dt.date) -> Iterator[tuple[int, AnnualReport | None]]:
    """The body's reports, newest first, with last year's always among them."""
    reports = {report.year: report for report in AnnualReport.objects.filter(body=body)}
    for year in sorted({today.year - 1, *reports}, reverse=True):
        yield year, reports.get(year)
