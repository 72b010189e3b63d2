"""Callback and rating (回访, 好差评): the citizen rates the answer, an unsatisfied rating has
the case handled again once, both sides may appeal, and the supervisor sees the rates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client

from tests.concurrency import run_together
from yiwang.accounts.models import User
from yiwang.casework.actions import (
    do_accept,
    do_answer,
    do_approve_reply,
    do_close,
    do_forward,
    do_reply,
)
from yiwang.casework.feedback import (
    do_decide_appeal,
    do_department_appeal,
    do_rate,
)
from yiwang.casework.machine import IllegalMove
from yiwang.casework.models import Appeal, Rating, Rehandling
from yiwang.casework.performance import department_rates
from yiwang.intake.actions import SubmissionResult
from yiwang.intake.models import Message
from yiwang.lib.codes import format_query_code
from yiwang.orgs.models import Department

pytestmark = pytest.mark.django_db
REPLY = "已安排维修，本周内完成。"


def looked_up(client: Client, sent: SubmissionResult) -> Any:
    assert sent.query_code
    code = format_query_code(sent.query_code)
    return client.post(
        "/track/", {"tracking_number": sent.message.tracking_number, "query_code": code}
    )


def rate_url(message: Message) -> str:
    return f"/track/{message.tracking_number}/rate"


def test_the_citizen_rates_a_public_answer_once_on_the_tracking_page(
    client: Client, answered: Callable[..., SubmissionResult]
) -> None:
    sent = answered()
    page = looked_up(client, sent).content.decode()
    assert "非常满意" in page
    assert "非常不满意" in page
    response = client.post(rate_url(sent.message), {"score": "2", "comment": "修得很快"})
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert (rating.score, rating.comment, rating.round) == (2, "修得很快", 1)
    assert rating.department is not None
    assert rating.department.short_code == "杭建"
    again = client.post(rate_url(sent.message), {"score": "1"})
    assert again.status_code == 400
    assert Rating.objects.count() == 1
    assert (
        'name="score"' not in client.get(f"/track/{sent.message.tracking_number}/").content.decode()
    )


def test_an_unsatisfied_rating_sends_the_case_back_to_the_same_department(
    client: Client, answered: Callable[..., SubmissionResult]
) -> None:
    sent = answered()
    looked_up(client, sent)
    client.post(rate_url(sent.message), {"score": "4", "comment": "电梯还是坏的"})
    message = Message.objects.get(pk=sent.message.pk)
    assert message.state == "accepted"
    assert message.lead_department is not None
    assert message.lead_department.short_code == "杭建"
    assert (message.reply_text, message.reply_approved_at) == ("", None)
    assert message.deadline is not None
    assert Rehandling.objects.get().previous_reply == REPLY
    page = client.get(f"/track/{message.tracking_number}/").content.decode()
    assert "该件正在重新办理。" in page
    assert message.events.filter(action="rehandle", actor__isnull=True).exists()


def test_a_second_unsatisfied_rating_is_recorded_but_does_not_reopen_again(
    client: Client,
    answered: Callable[..., SubmissionResult],
    dept_officer: User,
    supervisor: User,
    clerk: User,
) -> None:
    sent = answered()
    pk = sent.message.pk
    do_rate(pk, 5)
    do_reply(dept_officer, pk, "已更换电梯主板。")
    do_approve_reply(supervisor, pk)
    do_rate(pk, 4, "还是不行")
    message = Message.objects.get(pk=pk)
    assert message.state == "replied"
    assert list(Rating.objects.values_list("round", "score")) == [(1, 5), (2, 4)]
    assert Rehandling.objects.count() == 1
    assert do_close(clerk, pk).state == "closed"


def test_nothing_can_be_rated_before_the_answer_is_public(
    dept_officer: User,
    clerk: User,
    submit: Callable[..., SubmissionResult],
    departments: dict[str, Department],
) -> None:
    message = submit().message
    with pytest.raises(IllegalMove):
        do_rate(message.pk, 1)
    Message.objects.filter(pk=message.pk).update(state="triaged")
    do_forward(clerk, message.pk, departments["housing"].pk)
    do_accept(dept_officer, message.pk)
    do_reply(dept_officer, message.pk, REPLY)  # a draft, not approved
    with pytest.raises(IllegalMove):
        do_rate(message.pk, 1)
    assert not Rating.objects.exists()


@pytest.mark.parametrize("score", ["", "0", "6", "3.5", "abc", "-1", "１"])
def test_a_score_off_the_scale_is_refused_with_a_clear_error(
    client: Client, answered: Callable[..., SubmissionResult], score: str
) -> None:
    sent = answered()
    looked_up(client, sent)
    response = client.post(rate_url(sent.message), {"score": score})
    assert response.status_code == 400
    assert "请从五个评价等级中选择一个。" in response.content.decode()
    assert not Rating.objects.exists()


def test_an_oversized_comment_is_refused_and_nothing_is_stored(
    client: Client, answered: Callable[..., SubmissionResult]
) -> None:
    sent = answered()
    looked_up(client, sent)
    response = client.post(rate_url(sent.message), {"score": "1", "comment": "好" * 501})
    assert response.status_code == 400
    assert not Rating.objects.exists()


def test_rating_without_looking_the_message_up_first_is_refused(
    client: Client, answered: Callable[..., SubmissionResult]
) -> None:
    sent = answered()
    response = client.post(rate_url(sent.message), {"score": "5"})
    assert response.status_code == 403
    assert client.get(f"/track/{sent.message.tracking_number}/").status_code == 403
    assert (
        client.post(f"/track/{sent.message.tracking_number}/appeal", {"text": "x"}).status_code
        == 403
    )
    assert not Rating.objects.exists()
    assert not Appeal.objects.exists()


def test_an_unsatisfied_rating_of_the_desks_own_answer_goes_back_to_the_desk(
    clerk: User, submit: Callable[..., SubmissionResult]
) -> None:
    message = submit().message
    do_answer(clerk, message.pk, "办事大厅上午九点开门。")
    rating = do_rate(message.pk, 5)
    assert rating.department is None
    message.refresh_from_db()
    assert message.state == "new"


@pytest.mark.django_db(transaction=True)
def test_two_ratings_sent_at_once_record_one_and_reopen_once(
    answered: Callable[..., SubmissionResult],
) -> None:
    sent = answered()
    results = run_together(2, lambda i: do_rate(sent.message.pk, 5), expected=(IllegalMove,))
    assert sorted(type(r).__name__ for r in results) == ["IllegalMove", "Rating"]
    assert Rating.objects.count() == 1
    assert Rehandling.objects.count() == 1


def test_the_citizen_appeals_once_and_an_upheld_appeal_has_the_case_handled_again(
    client: Client, answered: Callable[..., SubmissionResult], supervisor: User
) -> None:
    sent = answered()
    looked_up(client, sent)
    url = f"/track/{sent.message.tracking_number}/appeal"
    assert client.post(url, {"text": "答复与事实不符"}).status_code == 302
    assert client.post(url, {"text": "再次申诉"}).status_code == 400
    appeal = Appeal.objects.get()
    assert (appeal.party, appeal.status) == ("citizen", "pending")
    do_decide_appeal(supervisor, appeal.pk, uphold=True, note="请重新核实")
    message = Message.objects.get(pk=sent.message.pk)
    assert message.state == "accepted"
    assert Rehandling.objects.get().appeal == appeal
    with pytest.raises(IllegalMove):
        do_decide_appeal(supervisor, appeal.pk, uphold=False)


def test_an_empty_appeal_is_refused(
    client: Client, answered: Callable[..., SubmissionResult]
) -> None:
    sent = answered()
    looked_up(client, sent)
    response = client.post(f"/track/{sent.message.tracking_number}/appeal", {"text": "  "})
    assert response.status_code == 400
    assert not Appeal.objects.exists()


def test_a_department_appeals_a_bad_rating_and_an_upheld_appeal_excludes_it(
    answered: Callable[..., SubmissionResult],
    dept_officer: User,
    other_dept_officer: User,
    clerk: User,
    supervisor: User,
) -> None:
    sent = answered()
    pk = sent.message.pk
    do_rate(pk, 5, "恶意差评")
    do_reply(dept_officer, pk, "已再次核实。")
    do_approve_reply(supervisor, pk)
    bad = do_rate(pk, 5)
    with pytest.raises(PermissionDenied):
        do_department_appeal(other_dept_officer, bad.pk, "不是我们的件")
    with pytest.raises(PermissionDenied):
        do_department_appeal(clerk, bad.pk, "desk")
    with pytest.raises(PermissionDenied):
        do_decide_appeal(dept_officer, 1, uphold=True)
    appeal = do_department_appeal(dept_officer, bad.pk, "该评价与办理无关")
    with pytest.raises(IllegalMove):
        do_department_appeal(dept_officer, bad.pk, "again")
    do_decide_appeal(supervisor, appeal.pk, uphold=True)
    bad.refresh_from_db()
    assert bad.excluded is True
    assert Message.objects.get(pk=pk).state == "replied"  # upholding it reopens nothing


def test_a_satisfied_rating_cannot_be_appealed(
    answered: Callable[..., SubmissionResult], dept_officer: User
) -> None:
    rating = do_rate(answered().message.pk, 1)
    with pytest.raises(IllegalMove):
        do_department_appeal(dept_officer, rating.pk, "no reason")


def test_the_rates_per_department_and_month_follow_the_definitions(
    clerk: User,
    dept_officer: User,
    supervisor: User,
    submit: Callable[..., SubmissionResult],
    departments: dict[str, Department],
) -> None:
    housing = departments["housing"].pk
    start = dt.datetime(2024, 3, 4, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))

    def case(title: str, sign_after_hours: int, score: int | None, close: bool) -> None:
        with time_machine.travel(start, tick=False):
            message = submit(title=title).message
            Message.objects.filter(pk=message.pk).update(state="triaged")
            do_forward(clerk, message.pk, housing)
        with time_machine.travel(start + dt.timedelta(hours=sign_after_hours), tick=False):
            do_accept(dept_officer, message.pk)
            do_reply(dept_officer, message.pk, REPLY)
            do_approve_reply(supervisor, message.pk)
            if score is not None:
                do_rate(message.pk, score)
            if close and score is not None and score <= 3:
                do_close(clerk, message.pk)

    case("一号", 2, 1, close=True)  # in time, satisfied, closed
    case("二号", 23, 3, close=True)  # in time, fairly satisfied, closed
    case("三号", 30, 5, close=False)  # late, very unsatisfied, handled again
    case("四号", 48, None, close=False)  # late, not rated
    third = Message.objects.get(title="三号")
    with time_machine.travel(start + dt.timedelta(days=3), tick=False):
        do_reply(dept_officer, third.pk, "已再次处理。")
        do_approve_reply(supervisor, third.pk)
        do_close(clerk, third.pk)

    [row] = department_rates(dt.date(2024, 3, 1))
    assert row.department.short_code == "杭建"
    assert (row.forwarded, row.responded) == (4, 2)
    assert (row.closed, row.resolved) == (3, 2)
    assert (row.ratings, row.satisfied) == (3, 2)
    assert row.rates == {"response": 0.5, "resolution": 2 / 3, "satisfaction": 2 / 3}
    assert department_rates(dt.date(2024, 4, 1)) == []


def test_the_supervisor_sees_the_rates_page_and_others_do_not(
    supervisor: User, clerk: User, dept_head: User, signed_in: Callable[[User], Client]
) -> None:
    page = signed_in(supervisor).get("/staff/performance/")
    assert page.status_code == 200
    assert "响应率" in page.content.decode()
    assert signed_in(supervisor).get("/staff/performance/?month=2024-13").status_code == 400
    assert signed_in(supervisor).get("/staff/performance/?month=<script>").status_code == 400
    assert signed_in(clerk).get("/staff/performance/").status_code == 403
    assert signed_in(dept_head).get("/staff/performance/").status_code == 403


def test_the_message_page_lets_the_department_appeal_and_the_supervisor_decide(
    answered: Callable[..., SubmissionResult],
    dept_officer: User,
    supervisor: User,
    signed_in: Callable[[User], Client],
) -> None:
    sent = answered()
    pk = sent.message.pk
    do_rate(pk, 5)
    do_reply(dept_officer, pk, "已再次核实。")
    do_approve_reply(supervisor, pk)
    bad = do_rate(pk, 4)
    page_url = f"/staff/messages/{sent.message.tracking_number}/"
    officer = signed_in(dept_officer)
    assert f"/staff/ratings/{bad.pk}/appeal" in officer.get(page_url).content.decode()
    officer.post(f"/staff/ratings/{bad.pk}/appeal", {"text": "评价对象有误"})
    appeal = Appeal.objects.get(party="department")
    boss = signed_in(supervisor)
    assert f"/staff/appeals/{appeal.pk}/decide" in boss.get(page_url).content.decode()
    boss.post(f"/staff/appeals/{appeal.pk}/decide", {"decision": "maybe"})
    assert Appeal.objects.get(pk=appeal.pk).status == "pending"
    boss.post(f"/staff/appeals/{appeal.pk}/decide", {"decision": "dismiss", "note": "理由不足"})
    assert Appeal.objects.get(pk=appeal.pk).status == "dismissed"
