"""The pages of online applications: a citizen applies (我要办) with files, follows the
application with its number and query code (办件查询), sends missing materials, withdraws and
rates it; the department handles its queue, downloads the files, makes its moves, follows up
bad ratings; a supervisor decides appeals. Bad input anywhere gets a clear page, never a 500."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client, override_settings

from tests.test_applications import ID_NUMBER, MOBILE, png
from yiwang.accounts.models import PersonalDataAccess, User
from yiwang.applications.actions import Decision, do_move, do_rate
from yiwang.applications.models import (
    Application,
    ApplicationState,
    FollowUpState,
    Rating,
    SubmittedMaterial,
)
from yiwang.catalogue.models import Implementation

pytestmark = pytest.mark.django_db

Make = Callable[..., Implementation]
SignIn = Callable[[User], Client]
CODE = "330106GG0000100001"
APPLY = f"/en/services/{CODE}/apply/"
STATUS = "/en/applications/status/"
HOSTILE_NUMBERS = ["BJ\x0020260101000001", "BJ" + "9" * 1000, "' OR 1=1 --", "../../etc/passwd"]
PHONE_AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


@pytest.fixture
def service(make_implementation: Make) -> Implementation:
    return make_implementation(materials=2)


def picture(name: str = "证件.png", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png() if data is None else data, content_type="image/png")


def form_data(service: Implementation, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "applicant_type": "person",
        "name": "张三",
        "identifier": ID_NUMBER,
        "mobile": MOBILE,
        "address": "杭州市西湖区文三路1号",
        "token": "a-submission-token-of-the-form-0001",
    }
    for material in service.materials.all():
        data[f"material-{material.pk}"] = [picture()]
    data.update(overrides)
    return data


def html(response: Any) -> str:
    return str(response.content.decode())


def receipt(response: Any) -> tuple[str, str]:
    page = html(response)
    number = re.search(r'id="application-number">([^<]+)<', page)
    code = re.search(r'id="query-code">([^<]+)<', page)
    assert number, page
    assert code, page
    return number.group(1), code.group(1)


@pytest.fixture
def applied(client: Client, service: Implementation) -> tuple[Application, str]:
    """An application sent through the form: the application and its query code."""
    response = client.post(APPLY, form_data(service))
    number, code = receipt(response)
    return Application.objects.get(number=number), code


def look_up(client: Client, number: str, code: str) -> Any:
    return client.post(STATUS, {"tracking_number": number, "query_code": code})


@pytest.fixture
def citizen(client: Client, applied: tuple[Application, str]) -> Client:
    """The applicant's browser, after looking the application up."""
    application, code = applied
    assert look_up(client, application.number, code).status_code == 302
    return client


def tracked_url(application: Application, tail: str = "") -> str:
    return f"{STATUS}{application.number}/{tail}"


def done(application: Application, officer: User) -> None:
    do_move(application.pk, "accept", by=officer)
    do_move(application.pk, "pass_review", by=officer)
    do_move(application.pk, "complete", by=officer, decision=Decision(outcome="approved"))


# --- 我要办: the form ------------------------------------------------------------------------


def test_the_guide_of_an_online_service_has_the_apply_button(
    client: Client, make_implementation: Make
) -> None:
    online = make_implementation()
    page = html(client.get(f"/services/{online.code}/"))
    assert f'href="/services/{online.code}/apply/"' in page
    online.online = False
    online.save()
    assert "/apply/" not in html(client.get(f"/services/{online.code}/"))


def test_the_form_has_a_file_input_per_material_with_its_counts(
    client: Client, make_implementation: Make
) -> None:
    service = make_implementation(materials=2)
    optional = service.materials.last()
    assert optional is not None
    optional.required, optional.copies = False, 2
    optional.save()
    response = client.get(APPLY)
    page = html(response)
    assert response.status_code == 200
    for material in service.materials.all():
        field = re.search(rf'<input[^>]*name="material-{material.pk}"[^>]*>', page)
        assert field, material
        assert "multiple" in field.group(0)
        assert 'accept=".jpg,.jpeg,.png,.gif,.webp,.pdf"' in field.group(0)
        assert ('aria-required="true"' in field.group(0)) == material.required
    assert "Originals: 1 · copies: 2" in page
    assert re.search(r'name="token" value="[\w-]{40,}"', page)
    assert "Send my application" in page


