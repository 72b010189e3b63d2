"""Printable A4 posters of a service hall's QR code, one PDF each, and a region's as a ZIP.

The poster is in Chinese (it hangs in a Chinese service hall, whatever the staff's language).
Fonts are loaded once per batch: the Noto Sans CJK collection (tens of MB, 65,000 glyphs)
is read and cut down to the characters the batch needs a single time, and every poster then
embeds that small font, which fpdf2 parses and subsets in milliseconds. The QR code is drawn
as vector rectangles, sharp at any print size.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import qrcode
from django.db.models import Q, QuerySet
from fontTools import subset, ttLib  # type: ignore[import-untyped]
from fontTools.pens.cu2quPen import Cu2QuPen  # type: ignore[import-untyped]
from fontTools.pens.ttGlyphPen import TTGlyphPen  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos
from fpdf.fonts import TTFFont

from yiwang.channels.models import FIRST_GENERATION, Campaign
from yiwang.channels.references import token_for, url_for
from yiwang.documents.fonts import substitute
from yiwang.documents.letter import Face
from yiwang.orgs.models import Region, ServiceHall

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
    "".join(INSTRUCTIONS) + HEADING + MISSING + "第版·：（）" + "".join(map(chr, range(32, 127)))
)
_UNSAFE = re.compile(r"[^\w\-]+")


class NoHalls(Exception):
    """The region (with the regions below it) has no active service hall."""

    def __init__(self, region: Region) -> None:
        super().__init__(f"The region {region.code} {region.name_zh} has no active service hall.")
        self.region = region


@dataclass(frozen=True)
class Poster:
    hall: ServiceHall
    url: str
    generation: int
    campaign: Campaign | None = None


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


def poster_texts(poster: Poster) -> list[str]:
    hall = poster.hall
    names = [hall.name_zh, hall.address_zh, hall.region.name_zh, poster.url, hall.code]
    return names + ([poster.campaign.name_zh] if poster.campaign else [])


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


def render_poster(font: PosterFont, poster: Poster) -> bytes:
    hall = poster.hall
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(False)
    pdf.set_title(f"{hall.name_zh} {HEADING}")
    pdf.set_creator("yiwang")
    pdf.add_font(FONT, "", str(font.path))
    pdf.add_page()
    pdf.set_y(22)
    _centred(pdf, HEADING, 40, 18)
    _centred(pdf, hall.name_zh, 24, 11)
    if poster.campaign is not None:
        _centred(pdf, f"“{poster.campaign.name_zh}”", 16, 8)
    top = max(pdf.get_y() + 6, 75.0)
    _draw_qr(pdf, poster.url, (PAGE_W - QR_SIZE) / 2, top, QR_SIZE)
    pdf.set_y(top + QR_SIZE + 4)
    _centred(pdf, poster.url, 9, 5)
    pdf.ln(4)
    for line in INSTRUCTIONS:
        _centred(pdf, line, 13, 7)
    pdf.set_y(PAGE_H - 30)
    _centred(pdf, f"{hall.region.name_zh} · {hall.address_zh}", 10, 5)
    _centred(pdf, f"{hall.code} · 第{poster.generation}版", 8, 4)
    return bytes(pdf.output())


def poster_for(hall: ServiceHall, campaign: Campaign | None = None) -> Poster:
    code = getattr(hall, "qr_code", None)
    generation = code.generation if code else FIRST_GENERATION
    token = token_for(hall, campaign, generation=generation)
    return Poster(hall=hall, url=url_for(token), generation=generation, campaign=campaign)


def single_poster_pdf(hall: ServiceHall, campaign: Campaign | None = None) -> bytes:
    poster = poster_for(hall, campaign)
    with poster_font(poster_texts(poster)) as font:
        return render_poster(font, poster)


def halls_of(region: Region) -> QuerySet[ServiceHall]:
    """The active halls of the region and of the regions below it (at most two levels)."""
    below = Q(region=region) | Q(region__parent=region) | Q(region__parent__parent=region)
    return (
        ServiceHall.objects.filter(below, is_active=True)
        .select_related("region", "qr_code")
        .order_by("code")
    )


def file_name(hall: ServiceHall, taken: set[str]) -> str:
    """``<code>-<name>.pdf`` with anything but letters, digits and - turned into _."""
    parts = (_UNSAFE.sub("_", part).strip("_-") for part in (hall.code, hall.name_zh))
    stem = "-".join(part for part in parts if part)[:80] or "hall"
    name, counter = f"{stem}.pdf", 1
    while name in taken:
        counter += 1
        name = f"{stem}-{counter}.pdf"
    taken.add(name)
    return name


def write_zip(posters: Sequence[Poster], out: IO[bytes]) -> int:
    """Every poster into one ZIP (PDFs are compressed already: stored, not deflated)."""
    if not posters:
        return 0
    texts = [text for poster in posters for text in poster_texts(poster)]
    taken: set[str] = set()
    with poster_font(texts) as font, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for poster in posters:
            archive.writestr(file_name(poster.hall, taken), render_poster(font, poster))
    return len(posters)


def write_region_zip(region: Region, out: IO[bytes], campaign: Campaign | None = None) -> int:
    """The posters of every active hall of the region into ``out``; ``NoHalls`` if none."""
    posters = [poster_for(hall, campaign) for hall in halls_of(region)]
    if not posters:
        raise NoHalls(region)
    return write_zip(posters, out)
