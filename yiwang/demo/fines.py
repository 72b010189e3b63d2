"""Demo parking cases: each state of a case, in two districts, through the real actions."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.fines.actions import CaseInput, do_decide, do_record_case, do_serve, do_suspend
from yiwang.fines.models import ParkingCase

BASIS = (
    "《中华人民共和国道路交通安全法》第九十三条、《浙江省实施〈中华人民共和国道路交通安全法〉办法》"
)
# plate, place, days ago it happened, fine in 分, how far it goes
CASES: dict[str, tuple[tuple[str, str, int, int, str], ...]] = {
    "enforcer": (
        ("浙A12345", "文三路与学院路交叉口东北角人行道", 3, 20000, "served"),
        ("浙A8M821", "天目山路黄龙体育中心公交站台前", 25, 15000, "late"),
        ("浙AD29731", "西溪路西溪湿地东门消防通道", 30, 20000, "review"),
        ("浙A3K5P2", "保俶路宝石山下一弄口", 1, 10000, "recorded"),
    ),
    "binjiang_enforcer": (
        ("浙A66Q08", "江南大道星光大道地铁站B出口", 5, 20000, "served"),
        ("苏E7T315", "滨盛路与长河路交叉口盲道", 2, 20000, "decided"),
    ),
}
FACTS = "机动车在禁止停放区域停放，驾驶人不在现场，已拍照取证并张贴违法停车告知单。"


def load_demo_fines() -> list[ParkingCase]:
    """Idempotent: only when there are no cases yet. Returns the cases with a decision."""
    if ParkingCase.objects.exists():
        return []
    decided: list[ParkingCase] = []
    today = timezone.localdate()
    for username, rows in CASES.items():
        officer = User.objects.filter(username=username).first()
        if officer is None:
            continue
        for plate, place, days_ago, amount, stage in rows:
            case = _case(officer, plate, place, days_ago, amount, stage, today)
            if case.decision_number:
                decided.append(case)
    return decided


def _case(
    officer: User, plate: str, place: str, days_ago: int, amount: int, stage: str, today: dt.date
) -> ParkingCase:
    occurred = timezone.now() - dt.timedelta(days=days_ago, hours=3)
    data = CaseInput(plate, place, occurred, BASIS, FACTS, amount)
    case = do_record_case(officer, data, [])
    if stage == "recorded":
        return case
    decided_on = timezone.localdate(occurred)
    case = do_decide(officer, case.pk, decided_on)
    if stage == "decided":
        return case
    case = do_serve(officer, case.pk, min(today, decided_on + dt.timedelta(days=1)))
    if stage == "review":
        do_suspend(officer, case.pk, "review", today - dt.timedelta(days=3))
    return case
