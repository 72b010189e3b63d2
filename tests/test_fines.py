"""Parking fines (issue 8): decision numbers with a check digit, the late fee and its pauses,
the steps of a case, and paying any district's fine online through the payment platform —
once, even when the same decision is paid twice at once."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import _staff
from yiwang.accounts.models import User
from yiwang.fines import actions, fees
from yiwang.fines.actions import CaseError, CaseInput
from yiwang.fines.models import CasePayment, CaseState, ParkingCase
from yiwang.fines.numbers import (
    format_decision_number,
    is_decision_number,
    is_plate,
    normalize_decision_number,
    normalize_plate,
)
from yiwang.orgs.models import Department, Region
from yiwang.payments.models import Payment, PaymentState, Refund
from yiwang.payments.providers import simulator

Commits = Callable[..., AbstractContextManager[Any]]
DAY = dt.date


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The actions' messages in English (pages set their own language per request)."""
    with translation.override("en"):
        yield


# --- Decision numbers and plates ----------------------------------------------------------------


def test_a_decision_number_is_district_year_sequence_and_a_luhn_digit() -> None:
    number = format_decision_number("330106", 2026, 17)
    assert number.startswith("33010626" + "0000017")
    assert len(number) == 16
    assert is_decision_number(number)


@given(st.integers(1, 9_999_999), st.integers(0, 14), st.integers(1, 9))
def test_one_mistyped_digit_is_always_caught(sequence: int, position: int, shift: int) -> None:
    number = format_decision_number("330106", 2026, sequence)
    digit = (int(number[position]) + shift) % 10
    typo = number[:position] + str(digit) + number[position + 1 :]
    assert not is_decision_number(typo)


@pytest.mark.parametrize("raw", ["3301062600000171", "１２３", "", "33010626000001711", "abc"])
def test_malformed_or_mistyped_numbers_are_not_decision_numbers(raw: str) -> None:
    assert not is_decision_number(normalize_decision_number(raw))


def test_printed_forms_of_a_number_are_read_as_digits() -> None:
    number = format_decision_number("330106", 2026, 17)
    spaced = " ".join([number[:6], number[6:12], number[12:]])
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)
    assert normalize_decision_number(spaced) == number
    assert normalize_decision_number(full_width) == number


@pytest.mark.parametrize(
    ("raw", "plate"),
    [("浙a·12345", "浙A12345"), ("浙Ａ１２３４５", "浙A12345"), ("浙A D12345", "浙AD12345")],
)
def test_plates_are_normalised(raw: str, plate: str) -> None:
    assert normalize_plate(raw) == plate
    assert is_plate(plate)


@pytest.mark.parametrize("plate", ["ZA12345", "浙I12345", "浙A1234", "浙A1234567", "浙A12<45", ""])
def test_what_is_not_a_plate(plate: str) -> None:
    assert not is_plate(normalize_plate(plate))


# --- The late fee ------------------------------------------------------------------------------


def test_the_due_date_is_15_days_after_service() -> None:
    assert fees.due_date(DAY(2026, 3, 1)) == DAY(2026, 3, 16)


def test_no_late_fee_until_the_due_date_then_3_percent_a_day() -> None:
    due = DAY(2026, 3, 16)
    assert fees.late_fee(20000, due, due) == 0
    assert fees.late_fee(20000, due, DAY(2026, 3, 17)) == 600
    assert fees.late_fee(20000, due, DAY(2026, 3, 26)) == 6000


def test_the_late_fee_never_exceeds_the_fine() -> None:
    due = DAY(2026, 3, 16)
    assert fees.late_fee(20000, due, DAY(2026, 4, 18)) == 19800  # 33 days: 99 %
    assert fees.late_fee(20000, due, DAY(2026, 4, 19)) == 20000  # 34 days: capped
    assert fees.late_fee(20000, due, DAY(2027, 1, 1)) == 20000


def test_the_late_fee_is_rounded_down_to_the_fen() -> None:
    assert fees.late_fee(5001, DAY(2026, 3, 16), DAY(2026, 3, 17)) == 150  # 150.03


