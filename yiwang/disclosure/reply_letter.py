"""The answer to an information request as an official letter (政府信息公开申请答复书), laid
out by the documents app (GB/T 9704) as .docx or PDF. The wording of each kind of answer
follows Art. 36 of the 2019 Regulations; the notice of remedies follows the Administrative
Reconsideration Law (60 days) and the Administrative Procedure Law (6 months)."""

from __future__ import annotations

from yiwang.disclosure.models import InformationRequest, ReplyType
from yiwang.documents.letter import Block, Kind, Letter, chinese_date, clean_text
from yiwang.documents.render_docx import render_docx
from yiwang.documents.render_pdf import render_pdf

# Art. 36: what the letter says for each kind of answer, before the office's own text.
OPENINGS = {
    ReplyType.ALREADY_PUBLIC: "您申请的信息已经主动公开，获取的方式和途径如下：",
    ReplyType.DISCLOSED: "经审查，您申请的信息属于公开范围，现予以公开：",
    ReplyType.NOT_DISCLOSED: "经审查，您申请的信息不予公开，理由如下：",
    ReplyType.DOES_NOT_EXIST: "经检索，本机关未制作或者获取您申请的信息：",
    ReplyType.OTHER_BODY: "您申请的信息不属于本机关负责公开：",
    ReplyType.REPEATED: "您的申请属于重复申请，本机关已作出答复，不再重复处理：",
    ReplyType.OTHER_ROUTE: "您申请的信息依照有关法律、行政法规的规定另有获取途径：",
}
PARTIAL = (
    "经审查，您申请的信息中含有不应当公开的内容，本机关对可以公开的部分予以公开，并说明理由如下："
)
REMEDIES = (
    "如对本答复不服，可以自收到本答复之日起六十日内依法申请行政复议，"
    "或者自收到本答复之日起六个月内依法向人民法院提起行政诉讼。"
)


class NotAnswered(ValueError):
    """The request has no answer yet: there is no letter to print."""


def reply_letter(request: InformationRequest) -> Letter:
    if not request.reply_type or request.answered_on is None:
        raise NotAnswered(request.number)
    received = chinese_date(request.received_on) if request.received_on else ""
    opening = PARTIAL if request.partial else OPENINGS[ReplyType(request.reply_type)]
    blocks = (
        Block(
            Kind.BODY,
            f"你（单位）于{received}提出的政府信息公开申请（申请编号：{request.number}）收悉。",
        ),
        Block(Kind.BODY, "根据《中华人民共和国政府信息公开条例》的规定，现答复如下："),
        Block(Kind.BODY, opening),
        *(Block(Kind.BODY, line) for line in clean_text(request.reply_text).split("\n") if line),
        Block(Kind.BODY, REMEDIES),
    )
    return Letter(
        issuer=request.body.name_zh,
        reference=f"申请编号：{request.number}",
        title="政府信息公开申请答复书",
        recipient=f"{clean_text(request.applicant_name)}：",
        blocks=blocks,
        signature=request.body.name_zh,
        date=chinese_date(request.answered_on),
    )


def reply_docx(request: InformationRequest) -> bytes:
    return render_docx(reply_letter(request))


def reply_pdf(request: InformationRequest) -> bytes:
    return render_pdf(reply_letter(request))