def test_an_application_gets_a_receipt_with_its_number_code_and_promise(
    client: Client, service: Implementation
) -> None:
    response = client.post(APPLY, form_data(service))
    assert response.status_code == 200
    number, code = receipt(response)
    assert re.fullmatch(r"BJ\d{14}", number)
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}", code)
    page = html(response)
    assert "within 5 working days" in page
    assert f"/en/applications/status/?number={number}" in page
    application = Application.objects.get(number=number)
    assert application.materials.count() == 2
    assert application.applicant_name == "张三"


def test_a_double_click_makes_one_application_and_shows_the_same_code(
    client: Client, service: Implementation
) -> None:
    first = receipt(client.post(APPLY, form_data(service)))
    again = client.post(APPLY, form_data(service))
    assert receipt(again) == first
    assert "We already have this application" in html(again)
    assert Application.objects.count() == 1


def test_missing_fields_are_named_by_field_and_what_was_typed_is_kept(
    client: Client, service: Implementation
) -> None:
    data = form_data(service, name="  ", mobile="12345")
    for material in service.materials.all():
        del data[f"material-{material.pk}"]
    response = client.post(APPLY, data)
    page = html(response)
    assert response.status_code == 400
    assert "Enter the applicant&#x27;s name." in page
    assert "Enter a mainland mobile number of 11 digits." in page
    for material in service.materials.all():
        assert f"{material.name_zh} is required." in page
        assert f'href="#id_material-{material.pk}"' in page  # the summary links to the field
    assert f'value="{ID_NUMBER}"' in page
    assert 'value="杭州市西湖区文三路1号"' in page
    assert 'value="a-submission-token-of-the-form-0001"' in page
    assert "please choose them again" in page
    assert Application.objects.count() == 0


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ([SimpleUploadedFile("a.exe", b"MZ\x90\x00 not a picture")], "pictures and PDF"),
        ([SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n garbage")], "could not be read"),
        ([SimpleUploadedFile("empty.png", b"")], "The file is empty."),
        ([picture(f"{n}.png") for n in range(6)], "At most 5 files for one material."),
    ],
)
def test_wrong_files_are_refused_under_their_material(
    client: Client, service: Implementation, files: list[SimpleUploadedFile], reason: str
) -> None:
    first = service.materials.first()
    assert first is not None
    response = client.post(APPLY, form_data(service, **{f"material-{first.pk}": files}))
    page = html(response)
    assert response.status_code == 400
    error = re.search(rf'id="id_material-{first.pk}_error">(.*?)</ul>', page, re.S)
    assert error
    assert reason in error.group(1)
    assert Application.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"applicant_type": "robot"}, "Choose whether you apply as a person or an organisation."),
        ({"identifier": "110105194912310021"}, "resident identity card number"),
        ({"applicant_type": "entity", "identifier": "91330000000000000X"}, 'id="id_identifier'),
        ({"name": "名" * 101}, "A name has at most 100 characters."),
        ({"address": "路" * 301}, "An address has at most 300 characters."),
        ({"name": "张\x00三"}, "Null characters are not allowed."),
    ],
)
def test_bad_applicant_details_are_refused_with_the_reason(
    client: Client, service: Implementation, overrides: dict[str, str], message: str
) -> None:
    response = client.post(APPLY, form_data(service, **overrides))
    assert response.status_code == 400
    assert message in html(response)


def test_an_organisation_applies_with_its_credit_code(
    client: Client, service: Implementation
) -> None:
    data = form_data(service, applicant_type="entity", identifier="91330106MA2CDX1E0Q")
    number, _code = receipt(client.post(APPLY, data))
    assert Application.objects.get(number=number).applicant_type == "entity"


