"""The decision (行政处罚决定书) and the electronic payment slip (电子缴款凭证) as letters,
laid out by the documents app's GB/T 9704 renderer.

A decision states what 行政处罚法 Art. 59 requires: the party, the facts, the legal basis,
the penalty, how and by when to pay, the routes of appeal, the issuing body and the date.
The slip is both the notice (before payment: what to pay, by when, how) and the receipt (after
payment: what was paid, when, through which payment).
"""

from __future__ import annotations

from django.utils import timezone

from yiwang.documents.letter import Block, Kind, Letter, chinese_date, clean_text
from yiwang.documents.render_pdf import render_pdf
from yiwang.fines.actions import amount_due
from yiwang.fines.fees import DAILY_PERCENT, DAYS_TO_PAY
from yiwang.fines.models import CaseState, ParkingCase
from yiwang.payments.providers.money import yuan_from_fen


def yuan(fen: int) -> str:
    return f"{yuan_from_fen(fen)}元"


def _decision_blocks(case: ParkingCase) -> list[Block]:
    when = timezone.localtime(case.occurred_at)
    facts = (
        f"经查，车牌号码为{case.plate}的机动车于{chinese_date(when.date())}{when:%H时%M分}"
        f"在{clean_text(case.place)}违反规定停放。{clean_text(case.facts)}"
    )
    return [
        Block(Kind.HEADING, "一、违法事实"),
        Block(Kind.BODY, facts),
        Block(Kind.HEADING, "二、处罚依据"),
        Block(Kind.BODY, clean_text(case.legal_basis)),
        Block(Kind.HEADING, "三、处罚决定"),
        Block(Kind.BODY, f"决定给予罚款{yuan(case.amount)}的行政处罚。"),
        Block(Kind.HEADING, "四、履行方式和期限"),
        Block(
            Kind.BODY,
            f"请自收到本决定书之日起{DAYS_TO_PAY}日内，凭本决定书编号和车牌号码，通过政务服务"
            f"网站或任一区执法大队缴纳罚款。逾期不缴纳的，每日按罚款数额的{DAILY_PERCENT}%加处"
            "罚款，加处罚款的数额不超出罚款的数额；申请行政复议或者提起行政诉讼期间不计。",
        ),
        Block(Kind.HEADING, "五、救济途径"),
        Block(
            Kind.BODY,
            "如不服本决定，可以在收到本决定书之日起六十日内依法申请行政复议，或者在六个月内"
            "依法向人民法院提起行政诉讼。复议和诉讼期间，本决定不停止执行。",
        ),
    ]


def decision_letter(case: ParkingCase) -> Letter:
    assert case.decided_on is not None
    assert case.decision_number
    body = case.bureau.name_zh
    return Letter(
        issuer=body,
        reference=f"决定书编号：{case.decision_number}",
        title="行政处罚决定书",
        recipient=f"当事人：车牌号码{case.plate}的机动车所有人或者管理人",
        blocks=tuple(_decision_blocks(case)),
        signature=body,
        date=chinese_date(case.decided_on),
    )


def _slip_blocks(case: ParkingCase) -> list[Block]:
    lines = [
        f"决定书编号：{case.decision_number}",
        f"车牌号码：{case.plate}",
        f"执收单位：{case.bureau.name_zh}",
        f"罚款金额：{yuan(case.amount)}",
    ]
    if case.state == CaseState.PAID and case.paid_at is not None and case.paid_amount:
        paid = timezone.localtime(case.paid_at)
        lines += [
            f"加处罚款：{yuan(case.paid_late_fee or 0)}",
            f"实缴金额：{yuan(case.paid_amount)}",
            f"缴款时间：{chinese_date(paid.date())}{paid:%H时%M分}",
            f"支付流水号：{case.payment_id}",
            "缴款状态：已缴款。本凭证为电子缴款凭证，与纸质收据具有同等效力。",
        ]
    else:
        due = amount_due(case)
        last_day = chinese_date(due.due_date) if due.due_date else "送达之日起15日内"
        lines += [
            f"加处罚款（截至今日）：{yuan(due.late_fee)}",
            f"应缴金额：{yuan(due.total)}",
            f"缴款期限：{last_day}",
            "缴款状态：待缴款。请凭决定书编号和车牌号码在政务服务网站缴纳。",
        ]
    return [Block(Kind.BODY, line) for line in lines]


def slip_letter(case: ParkingCase) -> Letter:
    body = case.bureau.name_zh
    paid = case.state == CaseState.PAID and case.paid_at is not None
    day = timezone.localdate(case.paid_at) if paid and case.paid_at else timezone.localdate()
    return Letter(
        issuer="非税收入电子缴款凭证",
        reference=f"决定书编号：{case.decision_number}",
        title="缴款凭证（收据）" if paid else "缴款通知书",
        recipient="缴款人：车牌号码" + case.plate + "的机动车所有人或者管理人",
        blocks=tuple(_slip_blocks(case)),
        signature=body,
        date=chinese_date(day),
    )


def decision_pdf(case: ParkingCase) -> bytes:
    return render_pdf(decision_letter(case))


def slip_pdf(case: ParkingCase) -> bytes:
    return render_pdf(slip_letter(case))
