"""Open311 GeoReport v2: reading requests back, their open/closed status and update history.

Personas: ``fixmystreet`` (a civic app, see conftest) posts a citizen's requests and reads
them; the desk (``clerk``, ``supervisor``) and the housing bureau (``dept_officer``) move the
messages through casework meanwhile.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from yiwang.accounts.apikeys import do_issue_api_client
from yiwang.accounts.models import ApiClient, User
from yiwang.casework.actions import (
    do_accept,
    do_answer,
    do_approve_reply,
    do_close,
    do_forward,
    do_merge,
    do_not_accept,
    do_reopen,
    do_reply,
    do_triage,
)
from yiwang.intake.actions import SubmissionResult
from yiwang.intake.models import Message
from yiwang.open311 import filters
from yiwang.orgs.models import Department, Region
from yiwang.publishing.actions import do_approve, do_propose, do_unpublish
from yiwang.taxonomy.models import Category

from .open311client import DESCRIPTION, REQUEST_FIELDS, Open311Client, request_fields

pytestmark = pytest.mark.django_db

W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
HOME = "杭州市西湖区文三路100号3幢2单元501室"
CITIZEN = {
    "email": "ouyang.xiaoyan@example.com",
    "phone": "13912345678",
    "first_name": "晓燕",
    "last_name": "欧阳",
    "device_id": "device-8f3a9c",
    "account_id": "fms-account-4711",
}
LOCAL = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def post(
    open311: Open311Client, taxonomy: dict[str, Category], regions: dict[str, Region]
) -> Callable[..., Message]:
    """The civic app posts a request; the message it became."""

    def _post(**overrides: Any) -> Message:
        reply = open311.post_request(**request_fields(**overrides))
        assert reply.status == 201, reply.body
        return Message.objects.get(tracking_number=reply.items[0]["service_request_id"])

    return _post


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=LOCAL)


# --- one request ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_request_reads_back_with_the_spec_fields_and_nothing_personal(
    open311: Open311Client, post: Callable[..., Message], fmt: str
) -> None:
    message = post(address_string=HOME, **CITIZEN)
    reply = open311.request(message.tracking_number, fmt)
    assert reply.status == 200
    (item,) = reply.items
    assert set(item) == REQUEST_FIELDS - {"description"}  # not published
    assert item["service_request_id"] == message.tracking_number
    assert (item["status"], item["service_code"], item["service_name"]) == ("open", "04.01", "公交")
    assert W3C.match(item["requested_datetime"])
    assert W3C.match(item["updated_datetime"])
    assert item["address"] == "杭州市西湖区文三路"
    assert str(item["lat"]) == "30.274"
    assert str(item["long"]) == "120.155"
    for personal in [*CITIZEN.values(), "欧阳晓燕", DESCRIPTION, DESCRIPTION[:12], "501", "3幢"]:
        assert personal not in reply.body, personal
    assert "description" not in item


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_the_description_appears_once_published_and_only_in_its_published_masked_form(
    open311: Open311Client,
    post: Callable[..., Message],
    clerk: User,
    dept_officer: User,
    supervisor: User,
    editor: User,
    departments: dict[str, Department],
    taxonomy: dict[str, Category],
    fmt: str,
) -> None:
    personal = DESCRIPTION + "我叫王小明，电话13912345678。"
    message = post(description=personal, **CITIZEN)
    Message.objects.filter(pk=message.pk).update(consent_publish=True)
    do_triage(clerk, message.pk, taxonomy["repairs"].pk)
    do_forward(clerk, message.pk, departments["housing"].pk)
    do_accept(dept_officer, message.pk)
    do_reply(dept_officer, message.pk, "已安排维修。")
    do_approve_reply(supervisor, message.pk)
    publication = do_propose(clerk, message.pk, "")
    assert "description" not in open311.request(message.tracking_number, fmt).items[0]
    do_approve(editor, publication.pk)
    reply = open311.request(message.tracking_number, fmt)
    (item,) = reply.items
    assert item["description"] == DESCRIPTION + "我叫王某某，电话139****5678。"
    assert "13912345678" not in reply.body
    assert "王小明" not in reply.body
    do_unpublish(editor, publication.pk, "撤下")
    assert "description" not in open311.request(message.tracking_number, fmt).items[0]


def test_both_formats_carry_the_same_values(
    open311: Open311Client, post: Callable[..., Message]
) -> None:
    message = post()
    as_json = open311.request(message.tracking_number, "json").items[0]
    as_xml = open311.request(message.tracking_number, "xml").items[0]
    text = {key: "" if value is None else str(value) for key, value in as_json.items()}
    assert text == as_xml


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("杭州市西湖区北山街道曙光路12号", "杭州市西湖区北山街道曙光路"),
        ("西湖区文一西路与古墩路交叉口东北角", "西湖区文一西路"),
        ("12 Main Street, Apt 4", "Main Street"),
        ("翠苑一区3幢201室", ""),
        ("", ""),
    ],
)
def test_the_address_is_cut_at_street_level_or_left_out(
    open311: Open311Client, post: Callable[..., Message], address: str, shown: str
) -> None:
    message = post(address_string=address)
    assert open311.request(message.tracking_number).items[0]["address"] == shown


def test_an_address_id_is_returned_only_when_it_is_a_region_code(
    open311: Open311Client, post: Callable[..., Message]
) -> None:
    region = post(address_id="330106")
    house = post(address_id="HZ-ADDR-0012345", description="另一条：" + DESCRIPTION)
    assert open311.request(region.tracking_number).items[0]["address_id"] == "330106"
    assert open311.request(house.tracking_number).items[0]["address_id"] == ""


def test_an_unknown_request_id_is_404(open311: Open311Client, regions: dict[str, Region]) -> None:
    reply = open311.request("YW20261129999999", "xml")
    assert reply.status == 404
    assert reply.items[0]["code"] == "404"


def test_reading_requests_needs_a_key_with_the_open311_scope(
    client: Client, post: Callable[..., Message]
) -> None:
    message = post()
    _hotline, key = do_issue_api_client("12345 hotline", ["messages:submit"])
    for api_key in ("", key):
        reader = Open311Client(client, api_key=api_key)
        assert reader.request(message.tracking_number).status == 403
        assert reader.requests().status == 403
        assert reader.updates().status == 403


def test_a_token_leads_to_its_request(open311: Open311Client, post: Callable[..., Message]) -> None:
    message = post()
    token = message.open311.token
    reply = open311.token(token, "xml")
    assert reply.items == [{"service_request_id": message.tracking_number, "token": token}]
    assert open311.token("no-such-token").status == 404


# --- status ----------------------------------------------------------------------------------


def status_of(open311: Open311Client, message: Message) -> tuple[str, str]:
    item = open311.request(message.tracking_number).items[0]
    return item["status"], item["status_notes"]


def test_a_request_stays_open_through_handling_and_closes_when_closed(
    open311: Open311Client,
    post: Callable[..., Message],
    clerk: User,
    dept_officer: User,
    supervisor: User,
    departments: dict[str, Department],
    taxonomy: dict[str, Category],
) -> None:
    message = post()
    assert status_of(open311, message) == ("open", "待处理")
    do_triage(clerk, message.pk, taxonomy["repairs"].pk)
    do_forward(clerk, message.pk, departments["housing"].pk)
    do_accept(dept_officer, message.pk)
    do_reply(dept_officer, message.pk, "已安排维修。")
    assert status_of(open311, message) == ("open", "办理中")  # the draft is not public
    do_approve_reply(supervisor, message.pk)
    assert status_of(open311, message) == ("open", "已答复")
    do_close(clerk, message.pk)
    assert status_of(open311, message) == ("closed", "已办结")


def test_status_notes_follow_the_callers_language(
    client: Client, fixmystreet: tuple[ApiClient, str], post: Callable[..., Message]
) -> None:
    message = post()
    response = client.get(
        f"/open311/v2/requests/{message.tracking_number}.json",
        {"api_key": fixmystreet[1]},
        headers={"Accept-Language": "en"},
    )
    assert response.json()[0]["status_notes"] == "Received"


@pytest.mark.parametrize("move", ["not_accept", "answer", "merge"])
def test_not_accepted_answered_and_merged_requests_are_closed_and_reopen_opens_them(
    open311: Open311Client,
    post: Callable[..., Message],
    clerk: User,
    supervisor: User,
    move: str,
) -> None:
    message = post()
    other = post(description="另一条：" + DESCRIPTION)
    moves: dict[str, Callable[[], Any]] = {
        "not_accept": lambda: do_not_accept(clerk, message.pk, "outside_duties"),
        "answer": lambda: do_answer(clerk, message.pk, "请拨打公交热线。"),
        "merge": lambda: do_merge(clerk, message.pk, other.tracking_number),
    }
    moves[move]()
    assert status_of(open311, message)[0] == "closed"
    do_reopen(supervisor, message.pk, "市民补充了情况")
    assert status_of(open311, message)[0] == "open"


def test_the_desks_filing_the_department_and_the_deadline_are_shown(
    open311: Open311Client,
    post: Callable[..., Message],
    clerk: User,
    departments: dict[str, Department],
    taxonomy: dict[str, Category],
) -> None:
    message = post()
    do_triage(clerk, message.pk, taxonomy["repairs"].pk)
    do_forward(clerk, message.pk, departments["housing"].pk)
    message.refresh_from_db()
    item = open311.request(message.tracking_number).items[0]
    assert (item["service_code"], item["service_name"]) == ("01.01", "房屋维修")
    assert item["agency_responsible"] == "杭州市住房保障和房产管理局"
    assert message.deadline is not None
    assert item["expected_datetime"] == f"{message.deadline.isoformat()}T23:59:59+08:00"


# --- the list and its filters ------------------------------------------------------------------


def ids(reply: Any) -> list[str]:
    assert reply.status == 200, reply.body
    return [item["service_request_id"] for item in reply.items]


@pytest.fixture
def three_requests(post: Callable[..., Message]) -> list[Message]:
    """Buses on the 2nd, taxis on the 10th, buses on the 20th of November 2026."""
    made = []
    for day, code in ((2, "04.01"), (10, "04.02"), (20, "04.01")):
        with time_machine.travel(at(day), tick=False):
            made.append(post(service_code=code, description=f"{day}日：{DESCRIPTION}"))
    return made


def test_the_list_is_newest_first_over_the_last_90_days(
    open311: Open311Client, three_requests: list[Message], post: Callable[..., Message]
) -> None:
    with time_machine.travel(at(1, 9) - dt.timedelta(days=91), tick=False):
        post(description="很久以前：" + DESCRIPTION)
    with time_machine.travel(at(25), tick=False):
        found = ids(open311.requests())
    assert found == [m.tracking_number for m in reversed(three_requests)]


def test_it_filters_by_service_code_status_and_dates(
    open311: Open311Client, three_requests: list[Message], clerk: User
) -> None:
    first, second, third = (m.tracking_number for m in three_requests)
    do_not_accept(clerk, three_requests[0].pk, "outside_duties")
    window = {"start_date": "2026-11-01T00:00:00+08:00", "end_date": "2026-11-30T00:00:00+08:00"}
    assert ids(open311.requests(service_code="04.01", **window)) == [third, first]
    assert ids(open311.requests(service_code="04.02,01.01", **window)) == [second]
    assert ids(open311.requests(status="closed", **window)) == [first]
    assert ids(open311.requests(status="open", **window)) == [third, second]
    assert ids(open311.requests(status="open,closed", **window)) == [third, second, first]
    assert ids(
        open311.requests(start_date="2026-11-05T00:00:00+08:00", end_date="2026-11-15T00:00Z")
    ) == [second]


def test_request_ids_override_every_other_filter(
    open311: Open311Client, three_requests: list[Message]
) -> None:
    first, second, _third = (m.tracking_number for m in three_requests)
    found = open311.requests(
        service_request_id=f"{first},{second.lower()},YW20260101999999",
        status="closed",
        start_date="not a date",
    )
    assert ids(found) == [second, first]


def test_an_unencoded_plus_in_the_time_zone_is_understood(
    open311: Open311Client, three_requests: list[Message]
) -> None:
    found = open311.requests(start_date="2026-11-09T00:00:00 08:00", end_date="2026-11-11T00:00Z")
    assert ids(found) == [three_requests[1].tracking_number]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        (
            {"start_date": "2026-11-20T00:00:00+08:00", "end_date": "2026-11-10T00:00:00+08:00"},
            "before",
        ),
        (
            {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-11-10T00:00:00+08:00"},
            "90 days",
        ),
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2026-11-10T00:00:00"}, "time zone"),
        ({"status": "pending"}, "status"),
        ({"page_size": "1001"}, "page_size"),
        ({"page": "0"}, "page"),
        ({"service_request_id": ",".join(f"YW{n}" for n in range(201))}, "service_request_id"),
    ],
)
def test_bad_filters_are_refused_with_400(
    open311: Open311Client, regions: dict[str, Region], params: dict[str, str], words: str
) -> None:
    open311.language = "en"
    reply = open311.requests("xml", **params)
    assert reply.status == 400
    assert words in " ".join(reply.errors)


def test_pages_and_the_limit_of_the_newest_requests(
    open311: Open311Client, three_requests: list[Message], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, third = (m.tracking_number for m in three_requests)
    with time_machine.travel(at(25), tick=False):
        assert ids(open311.requests(page_size="2")) == [third, second]
        assert ids(open311.requests(page_size="2", page="2")) == [first]
        monkeypatch.setattr(filters, "LIMIT", 2)
        assert ids(open311.requests()) == [third, second]


def test_the_list_costs_the_same_queries_for_one_or_many_requests(
    open311: Open311Client,
    three_requests: list[Message],
    django_assert_num_queries: Any,
) -> None:
    with time_machine.travel(at(25), tick=False), django_assert_num_queries(3):
        assert len(open311.requests().items) == 3


def test_only_requests_that_came_through_open311_are_listed(
    open311: Open311Client,
    three_requests: list[Message],
    submit: Callable[..., SubmissionResult],
) -> None:
    with time_machine.travel(at(21), tick=False):
        web = submit().message
    with time_machine.travel(at(25), tick=False):
        assert web.tracking_number not in ids(open311.requests())
    assert open311.request(web.tracking_number).status == 404


# --- update history --------------------------------------------------------------------------


def test_the_update_history_lists_public_moves_with_extended_statuses(
    open311: Open311Client,
    post: Callable[..., Message],
    submit: Callable[..., SubmissionResult],
    clerk: User,
    dept_officer: User,
    supervisor: User,
    departments: dict[str, Department],
    taxonomy: dict[str, Category],
) -> None:
    message = post()
    submit()  # a web message: not in the Open311 history
    do_triage(clerk, message.pk, taxonomy["repairs"].pk)
    do_forward(clerk, message.pk, departments["housing"].pk)
    do_accept(dept_officer, message.pk)
    do_reply(dept_officer, message.pk, "内部草稿：已安排维修。")
    do_approve_reply(supervisor, message.pk)
    do_close(clerk, message.pk)
    do_reopen(supervisor, message.pk, "内部原因：市民补充")
    reply = open311.updates("xml")
    assert [u["status"] for u in reply.items] == [
        "OPEN",
        "IN_PROGRESS",
        "INTERNAL_REFERRAL",
        "IN_PROGRESS",
        "FIXED",
        "CLOSED",
        "REOPEN",
    ]
    assert {u["service_request_id"] for u in reply.items} == {message.tracking_number}
    assert all(W3C.match(u["updated_datetime"]) for u in reply.items)
    assert reply.items[2]["description"] == "已转办"
    for internal in ("内部草稿", "内部原因", "杭州市住房保障和房产管理局", CITIZEN["phone"]):
        assert internal not in reply.body


def test_merged_and_not_accepted_requests_have_their_own_update_statuses(
    open311: Open311Client, post: Callable[..., Message], clerk: User
) -> None:
    merged = post()
    declined = post(description="另一条：" + DESCRIPTION)
    target = post(description="第三条：" + DESCRIPTION)
    do_merge(clerk, merged.pk, target.tracking_number)
    do_not_accept(clerk, declined.pk, "outside_duties")
    statuses = {(u["service_request_id"], u["status"]) for u in open311.updates("json").items}
    assert (merged.tracking_number, "DUPLICATE") in statuses
    assert (declined.tracking_number, "NO_FURTHER_ACTION") in statuses


def test_the_update_history_follows_the_date_rules(
    open311: Open311Client, three_requests: list[Message]
) -> None:
    reply = open311.updates(start_date="2026-11-09T00:00:00+08:00", end_date="2026-11-11T00:00Z")
    assert [u["service_request_id"] for u in reply.items] == [three_requests[1].tracking_number]
    one_end = open311.updates(start_date="2026-01-01T00:00:00+08:00")
    assert one_end.status == 200  # one end given: the other is 90 days off
    backwards = open311.updates(
        start_date="2026-11-20T00:00:00+08:00", end_date="2026-11-10T00:00:00+08:00"
    )
    assert backwards.status == 400
