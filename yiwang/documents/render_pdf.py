"""Lay a ``Letter`` out as a PDF after GB/T 9704-2012, with free substitutes for the fonts.

fpdf2 reads the Noto CJK OpenType (CFF) collections, which reportlab cannot; the fonts are
embedded as subsets. A character a font lacks (an emoji, say) prints as □ rather than vanish.
"""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos
from fpdf.fonts import TTFFont

from yiwang.documents.fonts import substitute
from yiwang.documents.letter import Face, Kind, Letter

PAGE_W, PAGE_H = 210.0, 297.0
TOP, BOTTOM, LEFT, RIGHT = 37.0, 35.0, 28.0, 26.0  # 版心 156 × 225 mm
TEXT_W = PAGE_W - LEFT - RIGHT
LINE = 225.0 / 22  # 22 lines a page
SIZE_2, SIZE_3, SIZE_4 = 22.0, 16.0, 14.0  # 二号, 三号, 四号 in points
PT = 25.4 / 72
RED = (255, 0, 0)
MISSING = "□"

BLOCK_FACE = {Kind.HEADING: Face.HEITI, Kind.BODY: Face.FANGSONG, Kind.INSTRUCTION: Face.KAITI}


class _Pdf(FPDF):
    def footer(self) -> None:
        """— n — in 四号, 7 mm under the type area; odd pages right, even pages left."""
        self.set_y(PAGE_H - BOTTOM + 7)
        self.set_font(Face.FANGSONG.value, size=SIZE_4)
        align = Align.R if self.page_no() % 2 else Align.L
        self.set_x(LEFT + SIZE_4 * PT)
        self.cell(TEXT_W - 2 * SIZE_4 * PT, LINE / 2, f"— {self.page_no()} —", align=align)


def _new_pdf(letter: Letter) -> _Pdf:
    pdf = _Pdf(unit="mm", format="A4")
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.set_auto_page_break(True, BOTTOM)
    pdf.set_title(f"{letter.reference} {letter.title}")
    pdf.set_creator("yiwang")
    for face in Face:
        font = substitute(face)
        pdf.add_font(face.value, "", str(font.path), collection_font_number=font.index)
    pdf.add_page()
    return pdf


def _printable(pdf: FPDF, face: Face, text: str) -> str:
    """Characters the substitute font lacks become □ (and no glyph goes missing silently)."""
    font = pdf.fonts[face.value]
    cmap = font.cmap if isinstance(font, TTFFont) else {}
    return "".join(c if ord(c) in cmap or c in "\n " else MISSING for c in text)


def _write(
    pdf: FPDF,
    text: str,
    face: Face,
    size: float,
    align: Align = Align.L,
    color: tuple[int, int, int] = (0, 0, 0),
    height: float = LINE,
) -> None:
    pdf.set_font(face.value, size=size)
    pdf.set_text_color(*color)
    pdf.multi_cell(
        0,
        height,
        _printable(pdf, face, text),
        align=align,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
        wrapmode=WrapMode.CHAR,
    )
    pdf.set_text_color(0, 0, 0)


def _header_size(text: str) -> float:
    """The issuer's name as large as 小初 (36 pt) but never wider than the type area."""
    return max(16.0, min(36.0, TEXT_W / max(len(text), 1) / PT * 0.95))


def _rule(pdf: FPDF, y: float, color: tuple[int, int, int], width: float) -> None:
    pdf.set_draw_color(*color)
    pdf.set_line_width(width)
    pdf.line(LEFT, y, PAGE_W - RIGHT, y)
    pdf.set_draw_color(0, 0, 0)


def _head(pdf: FPDF, letter: Letter) -> None:
    if letter.void_notice:
        _write(pdf, letter.void_notice, Face.HEITI, SIZE_3, Align.C, RED)
    size = _header_size(letter.issuer)
    _write(pdf, letter.issuer, Face.XIAOBIAOSONG, size, Align.C, RED, size * PT * 1.5)
    pdf.ln(LINE)  # 发文字号 under the issuer, a blank line between
    _write(pdf, letter.reference, Face.FANGSONG, SIZE_3, Align.C)
    _rule(pdf, pdf.get_y() + 4 - LINE / 2 + SIZE_3 * PT / 2, RED, 0.5)  # 4 mm under the number
    pdf.ln(LINE)
    _write(pdf, letter.title, Face.XIAOBIAOSONG, SIZE_2, Align.C, height=SIZE_2 * PT * 1.6)
    pdf.ln(LINE / 2)
    _write(pdf, letter.recipient, Face.FANGSONG, SIZE_3)


def _body(pdf: FPDF, letter: Letter) -> None:
    for block in letter.blocks:
        _write(pdf, "\u3000\u3000" + block.text, BLOCK_FACE[block.kind], SIZE_3)


def _signature(pdf: FPDF, letter: Letter) -> None:
    """Seal position, issuer and date kept together, the date four characters from the right."""
    pdf.ln(LINE)
    if pdf.get_y() + 3 * LINE > PAGE_H - BOTTOM:
        pdf.add_page()
    keep = SIZE_3 * PT * 4  # 成文日期右空四字
    for text in (letter.seal_marker, letter.signature, letter.date):
        pdf.set_font(Face.FANGSONG.value, size=SIZE_3)
        pdf.set_x(LEFT)
        pdf.multi_cell(
            TEXT_W - keep,
            LINE,
            _printable(pdf, Face.FANGSONG, text),
            align=Align.R,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
            wrapmode=WrapMode.CHAR,
        )


def _colophon(pdf: FPDF, letter: Letter) -> None:
    """版记 at the foot of the last page: 抄送 and 印发 between thick outer rules, thin inside."""
    indent, height = SIZE_4 * PT, LINE * 0.7
    pdf.set_font(Face.FANGSONG.value, size=SIZE_4)
    copied = _printable(pdf, Face.FANGSONG, letter.copied_line())
    width = TEXT_W - 2 * indent
    lines = pdf.multi_cell(width, height, copied, dry_run=True, output="LINES") if copied else []
    assert isinstance(lines, list)
    total = height * (len(lines) + 1)
    if pdf.get_y() + LINE / 2 + total > PAGE_H - BOTTOM:
        pdf.add_page()
    y = PAGE_H - BOTTOM - total  # the last rule sits on the bottom edge of the type area
    _rule(pdf, y, (0, 0, 0), 0.35)
    if copied:
        pdf.set_xy(LEFT + indent, y)
        pdf.multi_cell(width, height, copied, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        y = pdf.get_y()
        _rule(pdf, y, (0, 0, 0), 0.25)
    printed_by, printed_on = letter.printed_line()
    pdf.set_xy(LEFT + indent, y)
    pdf.cell(TEXT_W / 2, height, _printable(pdf, Face.FANGSONG, printed_by))
    pdf.set_xy(LEFT + TEXT_W / 2, y)
    on = _printable(pdf, Face.FANGSONG, printed_on)
    pdf.cell(TEXT_W / 2 - indent, height, on, align=Align.R)
    _rule(pdf, y + height, (0, 0, 0), 0.35)


def render_pdf(letter: Letter) -> bytes:
    pdf = _new_pdf(letter)
    _head(pdf, letter)
    _body(pdf, letter)
    _signature(pdf, letter)
    _colophon(pdf, letter)
    return bytes(pdf.output())
