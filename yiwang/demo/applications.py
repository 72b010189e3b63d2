"""Demo applications of our own, made through the real actions, so the department's queue,
the status page and the follow-ups have something to show. Applicants are invented; their
ID numbers are computed with valid check characters."""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image

from yiwang.accounts.models import User
from yiwang.applications.actions import Decision, do_move, do_rate, do_submit_application
from yiwang.applications.models import Application
from yiwang.applications.validation import ApplicationInput, Upload, validate_application
from yiwang.catalogue.models import Implementation
from yiwang.lib.codes import new_submission_token
from yiwang.lib.contact import id_number_check_char

APPLICANTS = (
    ("林晓燕", "33010619850312002", "13900001111"),
    ("王建军", "33010219790705003", "13900002222"),
    ("陈思远", "33010819920119004", "13900003333"),
    ("赵丽华", "33010519880830005", "13900004444"),
    ("黄国平", "33010619700101006", "13900005555"),
    ("吴婷婷", "33010219950521007", "13900006666"),
)


def _picture() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 40), (235, 240, 250)).save(buffer, "PNG")
    return buffer.getvalue()


def _steps(officer: User) -> list[Callable[[int], object]]:
    """What happens to each demo application after it is submitted."""
    return [
        lambda pk: None,  # waiting for acceptance
        lambda pk: do_move(pk, "accept", by=officer),
        lambda pk: do_move(
            pk, "ask_correction", by=officer, decision=Decision("请补充清晰的身份证照片。")
        ),
        lambda pk: _complete(pk, officer, score=1),
        lambda pk: _complete(pk, officer, score=5),
        lambda pk: do_move(pk, "withdraw"),
    ]


def _complete(pk: int, officer: User, score: int) -> None:
    do_move(pk, "accept", by=officer)
    do_move(pk, "pass_review", by=officer, decision=Decision("材料齐全，符合条件。"))
    do_move(
        pk, "complete", by=officer, decision=Decision(outcome="approved", result_text="准予办理")
    )
    do_rate(pk, score, "mobile", "窗口态度好" if score == 1 else "等了很久才有人处理")


def load_demo_applications(officer_username: str = "police_officer") -> int:
    """Six applications to the officer's department, in different states; none if any exist."""
    officer = User.objects.filter(username=officer_username).first()
    if officer is None or officer.department_id is None or Application.objects.exists():
        return 0
    services = list(
        Implementation.objects.filter(body_id=officer.department_id, online=True, is_active=True)
        .prefetch_related("materials")
        .order_by("code")[: len(APPLICANTS)]
    )
    picture = _picture()
    made = 0
    for (name, first17, mobile), service, step in zip(
        APPLICANTS, services, _steps(officer), strict=False
    ):
        files = {m.pk: [Upload("材料.png", picture)] for m in service.materials.all()}
        data = ApplicationInput(
            "person", name, first17 + id_number_check_char(first17), mobile, "杭州市", files
        )
        submitted = do_submit_application(
            validate_application(service, data), new_submission_token()
        )
        step(submitted.application.pk)
        made += 1
    return made
