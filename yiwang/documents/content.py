"""Turn a ForwardingDocument into a ``Letter``: the wording of the 转办单, in Chinese.

The document is an official Chinese document whatever the reader's interface language, so its
wording is fixed Chinese text here rather than gettext (decision 0013).

Personal data (decision 0013): the document carries no more than the message page shows its
readers: the citizen's name and mobile masked, never the e-mail or the ID number.
"""

from __future__ import annotations

from django.utils import timezone

from yiwang.documents.letter import Block, Kind, Letter, chinese_date, clean_text
from yiwang.documents.models import ForwardingDocument, LeaderInstruction
from yiwang.intake.models import Message
from yiwang.staff.queries import masked_contact

TITLE = "关于转办群众留言的函"
SECTION_MESSAGE = "一、留言内容"
SECTION_REQUEST = "二、办理要求"
SECTION_INSTRUCTIONS = "三、领导批示"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in clean_text(text).split("\n") if line.strip()]


def _message_blocks(message: Message) -> list[Block]:
    contact = masked_contact(message)
    submitted = chinese_date(timezone.localdate(message.submitted_at))
    blocks = [
        Block(Kind.HEADING, SECTION_MESSAGE),
        Block(Kind.BODY, f"留言编号：{message.tracking_number}"),
        Block(Kind.BODY, f"留言时间：{submitted}"),
        Block(Kind.BODY, f"留言标题：{clean_text(message.title)}"),
        Block(
            Kind.BODY,
            f"留言人：{contact['name'] or '未留姓名'}；联系电话：{contact['mobile'] or '未留'}",
        ),
        Block(Kind.BODY, "留言正文："),
    ]
    return blocks + [Block(Kind.BODY, line) for line in _lines(message.content)]


def _request_blocks(document: ForwardingDocument, co_names: list[str]) -> list[Block]:
    blocks = [Block(Kind.HEADING, SECTION_REQUEST)]
    blocks += [Block(Kind.BODY, line) for line in _lines(document.request_text)]
    lead = document.lead_department.name_zh
    if co_names:
        blocks.append(Block(Kind.BODY, f"请{lead}牵头办理，{'、'.join(co_names)}协助办理。"))
    when = f"于{chinese_date(document.deadline)}前" if document.deadline else "及时"
    blocks.append(
        Block(
            Kind.BODY,
            f"请{when}办结，将办理结果答复留言人，并将答复意见报送{document.body.name_zh}。",
        )
    )
    return blocks


def instructions_for(document: ForwardingDocument) -> list[LeaderInstruction]:
    """Leaders' instructions entered before the document was issued travel with it."""
    return list(
        LeaderInstruction.objects.filter(
            message_id=document.message_id, entered_at__lte=document.issued_at
        )
    )


def _instruction_blocks(instructions: list[LeaderInstruction]) -> list[Block]:
    if not instructions:
        return []
    blocks = [Block(Kind.HEADING, SECTION_INSTRUCTIONS)]
    for item in instructions:
        who = clean_text(f"{item.leader_title}{item.leader_name}")
        when = chinese_date(item.instructed_on)
        blocks.append(Block(Kind.INSTRUCTION, f"{who}（{when}批示）：{clean_text(item.text)}"))
    return blocks


def _void_notice(document: ForwardingDocument) -> str:
    if document.voided_at is None:
        return ""
    when = chinese_date(timezone.localdate(document.voided_at))
    return f"本件已于{when}作废（{clean_text(document.void_reason)}）"


def letter_for(document: ForwardingDocument) -> Letter:
    message = document.message
    co_names = [d.name_zh for d in document.co_departments.all()]
    issued = chinese_date(timezone.localdate(document.issued_at))
    intro = f"现将群众留言（编号：{message.tracking_number}）转你单位办理，有关事项函告如下："
    blocks = [Block(Kind.BODY, intro)]
    blocks += _message_blocks(message)
    blocks += _request_blocks(document, co_names)
    blocks += _instruction_blocks(instructions_for(document))
    return Letter(
        issuer=document.body.name_zh,
        reference=document.reference,
        title=TITLE,
        recipient=f"{document.lead_department.name_zh}：",
        blocks=tuple(blocks),
        signature=document.body.name_zh,
        date=issued,
        copied_to=tuple(co_names),
        void_notice=_void_notice(document),
        printed_by=document.body.name_zh,
        printed_on=issued,
    )
