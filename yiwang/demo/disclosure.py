"""Demo government information (our own texts): published documents with an interpretation
and English versions, news, statistics, a draft waiting for review and information filed as
disclosed on request — all through the real actions, by the demo disclosure office."""

from __future__ import annotations

import datetime as dt

from yiwang.accounts.models import User
from yiwang.disclosure import actions
from yiwang.disclosure.actions import Content
from yiwang.disclosure.models import Attribute, Information

POLICY = Content(
    kind="policy",
    category="licensing",
    openness="decision",
    attribute=Attribute.PROACTIVE,
    title="关于深化“一网通办”改革提升政务服务效能的实施意见",
    generated_on=dt.date(2026, 3, 2),
    doc_number="浙政办发〔2026〕8号",
    summary="推进政务服务事项一网通办、跨区域通办，压减办理时限和材料。",
    text=(
        "各市、县（市、区）人民政府，省政府直属各单位：\n"
        "为深化“一网通办”改革，提升政务服务效能，现提出如下实施意见。\n"
        "一、全面推行政务服务事项网上办理，除法律法规另有规定外，事项全部纳入一体化平台。\n"
        "二、推进跨区域通办，群众在任一服务大厅可办理全省通办事项。\n"
        "三、压减办理时限和申请材料，能通过数据共享获取的材料不再要求群众提交。"
    ),
    title_en="Implementing opinions on deepening the one-network reform of government services",
    summary_en="Services online and across districts, with shorter time limits and fewer papers.",
    text_en=(
        "To deepen the one-network reform and make government services more efficient, "
        "the following opinions are issued.\n"
        "1. Every service item is handled online on the integrated platform unless laws or "
        "regulations provide otherwise.\n"
        "2. Services are handled across districts: any service hall handles province-wide items.\n"
        "3. Time limits and required documents are cut; documents the platform can obtain by "
        "data sharing are no longer asked of citizens."
    ),
)

OTHERS: tuple[Content, ...] = (
    Content(
        kind="news",
        category="licensing",
        openness="service",
        attribute=Attribute.PROACTIVE,
        title="省政务服务网上线违停罚款跨区缴纳功能",
        generated_on=dt.date(2026, 11, 2),
        summary="市民可在任一区缴纳其他区作出的违停罚款。",
        text="即日起，市民通过政务服务网输入决定书编号和车牌号，即可缴纳全市任一区作出的违停罚款。",
        title_en="Parking fines of any district can now be paid online",
        text_en=(
            "From today, residents can pay a parking fine decided in any district by entering "
            "the decision number and the number plate on the government services website."
        ),
    ),
    Content(
        kind="statistics",
        category="statistics",
        openness="result",
        attribute=Attribute.PROACTIVE,
        title="2025年度政务服务事项办理情况统计",
        generated_on=dt.date(2026, 1, 20),
        summary="全年受理政务服务事项办件情况及按时办结率。",
        text="2025年全省共受理政务服务事项办件若干万件，按时办结率保持在较高水平。（演示数据）",
    ),
    Content(
        kind="notice",
        category="organisation",
        openness="management",
        attribute=Attribute.PROACTIVE,
        title="关于调整省政务服务中心办公时间的公告",
        generated_on=dt.date(2026, 10, 10),
        summary="自11月1日起，工作日延时服务至18时。",
        text="为方便群众办事，自2026年11月1日起，省政务服务中心工作日办公时间调整为9:00至18:00。",
        title_en="New opening hours of the provincial government service centre",
        text_en="From 1 November 2026 the centre is open 9:00 to 18:00 on working days.",
    ),
)

ON_REQUEST = Content(
    kind="notice",
    category="other",
    openness="management",
    attribute=Attribute.ON_REQUEST,
    title="关于政务服务中心物业服务合同履行情况的内部通报",
    generated_on=dt.date(2026, 9, 1),
    text="（依申请公开：仅在申请人申请时提供。）",
)

DRAFT = Content(
    kind="plan",
    category="plans",
    openness="decision",
    attribute=Attribute.PROACTIVE,
    title="数字政府建设三年行动计划（征求意见稿）",
    generated_on=dt.date(2026, 11, 20),
    summary="数字政府建设的目标、任务和保障措施。",
    text="（草稿，待审核。）",
)


def load_demo_disclosure() -> int:
    """Idempotent: only when there is no information yet. Returns how many were made."""
    if Information.objects.exists():
        return 0
    officer = User.objects.filter(username="disclosure").first()
    head = User.objects.filter(username="disclosure_head").first()
    if officer is None or head is None or officer.department is None:
        return 0
    body = officer.department
    made = [_published(officer, head, POLICY)]
    interpretation = Content(
        kind="interpretation",
        category="licensing",
        openness="decision",
        attribute=Attribute.PROACTIVE,
        title="《关于深化“一网通办”改革提升政务服务效能的实施意见》政策解读",
        generated_on=dt.date(2026, 3, 5),
        summary="解读实施意见的背景、主要内容和对群众办事的影响。",
        text="实施意见明确，群众在任一服务大厅即可办理全省通办事项，能共享获取的材料不再重复提交。",
        title_en="Questions and answers on the implementing opinions",
        text_en="Citizens may use any service hall, and are no longer asked for papers the "
        "platform can obtain itself.",
        interprets_id=made[0].pk,
    )
    made.append(_published(officer, head, interpretation))
    made += [_published(officer, head, content) for content in OTHERS]
    made.append(_published(officer, head, ON_REQUEST))
    made.append(actions.do_draft(officer, body, DRAFT))
    actions.do_submit(officer, made[-1].pk)
    return len(made)


def _published(officer: User, head: User, content: Content) -> Information:
    assert officer.department is not None
    information = actions.do_draft(officer, officer.department, content)
    actions.do_submit(officer, information.pk)
    return actions.do_approve(head, information.pk, publish_at=None)
