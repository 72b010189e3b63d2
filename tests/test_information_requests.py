"""Information requests (依申请公开, issue 9): the public form with bad input refused and
nothing saved, personal data encrypted, and the office's handling against the statutory clock
on the real calendar — receipt by channel, a correction once within 7 working days, the
restart, lapsing, the one extension, consultations not counted, and the answer."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import translation

from yiwang.accounts.models import User
from yiwang.disclosure import reply_letter, request_reminders
from yiwang.disclosure import request_actions as ra
from yiwang.disclosure.models import (
    InformationRequest,
    RequestChannel,
    RequestEvent,
    RequestState,
)
from yiwang.disclosure.request_actions import RequestError, RequestInput
from yiwang.intake.personal import unseal_as
from yiwang.notify.models import OutboxItem
from yiwang.orgs.models import Department

from .conftest import _staff
from .disclosure_personas import body, head, officer

__all__ = ["body", "head", "officer"]  # fixtures, as pytest sees them

SHANGHAI = ZoneInfo("Asia/Shanghai")
FORM = "/en/open/request/"
STAFF = "/en/staff/disclosure/requests/"
SERIAL = itertools.count(1)
ID_NUMBER = "11010519491231002X"  # a valid check digit (GB 11643's own example)


def at(day: dt.date, hour: int = 10) -> time_machine.travel:
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), SHANGHAI), tick=False)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def asking(**overrides: str) -> RequestInput:
    fields = {
        "applicant_kind": "person",
        "applicant_name": "张三",
        "identifier": ID_NUMBER,
        "description": "2025年本市公租房分配名单及评分细则",
        "delivery": "email",
        "email": "zhang@example.cn",
    }
    fields.update(overrides)
    return RequestInput(**fields)


def received(body: Department, officer: User, on: dt.date) -> InformationRequest:
    """A new request (its own description: the same one again would be the first's repeat)."""
    asked = asking(description=f"公租房分配名单（第{next(SERIAL)}份）")
    with at(on):
        made = ra.do_submit_request(body, asked, RequestChannel.ONLINE)
        return ra.do_confirm_receipt(officer, made.pk, on)


def deadline(item: InformationRequest, as_of: dt.date) -> dt.date | None:
    from yiwang.casework.deadlines import site_calendar

    item.refresh_from_db()
    clock = ra.clock_of(item, site_calendar())
    assert clock is not None
    return clock.deadline(as_of)


# --- The public form -------------------------------------------------------------------------


def form_data(department: Department, **overrides: str) -> dict[str, str]:
    data = {
        "body": str(department.pk),
        "applicant_kind": "person",
        "applicant_name": "张三",
        "identifier": ID_NUMBER,
        "phone": "138 0013 8000",
        "email": "zhang@example.cn",
        "address": "",
        "description": "2025年本市公租房分配名单及评分细则",
        "delivery": "email",
    }
    data.update(overrides)
    return data


def test_a_citizen_sends_a_request_and_gets_its_number(
    db: None, body: Department, client: Client
) -> None:
    response = client.post(FORM, form_data(body))
    assert response.status_code == 201
    made = InformationRequest.objects.get()
    assert made.number in response.content.decode()
    assert (made.state, made.received_on, made.language) == (
        RequestState.AWAITING_RECEIPT,
        None,
        "en",
    )
    assert ID_NUMBER not in made.identifier_encrypted
    assert unseal_as("disclosure.identifier", made.identifier_encrypted) == ID_NUMBER
    assert unseal_as("disclosure.phone", made.phone_encrypted) == "13800138000"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"identifier": ""}, "identifier"),
        ({"identifier": "110105194912310021"}, "identifier"),
        ({"applicant_kind": "business", "identifier": ID_NUMBER}, "identifier"),
        ({"applicant_name": ""}, "applicant_name"),
        ({"description": ""}, "description"),
        ({"description": "长" * 5001}, "description"),
        ({"description": "a\x00b"}, "description"),
        ({"phone": "12345", "email": ""}, "phone"),
        ({"phone": "", "email": "", "delivery": "download"}, "phone"),
        ({"email": "", "delivery": "email"}, "email"),
        ({"email": "not an address"}, "email"),
        ({"delivery": "paper"}, "address"),
        ({"delivery": "pigeon"}, "delivery"),
        ({"body": "999999"}, "body"),
        ({"body": "<script>"}, "body"),
    ],
)
def test_a_bad_request_names_the_field_and_saves_nothing(
    db: None, body: Department, client: Client, overrides: dict[str, str], field: str
) -> None:
    response = client.post(FORM, form_data(body, **overrides))
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not InformationRequest.objects.exists()