def test_files_for_a_material_the_service_does_not_ask_for_are_refused(
    client: Client, service: Implementation
) -> None:
    response = client.post(APPLY, form_data(service, **{"material-999999": [picture()]}))
    assert response.status_code == 400
    assert "This material is not asked for by this service." in html(response)


def test_a_missing_or_hostile_token_still_makes_an_application(
    client: Client, service: Implementation
) -> None:
    for token in ("", "\x00" * 30, "短"):
        assert client.post(APPLY, form_data(service, token=token)).status_code == 200
    assert Application.objects.count() == 3


def test_more_files_than_one_sending_may_hold_get_a_clear_page(
    client: Client, service: Implementation
) -> None:
    first, second = service.materials.all()
    data = form_data(
        service,
        **{f"material-{first.pk}": [picture() for _ in range(6)]},
        **{f"material-{second.pk}": [picture() for _ in range(5)]},
    )
    response = client.post(APPLY, data)
    assert response.status_code == 413
    assert "Nothing was sent. One sending may hold at most 10 files and 60 MB" in html(response)
    assert Application.objects.count() == 0


def test_a_body_declared_over_sixty_megabytes_is_refused_before_it_is_read(
    client: Client, service: Implementation
) -> None:
    response = client.post(APPLY, form_data(service), CONTENT_LENGTH=str(61 * 1024 * 1024))
    assert response.status_code == 413
    assert f'href="{APPLY}"' in html(response)


def test_the_form_is_protected_against_cross_site_posts(service: Implementation) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(APPLY, form_data(service)).status_code == 403
    assert Application.objects.count() == 0


def test_a_service_not_offered_online_says_so(client: Client, make_implementation: Make) -> None:
    make_implementation(online=False)
    for method in (client.get, client.post):
        response = method(APPLY)
        assert response.status_code == 404
        assert "This service cannot be applied for online" in html(response)


@pytest.mark.parametrize(
    "code", ["NOPE00000000000000", "330106GG00001\x0000001", "X" * 1000, "' OR 1=1 --"]
)
def test_an_unknown_or_hostile_service_code_is_not_found(
    client: Client, service: Implementation, code: str
) -> None:
    assert client.get(f"/services/{code}/apply/").status_code == 404


def test_an_inactive_service_is_not_found(client: Client, make_implementation: Make) -> None:
    make_implementation(is_active=False)
    assert client.get(APPLY).status_code == 404


@override_settings(YIWANG_RATE_SUBMIT_PER_IP="1/h")
def test_too_many_applications_from_one_network_are_refused(
    client: Client, service: Implementation
) -> None:
    assert client.post(APPLY, form_data(service)).status_code == 200
    again = client.post(APPLY, form_data(service, token="another-token-of-the-form-0002"))
    assert again.status_code == 429
    assert "Too many applications from this network" in html(again)


def test_the_form_speaks_chinese_by_default(client: Client, service: Implementation) -> None:
    page = html(client.get(f"/services/{CODE}/apply/"))
    assert '<html lang="zh-Hans">' in page
    assert 'action="/services/330106GG0000100001/apply/"' in page


# --- 办件查询: the status page -----------------------------------------------------------------


def test_the_status_page_shows_the_steps_with_opinions_and_no_officer_names(
    client: Client, applied: tuple[Application, str], dept_officer: User
) -> None:
    application, code = applied
    do_move(application.pk, "ask_correction", by=dept_officer, decision=Decision("照片不清晰"))
    response = look_up(client, application.number, code)
    assert response["Location"] == tracked_url(application)
    page = html(client.get(response["Location"]))
    assert "Waiting for more materials" in page
    assert "More materials asked for" in page
    assert "照片不清晰" in page
    assert "张**" in page
    assert "138****8000" in page
    assert "11*************02X" in page
    assert dept_officer.username not in page
    assert ID_NUMBER not in page
    assert MOBILE not in page
    assert code not in page
    assert code.replace("-", "") not in page


