"""POST /api/v1/staff/messages/{n}/moves: the same machine for integrators' staff screens."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from yiwang.accounts.apikeys import do_issue_api_client
from yiwang.accounts.models import User
from yiwang.intake.models import Message
from yiwang.orgs.models import Department
from yiwang.taxonomy.models import Category

pytestmark = pytest.mark.django_db


def move(browser: Client, message: Message, **body: Any) -> Any:
    return browser.post(
        f"/api/v1/staff/messages/{message.tracking_number}/moves",
        json.dumps(body),
        content_type="application/json",
    )


def test_a_clerk_triages_and_forwards_through_the_api(
    clerk: User,
    signed_in: Callable[[User], Client],
    message_for: Callable[..., Message],
    taxonomy: dict[str, Category],
    departments: dict[str, Department],
) -> None:
    message = message_for("housing")
    browser = signed_in(clerk)
    triaged = move(browser, message, action="triage", category=taxonomy["repairs"].pk)
    assert triaged.status_code == 200
    assert triaged.json()["state"] == "triaged"
    assert "forward" in triaged.json()["allowed_actions"]
    forwarded = move(
        browser,
        message,
        action="forward",
        lead_department=departments["housing"].pk,
        co_departments=[departments["transport"].pk],
        expected_state="triaged",
    )
    assert forwarded.json()["state"] == "forwarded"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"action": "fly"}, 400, "unknown_action"),
        ({"action": "accept"}, 409, "illegal_move"),
        ({"action": "triage", "category": 999999}, 400, "invalid"),
        ({"action": "accept", "expected_state": "closed"}, 409, "stale"),
        ({"action": "triage", "category": "x"}, 400, "invalid_input"),
    ],
)
def test_wrong_moves_get_a_code_and_change_nothing(
    clerk: User,
    signed_in: Callable[[User], Client],
    message_for: Callable[..., Message],
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    message = message_for("housing")
    response = move(signed_in(clerk), message, **body)
    assert (response.status_code, response.json()["code"]) == (status, code)
    message.refresh_from_db()
    assert message.state == "new"


def test_another_departments_officer_cannot_even_find_the_message(
    other_dept_officer: User,
    signed_in: Callable[[User], Client],
    message_for: Callable[..., Message],
) -> None:
    message = message_for("housing")
    Message.objects.filter(pk=message.pk).update(state="forwarded")
    response = move(signed_in(other_dept_officer), message, action="accept")
    assert response.status_code == 404


def test_an_api_key_cannot_move_a_message(
    message_for: Callable[..., Message], departments: dict[str, Department]
) -> None:
    message = message_for("housing")
    _client, key = do_issue_api_client(
        "reader", ["messages:read"], department_id=departments["housing"].pk
    )
    response = Client().post(
        f"/api/v1/staff/messages/{message.tracking_number}/moves",
        json.dumps({"action": "triage"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "person_required"