def test_an_organisation_gives_its_credit_code(db: None, body: Department, client: Client) -> None:
    wrong = form_data(body, applicant_kind="business", identifier="91330106MA27XF2Q8M")
    assert client.post(FORM, wrong).status_code == 400
    right = form_data(body, applicant_kind="business", identifier="91330106ma27xf2q8b")
    assert client.post(FORM, right).status_code == 201
    made = InformationRequest.objects.get()
    assert made.applicant_kind == "business"
    assert unseal_as("disclosure.identifier", made.identifier_encrypted) == "91330106MA27XF2Q8B"


def test_the_same_request_sent_twice_is_kept_once(
    db: None, body: Department, client: Client
) -> None:
    first = client.post(FORM, form_data(body))
    again = client.post(FORM, form_data(body))
    assert (first.status_code, again.status_code) == (201, 201)
    made = InformationRequest.objects.get()
    assert made.number in again.content.decode()
    different = client.post(FORM, form_data(body, description="2024年公租房分配名单"))
    assert different.status_code == 201
    assert InformationRequest.objects.count() == 2


@override_settings(YIWANG_RATE_SUBMIT_PER_IP="2/h")
def test_too_many_requests_from_one_network_are_refused_for_a_while(
    db: None, body: Department, client: Client
) -> None:
    for n in range(2):
        assert client.post(FORM, form_data(body, description=f"第{n}份")).status_code == 201
    refused = client.post(FORM, form_data(body, description="第三份"))
    assert refused.status_code == 429
    assert InformationRequest.objects.count() == 2


# --- Receipt and the 20 working days ----------------------------------------------------------


def test_in_person_a_request_is_received_that_day(db: None, body: Department) -> None:
    with at(dt.date(2026, 11, 17)):
        made = ra.do_submit_request(body, asking(), RequestChannel.IN_PERSON)
    assert (made.received_on, made.state) == (dt.date(2026, 11, 17), RequestState.RUNNING)


def test_by_post_it_is_received_on_the_day_signed_for_never_in_the_future(
    db: None, body: Department
) -> None:
    with at(dt.date(2026, 11, 17)):
        with pytest.raises(RequestError):
            ra.do_submit_request(body, asking(), RequestChannel.POST)
        with pytest.raises(RequestError):
            ra.do_submit_request(
                body, asking(), RequestChannel.POST, received_on=dt.date(2026, 11, 18)
            )
        made = ra.do_submit_request(
            body, asking(), RequestChannel.POST, received_on=dt.date(2026, 11, 16)
        )
    assert made.received_on == dt.date(2026, 11, 16)


def test_a_request_received_just_before_the_spring_festival_is_due_after_it(
    db: None, body: Department, officer: User
) -> None:
    # Saturday 14 February 2026 is a make-up working day; the holiday runs 15–23 February.
    item = received(body, officer, dt.date(2026, 2, 14))
    assert deadline(item, dt.date(2026, 2, 14)) == dt.date(2026, 3, 20)


def test_receipt_cannot_be_confirmed_twice_or_before_submission(
    db: None, body: Department, officer: User
) -> None:
    with at(dt.date(2026, 11, 17)):
        made = ra.do_submit_request(body, asking(), RequestChannel.ONLINE)
        with pytest.raises(RequestError):
            ra.do_confirm_receipt(officer, made.pk, dt.date(2026, 11, 16))
        ra.do_confirm_receipt(officer, made.pk, dt.date(2026, 11, 17))
        with pytest.raises(RequestError):
            ra.do_confirm_receipt(officer, made.pk, dt.date(2026, 11, 17))


