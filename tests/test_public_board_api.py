"""The public board's read-only API: published messages, masked, for anyone.

Personas as in ``test_public_board``: ``clerk`` proposes, ``editor`` publishes, ``integrator``
(a civic app, no key) reads the API.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from yiwang.accounts.models import User
from yiwang.intake.models import Message
from yiwang.publishing.actions import do_propose, do_unpublish

from .test_public_board import (
    CST,
    NEVER_SHOWN,
    PERSONAL,
    Publish,
    publish_fixture,  # noqa: F401 -- the ``publish`` fixture
)

pytestmark = pytest.mark.django_db

API = "/api/v1/public/messages"
FIELDS = {
    "id",
    "title",
    "text",
    "reply",
    "published_at",
    "submitted_on",
    "replied_on",
    "region",
    "theme",
    "category",
    "department",
    "response_working_days",
    "rating",
}


@pytest.fixture
def integrator() -> Client:
    """A civic app reading the board without any key."""
    return Client()


def listed(integrator: Client, **params: Any) -> Any:
    response = integrator.get(API, params)
    assert response.status_code == 200, response.content
    return response.json()


def ids(integrator: Client, **params: Any) -> list[int]:
    return [item["id"] for item in listed(integrator, **params)["results"]]


def test_an_integrator_lists_published_messages_with_their_public_fields_only(
    integrator: Client, publish: Publish
) -> None:
    monday = dt.datetime(2026, 11, 16, 9, 0, tzinfo=CST)
    friday = monday + dt.timedelta(days=4)
    publication = publish(
        content=PERSONAL, rating=1, facts={"submitted_at": monday, "replied_at": friday}
    )
    body = listed(integrator)
    assert (body["count"], body["limit"], body["offset"], body["unknown_filters"]) == (1, 20, 0, [])
    (item,) = body["results"]
    assert set(item) == FIELDS
    assert item["id"] == publication.pk
    assert item["title"] == publication.title
    assert item["text"] == "我叫王某某，电话139****5678，住在***，小区电梯坏了两个月。"
    assert item["reply"] == publication.reply
    assert item["submitted_on"] == "2026-11-16"
    assert item["replied_on"] == "2026-11-20"
    assert item["response_working_days"] == 4
    assert item["rating"] == 1
    assert item["region"] == {"code": "330106", "name": "西湖区"}
    assert item["theme"] == {"code": "t01", "name": "办事少跑腿"}
    assert item["category"] == {"code": "01.01", "name": "房屋维修"}
    assert item["department"] == "杭州市住房保障和房产管理局"


def test_names_follow_the_requested_language(integrator: Client, publish: Publish) -> None:
    publish()
    response = integrator.get(API, headers={"accept-language": "en"})
    assert response.json()["results"][0]["theme"] == {"code": "t01", "name": "Fewer trips"}


def test_one_published_message_is_found_by_its_id(integrator: Client, publish: Publish) -> None:
    publication = publish()
    response = integrator.get(f"{API}/{publication.pk}")
    assert response.status_code == 200
    assert set(response.json()) == FIELDS
    assert response.json()["title"] == publication.title


def test_filters_and_search_work_as_on_the_board(integrator: Client, publish: Publish) -> None:
    lights = publish(
        title="路灯不亮", content="文三路的路灯坏了一周了，晚上很黑。", category="buses"
    )
    taxis = publish(category="taxis", region="330108")
    repairs = publish()
    assert ids(integrator, category="04") == [taxis.pk, lights.pk]
    assert ids(integrator, category="04.02") == [taxis.pk]
    assert ids(integrator, region="330100") == [repairs.pk, taxis.pk, lights.pk]
    assert ids(integrator, region="330108") == [taxis.pk]
    assert ids(integrator, theme="t01", department="杭建") == [repairs.pk, taxis.pk, lights.pk]
    assert ids(integrator, q="路灯") == [lights.pk]
    assert ids(integrator, q="路灯", category="01") == []


def test_limit_and_offset_page_through_the_newest_first(
    integrator: Client, publish: Publish
) -> None:
    published = [publish() for _ in range(5)]
    newest_first = [p.pk for p in reversed(published)]
    assert ids(integrator, limit=2) == newest_first[:2]
    assert ids(integrator, limit=2, offset=2) == newest_first[2:4]
    body = listed(integrator, limit=2, offset=10)
    assert (body["count"], body["results"]) == (5, [])


def test_an_unknown_filter_value_gives_an_empty_list_naming_the_filter(
    integrator: Client, publish: Publish
) -> None:
    publish()
    body = listed(integrator, theme="nope", region="330106")
    assert body["results"] == []
    assert body["count"] == 0
    assert body["unknown_filters"] == ["theme"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 1000}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": "twenty"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 10**30}, "offset"),
        ({"offset": "1.5"}, "offset"),
    ],
    ids=["limit-1000", "limit-0", "limit-words", "offset-negative", "offset-huge", "offset-1.5"],
)
def test_a_bad_limit_or_offset_is_a_400_naming_the_field(
    integrator: Client, publish: Publish, params: dict[str, Any], field: str
) -> None:
    response = integrator.get(API, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input"
    assert body["message"]
    assert [error["field"] for error in body["errors"]] == [field]


@pytest.mark.parametrize(
    "q",
    ['电梯" OR * NEAR(', "' OR 1=1; --", "电" * 10_000, "电梯\x00\x1b\u202e", "&|!<->"],
    ids=["fts-syntax", "sql", "10000-chars", "control-characters", "tsquery"],
)
def test_hostile_searches_and_filter_values_are_just_searched(
    integrator: Client, publish: Publish, q: str
) -> None:
    publish()
    body = listed(integrator, q=q, theme=q, category=q, region=q, department=q)
    assert body["results"] == []


def test_an_unknown_or_never_published_message_is_a_404(
    integrator: Client,
    answered: Any,
    clerk: User,
) -> None:
    proposed = do_propose(clerk, answered(consent_publish=True).message.pk, "")
    for path in (f"{API}/{proposed.pk}", f"{API}/424242", f"{API}/99999999999999999999999"):
        response = integrator.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    assert integrator.get(f"{API}/abc").status_code == 400
    assert listed(integrator)["results"] == []


def test_an_unpublished_message_is_a_410_and_leaves_the_list(
    integrator: Client, publish: Publish, editor: User
) -> None:
    kept, withdrawn = publish(), publish()
    do_unpublish(editor, withdrawn.pk, "当事人要求撤下")
    response = integrator.get(f"{API}/{withdrawn.pk}")
    assert response.status_code == 410
    assert response.json()["code"] == "gone"
    assert withdrawn.title not in json.dumps(response.json(), ensure_ascii=False)
    assert ids(integrator) == [kept.pk]
    assert ids(integrator, q="电梯") == [kept.pk]


def test_no_personal_data_nor_tracking_number_in_any_api_answer(
    integrator: Client, publish: Publish
) -> None:
    publication = publish(
        content=PERSONAL, contact_name="李大伟", email="wxm@example.com", rating=2, comment="谢谢"
    )
    tracking_number = Message.objects.get(publication=publication).tracking_number
    for path, params in ((API, {}), (API, {"q": "电梯"}), (f"{API}/{publication.pk}", {})):
        response = integrator.get(path, params)
        for raw in (response.content, json.dumps(response.json(), ensure_ascii=False).encode()):
            for value in (*NEVER_SHOWN, tracking_number, "谢谢"):
                assert value.encode() not in raw, (path, value)


def test_the_list_costs_the_same_for_three_or_six_messages(
    integrator: Client, publish: Publish, django_assert_num_queries: Any
) -> None:
    for _ in range(3):
        publish(rating=1)
    filtered = {"q": "电梯", "theme": "t01", "category": "01", "region": "330100"}
    # The count, the page (with each message's facts and rating) and the calendar.
    with django_assert_num_queries(3):
        assert len(integrator.get(API, filtered).json()["results"]) == 3
    for _ in range(3):
        publish(rating=2)
    with django_assert_num_queries(3):
        assert len(integrator.get(API, filtered).json()["results"]) == 6


def test_the_endpoints_are_in_the_openapi_document(integrator: Client, db: None) -> None:
    paths = integrator.get("/api/openapi.json").json()["paths"]
    assert "/api/v1/public/messages" in paths
    assert "/api/v1/public/messages/{message_id}" in paths
