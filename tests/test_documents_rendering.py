"""The forwarding document as .docx and PDF: GB/T 9704 layout, official fonts, hostile text.

Personas: the ``clerk`` forwards a citizen's message to the city housing bureau, with the city
transport bureau helping; a leader's instruction entered by the ``supervisor`` travels with it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable

import pytest
import time_machine
from docx import Document
from fontTools.ttLib import TTCollection  # type: ignore[import-untyped]
from pypdf import PdfReader

from yiwang.accounts.models import User
from yiwang.casework.actions import do_forward
from yiwang.documents import fonts
from yiwang.documents.actions import InstructionInput, do_add_leader_instruction
from yiwang.documents.content import letter_for
from yiwang.documents.fonts import FontMissing
from yiwang.documents.letter import Block, Face, Kind, Letter, chinese_date, clean_text
from yiwang.documents.models import ForwardingDocument
from yiwang.documents.render_docx import render_docx
from yiwang.documents.render_pdf import render_pdf
from yiwang.intake.models import Message, MessageState
from yiwang.intake.personal import seal
from yiwang.orgs.models import Department

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
CONTENT = "我们小区3幢的电梯已经坏了两个月，物业一直不修，老人上下楼非常困难。"
ID_NUMBER = "11010519491231002X"
OFFICIAL_FONTS = {"仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"}


@pytest.fixture
def document(
    clerk: User,
    supervisor: User,
    message_for: Callable[..., Message],
    departments: dict[str, Department],
) -> ForwardingDocument:
    message = message_for("housing", contact_name="张三丰")
    Message.objects.filter(pk=message.pk).update(
        state=MessageState.TRIAGED, id_number_encrypted=seal("id_number", ID_NUMBER)
    )
    with time_machine.travel(dt.datetime(2025, 6, 2, 10, tzinfo=SHANGHAI), tick=False):
        do_add_leader_instruction(
            supervisor,
            message,
            InstructionInput("李明", "副省长", "请住建部门尽快解决。", dt.date(2025, 5, 30)),
        )
        do_forward(
            clerk,
            message.pk,
            departments["housing"].pk,
            [departments["transport"].pk],
            note="请核实情况，督促物业限期维修。",
        )
    return ForwardingDocument.objects.select_related("message").get()


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    return "\n".join(p.text for p in doc.paragraphs)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    return re.sub(r"[\s\x00]+", "", text)


def test_the_docx_carries_the_number_title_recipient_message_deadline_and_instruction(
    document: ForwardingDocument,
) -> None:
    assert document.deadline is not None
    text = docx_text(render_docx(letter_for(document)))
    for expected in (
        "浙江省人民政府办公厅",
        "浙政办留〔2025〕1号",
        "关于转办群众留言的函",
        "杭州市住房保障和房产管理局：",
        document.message.tracking_number,
        "小区电梯长期故障",
        CONTENT,
        "请核实情况，督促物业限期维修。",
        f"请于{chinese_date(document.deadline)}前办结",
        "副省长李明（2025年5月30日批示）：请住建部门尽快解决。",
        "2025年6月2日",
        "抄送：杭州市交通运输局。",
        "（印章）",
    ):
        assert expected in text, expected


def test_the_docx_names_the_official_fonts_for_east_asian_text(
    document: ForwardingDocument,
) -> None:
    doc = Document(io.BytesIO(render_docx(letter_for(document))))
    body = doc.element.body.xml
    east_asian = set(re.findall(r'w:eastAsia="([^"]+)"', body))
    assert east_asian == OFFICIAL_FONTS


def test_the_docx_page_is_a4_with_the_standard_margins(document: ForwardingDocument) -> None:
    section = Document(io.BytesIO(render_docx(letter_for(document)))).sections[0]
    sizes = (
        section.page_width,
        section.page_height,
        section.top_margin,
        section.bottom_margin,
        section.left_margin,
        section.right_margin,
    )
    assert [round(size.mm) for size in sizes if size is not None] == [210, 297, 37, 35, 28, 26]


def test_the_document_masks_the_citizen_and_never_prints_the_id_number(
    document: ForwardingDocument,
) -> None:
    letter = letter_for(document)
    text = "\n".join(letter.paragraphs())
    assert "张三丰" not in text
    assert "张**" in text or "张*丰" in text
    assert "13800138000" not in text
    assert ID_NUMBER not in text
    assert "002X" not in text


def test_the_pdf_is_a_pdf_with_the_text(document: ForwardingDocument) -> None:
    data = render_pdf(letter_for(document))
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in (
        "浙政办留〔2025〕1号",
        "关于转办群众留言的函",
        "杭州市住房保障和房产管理局",
        CONTENT,
    ):
        assert expected in text, expected


def test_the_pdf_embeds_the_substitute_fonts(document: ForwardingDocument) -> None:
    data = render_pdf(letter_for(document))
    for name in (b"NotoSerifCJKSC", b"NotoSansCJKSC", b"ARPLUKaiCN"):
        assert name in data


def test_an_instruction_entered_after_the_forward_waits_for_the_next_document(
    document: ForwardingDocument, supervisor: User
) -> None:
    do_add_leader_instruction(
        supervisor,
        document.message,
        InstructionInput("王强", "秘书长", "请督办。", dt.date(2025, 6, 3)),
    )
    assert "请督办" not in "\n".join(letter_for(document).paragraphs())


def test_a_voided_document_says_so_above_its_header(
    document: ForwardingDocument, dept_officer: User
) -> None:
    from yiwang.casework.actions import do_return

    do_return(dept_officer, document.message_id, "不属于本单位职责")
    document.refresh_from_db()
    assert "作废（不属于本单位职责）" in letter_for(document).void_notice


def hostile_letter(text: str) -> Letter:
    return Letter(
        issuer="浙江省人民政府办公厅<script>",
        reference="浙政办留〔2025〕9号",
        title="关于转办群众留言的函",
        recipient="杭州市交通运输局：",
        blocks=tuple(Block(kind, clean_text(text)) for kind in Kind),
        signature="浙江省人民政府办公厅",
        date="2025年6月2日",
        copied_to=("A" * 300,),
        printed_by="浙江省人民政府办公厅",
        printed_on="2025年6月2日",
    )


HOSTILE = {
    "very long": "电梯坏了" * 5_000,
    "no spaces": "x" * 3_000,
    "control characters": "前\x00\x01\x07\x0b\x0c\x1b\x7f\x85后\ud800\ufffe",
    "markup": "<w:p><w:r><w:t>注入</w:t></w:r></w:p> <b>粗</b> &amp; ]]> {% raw %}",
    "emoji and rare scripts": "电梯😀👨‍👩‍👧 مرحبا 𠮷 \u202egnp.exe",
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_text_renders_in_both_formats_without_crashing(kind: str) -> None:
    letter = hostile_letter(HOSTILE[kind])
    assert Document(io.BytesIO(render_docx(letter))).paragraphs
    assert render_pdf(letter).startswith(b"%PDF")


def test_control_characters_are_dropped_and_emoji_print_as_a_box_in_the_pdf() -> None:
    assert clean_text("前\x00\x07后\r\n下一行\u202e") == "前后\n下一行"
    text = pdf_text(render_pdf(hostile_letter("电梯😀坏了")))
    assert "电梯□坏了" in text


def test_the_substitute_faces_are_the_simplified_chinese_faces_of_each_collection() -> None:
    for face in Face:
        font = fonts.substitute(face)
        collection = TTCollection(str(font.path), lazy=True)
        assert collection.fonts[font.index]["name"].getDebugName(4) == font.face_name


def test_a_missing_font_file_is_named_with_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    gone = fonts.Substitute(fonts.ARPHIC / "nowhere.ttc", 0, "AR PL UKai CN", "fonts-arphic-ukai")
    monkeypatch.setitem(fonts.SUBSTITUTES, Face.KAITI, gone)
    with pytest.raises(FontMissing, match="fonts-arphic-ukai"):
        render_pdf(hostile_letter("正文"))