# --- Correction ---------------------------------------------------------------------------------


def test_a_correction_may_be_asked_on_the_7th_working_day_but_not_the_8th(
    db: None, body: Department, officer: User
) -> None:
    early = received(body, officer, dt.date(2026, 11, 2))  # a Monday
    late = received(body, officer, dt.date(2026, 11, 2))
    with at(dt.date(2026, 11, 12)), pytest.raises(RequestError, match="7 working days"):
        ra.do_ask_correction(
            officer, late.pk, dt.date(2026, 11, 12), dt.date(2026, 11, 20), "写明文号"
        )
    with at(dt.date(2026, 11, 11)):
        asked = ra.do_ask_correction(
            officer, early.pk, dt.date(2026, 11, 11), dt.date(2026, 11, 20), "写明文号"
        )
    assert asked.state == RequestState.AWAITING_CORRECTION
    late.refresh_from_db()
    assert (late.state, late.correction_asked_on) == (RequestState.RUNNING, None)


def test_the_corrected_request_starts_the_20_working_days_again(
    db: None, body: Department, officer: User
) -> None:
    item = received(body, officer, dt.date(2026, 11, 2))
    with at(dt.date(2026, 11, 5)):
        ra.do_ask_correction(officer, item.pk, dt.date(2026, 11, 5), dt.date(2026, 11, 20), "补充")
    with at(dt.date(2026, 11, 16)):
        with pytest.raises(RequestError):  # a second correction is never asked
            ra.do_ask_correction(
                officer, item.pk, dt.date(2026, 11, 16), dt.date(2026, 11, 20), "再补"
            )
        ra.do_receive_correction(officer, item.pk, dt.date(2026, 11, 16))
    assert deadline(item, dt.date(2026, 11, 16)) == dt.date(2026, 12, 14)


def test_a_request_whose_correction_never_came_lapses(
    db: None, body: Department, officer: User
) -> None:
    item = received(body, officer, dt.date(2026, 11, 2))
    with at(dt.date(2026, 11, 4)):
        ra.do_ask_correction(officer, item.pk, dt.date(2026, 11, 4), dt.date(2026, 11, 13), "补充")
    assert ra.do_lapse_due(dt.date(2026, 11, 13)) == 0  # the due day itself is still in time
    assert ra.do_lapse_due(dt.date(2026, 11, 14)) == 1
    assert ra.do_lapse_due(dt.date(2026, 11, 15)) == 0  # once
    item.refresh_from_db()
    assert item.state == RequestState.LAPSED
    assert RequestEvent.objects.filter(request=item, kind="lapsed").count() == 1


# --- Extension, consultations, answer -------------------------------------------------------------


def test_one_extension_of_at_most_20_working_days_by_the_head_only(
    db: None, body: Department, officer: User, head: User
) -> None:
    item = received(body, officer, dt.date(2026, 11, 2))
    with at(dt.date(2026, 11, 20)):
        with pytest.raises(PermissionError):
            ra.do_extend(officer, item.pk, 10, dt.date(2026, 11, 20))
        with pytest.raises(RequestError):
            ra.do_extend(head, item.pk, 21, dt.date(2026, 11, 20))
        ra.do_extend(head, item.pk, 20, dt.date(2026, 11, 20))
        with pytest.raises(RequestError, match="only once"):
            ra.do_extend(head, item.pk, 5, dt.date(2026, 11, 20))
    assert deadline(item, dt.date(2026, 11, 20)) == dt.date(2026, 12, 28)


def test_consultation_days_do_not_count(db: None, body: Department, officer: User) -> None:
    item = received(body, officer, dt.date(2026, 11, 2))
    before = deadline(item, dt.date(2026, 11, 2))
    with at(dt.date(2026, 11, 9)):
        ra.do_start_pause(officer, item.pk, "third_party", dt.date(2026, 11, 9))
        with pytest.raises(RequestError):  # one at a time
            ra.do_start_pause(officer, item.pk, "other_body", dt.date(2026, 11, 9))
    with at(dt.date(2026, 11, 16)):
        with pytest.raises(RequestError, match="consultation"):
            ra.do_answer(
                officer, item.pk, "disclosed", "见附件", partial=False, on=dt.date(2026, 11, 16)
            )
        ra.do_end_pause(officer, item.pk, dt.date(2026, 11, 16))
    # Five working days (10–16 November) were spent consulting.
    assert before == dt.date(2026, 11, 30)
    assert deadline(item, dt.date(2026, 11, 16)) == dt.date(2026, 12, 7)


