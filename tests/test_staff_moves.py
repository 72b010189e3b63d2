"""The message page offers the moves a person may make, and posts them through casework."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from yiwang.accounts.models import User
from yiwang.intake.models import Message
from yiwang.orgs.models import Department
from yiwang.taxonomy.models import Category

pytestmark = pytest.mark.django_db


def move_url(message: Message, action: str) -> str:
    return f"/staff/messages/{message.tracking_number}/move/{action}"


def test_a_clerk_sees_the_triage_form_and_classifies_a_message(
    clerk: User,
    signed_in: Callable[[User], Client],
    message_for: Callable[..., Message],
    taxonomy: dict[str, Category],
) -> None:
    message = message_for("housing")
    browser = signed_in(clerk)
    page = browser.get(f"/staff/messages/{message.tracking_number}/")
    assert page.context["moves"] == ["triage", "not_accept", "answer", "merge"]
    assert move_url(message, "triage") in page.content.decode()
    response = browser.post(
        move_url(message, "triage"),
        {"category": taxonomy["repairs"].pk, "expected_state": "new"},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.state, message.category) == ("triaged", taxonomy["repairs"])


def test_a_stale_form_shows_the_current_state_and_changes_nothing(
    clerk: User,
    signed_in: Callable[[User], Client],
    message_for: Callable[..., Message],
    taxonomy: dict[str, Category],
) -> None:
    message = message_for("housing")
    Message.objects.filter(pk=message.pk).update(state="answered")
    response = signed_in(clerk).post(
        move_url(message, "triage"),
        {"category": taxonomy["repairs"].pk, "expected_state": "new"},
    )
    assert response.status_code == 409
    assert response.context["error"]
    message.refresh_from_db()
    assert message.state == "answered"
    assert message.category is None


def test_a_department_cannot_sign_for_a_message_before_it_is_forwarded(
    dept_officer: User, signed_in: Callable[[User], Client], message_for: Callable[..., Message]
) -> None:
    message = message_for("housing")
    response = signed_in(dept_officer).post(move_url(message, "accept"))
    assert response.status_code == 409
    message.refresh_from_db()
    assert message.state == "new"


def test_another_departments_officer_gets_403_and_moves_nothing(
    other_dept_officer: User,
    signed_in: Callable[[User], Client],
    message_for: Callable[..., Message],
) -> None:
    message = message_for("housing")
    Message.objects.filter(pk=message.pk).update(state="forwarded")
    response = signed_in(other_dept_officer).post(move_url(message, "accept"))
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.state == "forwarded"


def test_a_form_with_a_missing_or_wrong_field_is_a_400(
    clerk: User,
    signed_in: Callable[[User], Client],
    message_for: Callable[..., Message],
    departments: dict[str, Department],
) -> None:
    message = message_for("housing")
    Message.objects.filter(pk=message.pk).update(state="triaged")
    browser = signed_in(clerk)
    for data in ({"lead_department": "abc"}, {}, {"lead_department": "999999"}):
        response = browser.post(move_url(message, "forward"), data)
        assert response.status_code == 400, data
    message.refresh_from_db()
    assert message.state == "triaged"


def test_an_unknown_action_is_404(
    clerk: User, signed_in: Callable[[User], Client], message_for: Callable[..., Message]
) -> None:
    message = message_for("housing")
    assert signed_in(clerk).post(move_url(message, "teleport")).status_code == 404


def test_the_whole_loop_through_the_pages(
    clerk: User,
    supervisor: User,
    dept_officer: User,
    signed_in: Callable[[User], Client],
    message_for: Callable[..., Message],
    taxonomy: dict[str, Category],
    departments: dict[str, Department],
) -> None:
    message = message_for("housing")
    desk, department = signed_in(clerk), signed_in(dept_officer)
    desk.post(move_url(message, "triage"), {"category": taxonomy["repairs"].pk})
    desk.post(move_url(message, "forward"), {"lead_department": departments["housing"].pk})
    department.post(move_url(message, "accept"))
    department.post(move_url(message, "reply"), {"text": "已处理完毕。"})
    assert desk.post(move_url(message, "close")).status_code == 400  # not approved yet
    signed_in(supervisor).post(move_url(message, "approve_reply"))
    desk.post(move_url(message, "close"))
    message.refresh_from_db()
    assert message.state == "closed"
    assert message.reply_text == "已处理完毕。"
