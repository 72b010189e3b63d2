"""Reminders before a reply is due (催办) and escalation when overdue (督办): once each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.test import Client

from yiwang.accounts.actions import do_create_staff
from yiwang.accounts.models import User
from yiwang.casework import supervision
from yiwang.casework.supervision import do_supervise
from yiwang.intake.models import Message
from yiwang.jobs.registry import JOBS
from yiwang.notify.actions import do_retry_undelivered
from yiwang.notify.models import Notice, NoticeStage, OutboxItem
from yiwang.orgs.models import Department

pytestmark = pytest.mark.django_db

# Tuesday 8 October 2024, the first working day after the National Day holiday.
TODAY = dt.datetime(2024, 10, 8, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
NEXT_WORKING_DAY = dt.date(2024, 10, 9)


@pytest.fixture
def handlers(dept_officer: User, dept_head: User, supervisor: User) -> dict[str, User]:
    for person in (dept_officer, dept_head, supervisor):
        person.email = f"{person.username}@example.gov.cn"
        person.save(update_fields=["email"])
    return {"officer": dept_officer, "head": dept_head, "supervisor": supervisor}


@pytest.fixture
def case(message_for: Callable[..., Message]) -> Callable[..., Message]:
    def _case(deadline: dt.date, state: str = "accepted", **overrides: Any) -> Message:
        message = message_for("housing", **overrides)
        Message.objects.filter(pk=message.pk).update(state=state, deadline=deadline)
        message.refresh_from_db()
        return message

    return _case


def supervise(capture: Any, at: dt.datetime = TODAY) -> int:
    with time_machine.travel(at, tick=False), capture(execute=True):
        return do_supervise()


def notified(message: Message) -> set[tuple[str, str]]:
    return {(n.stage, n.recipient.username) for n in Notice.objects.filter(message=message)}


def test_the_department_is_reminded_once_the_day_before_the_reply_is_due(
    handlers: dict[str, User], case: Callable[..., Message], django_capture_on_commit_callbacks: Any
) -> None:
    message = case(NEXT_WORKING_DAY)
    assert supervise(django_capture_on_commit_callbacks) == 1
    assert notified(message) == {("due_soon", "dept_officer"), ("due_soon", "dept_head")}
    assert sorted(m.to[0] for m in mail.outbox) == [
        "dept_head@example.gov.cn",
        "dept_officer@example.gov.cn",
    ]
    assert message.tracking_number in mail.outbox[0].subject
    assert message.events.filter(kind="supervision").count() == 1


def test_running_the_job_again_sends_nothing_more(
    handlers: dict[str, User], case: Callable[..., Message], django_capture_on_commit_callbacks: Any
) -> None:
    case(NEXT_WORKING_DAY)
    supervise(django_capture_on_commit_callbacks)
    assert supervise(django_capture_on_commit_callbacks) == 0
    assert Notice.objects.count() == 2
    assert len(mail.outbox) == 2


def test_an_overdue_case_is_escalated_to_the_head_and_the_desk_supervisor(
    handlers: dict[str, User], case: Callable[..., Message], django_capture_on_commit_callbacks: Any
) -> None:
    message = case(dt.date(2024, 9, 30))
    supervise(django_capture_on_commit_callbacks)
    assert notified(message) == {("overdue", "dept_head"), ("overdue", "supervisor")}


def test_a_reminded_case_that_becomes_overdue_is_escalated_as_well(
    handlers: dict[str, User], case: Callable[..., Message], django_capture_on_commit_callbacks: Any
) -> None:
    message = case(NEXT_WORKING_DAY)
    supervise(django_capture_on_commit_callbacks)
    supervise(django_capture_on_commit_callbacks, at=TODAY + dt.timedelta(days=2))
    stages = [n.stage for n in Notice.objects.filter(message=message).order_by("id")]
    assert stages.count(NoticeStage.DUE_SOON) == 2
    assert stages.count(NoticeStage.OVERDUE) == 2


def test_an_extension_starts_a_new_round_of_reminders(
    handlers: dict[str, User], case: Callable[..., Message], django_capture_on_commit_callbacks: Any
) -> None:
    message = case(NEXT_WORKING_DAY)
    supervise(django_capture_on_commit_callbacks)
    Message.objects.filter(pk=message.pk).update(deadline=dt.date(2024, 10, 11))
    supervise(django_capture_on_commit_callbacks, at=TODAY + dt.timedelta(days=2))
    deadlines = set(Notice.objects.filter(message=message).values_list("deadline", flat=True))
    assert deadlines == {NEXT_WORKING_DAY, dt.date(2024, 10, 11)}


def test_cases_due_later_or_no_longer_with_the_department_are_left_alone(
    handlers: dict[str, User], case: Callable[..., Message], django_capture_on_commit_callbacks: Any
) -> None:
    case(dt.date(2024, 10, 15), title="下周才到期")
    case(dt.date(2024, 9, 30), state="replied", title="已答复")
    case(dt.date(2024, 9, 30), state="closed", title="已办结")
    assert supervise(django_capture_on_commit_callbacks) == 0
    assert not Notice.objects.exists()


def test_a_job_that_dies_halfway_notifies_the_rest_exactly_once_when_run_again(
    handlers: dict[str, User], case: Callable[..., Message], django_capture_on_commit_callbacks: Any
) -> None:
    first, second, third = (case(NEXT_WORKING_DAY, title=f"电梯故障{i}") for i in range(3))
    real_email = supervision._email
    calls = {"n": 0}

    def dies_on_the_second_case(*args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("the worker was killed")
        real_email(*args)

    with (
        mock.patch.object(supervision, "_email", dies_on_the_second_case),
        pytest.raises(SystemExit),
    ):
        supervise(django_capture_on_commit_callbacks)
    # The first case committed whole; the second rolled back whole; the third was not reached.
    assert Notice.objects.values("message").distinct().count() == 1
    assert Notice.objects.count() == 2

    supervise(django_capture_on_commit_callbacks)
    for message in (first, second, third):
        assert Notice.objects.filter(message=message).count() == 2
    assert OutboxItem.objects.count() == 6
    assert len(mail.outbox) == 6


def test_a_failed_e_mail_stays_in_the_outbox_and_is_sent_once_on_retry(
    handlers: dict[str, User], case: Callable[..., Message], django_capture_on_commit_callbacks: Any
) -> None:
    case(NEXT_WORKING_DAY)
    with mock.patch("yiwang.notify.actions.send_mail", side_effect=OSError("mail server down")):
        supervise(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    failed = OutboxItem.objects.filter(sent_at__isnull=True)
    assert failed.count() == 2
    assert all("mail server down" in item.last_error for item in failed)

    with time_machine.travel(TODAY + dt.timedelta(minutes=10), tick=False):
        assert do_retry_undelivered() == 2
        assert do_retry_undelivered() == 0
    assert len(mail.outbox) == 2
    assert not OutboxItem.objects.filter(sent_at__isnull=True).exists()


def test_someone_without_an_e_mail_address_still_gets_the_notice(
    dept_officer: User, case: Callable[..., Message], django_capture_on_commit_callbacks: Any
) -> None:
    message = case(NEXT_WORKING_DAY)
    supervise(django_capture_on_commit_callbacks)
    assert notified(message) == {("due_soon", "dept_officer")}
    assert not OutboxItem.objects.exists()


def test_an_inactive_officer_and_another_department_are_not_told(
    handlers: dict[str, User],
    case: Callable[..., Message],
    departments: dict[str, Department],
    django_capture_on_commit_callbacks: Any,
) -> None:
    do_create_staff(
        "gone",
        "a-long-password-2026",
        roles=["dept_officer"],
        department_id=departments["housing"].pk,
    )
    User.objects.filter(username="gone").update(is_active=False)
    do_create_staff(
        "elsewhere",
        "a-long-password-2026",
        roles=["dept_officer"],
        department_id=departments["transport"].pk,
    )
    message = case(NEXT_WORKING_DAY)
    supervise(django_capture_on_commit_callbacks)
    assert {name for _, name in notified(message)} == {"dept_officer", "dept_head"}


def test_the_scheduler_runs_supervision_and_outbox_retries() -> None:
    names = {job.name: job.task_path for job in JOBS}
    assert names["supervise_deadlines"] == "yiwang.casework.tasks.supervise_deadlines"
    assert names["retry_undelivered"] == "yiwang.notify.tasks.retry_undelivered"


def test_an_officer_reads_their_notices_and_marks_them_read(
    handlers: dict[str, User],
    case: Callable[..., Message],
    signed_in: Callable[[User], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    message = case(NEXT_WORKING_DAY)
    supervise(django_capture_on_commit_callbacks)
    browser = signed_in(handlers["officer"])
    page = browser.get("/staff/notices/").content.decode()
    assert message.tracking_number in page
    assert 'class="count"' in page
    assert browser.post("/staff/notices/read").status_code == 302
    assert not Notice.objects.filter(recipient=handlers["officer"], read_at__isnull=True).exists()
    assert Notice.objects.filter(recipient=handlers["head"], read_at__isnull=True).exists()
    assert 'class="count"' not in browser.get("/staff/notices/").content.decode()


def test_nobody_sees_anothers_notices(
    handlers: dict[str, User],
    other_dept_officer: User,
    case: Callable[..., Message],
    signed_in: Callable[[User], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    message = case(NEXT_WORKING_DAY)
    supervise(django_capture_on_commit_callbacks)
    page = signed_in(other_dept_officer).get("/staff/notices/").content.decode()
    assert message.tracking_number not in page
