"""The annual report's tables as the national template lays them out, exported as .xlsx (one
sheet per table, for staff who work in Excel or WPS) and as PDF (fpdf2 with the Noto CJK font
the documents app uses). One layout serves both: rows of cells that may span columns or rows,
read left to right like an HTML table."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from fpdf import FPDF, FontFace
from fpdf.enums import Align, TableCellFillMode
from fpdf.fonts import TTFFont
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from yiwang.disclosure.annual_report import (
    ALL_COLUMNS,
    COLUMN_LABELS,
    OUTCOMES,
    TABLE3_LINES,
    AnnualTables,
    DocumentCounts,
    Outcomes,
    Table2,
    Table3,
    Table4,
)
from yiwang.documents.fonts import substitute
from yiwang.documents.letter import Face, clean_text

Value = str | int | Decimal


@dataclass(frozen=True)
class Cell:
    value: Value
    colspan: int = 1
    rowspan: int = 1
    head: bool = False  # a heading cell: shaded, centred


Row = tuple[Cell, ...]


@dataclass(frozen=True)
class Sheet:
    title: str  # the section of the national report, and the worksheet's name
    widths: tuple[int, ...]  # relative column widths
    rows: tuple[Row, ...]


def _heads(*labels: str) -> Row:
    return tuple(Cell(label, head=True) for label in labels)


# --- The three tables ------------------------------------------------------------------------


def _documents_row(label: str, counts: DocumentCounts) -> Row:
    return (Cell(label), Cell(counts.issued), Cell(counts.repealed), Cell(counts.in_force))


def _item(label: str, heading: str, rows: tuple[tuple[str, Value], ...]) -> tuple[Row, ...]:
    """A section of table 2 with one figure per row, spread over the three figure columns."""
    return (
        (Cell(label, colspan=4, head=True),),
        (Cell("信息内容", head=True), Cell(heading, colspan=3, head=True)),
        *((Cell(name), Cell(value, colspan=3)) for name, value in rows),
    )


def table2_sheet(table: Table2) -> Sheet:
    decisions = "本年处理决定数量"
    rows = (
        (Cell("第二十条第（一）项", colspan=4, head=True),),
        _heads("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
        _documents_row("规章", table.regulations),
        _documents_row("行政规范性文件", table.normative),
        *_item("第二十条第（五）项", decisions, (("行政许可", table.licensing),)),
        *_item(
            "第二十条第（六）项",
            decisions,
            (("行政处罚", table.penalties), ("行政强制", table.enforcement)),
        ),
        *_item(
            "第二十条第（八）项", "本年收费金额（单位：万元）", (("行政事业性收费", table.fees),)
        ),
    )
    return Sheet("二、主动公开政府信息情况", (40, 20, 20, 20), rows)


def table3_sheet(table: Table3) -> Sheet:
    head: tuple[Row, ...] = (
        (
            Cell(
                "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                rowspan=3,
                head=True,
            ),
            Cell("申请人情况", colspan=7, head=True),
        ),
        (
            Cell("自然人", rowspan=2, head=True),
            Cell("法人或其他组织", colspan=5, head=True),
            Cell("总计", rowspan=2, head=True),
        ),
        _heads(*(COLUMN_LABELS[column] for column in ALL_COLUMNS[1:-1])),
    )
    body = tuple(
        (Cell("\u3000" * line.level + line.label), *(Cell(table[line.key][c]) for c in ALL_COLUMNS))
        if line.key
        else (Cell("\u3000" * line.level + line.label), Cell("", colspan=len(ALL_COLUMNS)))
        for line in TABLE3_LINES
    )
    return Sheet("三、收到和处理政府信息公开申请情况", (60, *(12,) * 7), head + body)


def _outcome_values(outcomes: Outcomes) -> tuple[Cell, ...]:
    values = (*(getattr(outcomes, key) for key, _label in OUTCOMES), outcomes.total)
    return tuple(Cell(value) for value in values)


def table4_sheet(table: Table4) -> Sheet:
    outcomes = (*(label for _key, label in OUTCOMES), "总计")
    rows = (
        (Cell("行政复议", colspan=5, head=True), Cell("行政诉讼", colspan=10, head=True)),
        (
            *(Cell(label, rowspan=2, head=True) for label in outcomes),
            Cell("未经复议直接起诉", colspan=5, head=True),
            Cell("复议后起诉", colspan=5, head=True),
        ),
        _heads(*outcomes, *outcomes),
        (
            *_outcome_values(table.review),
            *_outcome_values(table.lawsuit_direct),
            *_outcome_values(table.lawsuit_after_review),
        ),
    )
    return Sheet("四、政府信息公开行政复议、行政诉讼情况", (10,) * 15, rows)


def sheets(tables: AnnualTables) -> tuple[Sheet, ...]:
    return (
        table2_sheet(tables.table2),
        table3_sheet(tables.table3),
        table4_sheet(tables.table4),
    )


def report_title(body_name: str, year: int, final: bool) -> str:
    title = f"{clean_text(body_name)}{year}年政府信息公开工作年度报告"
    return title if final else f"{title}（草稿）"


# --- XLSX --------------------------------------------------------------------------------------

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
SHADE = PatternFill("solid", fgColor="E7E6E6")
FIRST_ROW = 3  # under the report's title and the section's


def placed(sheet: Sheet) -> list[tuple[int, int, Cell]]:
    """(row, column, cell) from 0, each cell placed at the first column that an earlier
    row's span does not already hold."""
    taken: set[tuple[int, int]] = set()
    placed_cells: list[tuple[int, int, Cell]] = []
    for r, row in enumerate(sheet.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed_cells.append((r, c, cell))
            taken |= {(r + dr, c + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan)}
            c += cell.colspan
    return placed_cells


def _write_sheet(ws: Worksheet, sheet: Sheet, title: str) -> None:
    ws["A1"], ws["A2"] = title, sheet.title
    ws["A1"].font, ws["A2"].font = Font(bold=True, size=14), Font(bold=True)
    for r, c, cell in placed(sheet):
        row, column = FIRST_ROW + r, 1 + c
        target = ws.cell(row=row, column=column, value=cell.value)
        target.border = BOX
        target.alignment = Alignment(wrap_text=True, vertical="center")
        if cell.head:
            target.fill, target.alignment = SHADE, Alignment(wrap_text=True, horizontal="center")
        if isinstance(cell.value, Decimal):
            target.number_format = "0.00##"
        if cell.rowspan > 1 or cell.colspan > 1:
            ws.merge_cells(
                start_row=row,
                start_column=column,
                end_row=row + cell.rowspan - 1,
                end_column=column + cell.colspan - 1,
            )
    for index, width in enumerate(sheet.widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def report_xlsx(tables: AnnualTables, title: str) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    workbook.properties.title = title
    for sheet in sheets(tables):
        _write_sheet(workbook.create_sheet(sheet.title), sheet, title)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- PDF ---------------------------------------------------------------------------------------

FACE = Face.HEITI  # a sans face reads best in small table cells
MISSING = "□"
TEXT_SIZE, TITLE_SIZE, SECTION_SIZE = 8.0, 15.0, 11.0


def _new_pdf(title: str) -> FPDF:
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, 15)
    pdf.set_title(title)
    pdf.set_creator("yiwang")
    font = substitute(FACE)
    pdf.add_font(FACE.value, "", str(font.path), collection_font_number=font.index)
    pdf.add_page()
    return pdf


def _printable(pdf: FPDF, text: str) -> str:
    """A character the font lacks prints as □ rather than vanish."""
    font = pdf.fonts[FACE.value]
    cmap = font.cmap if isinstance(font, TTFFont) else {}
    return "".join(c if ord(c) in cmap or c in "\n " else MISSING for c in text)


def _line(pdf: FPDF, text: str, size: float, align: Align = Align.L) -> None:
    pdf.set_font(FACE.value, size=size)
    pdf.multi_cell(0, size * 0.6, _printable(pdf, text), align=align)
    pdf.set_xy(pdf.l_margin, pdf.get_y() + 2)


def _text(value: Value) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _pdf_table(pdf: FPDF, sheet: Sheet) -> None:
    shaded = FontFace(fill_color=(231, 230, 230))
    pdf.set_font(FACE.value, size=TEXT_SIZE)
    with pdf.table(
        col_widths=sheet.widths,
        first_row_as_headings=False,
        line_height=TEXT_SIZE * 0.55,
        text_align=Align.C,
        cell_fill_mode=TableCellFillMode.NONE,
    ) as table:
        for cells in sheet.rows:
            row = table.row()
            for cell in cells:
                align = Align.L if isinstance(cell.value, str) and not cell.head else Align.C
                row.cell(
                    _printable(pdf, _text(cell.value)),
                    colspan=cell.colspan,
                    rowspan=cell.rowspan,
                    align=align,
                    style=shaded if cell.head else None,
                )


def report_pdf(tables: AnnualTables, title: str) -> bytes:
    pdf = _new_pdf(title)
    _line(pdf, title, TITLE_SIZE, Align.C)
    for index, sheet in enumerate(sheets(tables)):
        if index:
            pdf.add_page()
        _line(pdf, sheet.title, SECTION_SIZE)
        _pdf_table(pdf, sheet)
        pdf.set_xy(pdf.l_margin, pdf.get_y() + 4)
    return bytes(pdf.output())