def test_days_of_a_review_or_lawsuit_are_not_counted() -> None:
    due = DAY(2026, 3, 16)
    review = (DAY(2026, 3, 20), DAY(2026, 3, 29))  # 10 days
    assert fees.days_late(due, DAY(2026, 4, 5), [review]) == 20 - 10
    ongoing = (DAY(2026, 3, 20), None)
    assert fees.days_late(due, DAY(2026, 4, 5), [ongoing]) == 3  # 17, 18, 19 March
    before = (DAY(2026, 3, 10), DAY(2026, 3, 18))  # the part before the due date is moot
    assert fees.days_late(due, DAY(2026, 3, 20), [before]) == 2


def test_overlapping_pauses_are_counted_once() -> None:
    due = DAY(2026, 3, 16)
    pauses = [(DAY(2026, 3, 20), DAY(2026, 3, 25)), (DAY(2026, 3, 22), DAY(2026, 3, 30))]
    assert fees.days_late(due, DAY(2026, 4, 5), pauses) == 20 - 11


# --- A case's steps -----------------------------------------------------------------------------


@pytest.fixture
def bureaus(regions: dict[str, Region]) -> dict[str, Department]:
    def bureau(code: str, name: str, region: str) -> Department:
        return Department.objects.create(
            short_code=code, name_zh=name, kind="urban_management", region=regions[region]
        )

    return {
        "xihu": bureau("西湖城管", "杭州市西湖区城市管理局", "xihu"),
        "binjiang": bureau("滨江城管", "杭州市滨江区城市管理局", "binjiang"),
    }


@pytest.fixture
def officer(bureaus: dict[str, Department]) -> User:
    return _staff("xihu_officer", ["enforcement_officer"], bureaus["xihu"])


@pytest.fixture
def binjiang_officer(bureaus: dict[str, Department]) -> User:
    return _staff("binjiang_officer", ["enforcement_officer"], bureaus["binjiang"])


def case_input(**changes: Any) -> CaseInput:
    fields: dict[str, Any] = {
        "plate": "浙A12345",
        "place": "文三路与学院路交叉口东北角",
        "occurred_at": timezone.now() - dt.timedelta(days=2),
        "legal_basis": "《中华人民共和国道路交通安全法》第九十三条",
        "facts": "在禁止停放区域停车，驾驶人不在现场。",
        "amount": 20000,
    }
    return CaseInput(**{**fields, **changes})


def served_case(officer: User, served_on: dt.date | None = None) -> ParkingCase:
    served_on = served_on or timezone.localdate()
    occurred = timezone.now() - dt.timedelta(days=(timezone.localdate() - served_on).days + 2)
    case = actions.do_record_case(officer, case_input(occurred_at=occurred), [])
    actions.do_decide(officer, case.pk, served_on - dt.timedelta(days=1))
    return actions.do_serve(officer, case.pk, served_on)