def test_the_status_page_shows_the_promised_date_and_the_outcome(
    citizen: Client, applied: tuple[Application, str], dept_officer: User
) -> None:
    application, _code = applied
    do_move(application.pk, "accept", by=dept_officer)
    do_move(application.pk, "pass_review", by=dept_officer)
    decision = Decision(outcome="approved", result_text="准予办理", licence_number="SB-1")
    do_move(application.pk, "complete", by=dept_officer, decision=decision)
    application.refresh_from_db()
    assert application.due_date is not None
    page = html(citizen.get(tracked_url(application)))
    assert application.due_date.isoformat() in page
    assert "Approved" in page
    assert "准予办理" in page
    assert "SB-1" in page
    assert f"{application.number}-SL" in page


def test_a_wrong_number_or_code_gives_one_neutral_message(
    client: Client, applied: tuple[Application, str]
) -> None:
    application, code = applied
    wrong_code = look_up(client, application.number, "0000-0000-00000")
    wrong_number = look_up(client, "BJ20200101000001", code)
    assert wrong_code.status_code == wrong_number.status_code == 404
    neutral = "No application matches this number and query code."
    assert neutral in html(wrong_code)
    assert neutral in html(wrong_number)


@pytest.mark.parametrize("number", HOSTILE_NUMBERS)
def test_a_hostile_number_is_refused_without_an_error(
    client: Client, applied: tuple[Application, str], number: str
) -> None:
    _application, code = applied
    assert look_up(client, number, code).status_code in (400, 404)
    assert client.get(f"{STATUS}{number}/").status_code in (403, 404)
    assert client.post(f"{STATUS}{number}/rate", {"score": "1"}).status_code in (403, 404)


@override_settings(YIWANG_RATE_TRACK_PER_NUMBER="2/h")
def test_look_ups_are_rate_limited_per_number(
    client: Client, applied: tuple[Application, str]
) -> None:
    application, _code = applied
    for _ in range(2):
        assert look_up(client, application.number, "0000-0000-00000").status_code == 404
    refused = look_up(client, application.number, "0000-0000-00000")
    assert refused.status_code == 429
    assert "Too many look-ups" in html(refused)


def test_the_pages_after_the_look_up_need_the_look_up_in_this_browser(
    applied: tuple[Application, str], citizen: Client
) -> None:
    application, _code = applied
    stranger = Client()
    for url in (tracked_url(application), tracked_url(application, "withdraw")):
        response = stranger.get(url)
        assert response.status_code == 403
        assert "look your application up again" in html(response)
    assert stranger.post(tracked_url(application, "withdraw")).status_code == 403
    assert Application.objects.get(pk=application.pk).state == ApplicationState.SUBMITTED


def test_the_applicant_sends_the_missing_materials(
    citizen: Client, applied: tuple[Application, str], dept_officer: User, service: Implementation
) -> None:
    application, _code = applied
    do_move(application.pk, "ask_correction", by=dept_officer, decision=Decision("身份证背面"))
    page = html(citizen.get(tracked_url(application)))
    assert "Send the missing materials" in page
    assert "身份证背面" in page
    first = service.materials.first()
    assert first is not None
    nothing = citizen.post(tracked_url(application, "correction"), {})
    assert nothing.status_code == 400
    assert "Send at least one file with the correction." in html(nothing)
    exe = SimpleUploadedFile("a.exe", b"MZ\x90\x00")
    wrong = citizen.post(tracked_url(application, "correction"), {f"material-{first.pk}": exe})
    assert wrong.status_code == 400
    assert "pictures and PDF" in html(wrong)
    sent = citizen.post(tracked_url(application, "correction"), {f"material-{first.pk}": picture()})
    assert sent.status_code == 302
    assert Application.objects.get(pk=application.pk).state == ApplicationState.SUBMITTED
    assert SubmittedMaterial.objects.filter(application=application, round=2).count() == 1
    late = citizen.post(tracked_url(application, "correction"), {f"material-{first.pk}": picture()})
    assert late.status_code == 409
    assert citizen.get(tracked_url(application, "correction")).status_code == 302


