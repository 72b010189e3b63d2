"""The citizen hears of the answer by e-mail and text message, once, never with the query code."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings

from yiwang.accounts.models import User
from yiwang.casework.actions import (
    do_accept,
    do_answer,
    do_approve_reply,
    do_forward,
    do_reply,
    do_send_back,
)
from yiwang.intake.actions import SubmissionResult
from yiwang.intake.models import Message
from yiwang.lib.codes import format_query_code
from yiwang.notify.actions import do_deliver
from yiwang.notify.models import OutboxItem
from yiwang.notify.sms import FileSmsBackend, MemorySmsBackend
from yiwang.orgs.models import Department

pytestmark = pytest.mark.django_db
REPLY = "已安排维修，本周内完成。"


@pytest.fixture(autouse=True)
def _empty_sms_outbox() -> Iterator[None]:
    MemorySmsBackend.outbox.clear()
    yield
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def replied(
    clerk: User,
    dept_officer: User,
    message_for: Callable[..., Message],
    departments: dict[str, Department],
) -> Callable[..., Message]:
    """A message forwarded to housing, signed for and replied to (a draft awaiting approval)."""

    def _replied(**contact: Any) -> Message:
        message = message_for("housing", **contact)
        Message.objects.filter(pk=message.pk).update(state="triaged")
        do_forward(clerk, message.pk, departments["housing"].pk)
        do_accept(dept_officer, message.pk)
        return do_reply(dept_officer, message.pk, REPLY)

    return _replied


def test_approving_the_reply_e_mails_and_texts_the_citizen(
    replied: Callable[..., Message], supervisor: User, django_capture_on_commit_callbacks: Any
) -> None:
    message = replied(email="zhang@example.com", mobile="13800138000")
    assert mail.outbox == []  # not for a draft
    assert MemorySmsBackend.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        do_approve_reply(supervisor, message.pk)
    [email] = mail.outbox
    assert email.to == ["zhang@example.com"]
    assert message.tracking_number in email.subject
    assert REPLY in email.body
    [(number, text)] = MemorySmsBackend.outbox
    assert number == "13800138000"
    assert message.tracking_number in text


def test_the_outbox_keeps_no_address_and_the_texts_carry_no_query_code(
    clerk: User,
    dept_officer: User,
    supervisor: User,
    submit: Callable[..., SubmissionResult],
    departments: dict[str, Department],
    django_capture_on_commit_callbacks: Any,
) -> None:
    sent = submit(email="zhang@example.com", mobile="13800138000")
    message = sent.message
    Message.objects.filter(pk=message.pk).update(state="triaged")
    do_forward(clerk, message.pk, departments["housing"].pk)
    do_accept(dept_officer, message.pk)
    do_reply(dept_officer, message.pk, REPLY)
    with django_capture_on_commit_callbacks(execute=True):
        do_approve_reply(supervisor, message.pk)
    stored = json.dumps(list(OutboxItem.objects.values()), default=str, ensure_ascii=False)
    assert "zhang@example.com" not in stored
    assert "13800138000" not in stored
    assert sent.query_code
    code_forms = {sent.query_code, format_query_code(sent.query_code)}
    for text in [mail.outbox[0].body, MemorySmsBackend.outbox[0][1]]:
        assert not any(code in text for code in code_forms)


def test_a_reply_sent_back_for_revision_tells_the_citizen_nothing(
    replied: Callable[..., Message], supervisor: User, django_capture_on_commit_callbacks: Any
) -> None:
    message = replied(email="zhang@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        do_send_back(supervisor, message.pk, "请补充维修时间")
    assert mail.outbox == []
    assert not OutboxItem.objects.exists()


def test_a_citizen_who_gave_no_address_gets_nothing_queued(
    replied: Callable[..., Message], supervisor: User
) -> None:
    message = replied(mobile="")
    do_approve_reply(supervisor, message.pk)
    assert not OutboxItem.objects.exists()


def test_the_desks_own_answer_is_told_at_once_in_the_citizens_language(
    clerk: User, message_for: Callable[..., Message], django_capture_on_commit_callbacks: Any
) -> None:
    message = message_for("housing", email="li@example.com", mobile="")
    Message.objects.filter(pk=message.pk).update(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        do_answer(clerk, message.pk, "The service hall opens at 9 a.m.")
    [email] = mail.outbox
    assert email.subject == f"Your message {message.tracking_number} has been answered"
    assert "The service hall opens at 9 a.m." in email.body


def test_a_delivery_task_run_twice_sends_once(
    replied: Callable[..., Message], supervisor: User
) -> None:
    message = replied(email="zhang@example.com", mobile="")
    do_approve_reply(supervisor, message.pk)  # the task is not run: no on-commit here
    item = OutboxItem.objects.get()
    assert do_deliver(item.pk) is True
    assert do_deliver(item.pk) is False
    assert len(mail.outbox) == 1


def test_a_failing_text_gateway_is_retried_until_the_attempts_run_out(
    replied: Callable[..., Message], supervisor: User, settings: Any
) -> None:
    settings.YIWANG_OUTBOX_ATTEMPTS = 2
    message = replied()
    do_approve_reply(supervisor, message.pk)
    item = OutboxItem.objects.get(channel="sms")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(MemorySmsBackend, "send", _gateway_down)
        assert do_deliver(item.pk) is False
        assert do_deliver(item.pk) is False
    assert do_deliver(item.pk) is False  # given up after two attempts
    item.refresh_from_db()
    assert (item.attempts, item.sent_at) == (2, None)
    assert "gateway timeout" in item.last_error


def _gateway_down(self: MemorySmsBackend, number: str, text: str) -> None:
    raise TimeoutError("gateway timeout")


def test_the_file_backend_writes_one_json_line_per_text(tmp_path: Path) -> None:
    target = tmp_path / "sms" / "out.jsonl"
    with override_settings(YIWANG_SMS_FILE=str(target)):
        FileSmsBackend().send("13800138000", "您的留言已有答复")
        FileSmsBackend().send("13900139000", "second")
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [(line["to"], line["text"]) for line in lines] == [
        ("13800138000", "您的留言已有答复"),
        ("13900139000", "second"),
    ]