def test_a_decision_takes_the_districts_next_number_of_the_year(officer: User) -> None:
    first = served_case(officer)
    second = served_case(officer)
    year = timezone.localdate().year % 100
    assert first.decision_number == format_decision_number("330106", year, 1)
    assert second.decision_number == format_decision_number("330106", year, 2)
    assert [e.action for e in first.events.all()] == ["recorded", "decided", "served"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"plate": "AB12345"}, "number plate"),
        ({"amount": 0}, "fine"),
        ({"amount": 1_000_001}, "fine"),
        ({"occurred_at": timezone.now() + dt.timedelta(days=1)}, "future"),
        ({"place": "  "}, "required"),
        ({"facts": "a\x00b"}, "required"),
        ({"place": "路" * 201}, "too long"),
        ({"facts": "停" * 4001}, "too long"),
    ],
)
def test_a_bad_case_is_refused_and_nothing_is_recorded(
    officer: User, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(CaseError, match=message):
        actions.do_record_case(officer, case_input(**changes), [])
    assert not ParkingCase.objects.exists()


def test_only_the_recording_bureau_decides_but_any_district_serves(
    officer: User, binjiang_officer: User
) -> None:
    case = actions.do_record_case(officer, case_input(), [])
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(CaseError):
        actions.do_decide(binjiang_officer, case.pk, yesterday)
    actions.do_decide(officer, case.pk, yesterday)
    actions.do_serve(binjiang_officer, case.pk, timezone.localdate())
    served = case.events.get(action="served")
    assert (served.actor, served.office.code) == (binjiang_officer, "330108")  # type: ignore[union-attr]


def test_steps_out_of_order_or_with_impossible_dates_are_refused(officer: User) -> None:
    case = actions.do_record_case(officer, case_input(), [])
    today = timezone.localdate()
    with pytest.raises(CaseError):
        actions.do_serve(officer, case.pk, today)  # not decided
    with pytest.raises(CaseError):
        actions.do_decide(officer, case.pk, today + dt.timedelta(days=1))
    actions.do_decide(officer, case.pk, today)
    with pytest.raises(CaseError):
        actions.do_decide(officer, case.pk, today)  # twice
    with pytest.raises(CaseError):
        actions.do_serve(officer, case.pk, today - dt.timedelta(days=1))  # before the decision


def test_a_pending_review_stops_the_late_fee_until_it_ends(officer: User) -> None:
    today = timezone.localdate()
    case = served_case(officer, today - dt.timedelta(days=20))  # due 5 days ago
    actions.do_suspend(officer, case.pk, "review", today - dt.timedelta(days=3))
    with pytest.raises(CaseError):
        actions.do_suspend(officer, case.pk, "lawsuit", today)  # one at a time
    with pytest.raises(CaseError, match="review or a lawsuit"):
        actions.do_suspend(officer, case.pk, "appeal", today)

    def owed(days_on: int) -> actions.Due:
        with time_machine.travel(timezone.now() + dt.timedelta(days=days_on), tick=False):
            return actions.amount_due(ParkingCase.objects.get(pk=case.pk))

    assert (owed(0).days_late, owed(0).suspended) == (1, True)  # the 4 days paused
    assert owed(10).days_late == 1  # still pending: frozen
    actions.do_end_suspension(officer, case.pk, today)
    later = owed(10)
    assert (later.days_late, later.suspended) == (11, False)
    assert later.late_fee == 20000 * 3 * 11 // 100


# --- Paying online -------------------------------------------------------------------------------


def look_up(client: Client, case: ParkingCase, plate: str | None = None) -> Any:
    data = {"decision_number": case.decision_number, "plate": plate or case.plate}
    return client.post("/fines/", data)


def test_a_citizen_looks_up_any_districts_fine_and_sees_what_to_pay(
    client: Client, binjiang_officer: User
) -> None:
    case = served_case(binjiang_officer)
    response = look_up(client, case, plate="浙a·12345")
    assert response["Location"] == f"/fines/{case.decision_number}/"
    page = client.get(response["Location"]).content.decode()
    assert "¥200.00" in page
    assert "杭州市滨江区城市管理局" in page


@pytest.mark.parametrize(
    ("number", "plate", "status"),
    [
        ("3301062600000171", "浙A12345", 400),  # check digit wrong (or at least not this one)
        ("12345", "浙A12345", 400),
        ("", "", 400),
        ("<script>alert(1)</script>", "浙A12345", 400),
        ("'; DROP TABLE fines_parkingcase; --", "浙A12345", 400),
    ],
)
def test_bad_look_ups_get_a_clear_answer(
    client: Client, officer: User, number: str, plate: str, status: int
) -> None:
    served_case(officer)
    response = client.post("/fines/", {"decision_number": number, "plate": plate})
    assert response.status_code == status
    assert "<script>alert" not in response.content.decode()


def test_the_wrong_plate_finds_nothing_and_opens_nothing(client: Client, officer: User) -> None:
    case = served_case(officer)
    assert look_up(client, case, plate="浙B54321").status_code == 404
    assert client.get(f"/fines/{case.decision_number}/").status_code == 403
    assert client.post(f"/fines/{case.decision_number}/pay").status_code == 403


def pay_with_simulator(client: Client, next_url: str, commits: Commits) -> Any:
    """The payer's way through the platform's pages and the simulator."""
    path = next_url.split("://", 1)[-1].split("/", 1)[1]
    client.get(f"/{path}")
    to_provider = client.post(f"/{path}", {"provider": "simulator", "action": "pay"})
    with commits(execute=True):
        back = client.post(to_provider["Location"], {"action": "pay"})
    return client.get(back["Location"])


def test_a_citizen_pays_a_fine_and_gets_the_receipt(
    client: Client, officer: User, django_capture_on_commit_callbacks: Commits
) -> None:
    case = served_case(officer)
    look_up(client, case)
    started = client.post(f"/fines/{case.decision_number}/pay")
    assert "/payments/pay/" in started["Location"]
    back_at_service = pay_with_simulator(
        client, started["Location"], django_capture_on_commit_callbacks
    )
    assert back_at_service["Location"].endswith(f"/fines/{case.decision_number}/paid")
    client.get(back_at_service["Location"])
    case.refresh_from_db()
    assert (case.state, case.paid_amount, case.paid_late_fee) == (CaseState.PAID, 20000, 0)
    page = client.get(f"/fines/{case.decision_number}/").content.decode()
    assert 'id="state"' in page
    slip = client.get(f"/fines/{case.decision_number}/slip.pdf")
    assert slip.content.startswith(b"%PDF")
    assert client.get(f"/fines/{case.decision_number}/decision.pdf").content.startswith(b"%PDF")
    again = client.post(f"/fines/{case.decision_number}/pay")
    assert again["Location"] == f"/fines/{case.decision_number}/"  # paid: nothing to pay


def test_paying_late_adds_the_late_fee(
    client: Client, officer: User, django_capture_on_commit_callbacks: Commits
) -> None:
    case = served_case(officer, timezone.localdate() - dt.timedelta(days=20))  # 5 days late
    look_up(client, case)
    client.post(f"/fines/{case.decision_number}/pay")
    payment = Payment.objects.get()
    assert payment.amount == 20000 + 5 * 600
    assert payment.reference == case.decision_number


def test_the_same_open_payment_is_offered_again_until_the_amount_changes(officer: User) -> None:
    case = served_case(officer, timezone.localdate() - dt.timedelta(days=15))  # due today
    first = actions.do_start_payment(case.pk)
    assert actions.do_start_payment(case.pk) == first
    with time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=False):
        later = actions.do_start_payment(case.pk)
    assert later != first
    outcomes = list(CasePayment.objects.order_by("pk").values_list("outcome", "amount"))
    assert outcomes == [("replaced", 20000), ("", 20600)]