def test_the_applicant_withdraws_after_confirming(
    citizen: Client, applied: tuple[Application, str]
) -> None:
    application, _code = applied
    confirm = citizen.get(tracked_url(application, "withdraw"))
    assert confirm.status_code == 200
    assert "Yes, withdraw it" in html(confirm)
    response = citizen.post(tracked_url(application, "withdraw"), {"expected_state": "submitted"})
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).state == ApplicationState.WITHDRAWN
    assert citizen.get(tracked_url(application, "withdraw")).status_code == 302
    again = citizen.post(tracked_url(application, "withdraw"), {"expected_state": "withdrawn"})
    assert again.status_code == 409


def test_a_withdrawal_from_a_stale_tab_is_refused(
    citizen: Client, applied: tuple[Application, str], dept_officer: User
) -> None:
    application, _code = applied
    do_move(application.pk, "accept", by=dept_officer)  # the page said "submitted"
    response = citizen.post(tracked_url(application, "withdraw"), {"expected_state": "submitted"})
    assert response.status_code == 409
    assert "The application has moved on; reload the page." in html(response)
    assert Application.objects.get(pk=application.pk).state == ApplicationState.ACCEPTED


def test_the_applicant_rates_a_done_application_once(
    citizen: Client, applied: tuple[Application, str], dept_officer: User
) -> None:
    application, _code = applied
    early = citizen.post(tracked_url(application, "rate"), {"score": "1"})
    assert early.status_code == 409
    done(application, dept_officer)
    page = html(citizen.get(tracked_url(application)))
    assert "How satisfied are you with this service?" in page
    assert "Very dissatisfied" in page
    rated = citizen.post(
        tracked_url(application, "rate"),
        {"score": "2", "comment": "办得快"},
        HTTP_USER_AGENT=PHONE_AGENT,
    )
    assert rated.status_code == 302
    rating = Rating.objects.get(application=application)
    assert (rating.score, rating.channel, rating.comment) == (2, "mobile", "办得快")
    page = html(citizen.get(tracked_url(application)))
    assert "Your rating" in page
    assert "Satisfied" in page
    assert "How satisfied are you" not in page
    twice = citizen.post(tracked_url(application, "rate"), {"score": "1"})
    assert twice.status_code == 409
    assert "This application has been rated already." in html(twice)


@pytest.mark.parametrize("score", ["0", "6", "abc", "", "1.5", "\x00"])
def test_a_score_off_the_scale_is_refused(
    citizen: Client, applied: tuple[Application, str], dept_officer: User, score: str
) -> None:
    application, _code = applied
    done(application, dept_officer)
    response = citizen.post(tracked_url(application, "rate"), {"score": score})
    assert response.status_code == 400
    assert "Choose one of the five levels." in html(response)
    assert not Rating.objects.exists()


def test_a_computer_rates_through_the_pc_channel(
    citizen: Client, applied: tuple[Application, str], dept_officer: User
) -> None:
    application, _code = applied
    done(application, dept_officer)
    citizen.post(tracked_url(application, "rate"), {"score": "1", "comment": "a\x00b"})
    assert Rating.objects.get().channel == "pc"
    assert Rating.objects.get().comment == "ab"


# --- The department's pages ----------------------------------------------------------------


def test_the_queue_lists_the_departments_open_applications_with_due_dates(
    signed_in: SignIn,
    applied: tuple[Application, str],
    dept_officer: User,
    other_dept_officer: User,
    django_assert_num_queries: Any,
) -> None:
    application, _code = applied
    do_move(application.pk, "accept", by=dept_officer)
    Application.objects.filter(pk=application.pk).update(due_date="2020-01-02")
    officer = signed_in(dept_officer)
    officer.get("/en/staff/applications/")  # warm the session
    with django_assert_num_queries(7):
        page = html(officer.get("/en/staff/applications/"))
    assert application.number in page
    assert "2020-01-02 · overdue" in page
    assert 'href="/en/staff/applications/"' in page  # the staff navigation links it
    assert application.number not in html(signed_in(other_dept_officer).get("/staff/applications/"))


