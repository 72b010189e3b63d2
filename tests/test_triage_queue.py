"""The triage list: filters by day, theme and category, and bulk moves through the machine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from yiwang.accounts.models import User
from yiwang.casework.actions import do_triage
from yiwang.intake.models import Message
from yiwang.orgs.models import Department
from yiwang.staff import queries
from yiwang.staff.queries import CappedPaginator
from yiwang.taxonomy.models import Category, Theme

pytestmark = pytest.mark.django_db


def listed(browser: Client, query: str) -> set[str]:
    response = browser.get(f"/staff/messages/?{query}")
    assert response.status_code == 200
    return {m.tracking_number for m in response.context["page"]}


def test_the_list_filters_by_day_theme_and_category(
    clerk: User,
    signed_in: Callable[[User], Client],
    message_for: Callable[..., Message],
    taxonomy: dict[str, Category],
    theme: Theme,
) -> None:
    themed = message_for("housing", theme="t01")
    other = message_for("housing", mobile="13900139000")
    Message.objects.filter(pk=other.pk).update(due_day=dt.date(2026, 1, 1))
    do_triage(clerk, themed.pk, taxonomy["repairs"].pk)
    browser = signed_in(clerk)
    assert listed(browser, "theme=t01") == {themed.tracking_number}
    assert listed(browser, "day=2026-01-01") == {other.tracking_number}
    assert listed(browser, "category=01") == {themed.tracking_number}
    assert listed(browser, "category=01.01") == {themed.tracking_number}
    assert listed(browser, "category=04") == set()
    assert listed(browser, "day=not-a-date") == {themed.tracking_number, other.tracking_number}


def test_a_clerk_classifies_many_messages_at_once(
    clerk: User,
    signed_in: Callable[[User], Client],
    message_for: Callable[..., Message],
    taxonomy: dict[str, Category],
) -> None:
    first = message_for("housing")
    second = message_for("housing", mobile="13900139000")
    closed = message_for("housing", mobile="13700137000")
    Message.objects.filter(pk=closed.pk).update(state="closed")
    response = signed_in(clerk).post(
        "/staff/messages/bulk",
        {
            "action": "triage",
            "category": taxonomy["repairs"].pk,
            "selected": [first.tracking_number, second.tracking_number, closed.tracking_number],
            "next": "https://evil.example/steal",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/staff/messages/"
    states = dict(Message.objects.values_list("tracking_number", "state"))
    assert states[first.tracking_number] == states[second.tracking_number] == "triaged"
    assert states[closed.tracking_number] == "closed"
    notices = [str(m) for m in response.context["messages"]]
    assert any(closed.tracking_number in n for n in notices)


def test_a_bulk_forward_sends_them_to_one_department(
    clerk: User,
    signed_in: Callable[[User], Client],
    message_for: Callable[..., Message],
    departments: dict[str, Department],
) -> None:
    messages = [message_for("housing", mobile=f"1390013900{i}") for i in range(3)]
    Message.objects.update(state="triaged")
    signed_in(clerk).post(
        "/staff/messages/bulk",
        {
            "action": "forward",
            "lead_department": departments["transport"].pk,
            "selected": [m.tracking_number for m in messages],
        },
    )
    assert set(Message.objects.values_list("state", "lead_department__short_code")) == {
        ("forwarded", "杭交")
    }


def test_departments_cannot_use_bulk_moves_on_the_desks_messages(
    dept_officer: User,
    signed_in: Callable[[User], Client],
    message_for: Callable[..., Message],
    taxonomy: dict[str, Category],
) -> None:
    message = message_for("transport")
    signed_in(dept_officer).post(
        "/staff/messages/bulk",
        {
            "action": "triage",
            "category": taxonomy["repairs"].pk,
            "selected": [message.tracking_number],
        },
    )
    message.refresh_from_db()
    assert message.state == "new"


def test_a_bulk_post_without_an_action_or_messages_changes_nothing(
    clerk: User, signed_in: Callable[[User], Client], message_for: Callable[..., Message]
) -> None:
    message = message_for("housing")
    browser = signed_in(clerk)
    for data in (
        {"action": "triage"},
        {"selected": [message.tracking_number]},
        {"action": "close", "selected": [message.tracking_number]},
    ):
        assert browser.post("/staff/messages/bulk", data).status_code == 302
    message.refresh_from_db()
    assert message.state == "new"


def test_the_list_costs_the_same_queries_whatever_the_volume(
    clerk: User,
    signed_in: Callable[[User], Client],
    message_for: Callable[..., Message],
    django_assert_max_num_queries: Any,
) -> None:
    browser = signed_in(clerk)
    message_for("housing")
    with django_assert_max_num_queries(12) as few:
        browser.get("/staff/messages/")
    for n in range(12):
        message_for("transport", mobile=f"139001390{n:02d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(browser.get("/staff/messages/").context["page"]) == 13


def test_past_the_count_cap_the_list_says_so_instead_of_counting_everything(
    clerk: User,
    signed_in: Callable[[User], Client],
    message_for: Callable[..., Message],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    for n in range(3):
        message_for("housing", mobile=f"139001390{n:02d}")
    capped = CappedPaginator(Message.objects.order_by("-id"), 1)
    assert (capped.count, capped.num_pages, capped.pages_shown) == (2, 2, "2+")
    assert [m.pk for m in capped.page(2)] == [Message.objects.order_by("-id")[1].pk]
    exact = CappedPaginator(Message.objects.order_by("-id")[:2], 1)
    assert (exact.count, exact.pages_shown) == (2, "2")
    response = signed_in(clerk).get("/staff/messages/")
    assert response.context["page"].paginator.pages_shown == "1+"