def test_a_third_party_silent_past_15_working_days_is_flagged_on_the_office_pages(
    db: None, body: Department, officer: User, signed_in: Callable[[User], Client]
) -> None:
    item = received(body, officer, dt.date(2026, 11, 2))
    with at(dt.date(2026, 11, 3)):
        ra.do_start_pause(officer, item.pk, "third_party", dt.date(2026, 11, 3))
    client = signed_in(officer)
    with at(dt.date(2026, 11, 24)):  # the 15th working day after 3 November
        on_time = client.get(f"{STAFF}{item.pk}/").content.decode()
    with at(dt.date(2026, 11, 25)):
        late = client.get(f"{STAFF}{item.pk}/").content.decode()
        listed = client.get(STAFF).content.decode()
    assert 'id="third-party-late"' not in on_time
    assert 'id="third-party-late"' in late
    assert "may decide without its opinion" in late
    assert "third party past 15 working days" in listed


def test_the_answer_is_one_of_the_seven_kinds_and_only_disclosure_may_be_partial(
    db: None, body: Department, officer: User
) -> None:
    item = received(body, officer, dt.date(2026, 11, 2))
    on = dt.date(2026, 11, 10)
    with at(on):
        for kind, text, partial, field in (
            ("nonsense", "x", False, "reply_type"),
            ("disclosed", "  ", False, "text"),
            ("does_not_exist", "经检索，该信息不存在。", True, "partial"),
        ):
            with pytest.raises(RequestError) as refused:
                ra.do_answer(
                    officer, item.pk, kind, text, partial=partial, on=dt.date(2026, 11, 10)
                )
            assert refused.value.field == field
        done = ra.do_answer(
            officer,
            item.pk,
            "disclosed",
            "部分涉及个人隐私，已作删除处理后提供。",
            partial=True,
            on=dt.date(2026, 11, 10),
        )
    assert (done.state, done.partial, done.answered_on) == (
        RequestState.ANSWERED,
        True,
        dt.date(2026, 11, 10),
    )


# --- The office's pages ---------------------------------------------------------------------------


def test_the_office_lists_open_requests_by_deadline_and_marks_the_overdue(
    db: None, body: Department, officer: User, signed_in: Callable[[User], Client]
) -> None:
    old = received(body, officer, dt.date(2026, 10, 9))
    new = received(body, officer, dt.date(2026, 11, 16))
    with at(dt.date(2026, 11, 17)):
        page = signed_in(officer).get(STAFF).content.decode()
    assert page.index(old.number) < page.index(new.number)
    assert 'class="overdue"' in page
    # Due Thursday 5 November: Saturday 10 October was a make-up working day after the
    # National Day holiday. 6–17 November holds 8 working days.
    assert "8 working days late" in page