def test_the_queue_costs_the_same_queries_for_more_applications(
    signed_in: SignIn,
    client: Client,
    service: Implementation,
    dept_officer: User,
    django_assert_num_queries: Any,
) -> None:
    for n in range(3):
        client.post(APPLY, form_data(service, token=f"a-submission-token-of-the-form-{n:04}"))
    officer = signed_in(dept_officer)
    officer.get("/staff/applications/")
    with django_assert_num_queries(7):
        page = html(officer.get("/staff/applications/"))
    assert page.count("/staff/applications/BJ") == 3


def test_people_who_do_not_handle_applications_cannot_see_the_staff_pages(
    client: Client, signed_in: SignIn, applied: tuple[Application, str], clerk: User
) -> None:
    application, _code = applied
    pages = [
        "/staff/applications/",
        f"/staff/applications/{application.number}/",
        "/staff/applications/follow-ups/",
        f"/staff/applications/materials/{application.materials.first().pk}/",  # type: ignore[union-attr]
    ]
    anonymous = Client()
    for url in pages:
        assert anonymous.get(url).status_code == 302
        assert anonymous.get(url)["Location"].startswith("/accounts/login/")
        assert signed_in(clerk).get(url).status_code == 403


def test_an_officer_of_another_department_cannot_see_or_move_the_application(
    signed_in: SignIn, applied: tuple[Application, str], other_dept_officer: User
) -> None:
    application, _code = applied
    other = signed_in(other_dept_officer)
    material = application.materials.first()
    assert material is not None
    assert other.get(f"/staff/applications/{application.number}/").status_code == 403
    assert other.get(f"/staff/applications/materials/{material.pk}/").status_code == 403
    moved = other.post(f"/staff/applications/{application.number}/move/accept")
    assert moved.status_code == 403
    assert Application.objects.get(pk=application.pk).state == ApplicationState.SUBMITTED


def test_the_officer_sees_the_application_masked_with_its_files_and_buttons(
    signed_in: SignIn, applied: tuple[Application, str], dept_officer: User
) -> None:
    application, _code = applied
    page = html(signed_in(dept_officer).get(f"/en/staff/applications/{application.number}/"))
    assert "张**" in page
    assert "138****8000" in page
    assert ID_NUMBER not in page
    assert MOBILE not in page
    for material in application.materials.all():
        assert f"/en/staff/applications/materials/{material.pk}/" in page
    for label in ("Accept", "Do not accept", "Ask for the missing materials, all at once"):
        assert f">{label}</button>" in page
    assert "Complete with the decision" not in page
    assert "Show the applicant's details</button>" in page  # masked until asked, with a reason


