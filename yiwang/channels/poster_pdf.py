"""The A4 poster of a service hall's QR code as a PDF; no Django, so worker processes can
render batches (see ``posters`` for the Django side: which halls, which codes, the ZIP).

The poster is in Chinese (it hangs in a Chinese service hall, whatever the staff's language).
Fonts are loaded once per batch: the Noto Sans CJK collection (tens of MB, 65,000 glyphs)
is read and cut down to the characters the batch needs a single time, and every poster then
embeds that small font (converted to TrueType outlines, which fpdf2 subsets cheaply). The QR
code is drawn as vector rectangles, sharp at any print size.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import qrcode
from fontTools import subset, ttLib  # type: ignore[import-untyped]
from fontTools.pens.cu2quPen import Cu2QuPen  # type: ignore[import-untyped]
from fontTools.pens.ttGlyphPen import TTGlyphPen  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos
from fpdf.fonts import TTFFont

from yiwang.documents.fonts import substitute
from yiwang.documents.letter import Face

PAGE_W, PAGE_H = 210.0, 297.0
MARGIN = 20.0
QR_SIZE = 120.0
FONT = "sans"
MISSING = "□"
HEADING = "扫码留言"
INSTRUCTIONS = (
    "用手机扫描上方二维码，即可向政府留言：咨询、求助、投诉、举报或提出建议。",
    "提交后您会得到受理编号和查询码，请妥善保存，凭此查询办理进度和答复。",
    "留言中请勿填写身份证号码；您的联系方式加密保存，不会公开。",
)
_ALWAYS = (
    "".join(INSTRUCTIONS) + HEADING + MISSING + "第版·：（）“”" + "".join(map(chr, range(32, 127)))
)
_UNSAFE = re.compile(r"[^\w\-]+")


@dataclass(frozen=True)
class PosterText:
    """Everything printed on one poster, as plain values (picklable for worker processes)."""

    hall_code: str
    hall_name: str
    address: str
    region_name: str
    url: str
    generation: int
    campaign_name: str = ""

    def texts(self) -> list[str]:
        return [self.hall_code, self.hall_name, self.address, self.region_name, self.url] + (
            [self.campaign_name] if self.campaign_name else []
        )


def _to_truetype(font: ttLib.TTFont) -> None:
    """CFF outlines to TrueType quadratic ones (fontTools' otf2ttf recipe), in place.

    fpdf2 subsets the embedded font again for every PDF; with CFF outlines that means running
    every glyph's charstring program each time, with TrueType outlines it is a table copy.
    """
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = ttLib.newTable("loca")
    font["glyf"] = glyf = ttLib.newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    metrics = font["hmtx"]
    for name, glyph in glyphs.items():
        if hasattr(glyph, "xMin"):
            metrics[name] = (metrics[name][0], glyph.xMin)
    _truetype_maxp(font)
    post = font["post"]
    post.formatType, post.extraNames, post.mapping, post.glyphOrder = 2.0, [], {}, order
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def _truetype_maxp(font: ttLib.TTFont) -> None:
    font["maxp"] = maxp = ttLib.newTable("maxp")
    maxp.tableVersion, maxp.maxZones = 0x00010000, 1
    for limit in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, limit, 0)
    maxp.compile(font)


class PosterFont:
    """The Noto Sans CJK face cut down to the characters of a batch of posters, in a file."""

    def __init__(self, texts: Iterable[str]) -> None:
        font = substitute(Face.HEITI)
        characters = set(_ALWAYS).union(*texts)
        options = subset.Options()
        options.notdef_outline = True
        options.layout_features = []  # plain horizontal text: no shaping tables needed
        options.name_IDs = ["*"]
        full = ttLib.TTFont(str(font.path), fontNumber=font.index, lazy=True)
        subsetter = subset.Subsetter(options)
        subsetter.populate(text="".join(sorted(characters)))
        subsetter.subset(full)
        _to_truetype(full)
        self._dir = tempfile.TemporaryDirectory(prefix="yiwang-posters-")
        self.path = Path(self._dir.name) / "poster-sans.ttf"
        full.save(str(self.path))

    def close(self) -> None:
        self._dir.cleanup()


@contextmanager
def poster_font(texts: Iterable[str]) -> Iterator[PosterFont]:
    font = PosterFont(texts)
    try:
        yield font
    finally:
        font.close()


def _printable(pdf: FPDF, text: str) -> str:
    """Characters the font lacks print as □ rather than vanish."""
    font = pdf.fonts[FONT]
    cmap = font.cmap if isinstance(font, TTFFont) else {}
    return "".join(c if ord(c) in cmap or c in "\n " else MISSING for c in text)


def _centred(pdf: FPDF, text: str, size: float, height: float) -> None:
    pdf.set_font(FONT, size=size)
    pdf.multi_cell(
        0,
        height,
        _printable(pdf, text),
        align=Align.C,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
        wrapmode=WrapMode.CHAR,
    )


def _draw_qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """The code as filled rectangles, one per run of dark modules in a row."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    module = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for row, cells in enumerate(matrix):
        start = None
        for column, dark in enumerate([*cells, False]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                width = (column - start) * module
                pdf.rect(x + start * module, y + row * module, width, module, style="F")
                start = None


def render_poster(font_path: Path, poster: PosterText) -> bytes:
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(False)
    pdf.set_title(f"{poster.hall_name} {HEADING}")
    pdf.set_creator("yiwang")
    pdf.add_font(FONT, "", str(font_path))
    # The batch font's bounding boxes are right already; recomputing them would decode and
    # encode every glyph again for each poster (most of its time).
    embedded = pdf.fonts[FONT]
    if isinstance(embedded, TTFFont):
        embedded.ttfont.recalcBBoxes = False
    pdf.add_page()
    pdf.set_y(22)
    _centred(pdf, HEADING, 40, 18)
    _centred(pdf, poster.hall_name, 24, 11)
    if poster.campaign_name:
        _centred(pdf, f"“{poster.campaign_name}”", 16, 8)
    top = max(pdf.get_y() + 6, 75.0)
    _draw_qr(pdf, poster.url, (PAGE_W - QR_SIZE) / 2, top, QR_SIZE)
    pdf.set_y(top + QR_SIZE + 4)
    _centred(pdf, poster.url, 9, 5)
    pdf.ln(4)
    for line in INSTRUCTIONS:
        _centred(pdf, line, 13, 7)
    pdf.set_y(PAGE_H - 30)
    _centred(pdf, f"{poster.region_name} · {poster.address}", 10, 5)
    _centred(pdf, f"{poster.hall_code} · 第{poster.generation}版", 8, 4)
    return bytes(pdf.output())


def render_batch(font_path: Path, posters: list[PosterText]) -> list[bytes]:
    """A worker process's share of a ZIP."""
    return [render_poster(font_path, poster) for poster in posters]


def file_name(code: str, name: str, taken: set[str]) -> str:
    """``<code>-<name>.pdf`` with anything but letters, digits and - turned into _."""
    parts = (_UNSAFE.sub("_", part).strip("_-") for part in (code, name))
    stem = "-".join(part for part in parts if part)[:80] or "hall"
    name, counter = f"{stem}.pdf", 1
    while name in taken:
        counter += 1
        name = f"{stem}-{counter}.pdf"
    taken.add(name)
    return name
