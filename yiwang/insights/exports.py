"""The briefing as a spreadsheet (XLSX) and as a printable document (PDF)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from openpyxl import Workbook

from yiwang.documents.fonts import substitute
from yiwang.documents.letter import Face
from yiwang.insights.queries import Briefing


def _topic_rows(b: Briefing) -> list[list[object]]:
    return [
        [
            row.topic.rank,
            row.topic.title,
            "、".join(row.topic.words),
            row.topic.volume,
            row.topic.recent,
            row.topic.growth,
            row.topic.support,
            "、".join(name for name, _n in row.regions),
            "、".join(name for name, _n in row.departments),
        ]
        for row in b.topics
    ]


def _topic_header() -> list[str]:
    return [
        _("Rank"),
        _("Topic"),
        _("Key words"),
        _("Messages"),
        _("On the day"),
        _("Growth"),
        _("Public support"),
        _("Regions"),
        _("Departments"),
    ]


def briefing_xlsx(b: Briefing) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Hot topics")
    sheet.append(_topic_header())
    for values in _topic_rows(b):
        sheet.append(values)
    days = book.create_sheet(_("Figures"))
    days.append([_("Day"), _("Received"), _("Handled the same day"), _("Carried over")])
    for f in b.week:
        days.append([f.day, f.received, f.handled_on_time, f.carried_over])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _line(pdf: FPDF, height: float, text: str) -> None:
    pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def briefing_pdf(b: Briefing) -> bytes:
    font = substitute(Face.HEITI)
    pdf = FPDF(unit="mm", format="A4")
    pdf.add_font("sans", "", str(font.path), collection_font_number=font.index)
    pdf.set_title(_("Daily briefing %(day)s") % {"day": b.day})
    pdf.set_creator("yiwang")
    pdf.add_page()
    pdf.set_font("sans", size=18)
    _line(pdf, 10, _("Daily briefing %(day)s") % {"day": b.day})
    pdf.set_font("sans", size=11)
    f = b.figures
    _line(
        pdf,
        7,
        _(
            "Received %(received)d messages; %(handled)d handled the same day; "
            "%(carried)d carried over."
        )
        % {"received": f.received, "handled": f.handled_on_time, "carried": f.carried_over},
    )
    pdf.ln(3)
    pdf.set_font("sans", size=14)
    _line(pdf, 9, _("Hot topics"))
    pdf.set_font("sans", size=11)
    for row in b.topics:
        t = row.topic
        places = "、".join(name for name, _n in row.regions)
        _line(
            pdf,
            6,
            _(
                "%(rank)d. %(title)s — %(volume)d messages, %(recent)d on the day, "
                "support %(support)d; %(words)s; %(places)s"
            )
            % {
                "rank": t.rank,
                "title": t.title,
                "volume": t.volume,
                "recent": t.recent,
                "support": t.support,
                "words": "、".join(t.words),
                "places": places,
            },
        )
        pdf.ln(1)
    return bytes(pdf.output())
