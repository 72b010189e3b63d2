"""Personal information stays masked beyond the board: the citizen's tracking page and its API,
and the application's logs."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from typing import Any, cast

import pytest
from django.conf import settings
from django.test import Client

from yiwang.accounts.models import User
from yiwang.casework.actions import do_accept, do_approve_reply, do_forward, do_reply
from yiwang.intake.actions import SubmissionResult
from yiwang.intake.models import Message
from yiwang.logfilter import MaskPersonalData
from yiwang.orgs.models import Department

pytestmark = pytest.mark.django_db

MOBILE, ID_NUMBER = "13912345678", "11010519491231002X"


@pytest.fixture
def replied(
    submit: Callable[..., SubmissionResult],
    clerk: User,
    dept_officer: User,
    supervisor: User,
    departments: dict[str, Department],
) -> Callable[..., SubmissionResult]:
    """A message answered with the given reply, approved (so the citizen reads it)."""

    def _replied(reply: str, **overrides: str) -> SubmissionResult:
        sent = submit(**overrides)
        Message.objects.filter(pk=sent.message.pk).update(state="triaged")
        do_forward(clerk, sent.message.pk, departments["housing"].pk)
        do_accept(dept_officer, sent.message.pk)
        do_reply(dept_officer, sent.message.pk, reply)
        do_approve_reply(supervisor, sent.message.pk)
        return sent

    return _replied


def test_the_tracking_page_shows_the_title_and_the_reply_masked(
    replied: Callable[..., SubmissionResult], client: Client
) -> None:
    sent = replied(
        f"已联系业主，请拨打{MOBILE}与维修师傅约时间。",
        title="王小明先生反映电梯问题",
        content="电梯坏了两个月，请尽快修理。",
    )
    message = sent.message
    page = client.post(
        "/en/track/", {"tracking_number": message.tracking_number, "query_code": sent.query_code}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "王先生反映电梯问题" in html
    assert "王小明" not in html
    assert "139****5678" in html
    assert MOBILE not in html


def test_the_status_api_masks_the_reply_too(
    replied: Callable[..., SubmissionResult], client: Client
) -> None:
    sent = replied(f"请拨打{MOBILE}。")
    message = sent.message
    response = client.post(
        "/api/v1/messages/track",
        {"tracking_number": message.tracking_number, "query_code": sent.query_code},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert MOBILE not in response.content.decode()
    assert response.json()["reply"] == "请拨打139****5678。"


def test_every_configured_log_handler_masks_personal_numbers() -> None:
    handlers = cast(dict[str, dict[str, Any]], settings.LOGGING["handlers"])
    for name, handler in handlers.items():
        assert "mask_personal_data" in handler["filters"], name
    ours = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert ours
    assert all(any(isinstance(f, MaskPersonalData) for f in h.filters) for h in ours)


def test_a_log_line_and_its_traceback_carry_no_phone_or_id_number() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskPersonalData())
    logger = logging.getLogger("yiwang.tests.masking")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError(f"duplicate key {ID_NUMBER}")
        except ValueError:
            logger.exception("lookup of %s failed for %s", MOBILE, "a@b.cn")
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "139****5678" in written
    assert "11*************02X" in written
    for secret in (MOBILE, ID_NUMBER, "a@b.cn"):
        assert secret not in written


# --- no role without the right sees a personal field unmasked -------------------------------------

CONTACT = {"mobile": "13700137000", "email": "zhang.wei@example.com"}


@pytest.mark.parametrize("role", ["clerk", "editor", "dept_officer", "dept_head", "supervisor"])
def test_no_role_without_the_right_sees_a_contact_unmasked_on_any_page_api_or_export(
    role: str,
    request: pytest.FixtureRequest,
    signed_in: Callable[[User], Client],
    message_for: Callable[..., Message],
    client: Client,
) -> None:
    """The supervisor holds the right but has not revealed: masked too, until a reveal."""
    user: User = request.getfixturevalue(role)
    message = message_for("housing", contact_name="张伟", **CONTACT)
    staff = signed_in(user)
    urls = [
        f"/staff/messages/{message.tracking_number}/",
        "/staff/messages/",
        f"/api/v1/staff/messages/{message.tracking_number}",
        "/api/v1/staff/messages",
        "/board/",
        "/api/v1/public/messages",
    ]
    if not user.has_perm("accounts.view_personal_data"):
        urls += ["/staff/messages/export.csv", "/staff/messages/export.xlsx"]
    for url in urls:
        response = (
            staff.get(url) if url.startswith(("/staff", "/api/v1/staff")) else client.get(url)
        )
        body = response.getvalue()
        text = body.decode("utf-8", errors="replace") if not url.endswith(".xlsx") else ""
        for secret in CONTACT.values():
            assert secret.encode() not in body, (role, url)
            assert secret not in text, (role, url)
        assert "张伟" not in text, (role, url)
