"""An officer of one department sees and touches only that department's messages, everywhere.

Personas: ``dept_officer`` and ``dept_head`` work for the city housing bureau,
``other_dept_officer`` for the city transport bureau; the ``clerk`` and the ``supervisor`` of the
desk see every message.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from yiwang.accounts.actions import do_create_staff
from yiwang.accounts.apikeys import do_issue_api_client, do_revoke_api_client
from yiwang.accounts.models import ApiClient, User
from yiwang.casework.models import CoHandling
from yiwang.intake.models import EventKind, Message, MessageEvent
from yiwang.intake.validation import RawUpload
from yiwang.orgs.models import Department

pytestmark = pytest.mark.django_db

Persona = Callable[[User], Client]
MessageFor = Callable[..., Message]

HOUSING_TITLE = "小区电梯长期故障"
TRANSPORT_TITLE = "公交站台缺少遮阳棚"
API_LIST = "/api/v1/staff/messages"


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 24), "blue").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def housing_message(message_for: MessageFor) -> Message:
    return message_for("housing", title=HOUSING_TITLE)


@pytest.fixture
def transport_message(message_for: MessageFor) -> Message:
    return message_for(
        "transport",
        title=TRANSPORT_TITLE,
        content="学院路公交站台没有遮阳棚，夏天等车的老人经常中暑，希望尽快加装。",
        mobile="13900139000",
        attachments=[RawUpload("站台.jpg", jpeg_bytes())],
    )


@pytest.fixture
def both(housing_message: Message, transport_message: Message) -> tuple[Message, Message]:
    return housing_message, transport_message


def listed_numbers(response: Any, *messages: Message) -> set[str]:
    """Which of ``messages`` a list page links to (the search box may echo a number back)."""
    page = response.content.decode()
    return {m.tracking_number for m in messages if f"/staff/messages/{m.tracking_number}/" in page}


def api_numbers_from(body: dict[str, Any]) -> set[str]:
    return {row["tracking_number"] for row in body["results"]}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def export_rows(response: Any) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


# --- the list page ------------------------------------------------------------------------------


def test_the_list_page_shows_an_officer_only_their_departments_messages(
    signed_in: Persona, dept_officer: User, both: tuple[Message, Message]
) -> None:
    housing, transport = both
    response = signed_in(dept_officer).get("/staff/messages/")
    assert response.status_code == 200
    assert listed_numbers(response, housing, transport) == {housing.tracking_number}
    assert TRANSPORT_TITLE not in response.content.decode()


def test_searching_for_another_departments_title_finds_nothing(
    signed_in: Persona, dept_officer: User, both: tuple[Message, Message]
) -> None:
    housing, transport = both
    client = signed_in(dept_officer)
    for q in (TRANSPORT_TITLE, transport.tracking_number, "遮阳棚"):
        response = client.get("/staff/messages/", {"q": q})
        assert response.status_code == 200
        assert listed_numbers(response, housing, transport) == set()


def test_the_other_officer_sees_only_the_transport_message(
    signed_in: Persona, other_dept_officer: User, both: tuple[Message, Message]
) -> None:
    housing, transport = both
    response = signed_in(other_dept_officer).get("/staff/messages/", {"q": HOUSING_TITLE})
    assert listed_numbers(response, housing, transport) == set()
    response = signed_in(other_dept_officer).get("/staff/messages/")
    assert listed_numbers(response, housing, transport) == {transport.tracking_number}


@pytest.mark.parametrize("persona", ["clerk", "supervisor"])
def test_the_desk_sees_every_departments_messages(
    persona: str,
    request: pytest.FixtureRequest,
    signed_in: Persona,
    both: tuple[Message, Message],
) -> None:
    user: User = request.getfixturevalue(persona)
    housing, transport = both
    client = signed_in(user)
    response = client.get("/staff/messages/")
    assert listed_numbers(response, housing, transport) == {
        housing.tracking_number,
        transport.tracking_number,
    }
    assert client.get(f"/staff/messages/{transport.tracking_number}/").status_code == 200
    assert client.get(API_LIST).json()["count"] == 2


def test_a_staff_member_without_a_department_sees_no_departments_messages(
    signed_in: Persona, dept_officer: User, both: tuple[Message, Message]
) -> None:
    User.objects.filter(pk=dept_officer.pk).update(department=None)
    dept_officer.refresh_from_db()
    assert signed_in(dept_officer).get("/staff/messages/").status_code == 403
    assert signed_in(dept_officer).get(API_LIST).status_code == 403


def test_someone_signed_out_is_sent_to_sign_in(
    client: Client, both: tuple[Message, Message]
) -> None:
    response = client.get("/staff/messages/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- one message, its attachment, notes and reveals ---------------------------------------------


def test_an_officer_cannot_open_another_departments_message(
    signed_in: Persona, dept_officer: User, both: tuple[Message, Message]
) -> None:
    housing, transport = both
    client = signed_in(dept_officer)
    assert client.get(f"/staff/messages/{housing.tracking_number}/").status_code == 200
    response = client.get(f"/staff/messages/{transport.tracking_number}/")
    assert response.status_code == 403
    assert TRANSPORT_TITLE not in response.content.decode()


def test_an_officer_cannot_download_another_departments_attachment(
    signed_in: Persona,
    dept_officer: User,
    other_dept_officer: User,
    both: tuple[Message, Message],
) -> None:
    _housing, transport = both
    attachment = transport.attachments.get()
    url = f"/staff/attachments/{attachment.pk}/"
    assert signed_in(dept_officer).get(url).status_code == 403
    allowed = signed_in(other_dept_officer).get(url)
    assert allowed.status_code == 200
    assert allowed["Cache-Control"] == "private, no-store"
    assert allowed["Content-Disposition"].startswith("attachment;")


def test_an_officer_cannot_add_a_note_to_another_departments_message(
    signed_in: Persona, dept_officer: User, both: tuple[Message, Message]
) -> None:
    _housing, transport = both
    events_before = MessageEvent.objects.filter(message=transport).count()
    response = signed_in(dept_officer).post(
        f"/staff/messages/{transport.tracking_number}/note", {"note": "我来看看"}
    )
    assert response.status_code == 403
    assert MessageEvent.objects.filter(message=transport).count() == events_before
    assert not MessageEvent.objects.filter(kind=EventKind.NOTE).exists()


def test_an_officer_can_add_a_note_to_their_own_departments_message(
    signed_in: Persona, dept_officer: User, both: tuple[Message, Message]
) -> None:
    housing, _transport = both
    response = signed_in(dept_officer).post(
        f"/staff/messages/{housing.tracking_number}/note", {"note": "已联系物业"}
    )
    assert response.status_code == 302
    note = MessageEvent.objects.get(kind=EventKind.NOTE)
    assert (note.message_id, note.actor_id, note.note) == (
        housing.pk,
        dept_officer.pk,
        "已联系物业",
    )


def test_an_officer_cannot_reveal_the_contact_of_another_departments_message(
    signed_in: Persona, dept_officer: User, both: tuple[Message, Message]
) -> None:
    _housing, transport = both
    response = signed_in(dept_officer).post(
        f"/staff/messages/{transport.tracking_number}/reveal", {"reason": "核实身份"}
    )
    assert response.status_code == 403
    assert "13900139000" not in response.content.decode()
    assert not transport.personal_data_accesses.exists()


# --- export -------------------------------------------------------------------------------------


def test_an_officer_without_the_export_permission_cannot_export(
    signed_in: Persona, dept_officer: User, both: tuple[Message, Message]
) -> None:
    assert signed_in(dept_officer).get("/staff/messages/export.csv").status_code == 403


def test_a_department_head_exports_only_their_departments_messages(
    signed_in: Persona, dept_head: User, both: tuple[Message, Message]
) -> None:
    housing, _transport = both
    response = signed_in(dept_head).get("/staff/messages/export.csv")
    assert response.status_code == 200
    rows = export_rows(response)
    assert [row["tracking_number"] for row in rows] == [housing.tracking_number]
    assert rows[0]["title"] == HOUSING_TITLE


def test_a_department_heads_export_search_cannot_reach_another_department(
    signed_in: Persona, dept_head: User, both: tuple[Message, Message]
) -> None:
    response = signed_in(dept_head).get("/staff/messages/export.csv", {"q": TRANSPORT_TITLE})
    assert export_rows(response) == []


def test_the_supervisor_exports_every_departments_messages(
    signed_in: Persona, supervisor: User, both: tuple[Message, Message]
) -> None:
    rows = export_rows(signed_in(supervisor).get("/staff/messages/export.csv"))
    assert {row["tracking_number"] for row in rows} == {m.tracking_number for m in both}


# --- the staff API with a session ---------------------------------------------------------------


def test_the_staff_api_lists_only_the_officers_department(
    signed_in: Persona, dept_officer: User, both: tuple[Message, Message]
) -> None:
    housing, _transport = both
    body = signed_in(dept_officer).get(API_LIST).json()
    assert body["count"] == 1
    assert [row["tracking_number"] for row in body["results"]] == [housing.tracking_number]
    assert body["results"][0]["lead_department"] == "杭建"


def test_the_staff_api_search_cannot_find_another_departments_message(
    signed_in: Persona, dept_officer: User, both: tuple[Message, Message]
) -> None:
    _housing, transport = both
    client = signed_in(dept_officer)
    for q in (TRANSPORT_TITLE, transport.tracking_number):
        body = client.get(API_LIST, {"q": q}).json()
        assert (body["count"], body["results"]) == (0, [])


def test_the_staff_api_answers_not_found_for_another_departments_message(
    signed_in: Persona, dept_officer: User, both: tuple[Message, Message]
) -> None:
    housing, transport = both
    client = signed_in(dept_officer)
    assert client.get(f"{API_LIST}/{housing.tracking_number}").status_code == 200
    response = client.get(f"{API_LIST}/{transport.tracking_number}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    missing = client.get(f"{API_LIST}/YW20990101000001")
    assert missing.json() == response.json()  # forbidden and missing look the same


# --- the staff API with an API key ---------------------------------------------------------------


def test_an_api_key_with_read_scope_sees_only_its_department(
    client: Client, departments: dict[str, Department], both: tuple[Message, Message]
) -> None:
    housing, transport = both
    _client, key = do_issue_api_client(
        "housing-app", ["messages:read"], department_id=departments["housing"].pk
    )
    body = client.get(API_LIST, headers=bearer(key)).json()
    assert body["count"] == 1
    assert api_numbers_from(body) == {housing.tracking_number}
    assert client.get(API_LIST, {"q": TRANSPORT_TITLE}, headers=bearer(key)).json()["count"] == 0
    detail = client.get(f"{API_LIST}/{transport.tracking_number}", headers=bearer(key))
    assert detail.status_code == 404
    own = client.get(f"{API_LIST}/{housing.tracking_number}", headers=bearer(key))
    assert own.json()["content"] == housing.content


def test_an_api_key_without_read_scope_is_forbidden(
    client: Client, departments: dict[str, Department], both: tuple[Message, Message]
) -> None:
    _client, key = do_issue_api_client(
        "submitter", ["messages:submit"], department_id=departments["housing"].pk
    )
    response = client.get(API_LIST, headers=bearer(key))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_an_api_key_whose_department_was_cleared_is_forbidden(
    client: Client, departments: dict[str, Department], both: tuple[Message, Message]
) -> None:
    api_client, key = do_issue_api_client(
        "nowhere", ["messages:read"], department_id=departments["housing"].pk
    )
    ApiClient.objects.filter(pk=api_client.pk).update(department=None)  # as in the admin
    assert client.get(API_LIST, headers=bearer(key)).status_code == 403


def test_a_revoked_api_key_is_unauthenticated(
    client: Client, departments: dict[str, Department], both: tuple[Message, Message]
) -> None:
    api_client, key = do_issue_api_client(
        "old-app", ["messages:read"], department_id=departments["housing"].pk
    )
    do_revoke_api_client(api_client)
    response = client.get(API_LIST, headers=bearer(key))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_the_staff_api_without_any_credentials_is_unauthenticated(
    client: Client, both: tuple[Message, Message]
) -> None:
    assert client.get(API_LIST).status_code == 401
    assert client.get(f"{API_LIST}/{both[0].tracking_number}").status_code == 401
    assert client.get(API_LIST, headers={"Authorization": "Bearer yw_nope_nope"}).status_code == 401


# --- query counts stay flat as messages grow ----------------------------------------------------


def add_messages(message_for: MessageFor, department: str, count: int, start: int) -> None:
    for n in range(start, start + count):
        message_for(
            department,
            title=f"第{n}号留言：路灯不亮",
            content=f"这是第{n}条测试留言，小区门口的路灯坏了很久，晚上走路不安全。",
            mobile=f"1380013{n:04d}",
        )


@pytest.mark.parametrize("url", ["/staff/messages/", API_LIST, "/staff/messages/export.csv"])
@pytest.mark.parametrize("persona", ["dept_head", "supervisor"])
def test_list_pages_make_the_same_number_of_queries_for_3_or_10_messages(
    url: str,
    persona: str,
    request: pytest.FixtureRequest,
    signed_in: Persona,
    message_for: MessageFor,
) -> None:
    client = signed_in(request.getfixturevalue(persona))
    add_messages(message_for, "housing", 3, start=0)
    add_messages(message_for, "transport", 3, start=100)
    with_three = count_queries_consumed(client, url)
    add_messages(message_for, "housing", 7, start=3)
    add_messages(message_for, "transport", 7, start=103)
    assert count_queries_consumed(client, url) == with_three


def count_queries_consumed(client: Client, url: str) -> int:
    """Queries of one request, streaming bodies included (the export reads while it streams)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert response.status_code == 200
    return len(queries)


