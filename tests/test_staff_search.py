"""Staff search the triage list through the search layer, and see similar earlier messages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yiwang.accounts.models import User
from yiwang.intake.models import Message

pytestmark = pytest.mark.django_db


def listed(browser: Client, query: str) -> list[str]:
    response = browser.get("/staff/messages/", {"q": query})
    assert response.status_code == 200
    return [m.tracking_number for m in response.context["page"]]


def test_the_list_finds_a_fragment_of_a_word_and_a_tracking_number(
    clerk: User, signed_in: Callable[[User], Client], message_for: Callable[..., Message]
) -> None:
    fund = message_for("housing", title="住房公积金提取", content="提取公积金太慢")
    lift = message_for("housing", mobile="13900139000")
    browser = signed_in(clerk)
    assert listed(browser, "积金") == [fund.tracking_number]
    assert listed(browser, lift.tracking_number.lower()) == [lift.tracking_number]
    assert listed(browser, '电梯" OR "公积金') == []
    assert listed(browser, "   ") == [lift.tracking_number, fund.tracking_number]


def test_a_department_finds_only_its_own_messages(
    dept_officer: User, signed_in: Callable[[User], Client], message_for: Callable[..., Message]
) -> None:
    own = message_for("housing", title="电梯停运")
    message_for("transport", title="电梯停运", mobile="13900139000")
    assert listed(signed_in(dept_officer), "电梯") == [own.tracking_number]


def test_a_search_costs_as_many_queries_for_one_result_as_for_many(
    clerk: User,
    signed_in: Callable[[User], Client],
    message_for: Callable[..., Message],
) -> None:
    browser = signed_in(clerk)
    message_for("housing")
    browser.get("/staff/messages/", {"q": "电梯"})  # warm the per-process look-ups

    def queries_for(query: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            browser.get("/staff/messages/", {"q": query})
        return len(captured)

    one = queries_for("电梯")
    for i in range(4):
        message_for("housing", mobile=f"1390013900{i}", title=f"电梯故障{i}")
    assert queries_for("电梯") == one


def test_the_message_page_lists_similar_earlier_messages_the_viewer_may_see(
    dept_officer: User, signed_in: Callable[[User], Client], message_for: Callable[..., Message]
) -> None:
    text = "小区电梯故障物业不修理，老人上下楼困难"
    earlier = message_for("housing", title="小区电梯故障", content=text, mobile="13900139001")
    elsewhere = message_for("transport", title="小区电梯故障", content=text, mobile="13900139002")
    message_for("housing", title="公交线路调整", content="公交站点太远", mobile="13900139003")
    latest = message_for("housing", title="电梯故障又发生", content=text, mobile="13900139004")
    response = signed_in(dept_officer).get(f"/staff/messages/{latest.tracking_number}/")
    assert [m.tracking_number for m in response.context["similar"]] == [earlier.tracking_number]
    assert elsewhere.tracking_number not in response.content.decode()
