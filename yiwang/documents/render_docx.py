"""Lay a ``Letter`` out as a .docx after GB/T 9704-2012, naming the official fonts."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION_START
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from yiwang.documents.fonts import OFFICIAL_NAMES
from yiwang.documents.letter import Face, Kind, Letter

RED = RGBColor(0xFF, 0x00, 0x00)
SIZE_2 = Pt(22)  # 二号: the title
SIZE_3 = Pt(16)  # 三号: body text
SIZE_4 = Pt(14)  # 四号: 版记 and page numbers
LINE_PITCH = Pt(28.95)  # 22 lines on the 225 mm type area
TEXT_WIDTH_MM = 156
CHAR = Pt(16)  # one character of body text, for indents

BLOCK_FACE = {Kind.HEADING: Face.HEITI, Kind.BODY: Face.FANGSONG, Kind.INSTRUCTION: Face.KAITI}


def _set_fonts(run_properties: CT_RPr, name: str) -> None:
    """Name the font for Latin and East Asian text alike (w:rFonts with w:eastAsia)."""
    fonts = run_properties.get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def _text(
    paragraph: Paragraph, text: str, face: Face, size: Pt, color: RGBColor | None = None
) -> None:
    run = paragraph.add_run(text)
    run.font.size = size
    run.font.name = OFFICIAL_NAMES[face]
    _set_fonts(run._element.get_or_add_rPr(), OFFICIAL_NAMES[face])
    if color is not None:
        run.font.color.rgb = color


def _paragraph(doc: DocxDocument, align: WD_ALIGN_PARAGRAPH | None = None) -> Paragraph:
    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    return paragraph


def _rule(paragraph: Paragraph, edge: str, color: str, eighths: int) -> None:
    """A line as wide as the type area: a paragraph border (w:pBdr), ``eighths`` of a point."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        p_pr.append(borders)
    line = OxmlElement(f"w:{edge}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(eighths))
    line.set(qn("w:space"), "1")
    line.set(qn("w:color"), color)
    borders.append(line)


def _header_size(text: str) -> Pt:
    """The issuer's name as large as 小初 (36 pt) but never wider than the type area."""
    fit = TEXT_WIDTH_MM / max(len(text), 1) * 72 / 25.4 * 0.95
    return Pt(max(16, min(36, int(fit))))


def _page(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28)  # page number 7 mm below the type area
    normal = doc.styles["Normal"]
    normal.font.name = OFFICIAL_NAMES[Face.FANGSONG]
    normal.font.size = SIZE_3
    _set_fonts(normal.element.get_or_add_rPr(), OFFICIAL_NAMES[Face.FANGSONG])
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = LINE_PITCH
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)
    _page_number(section.footer.paragraphs[0])


def _page_number(paragraph: Paragraph) -> None:
    """— 1 — in 四号, from a PAGE field so that Word numbers every page."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _text(paragraph, "— ", Face.FANGSONG, SIZE_4)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    shown = OxmlElement("w:r")
    digit = OxmlElement("w:t")
    digit.text = "1"  # what a viewer that does not update fields shows
    shown.append(digit)
    field.append(shown)
    paragraph._p.append(field)
    _text(paragraph, " —", Face.FANGSONG, SIZE_4)


def _head(doc: DocxDocument, letter: Letter) -> None:
    if letter.void_notice:
        _text(
            _paragraph(doc, WD_ALIGN_PARAGRAPH.CENTER), letter.void_notice, Face.HEITI, SIZE_3, RED
        )
    issuer = _paragraph(doc, WD_ALIGN_PARAGRAPH.CENTER)
    issuer.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _text(issuer, letter.issuer, Face.XIAOBIAOSONG, _header_size(letter.issuer), RED)
    _paragraph(doc)  # 发文字号 two lines below the issuer
    reference = _paragraph(doc, WD_ALIGN_PARAGRAPH.CENTER)
    _text(reference, letter.reference, Face.FANGSONG, SIZE_3)
    _rule(reference, "bottom", "FF0000", 12)  # the red separator, 4 mm under the number
    _paragraph(doc)
    title = _paragraph(doc, WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.line_spacing = Pt(35)
    _text(title, letter.title, Face.XIAOBIAOSONG, SIZE_2)
    _paragraph(doc)
    _text(_paragraph(doc), letter.recipient, Face.FANGSONG, SIZE_3)


def _body(doc: DocxDocument, letter: Letter) -> None:
    for block in letter.blocks:
        paragraph = _paragraph(doc, WD_ALIGN_PARAGRAPH.JUSTIFY)
        paragraph.paragraph_format.first_line_indent = CHAR * 2
        _text(paragraph, block.text, BLOCK_FACE[block.kind], SIZE_3)


def _signature(doc: DocxDocument, letter: Letter) -> None:
    _paragraph(doc)
    for text in (letter.seal_marker, letter.signature, letter.date):
        line = _paragraph(doc, WD_ALIGN_PARAGRAPH.RIGHT)
        line.paragraph_format.right_indent = CHAR * 4  # 成文日期右空四字
        _text(line, text, Face.FANGSONG, SIZE_3)


def _colophon(doc: DocxDocument, letter: Letter) -> None:
    """版记: 抄送 and 印发 between a thick first and last rule, a thin one between them."""
    _paragraph(doc)
    first = _paragraph(doc)
    _rule(first, "bottom", "000000", 8)
    if letter.copied_line():
        copied = _paragraph(doc)
        copied.paragraph_format.left_indent = copied.paragraph_format.right_indent = Pt(14)
        _text(copied, letter.copied_line(), Face.FANGSONG, SIZE_4)
        _rule(copied, "bottom", "000000", 4)
    printed_by, printed_on = letter.printed_line()
    printed = _paragraph(doc)
    printed.paragraph_format.left_indent = Pt(14)
    printed.paragraph_format.tab_stops.add_tab_stop(
        Mm(TEXT_WIDTH_MM) - Pt(28), WD_TAB_ALIGNMENT.RIGHT
    )
    _text(printed, f"{printed_by}\t{printed_on}", Face.FANGSONG, SIZE_4)
    _rule(printed, "bottom", "000000", 8)


def render_docx(letter: Letter) -> bytes:
    doc = Document()
    _page(doc)
    _head(doc, letter)
    _body(doc, letter)
    _signature(doc, letter)
    _colophon(doc, letter)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
