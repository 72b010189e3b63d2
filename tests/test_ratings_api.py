"""Integrators rate an answer and appeal through the public API, with the query code."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from yiwang.casework.models import Appeal, Rating
from yiwang.intake.actions import SubmissionResult
from yiwang.lib.codes import format_query_code

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: Any) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(f"/api/v1/messages/{path}", data, content_type="application/json")


def opened_by(sent: SubmissionResult, **more: Any) -> dict[str, Any]:
    assert sent.query_code
    return {
        "tracking_number": sent.message.tracking_number,
        "query_code": format_query_code(sent.query_code),
        **more,
    }


def test_a_rating_through_the_api_reopens_the_case_once(
    client: Client, answered: Callable[..., SubmissionResult]
) -> None:
    sent = answered()
    response = post(client, "rate", opened_by(sent, score=4, comment="没有修好"))
    assert response.status_code == 201
    assert response.json() == {"round": 1, "score": 4, "state": "accepted"}
    again = post(client, "rate", opened_by(sent, score=4))
    assert again.status_code == 409
    assert again.json()["code"] == "not_rateable"


@pytest.mark.parametrize("score", [0, 6, -1, 2.5, "2", True, None, 10**20], ids=lambda v: repr(v))
def test_a_score_off_the_scale_or_of_the_wrong_type_is_a_400(
    client: Client, answered: Callable[..., SubmissionResult], score: Any
) -> None:
    response = post(client, "rate", opened_by(answered(), score=score))
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid", "invalid_input"}
    assert not Rating.objects.exists()


def test_a_wrong_query_code_rates_nothing(
    client: Client, answered: Callable[..., SubmissionResult]
) -> None:
    sent = answered()
    body = {**opened_by(sent, score=1), "query_code": "AAAA-AAAA-AAAAA"}
    response = post(client, "rate", body)
    assert response.status_code == 404
    assert not Rating.objects.exists()


@pytest.mark.parametrize("body", ["", "[]", "{not json", '{"score": 1}'])
def test_a_malformed_or_incomplete_body_is_a_400(
    client: Client, answered: Callable[..., SubmissionResult], body: str
) -> None:
    answered()
    assert post(client, "rate", body).status_code == 400
    assert not Rating.objects.exists()


def test_the_citizen_appeals_once_through_the_api(
    client: Client, answered: Callable[..., SubmissionResult]
) -> None:
    sent = answered()
    first = post(client, "appeal", opened_by(sent, text="答复没有解决问题"))
    assert first.status_code == 201
    assert first.json() == {"status": "pending"}
    second = post(client, "appeal", opened_by(sent, text="再来一次"))
    assert second.status_code == 409
    empty = post(client, "appeal", opened_by(sent, text=" "))
    assert empty.status_code in {400, 409}
    assert Appeal.objects.count() == 1