def test_a_second_successful_payment_of_a_paid_fine_is_refunded_in_full(
    officer: User, django_capture_on_commit_callbacks: Commits
) -> None:
    beijing = dt.timezone(dt.timedelta(hours=8))
    with time_machine.travel(dt.datetime(2026, 11, 20, 23, 50, tzinfo=beijing), tick=False):
        case = served_case(officer, DAY(2026, 11, 5))  # due today: ¥200
        first = CasePayment.objects.get(payment_id=pay_id(actions.do_start_payment(case.pk)))
    with time_machine.travel(dt.datetime(2026, 11, 21, 0, 10, tzinfo=beijing), tick=False):
        # A day late now: a new payment for ¥206; the payer had both pages open and pays both.
        second = CasePayment.objects.get(payment_id=pay_id(actions.do_start_payment(case.pk)))
        for row in (first, second):
            settle(row.payment_id, django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert (case.state, case.payment_id, case.paid_amount) == (
        CaseState.PAID,
        first.payment_id,
        20000,
    )
    refund = Refund.objects.get()
    assert (refund.payment.external_id, refund.amount, refund.state) == (
        second.payment_id,
        20600,
        "success",
    )
    assert CasePayment.objects.get(pk=second.pk).outcome == "refunded"


def pay_id(next_url: str) -> str:
    return next_url.rstrip("/").rsplit("/", 1)[-1]


def settle(payment_id: str, commits: Commits) -> None:
    payment = Payment.objects.get(external_id=payment_id)
    from yiwang.payments import actions as payments

    payments.do_open(payment.pk)
    with commits(execute=True):
        payments.do_submit(payment.pk, "simulator")
    with commits(execute=True):
        simulator.pay(payment_id)
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.SUCCESS


@pytest.mark.django_db(transaction=True)
def test_paying_the_same_decision_twice_at_once_makes_one_payment(
    bureaus: dict[str, Department],
) -> None:
    officer = _staff("xihu_officer", ["enforcement_officer"], bureaus["xihu"])
    case = served_case(officer)
    pages: list[str] = []

    def start() -> None:
        try:
            pages.append(actions.do_start_payment(case.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(pages) == 2
    assert pages[0] == pages[1]
    assert Payment.objects.count() == 1