def test_the_officer_downloads_a_file_as_an_attachment(
    signed_in: SignIn, applied: tuple[Application, str], dept_officer: User
) -> None:
    application, _code = applied
    material = application.materials.first()
    assert material is not None
    response = signed_in(dept_officer).get(f"/staff/applications/materials/{material.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"{application.number}-{material.pk}.png" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
    assert signed_in(dept_officer).get("/staff/applications/materials/999999/").status_code == 404


def test_the_officer_accepts_reviews_and_completes(
    signed_in: SignIn, applied: tuple[Application, str], dept_officer: User
) -> None:
    application, _code = applied
    officer = signed_in(dept_officer)
    base = f"/en/staff/applications/{application.number}"
    assert officer.post(f"{base}/move/accept", {"expected_state": "submitted"}).status_code == 302
    assert officer.post(f"{base}/move/pass_review", {"opinion": "材料齐全"}).status_code == 302
    page = html(officer.get(f"{base}/"))
    assert "Complete with the decision" in page
    assert 'name="outcome"' in page
    no_outcome = officer.post(f"{base}/move/complete", {"opinion": ""})
    assert no_outcome.status_code == 400
    assert "Choose the outcome: approved or refused." in html(no_outcome)
    completed = officer.post(
        f"{base}/move/complete",
        {"outcome": "approved", "result_text": "准予", "licence_number": "SB-9"},
    )
    assert completed.status_code == 302
    application.refresh_from_db()
    assert (application.state, application.outcome) == ("completed", "approved")
    assert application.licence_number == "SB-9"
    history = html(officer.get(f"{base}/"))
    assert "Review passed · dept_officer — 材料齐全" in history


def test_a_refusal_to_accept_needs_an_opinion(
    signed_in: SignIn, applied: tuple[Application, str], dept_officer: User
) -> None:
    application, _code = applied
    officer = signed_in(dept_officer)
    url = f"/en/staff/applications/{application.number}/move/not_accept"
    empty = officer.post(url, {"opinion": " \x00 "})
    assert empty.status_code == 400
    assert "Write the reason; the applicant will read it." in html(empty)
    assert officer.post(url, {"opinion": "不属于本机关\x00职权范围"}).status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.NOT_ACCEPTED
    assert application.events.last().opinion == "不属于本机关职权范围"  # type: ignore[union-attr]


def test_a_second_tab_gets_a_clear_refusal_and_not_a_second_move(
    signed_in: SignIn, applied: tuple[Application, str], dept_officer: User, dept_head: User
) -> None:
    application, _code = applied
    url = f"/en/staff/applications/{application.number}/move/accept"
    assert signed_in(dept_officer).post(url, {"expected_state": "submitted"}).status_code == 302
    stale = signed_in(dept_head).post(url, {"expected_state": "submitted"})
    assert stale.status_code == 409
    assert "The application has moved on; reload the page." in html(stale)
    assert application.events.filter(action="accept").count() == 1


@pytest.mark.parametrize("action", ["withdraw", "resubmit", "approve_everything", "accept\x00"])
def test_moves_that_are_not_the_departments_are_not_found(
    signed_in: SignIn, applied: tuple[Application, str], dept_officer: User, action: str
) -> None:
    application, _code = applied
    url = f"/staff/applications/{application.number}/move/{action}"
    assert signed_in(dept_officer).post(url).status_code == 404
    assert Application.objects.get(pk=application.pk).state == ApplicationState.SUBMITTED


@pytest.mark.parametrize("number", HOSTILE_NUMBERS)
def test_a_hostile_number_on_the_staff_pages_is_not_found(
    signed_in: SignIn, dept_officer: User, number: str
) -> None:
    officer = signed_in(dept_officer)
    assert officer.get(f"/staff/applications/{number}/").status_code == 404
    assert officer.post(f"/staff/applications/{number}/move/accept").status_code == 404


def test_an_officer_sees_the_applicant_with_a_reason_and_the_look_is_recorded(
    signed_in: SignIn, applied: tuple[Application, str], dept_officer: User
) -> None:
    application, _code = applied
    officer = signed_in(dept_officer)
    page = f"/en/staff/applications/{application.number}/"
    assert "Show the applicant" in html(officer.get(page))
    url = f"{page}reveal"
    assert officer.post(url, {"reason": "  "}).status_code == 400
    assert not PersonalDataAccess.objects.exists()
    response = officer.post(url, {"reason": "电话回访"}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert ID_NUMBER in html(response)
    assert MOBILE in html(response)
    look = PersonalDataAccess.objects.get()
    assert (look.user, look.application, look.message) == (dept_officer, application, None)
    assert look.reason == "电话回访"
    assert set(look.fields) == {"name", "identifier", "mobile", "address"}
    assert look.ip_address == "10.1.2.3"


def test_without_the_right_to_see_applicants_an_officer_gets_no_details_and_no_record(
    signed_in: SignIn, applied: tuple[Application, str], dept_officer: User
) -> None:
    application, _code = applied
    group = Group.objects.get(name="dept_officer")
    group.permissions.remove(Permission.objects.get(codename="view_applicant_details"))
    officer = signed_in(User.objects.get(pk=dept_officer.pk))
    page = html(officer.get(f"/en/staff/applications/{application.number}/"))
    assert "Show the applicant" not in page
    url = f"/en/staff/applications/{application.number}/reveal"
    response = officer.post(url, {"reason": "电话回访"})
    assert response.status_code == 403
    assert ID_NUMBER not in html(response)
    assert not PersonalDataAccess.objects.exists()


def test_another_departments_officer_cannot_see_the_applicant(
    signed_in: SignIn, applied: tuple[Application, str], other_dept_officer: User
) -> None:
    application, _code = applied
    url = f"/en/staff/applications/{application.number}/reveal"
    assert signed_in(other_dept_officer).post(url, {"reason": "电话回访"}).status_code == 403
    assert not PersonalDataAccess.objects.exists()


def test_an_access_record_names_exactly_one_message_or_application(
    applied: tuple[Application, str], dept_officer: User, submit: Callable[..., Any]
) -> None:
    application, _code = applied
    message = submit().message
    for subject in ({}, {"message": message, "application": application}):
        with pytest.raises(IntegrityError), transaction.atomic():
            PersonalDataAccess.objects.create(user=dept_officer, fields=[], reason="x", **subject)
    assert not PersonalDataAccess.objects.exists()


# --- 差评整改: follow-ups and appeals ---------------------------------------------------------


@pytest.fixture
def bad_rating(applied: tuple[Application, str], dept_officer: User) -> Rating:
    application, _code = applied
    done(application, dept_officer)
    return do_rate(application.pk, 5, "pc", "态度差，电话13800138000")


def test_the_department_follows_a_bad_rating_up(
    signed_in: SignIn, bad_rating: Rating, dept_officer: User
) -> None:
    officer = signed_in(dept_officer)
    page = html(officer.get("/en/staff/applications/follow-ups/"))
    assert bad_rating.application.number in page
    assert "Very dissatisfied" in page
    assert "13800138000" not in page  # the comment is masked
    follow_up = bad_rating.follow_up
    url = f"/en/staff/applications/follow-ups/{follow_up.pk}/rectify"
    empty = officer.post(url, {"text": " "}, follow=True)
    assert "Say what was done." in html(empty)
    assert officer.post(url, {"text": "已电话回访并致歉"}).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.state == FollowUpState.RECTIFIED


def test_an_appeal_goes_to_the_supervisor_who_decides_it(
    signed_in: SignIn, bad_rating: Rating, dept_officer: User, supervisor: User
) -> None:
    follow_up = bad_rating.follow_up
    base = f"/en/staff/applications/follow-ups/{follow_up.pk}"
    officer = signed_in(dept_officer)
    assert officer.post(f"{base}/appeal", {"text": "申请人未到现场"}).status_code == 302
    assert officer.post(f"{base}/decide", {"decision": "uphold", "note": "自批"}).status_code == 403
    boss = signed_in(supervisor)
    page = html(boss.get("/en/staff/applications/follow-ups/"))
    assert "申请人未到现场" in page
    assert ">Uphold</button>" in page
    assert 'href="/en/staff/applications/follow-ups/"' in page  # the staff navigation
    refused = boss.post(f"{base}/decide", {"decision": "maybe", "note": "x"}, follow=True)
    assert "Choose whether to uphold or dismiss the appeal." in html(refused)
    assert boss.post(f"{base}/decide", {"decision": "uphold", "note": "属实"}).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.state == FollowUpState.UPHELD
    assert Rating.objects.get(pk=bad_rating.pk).excluded


def test_another_department_cannot_follow_up_and_unknown_steps_are_not_found(
    signed_in: SignIn, bad_rating: Rating, other_dept_officer: User, dept_officer: User
) -> None:
    follow_up = bad_rating.follow_up
    other = signed_in(other_dept_officer)
    assert bad_rating.application.number not in html(other.get("/staff/applications/follow-ups/"))
    url = f"/staff/applications/follow-ups/{follow_up.pk}/rectify"
    assert other.post(url, {"text": "不是我们"}).status_code == 403
    officer = signed_in(dept_officer)
    assert officer.post(f"/staff/applications/follow-ups/{follow_up.pk}/erase").status_code == 404
    assert officer.post("/staff/applications/follow-ups/999999/rectify").status_code == 404
    follow_up.refresh_from_db()
    assert follow_up.state == FollowUpState.OPEN