def test_the_office_confirms_receipt_and_asks_a_correction_through_the_page(
    db: None, body: Department, officer: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(officer)
    with at(dt.date(2026, 11, 17)):
        made = ra.do_submit_request(body, asking(), RequestChannel.ONLINE)
        done = client.post(f"{STAFF}{made.pk}/receive", {"receive-on": "2026-11-17"})
        assert done.status_code == 302
        bad = client.post(
            f"{STAFF}{made.pk}/correction",
            {"correction-on": "2026-11-17", "correction-due": "2026-11-10", "correction-note": "x"},
        )
        assert bad.status_code == 400
        page = client.get(f"{STAFF}{made.pk}/").content.decode()
    made.refresh_from_db()
    assert made.received_on == dt.date(2026, 11, 17)
    assert "Receipt confirmed" in page
    assert 'id="deadline"' in page


def test_another_bodys_office_cannot_open_the_request(
    db: None,
    body: Department,
    departments: dict[str, Department],
    signed_in: Callable[[User], Client],
) -> None:
    made = ra.do_submit_request(body, asking(), RequestChannel.ONLINE)
    stranger = _staff("transport_officer", ["disclosure_officer"], departments["transport"])
    assert signed_in(stranger).get(f"{STAFF}{made.pk}/").status_code == 404
    assert (
        signed_in(stranger)
        .post(f"{STAFF}{made.pk}/receive", {"receive-on": "2026-11-17"})
        .status_code
        == 404
    )
    with pytest.raises(PermissionError):
        ra.do_confirm_receipt(stranger, made.pk, dt.date(2026, 11, 17))


# --- The reply letter and the reminders -----------------------------------------------------------


def test_the_answer_prints_as_an_official_reply_letter(
    db: None, body: Department, officer: User, signed_in: Callable[[User], Client]
) -> None:
    item = received(body, officer, dt.date(2026, 11, 2))
    client = signed_in(officer)
    assert client.get(f"{STAFF}{item.pk}/reply.pdf").status_code == 404  # not answered yet
    with at(dt.date(2026, 11, 10)):
        text = "附件为2025年公租房分配名单。\x07"
        ra.do_answer(officer, item.pk, "disclosed", text, partial=True, on=dt.date(2026, 11, 10))
    item.refresh_from_db()
    letter = reply_letter.reply_letter(item)
    lines = letter.paragraphs()
    assert letter.title == "政府信息公开申请答复书"
    assert any(item.number in line for line in lines)
    assert reply_letter.PARTIAL in lines
    assert "附件为2025年公租房分配名单。" in lines  # the control character is gone
    assert letter.date == "2026年11月10日"
    pdf = client.get(f"{STAFF}{item.pk}/reply.pdf")
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Cache-Control"] == "private, no-store"
    docx = client.get(f"{STAFF}{item.pk}/reply.docx")
    assert docx.content.startswith(b"PK")


def test_the_office_is_reminded_5_and_2_working_days_before_and_the_head_once_it_is_late(
    db: None, body: Department, officer: User, head: User
) -> None:
    User.objects.filter(pk__in=[officer.pk, head.pk]).update(email="office@example.cn")
    item = received(body, officer, dt.date(2026, 11, 2))  # due Monday 30 November
    days = [
        dt.date(2026, 11, 20),  # 6 working days before: nothing
        dt.date(2026, 11, 23),  # 5 before: the officer and the head
        dt.date(2026, 11, 23),  # the job again: nothing new
        dt.date(2026, 11, 26),  # 2 before
        dt.date(2026, 11, 30),  # the due day
        dt.date(2026, 12, 1),  # overdue: the head
        dt.date(2026, 12, 2),  # still overdue: not again
    ]
    sent = [request_reminders.do_remind_requests(day) for day in days]
    assert deadline(item, dt.date(2026, 11, 2)) == dt.date(2026, 11, 30)
    assert sent == [0, 2, 0, 2, 0, 1, 0]
    assert OutboxItem.objects.filter(key__startswith=f"disclosure-request:{item.pk}:").count() == 5


def test_a_step_whose_deadline_reaches_a_year_the_calendar_lacks_is_refused_clearly(
    db: None, body: Department, officer: User, head: User, signed_in: Callable[[User], Client]
) -> None:
    # Received on 10 December 2026: 20 working days reach into 2027, whose holidays the
    # shipped calendar does not hold yet. The step says so; nothing is guessed or saved.
    item = received(body, officer, dt.date(2026, 12, 10))
    with at(dt.date(2026, 12, 11)):
        with pytest.raises(RequestError, match="no data for 2027"):
            ra.do_extend(head, item.pk, 10, dt.date(2026, 12, 11))
        page = signed_in(officer).get(STAFF)
    item.refresh_from_db()
    assert (item.state, item.extension_days) == (RequestState.RUNNING, 0)
    assert page.status_code == 200  # the list shows it, without a deadline
    assert item.number in page.content.decode()
    assert "The calendar lacks 2027" in page.content.decode()