def test_the_list_page_stays_within_a_small_fixed_number_of_queries(
    signed_in: Persona,
    dept_officer: User,
    message_for: MessageFor,
    django_assert_max_num_queries: Any,
) -> None:
    add_messages(message_for, "housing", 10, start=0)
    client = signed_in(dept_officer)
    with django_assert_max_num_queries(8):
        response = client.get("/staff/messages/")
    assert response.content.decode().count("第") >= 10


# --- co-handling departments (协办) ---------------------------------------------------------------


@pytest.fixture
def co_handled(housing_message: Message, departments: dict[str, Department]) -> Message:
    """The housing message, with the transport bureau asked to help."""
    CoHandling.objects.create(message=housing_message, department=departments["transport"])
    Message.objects.filter(pk=housing_message.pk).update(state="accepted")
    housing_message.refresh_from_db()
    return housing_message


def test_a_co_handling_department_sees_the_case_and_adds_its_opinion(
    co_handled: Message, other_dept_officer: User, signed_in: Persona
) -> None:
    browser = signed_in(other_dept_officer)
    assert listed_numbers(browser.get("/staff/messages/"), co_handled) == {
        co_handled.tracking_number
    }
    page = browser.get(f"/staff/messages/{co_handled.tracking_number}/")
    assert page.status_code == 200
    assert page.context["moves"] == []  # the lead department moves the case, not the helper
    note = browser.post(
        f"/staff/messages/{co_handled.tracking_number}/note", {"note": "协办意见：已安排公交调度。"}
    )
    assert note.status_code == 302
    assert MessageEvent.objects.filter(
        message=co_handled, kind=EventKind.NOTE, actor=other_dept_officer
    ).exists()
    move = browser.post(f"/staff/messages/{co_handled.tracking_number}/move/reply", {"text": "x"})
    assert move.status_code == 403


def test_a_co_handled_message_appears_once_in_the_helpers_list_and_api(
    co_handled: Message,
    departments: dict[str, Department],
    other_dept_officer: User,
    signed_in: Persona,
) -> None:
    CoHandling.objects.create(message=co_handled, department=departments["xihu_housing"])
    body = signed_in(other_dept_officer).get(API_LIST).json()
    assert [row["tracking_number"] for row in body["results"]] == [co_handled.tracking_number]


def test_a_department_neither_leading_nor_helping_still_sees_nothing(
    co_handled: Message, departments: dict[str, Department], signed_in: Persona
) -> None:
    outsider = _staff_of(departments["province_transport"])
    response = signed_in(outsider).get(f"/staff/messages/{co_handled.tracking_number}/")
    assert response.status_code == 403


def _staff_of(department: Department) -> User:
    return do_create_staff(
        "province_officer",
        "a-long-password-2026",
        roles=["dept_officer"],
        department_id=department.pk,
    )
