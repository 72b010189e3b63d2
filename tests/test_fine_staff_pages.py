"""The enforcement officers' pages (issue 8): a bureau records a parking case with photos,
decides it, serves it, records a review or lawsuit and its end; any district's officer finds
any case by its decision number and processes it there (cross-district), each step recorded
with the office; refused steps explain themselves and write nothing.

Personas: ``enforcement_officer`` (西湖区 bureau), ``other_district_officer`` (滨江区
bureau), ``clerk`` (a desk clerk, no enforcement right)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tests.conftest import _staff
from yiwang.accounts.models import User
from yiwang.fines.actions import CaseInput, do_decide, do_record_case, do_serve
from yiwang.fines.models import (
    CaseEvent,
    CasePhoto,
    CaseState,
    DecisionSequence,
    ParkingCase,
    Suspension,
)
from yiwang.fines.numbers import format_decision_number
from yiwang.orgs.models import Department, Region

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Client]
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()
LIST = "/en/staff/fines/"
NEW = "/en/staff/fines/new"
FIND = "/en/staff/fines/find"


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def bureau(regions: dict[str, Region], district: str, code: str, name: str) -> Department:
    return Department.objects.create(
        short_code=code, name_zh=name, kind="urban_management", region=regions[district]
    )


@pytest.fixture
def enforcement_officer(regions: dict[str, Region]) -> User:
    xihu = bureau(regions, "xihu", "西湖执法", "西湖区城市管理行政执法局")
    return _staff("enforcement_officer", ["enforcement_officer"], xihu)


@pytest.fixture
def other_district_officer(regions: dict[str, Region]) -> User:
    binjiang = bureau(regions, "binjiang", "滨江执法", "滨江区城市管理行政执法局")
    return _staff("other_district_officer", ["enforcement_officer"], binjiang)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "GIF")
    return buffer.getvalue()


def case_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "plate": "浙a·12345",
        "place": "文三路与学院路交叉口",
        "occurred_at": "2026-03-18T08:30",
        "legal_basis": "《中华人民共和国道路交通安全法》第九十三条",
        "facts": "在禁止停车路段停放，驾驶人不在现场。",
        "amount": "200.00",
        "photos": [SimpleUploadedFile("现场.png", png(), content_type="image/png")],
    }
    data.update(overrides)
    return data


def record(officer: User, plate: str = "浙A12345") -> ParkingCase:
    data = CaseInput(
        plate=plate,
        place="文三路",
        occurred_at=NOW - dt.timedelta(days=10),
        legal_basis="《中华人民共和国道路交通安全法》第九十三条",
        facts="违停。",
        amount=20000,
    )
    return do_record_case(officer, data, [])


def served(officer: User) -> ParkingCase:
    case = record(officer)
    do_decide(officer, case.pk, TODAY - dt.timedelta(days=9))
    return do_serve(officer, case.pk, TODAY - dt.timedelta(days=8))


def url(case: ParkingCase, tail: str = "") -> str:
    return f"/en/staff/fines/{case.pk}/{tail}"


def html(response: Any) -> str:
    return str(response.content.decode())


def fresh(case: ParkingCase) -> ParkingCase:
    return ParkingCase.objects.get(pk=case.pk)


# --- Recording a case ------------------------------------------------------------------------


def test_an_officer_records_a_case_with_a_photo_and_lands_on_its_page(
    enforcement_officer: User, signed_in: SignIn
) -> None:
    response = signed_in(enforcement_officer).post(NEW, case_form())
    case = ParkingCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(case)
    assert case.plate == "浙A12345"
    assert case.amount == 20000
    assert case.occurred_at == dt.datetime(2026, 3, 18, 8, 30, tzinfo=SHANGHAI)
    assert case.state == CaseState.RECORDED
    assert case.bureau == enforcement_officer.department
    assert case.photos.get().content_type == "image/png"


def test_the_form_offers_the_usual_legal_basis_and_a_local_time_input(
    enforcement_officer: User, signed_in: SignIn
) -> None:
    page = html(signed_in(enforcement_officer).get(NEW))
    assert "《中华人民共和国道路交通安全法》第九十三条" in page
    assert 'type="datetime-local"' in page
    assert 'enctype="multipart/form-data"' in page


def test_the_fine_in_yuan_becomes_exact_fen(enforcement_officer: User, signed_in: SignIn) -> None:
    signed_in(enforcement_officer).post(NEW, case_form(amount="0.29"))
    assert ParkingCase.objects.get().amount == 29


def test_a_fine_with_fractions_of_a_fen_is_refused(
    enforcement_officer: User, signed_in: SignIn
) -> None:
    response = signed_in(enforcement_officer).post(NEW, case_form(amount="12.345"))
    assert response.status_code == 400
    assert 'id="id_amount_error"' in html(response)
    assert not ParkingCase.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("现场.gif", gif(), "is not a JPEG or PNG photo"),
        ("现场.png", b"%PDF-1.4 not a photo\n%%EOF", "is not a JPEG or PNG photo"),
        ("现场.png", b"\x89PNG\r\n\x1a\n" + b"broken" * 10, "is damaged"),
        ("现场.jpg", b"", "is empty"),
    ],
)
def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_saved(
    enforcement_officer: User, signed_in: SignIn, name: str, data: bytes, why: str
) -> None:
    upload = SimpleUploadedFile(name, data, content_type="image/png")
    response = signed_in(enforcement_officer).post(NEW, case_form(photos=[upload]))
    page = html(response)
    assert response.status_code == 400
    assert 'id="id_photos_error"' in page
    assert why in page
    assert 'id="choose-again"' in page
    assert not ParkingCase.objects.exists()
    assert not CasePhoto.objects.exists()


def test_at_most_six_photos(enforcement_officer: User, signed_in: SignIn) -> None:
    photos = [SimpleUploadedFile(f"{n}.png", png(), content_type="image/png") for n in range(7)]
    response = signed_in(enforcement_officer).post(NEW, case_form(photos=photos))
    assert response.status_code == 400
    assert "At most 6 photos." in html(response)
    assert not ParkingCase.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("plate", "ABC"), ("occurred_at", "2026-03-21T08:30"), ("occurred_at", "yesterday")],
)
def test_a_bad_plate_or_time_is_shown_at_its_field(
    enforcement_officer: User, signed_in: SignIn, field: str, value: str
) -> None:
    response = signed_in(enforcement_officer).post(NEW, case_form(**{field: value}))
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in html(response)
    assert not ParkingCase.objects.exists()


def test_a_photo_is_served_only_to_officers_and_never_cached(
    enforcement_officer: User, other_district_officer: User, clerk: User, signed_in: SignIn
) -> None:
    signed_in(enforcement_officer).post(NEW, case_form())
    photo = CasePhoto.objects.get()
    page = html(signed_in(enforcement_officer).get(url(photo.case)))
    assert f"/en/staff/fines/photos/{photo.pk}" in page
    response = signed_in(other_district_officer).get(f"/en/staff/fines/photos/{photo.pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
    assert signed_in(clerk).get(f"/en/staff/fines/photos/{photo.pk}").status_code == 403


# --- The steps of a case ---------------------------------------------------------------------


def test_an_officer_decides_serves_suspends_and_ends_through_the_pages(
    enforcement_officer: User, signed_in: SignIn
) -> None:
    officer = signed_in(enforcement_officer)
    case = record(enforcement_officer)
    assert officer.post(url(case, "decide"), {"decide-on": "2026-03-11"}).status_code == 302
    assert fresh(case).state == CaseState.DECIDED
    assert officer.post(url(case, "serve"), {"serve-on": "2026-03-12"}).status_code == 302
    assert fresh(case).served_on == dt.date(2026, 3, 12)
    step = {"suspend-kind": "review", "suspend-on": "2026-03-15"}
    assert officer.post(url(case, "suspend"), step).status_code == 302
    assert Suspension.objects.get().ended_on is None
    assert officer.post(url(case, "end"), {"end-on": "2026-03-19"}).status_code == 302
    assert Suspension.objects.get().ended_on == dt.date(2026, 3, 19)
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == ["recorded", "decided", "served", "suspended", "resumed"]


def test_the_case_page_shows_the_number_the_dates_what_is_owed_and_the_history(
    enforcement_officer: User, signed_in: SignIn
) -> None:
    case = fresh(served(enforcement_officer))
    page = html(signed_in(enforcement_officer).get(url(case)))
    assert f'id="decision-number">{case.decision_number}<' in page
    assert 'id="served-on">2026-03-12<' in page
    assert 'id="due-date">2026-03-27<' in page
    assert "¥200.00" in page
    assert 'id="suspend"' in page
    assert "office: 西湖区" in page


def test_the_owed_amount_grows_with_the_late_fee_after_the_due_date(
    enforcement_officer: User, signed_in: SignIn
) -> None:
    case = served(enforcement_officer)
    with time_machine.travel(NOW + dt.timedelta(days=10), tick=False):
        page = html(signed_in(enforcement_officer).get(url(case)))
    # Due 2026-03-27; on 2026-03-30 three days late: 3 × 3 % of ¥200 = ¥18.
    assert "¥218.00" in page
    assert "3 days late" in page


def test_another_districts_officer_serves_the_case_and_their_office_is_recorded(
    enforcement_officer: User, other_district_officer: User, signed_in: SignIn
) -> None:
    case = record(enforcement_officer)
    do_decide(enforcement_officer, case.pk, TODAY - dt.timedelta(days=1))
    elsewhere = signed_in(other_district_officer)
    assert elsewhere.post(url(case, "serve"), {"serve-on": str(TODAY)}).status_code == 302
    event = CaseEvent.objects.get(case=case, action="served")
    assert event.actor == other_district_officer
    assert event.office is not None
    assert event.office.name_zh == "滨江区"
    page = html(elsewhere.get(url(case)))
    assert "office: 滨江区" in page
    assert "office: 西湖区" in page


def test_only_the_recording_bureau_decides_the_case(
    enforcement_officer: User, other_district_officer: User, signed_in: SignIn
) -> None:
    case = record(enforcement_officer)
    elsewhere = signed_in(other_district_officer)
    assert 'id="not-our-case"' in html(elsewhere.get(url(case)))
    response = elsewhere.post(url(case, "decide"), {"decide-on": str(TODAY)})
    assert response.status_code == 400
    assert "Only the bureau that recorded the case decides it." in html(response)
    assert fresh(case).decision_number is None
    assert not DecisionSequence.objects.exists()


@pytest.mark.parametrize(
    ("on", "why"),
    [
        ("2026-02-30", "Enter a valid date."),
        ("not a date", "Enter a valid date."),
        ("2026-03-21", "between the decision and today"),
        ("2026-03-10", "between the decision and today"),
    ],
)
def test_a_bad_service_date_is_refused_and_nothing_changes(
    enforcement_officer: User, signed_in: SignIn, on: str, why: str
) -> None:
    case = record(enforcement_officer)
    do_decide(enforcement_officer, case.pk, dt.date(2026, 3, 11))
    response = signed_in(enforcement_officer).post(url(case, "serve"), {"serve-on": on})
    assert response.status_code == 400
    assert why in html(response)
    assert fresh(case).state == CaseState.DECIDED
    assert fresh(case).served_on is None
    assert not CaseEvent.objects.filter(action="served").exists()


def test_a_malformed_date_for_a_step_not_on_the_page_still_says_why(
    enforcement_officer: User, signed_in: SignIn
) -> None:
    case = record(enforcement_officer)
    response = signed_in(enforcement_officer).post(url(case, "serve"), {"serve-on": "13/03"})
    assert response.status_code == 400
    assert 'id="error-summary"' in html(response)
    assert "Enter a valid date." in html(response)


def test_a_decision_dated_before_an_early_morning_violation_is_refused(
    enforcement_officer: User, signed_in: SignIn
) -> None:
    officer = signed_in(enforcement_officer)
    officer.post(NEW, case_form(occurred_at="2026-03-18T07:30"))  # 2026-03-17 23:30 UTC
    case = ParkingCase.objects.get()
    response = officer.post(url(case, "decide"), {"decide-on": "2026-03-17"})
    assert response.status_code == 400
    assert fresh(case).state == CaseState.RECORDED


def test_a_decision_dated_in_the_future_is_refused(
    enforcement_officer: User, signed_in: SignIn
) -> None:
    case = record(enforcement_officer)
    response = signed_in(enforcement_officer).post(url(case, "decide"), {"decide-on": "2026-04-01"})
    assert response.status_code == 400
    assert "The decision date must be between the violation and today." in html(response)
    assert fresh(case).state == CaseState.RECORDED


def test_an_unknown_kind_of_suspension_is_refused(
    enforcement_officer: User, signed_in: SignIn
) -> None:
    case = served(enforcement_officer)
    step = {"suspend-kind": "petition", "suspend-on": str(TODAY)}
    response = signed_in(enforcement_officer).post(url(case, "suspend"), step)
    assert response.status_code == 400
    assert 'id="id_suspend-kind_error"' in html(response)
    assert not Suspension.objects.exists()


def test_a_step_in_the_wrong_state_gets_the_reason(
    enforcement_officer: User, signed_in: SignIn
) -> None:
    case = record(enforcement_officer)
    officer = signed_in(enforcement_officer)
    response = officer.post(url(case, "serve"), {"serve-on": str(TODAY)})
    assert response.status_code == 400
    assert "Only a decided case that has not been served can be served." in html(response)
    response = officer.post(url(case, "end"), {"end-on": str(TODAY)})
    assert response.status_code == 400
    assert "No review or lawsuit is pending for this case." in html(response)
    assert fresh(case).state == CaseState.RECORDED


def test_an_unknown_step_is_not_found(enforcement_officer: User, signed_in: SignIn) -> None:
    case = record(enforcement_officer)
    response = signed_in(enforcement_officer).post(url(case, "pay"), {"pay-on": str(TODAY)})
    assert response.status_code == 404


def test_every_step_needs_the_csrf_token(enforcement_officer: User) -> None:
    case = record(enforcement_officer)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(enforcement_officer)
    assert browser.post(url(case, "decide"), {"decide-on": str(TODAY)}).status_code == 403
    assert browser.post(NEW, case_form()).status_code == 403
    assert fresh(case).state == CaseState.RECORDED
    assert ParkingCase.objects.count() == 1


# --- The decision PDF ------------------------------------------------------------------------


def test_the_decision_pdf_exists_once_decided(enforcement_officer: User, signed_in: SignIn) -> None:
    case = record(enforcement_officer)
    officer = signed_in(enforcement_officer)
    assert officer.get(url(case, "decision.pdf")).status_code == 404
    do_decide(enforcement_officer, case.pk, TODAY)
    response = officer.get(url(case, "decision.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF")


# --- The list and the cross-district look-up -------------------------------------------------


def test_the_list_shows_our_bureaus_cases_newest_first(
    enforcement_officer: User, other_district_officer: User, signed_in: SignIn
) -> None:
    record(enforcement_officer, "浙A11111")
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        record(enforcement_officer, "浙A22222")
    record(other_district_officer, "浙A33333")
    page = html(signed_in(enforcement_officer).get(LIST))
    assert page.index("浙A22222") < page.index("浙A11111")
    assert "浙A33333" not in page


def test_the_list_filters_by_state_and_plate(enforcement_officer: User, signed_in: SignIn) -> None:
    record(enforcement_officer, "浙A11111")
    served(enforcement_officer)  # 浙A12345
    officer = signed_in(enforcement_officer)
    page = html(officer.get(LIST, {"state": "served"}))
    assert "浙A12345" in page
    assert "浙A11111" not in page
    page = html(officer.get(LIST, {"plate": "a111"}))
    assert "浙A11111" in page
    assert "浙A12345" not in page


def test_the_list_pages_by_fifty(enforcement_officer: User, signed_in: SignIn) -> None:
    for n in range(51):
        record(enforcement_officer, f"浙A{n:05d}")
    officer = signed_in(enforcement_officer)
    first = html(officer.get(LIST, {"state": "recorded"}))
    assert first.count("/en/staff/fines/") > 50
    assert "?state=recorded&amp;page=2" in first
    assert "浙A00000" in html(officer.get(LIST, {"state": "recorded", "page": "2"}))


def test_the_list_makes_as_many_queries_for_sixty_cases_as_for_one(
    enforcement_officer: User,
    signed_in: SignIn,
    django_assert_num_queries: Callable[[int], Any],
) -> None:
    officer = signed_in(enforcement_officer)
    record(enforcement_officer)
    with django_assert_num_queries(QUERIES):
        assert officer.get(LIST).status_code == 200
    for n in range(59):
        record(enforcement_officer, f"浙A{n:05d}")
    with django_assert_num_queries(QUERIES):
        assert officer.get(LIST).status_code == 200


# session, user, department, permissions (2), count, page; the layout's own (notices: 1).
QUERIES = 8


def test_any_districts_officer_finds_a_case_by_its_decision_number(
    enforcement_officer: User, other_district_officer: User, signed_in: SignIn
) -> None:
    case = fresh(served(enforcement_officer))
    assert case.decision_number
    spaced = f"{case.decision_number[:6]} {case.decision_number[6:]}"
    response = signed_in(other_district_officer).get(FIND, {"number": spaced})
    assert response.status_code == 302
    assert response["Location"] == url(case)


def test_a_mistyped_decision_number_is_caught_by_its_check_digit(
    enforcement_officer: User, signed_in: SignIn
) -> None:
    case = fresh(served(enforcement_officer))
    assert case.decision_number
    last = int(case.decision_number[-1])
    mistyped = case.decision_number[:-1] + str((last + 1) % 10)
    response = signed_in(enforcement_officer).get(FIND, {"number": mistyped})
    assert response.status_code == 400
    assert "its check digit does not match" in html(response)


def test_a_valid_number_that_no_case_has_is_reported(
    enforcement_officer: User, signed_in: SignIn
) -> None:
    unused = format_decision_number("330106", 2026, 999)
    response = signed_in(enforcement_officer).get(FIND, {"number": unused})
    assert response.status_code == 404
    assert "No case has this decision number." in html(response)


# --- Who may ---------------------------------------------------------------------------------


def test_a_desk_clerk_gets_403_everywhere(
    enforcement_officer: User, clerk: User, signed_in: SignIn
) -> None:
    case = served(enforcement_officer)
    desk = signed_in(clerk)
    for page in (LIST, NEW, f"{FIND}?number=1", url(case), url(case, "decision.pdf")):
        assert desk.get(page).status_code == 403, page
    assert desk.post(url(case, "suspend"), {"suspend-kind": "review"}).status_code == 403
    assert desk.post(NEW, case_form()).status_code == 403
    assert ParkingCase.objects.count() == 1


def test_a_visitor_is_sent_to_sign_in(enforcement_officer: User, client: Client) -> None:
    case = record(enforcement_officer)
    for page in (LIST, NEW, url(case)):
        response = client.get(page)
        assert response.status_code == 302
        assert re.match(r"/accounts/login/\?next=", response["Location"])
