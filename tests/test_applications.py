"""Online applications (我要办): submit with materials, accept with a promised date in working
days, review and decide, look up by number, rate (好差评) and follow up a bad rating."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import translation
from PIL import Image

from tests.concurrency import run_together
from yiwang.accounts.models import User
from yiwang.applications.actions import (
    Decision,
    Submitted,
    do_appeal,
    do_decide_appeal,
    do_move,
    do_rate,
    do_rectify,
    do_submit_application,
    promised_date,
)
from yiwang.applications.machine import IllegalMove
from yiwang.applications.models import (
    Application,
    ApplicationState,
    FollowUpState,
    Rating,
    SubmittedMaterial,
)
from yiwang.applications.queries import department_queue, find, masked_applicant
from yiwang.applications.validation import (
    ApplicationInput,
    InvalidApplication,
    Upload,
    validate_application,
    validate_correction,
)
from yiwang.catalogue.codes import TimeUnit
from yiwang.catalogue.models import Implementation
from yiwang.lib.codes import new_submission_token

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"
MOBILE = "13800138000"
Make = Callable[..., Implementation]
Apply = Callable[..., Submitted]


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return buffer.getvalue()


def _input(implementation: Implementation, **overrides: Any) -> ApplicationInput:
    files = {m.pk: [Upload("证件.png", png())] for m in implementation.materials.all()}
    fields: dict[str, Any] = {
        "applicant_type": "person",
        "name": "张三",
        "identifier": ID_NUMBER,
        "mobile": MOBILE,
        "address": "杭州市西湖区文三路1号",
        "files": files,
        **overrides,
    }
    return ApplicationInput(**fields)


@pytest.fixture
def service(make_implementation: Make) -> Implementation:
    return make_implementation(materials=2)


@pytest.fixture
def apply(service: Implementation) -> Apply:
    def _apply(**overrides: Any) -> Submitted:
        clean = validate_application(service, _input(service, **overrides))
        return do_submit_application(clean, new_submission_token())

    return _apply


def _errors(implementation: Implementation, **overrides: Any) -> dict[str, str]:
    with translation.override("en"), pytest.raises(InvalidApplication) as caught:
        validate_application(implementation, _input(implementation, **overrides))
    return caught.value.errors


def test_an_application_gets_a_number_a_query_code_and_keeps_its_files(apply: Apply) -> None:
    submitted = apply()
    application = submitted.application
    assert re.fullmatch(r"BJ\d{8}000001", application.number)
    assert application.state == ApplicationState.SUBMITTED
    assert application.materials.count() == 2
    assert find(application.number, submitted.query_code) == application
    assert [e.action for e in application.events.all()] == ["submit"]


def test_personal_data_is_stored_encrypted_and_shown_masked(apply: Apply) -> None:
    application = apply().application
    stored = Application.objects.values().get(pk=application.pk)
    assert not any(ID_NUMBER in str(v) or MOBILE in str(v) for v in stored.values())
    assert masked_applicant(application) == {
        "name": "张**",
        "identifier": "11*************02X",
        "mobile": "138****8000",
    }


def test_the_same_form_sent_twice_makes_one_application(service: Implementation) -> None:
    clean = validate_application(service, _input(service))
    token = new_submission_token()
    first, again = do_submit_application(clean, token), do_submit_application(clean, token)
    assert (first.created, again.created) == (True, False)
    assert first.application == again.application
    assert first.query_code == again.query_code
    assert Application.objects.count() == 1


def test_the_number_never_matches_with_a_wrong_code_or_a_hostile_number(apply: Apply) -> None:
    submitted = apply()
    assert find(submitted.application.number, "0000-0000-00000") is None
    for number in ("", "\x00", "BJ" + "9" * 200, "' OR 1=1 --", submitted.query_code):
        assert find(number, submitted.query_code) is None


def test_a_missing_required_material_is_named(service: Implementation) -> None:
    first = service.materials.first()
    assert first is not None
    errors = _errors(service, files={})
    assert errors[f"material-{first.pk}"] == f"{first.name_zh} is required."


def test_wrong_files_are_refused_with_the_reason(service: Implementation) -> None:
    first = service.materials.first()
    assert first is not None
    for files, reason in (
        ([Upload("a.exe", b"MZ\x90\x00 not a picture")], "pictures and PDF"),
        ([Upload("empty.png", b"")], "empty"),
        ([Upload("a.png", png())] * 6, "At most 5"),
        ([Upload("fake.png", b"\x89PNG\r\n\x1a\n garbage")], "could not be read"),
    ):
        errors = _errors(service, files={first.pk: files})
        assert reason in errors[f"material-{first.pk}"], files[0].name


def test_files_for_a_material_the_service_does_not_ask_for_are_refused(
    service: Implementation,
) -> None:
    errors = _errors(service, files={10**9: [Upload("a.png", png())]})
    assert "material-1000000000" in errors


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"identifier": "110105194912310021"}, "identifier"),
        ({"applicant_type": "entity", "identifier": "91330000000000000X"}, "identifier"),
        ({"applicant_type": "robot"}, "applicant_type"),
        ({"name": "  "}, "name"),
        ({"name": "名" * 101}, "name"),
        ({"mobile": "12345"}, "mobile"),
        ({"address": "路" * 301}, "address"),
    ],
)
def test_bad_applicant_details_are_refused_by_field(
    service: Implementation, overrides: dict[str, str], field: str
) -> None:
    assert field in _errors(service, **overrides)


def test_an_organisation_applies_with_its_credit_code(service: Implementation) -> None:
    clean = validate_application(
        service, _input(service, applicant_type="entity", identifier="91330106MA2CDX1E0Q")
    )
    assert clean.identifier == "91330106MA2CDX1E0Q"


def test_a_service_not_offered_online_cannot_be_applied_for(make_implementation: Make) -> None:
    offline = make_implementation(online=False)
    assert "service" in _errors(offline)


@time_machine.travel(dt.datetime(2026, 2, 13, 10, 0, tzinfo=dt.UTC), tick=False)
def test_acceptance_before_the_spring_festival_promises_a_date_after_it(
    apply: Apply, dept_officer: User
) -> None:
    application = apply().application
    accepted = do_move(application.pk, "accept", by=dept_officer)
    # 2026: 14 Feb (Saturday) is a working day; 15–23 Feb are the holiday (State Council).
    assert accepted.due_date == dt.date(2026, 2, 27)
    assert accepted.acceptance_number == f"{application.number}-SL"


@pytest.mark.parametrize(
    ("limit", "unit", "expected"),
    [
        (10, TimeUnit.CALENDAR_DAYS, dt.date(2026, 2, 10)),
        (1, TimeUnit.MONTHS, dt.date(2026, 2, 28)),
        (0, TimeUnit.IMMEDIATE, dt.date(2026, 1, 31)),
        (3, TimeUnit.WORKING_DAYS, dt.date(2026, 2, 4)),
    ],
)
def test_the_promised_date_follows_the_unit_of_the_limit(
    service: Implementation, limit: int, unit: str, expected: dt.date
) -> None:
    service.promised_limit, service.promised_unit = limit, unit
    accepted = dt.datetime(2026, 1, 31, 2, 0, tzinfo=dt.UTC)  # a Saturday in Beijing
    assert promised_date(service, accepted) == expected


def test_review_passes_to_decision_which_completes_it(apply: Apply, dept_officer: User) -> None:
    application = apply().application
    do_move(application.pk, "accept", by=dept_officer)
    do_move(application.pk, "pass_review", by=dept_officer, decision=Decision("材料齐全"))
    back = do_move(
        application.pk, "return_to_review", by=dept_officer, decision=Decision("请核对照片")
    )
    assert back.state == ApplicationState.ACCEPTED
    do_move(application.pk, "pass_review", by=dept_officer)
    done = do_move(
        application.pk,
        "complete",
        by=dept_officer,
        decision=Decision(outcome="approved", result_text="准予办理", licence_number="SB-1"),
    )
    assert done.state == ApplicationState.COMPLETED
    assert done.outcome == "approved"
    assert done.completed_at is not None
    actions = [(e.action, e.opinion) for e in done.events.all()]
    assert ("return_to_review", "请核对照片") in actions
    assert [a for a, _ in actions] == [
        "submit", "accept", "pass_review", "return_to_review", "pass_review", "complete"
    ]  # fmt: skip


def test_only_an_immediate_service_completes_straight_after_acceptance(
    make_implementation: Make, dept_officer: User
) -> None:
    promised = make_implementation()
    application = do_submit_application(
        validate_application(promised, _input(promised)), new_submission_token()
    ).application
    do_move(application.pk, "accept", by=dept_officer)
    with pytest.raises(IllegalMove):
        do_move(application.pk, "complete", by=dept_officer, decision=Decision(outcome="approved"))
    Implementation.objects.filter(pk=promised.pk).update(
        promised_limit=0, promised_unit=TimeUnit.IMMEDIATE
    )
    promised.refresh_from_db()
    immediate = do_submit_application(
        validate_application(promised, _input(promised)), new_submission_token()
    ).application
    do_move(immediate.pk, "accept", by=dept_officer)
    done = do_move(immediate.pk, "complete", by=dept_officer, decision=Decision(outcome="approved"))
    assert done.state == ApplicationState.COMPLETED


def test_a_refusal_to_accept_and_a_return_need_a_reason(apply: Apply, dept_officer: User) -> None:
    application = apply().application
    with pytest.raises(IllegalMove) as caught:
        do_move(application.pk, "not_accept", by=dept_officer, decision=Decision("  "))
    assert caught.value.code == "invalid"
    refused = do_move(
        application.pk, "not_accept", by=dept_officer, decision=Decision("不属于本机关职权范围")
    )
    assert refused.state == ApplicationState.NOT_ACCEPTED


def test_every_missing_material_is_asked_for_once_and_the_correction_is_kept(
    apply: Apply, dept_officer: User, service: Implementation
) -> None:
    application = apply().application
    do_move(application.pk, "ask_correction", by=dept_officer, decision=Decision("照片不清晰"))
    first = service.materials.first()
    assert first is not None
    files = validate_correction(service, {first.pk: [Upload("清晰.png", png())]})
    again = do_move(application.pk, "resubmit", correction=files)
    assert again.state == ApplicationState.SUBMITTED
    assert SubmittedMaterial.objects.filter(application=application, round=2).count() == 1
    with pytest.raises(IllegalMove):  # 一次性告知: no second request
        do_move(application.pk, "ask_correction", by=dept_officer, decision=Decision("再补"))


def test_a_correction_without_files_is_refused(
    apply: Apply, dept_officer: User, service: Implementation
) -> None:
    with pytest.raises(InvalidApplication) as caught:
        validate_correction(service, {})
    assert "materials" in caught.value.errors


def test_officers_of_another_department_and_applicants_cannot_act_for_the_department(
    apply: Apply, other_dept_officer: User, clerk: User
) -> None:
    application = apply().application
    for user in (other_dept_officer, clerk):
        with pytest.raises(PermissionDenied):
            do_move(application.pk, "accept", by=user)
    with pytest.raises(PermissionDenied):
        do_move(application.pk, "accept")  # the applicant
    assert Application.objects.get(pk=application.pk).state == ApplicationState.SUBMITTED


def test_the_applicant_may_withdraw_until_it_is_finished(apply: Apply, dept_officer: User) -> None:
    application = apply().application
    do_move(application.pk, "accept", by=dept_officer)
    with pytest.raises(PermissionDenied):
        do_move(application.pk, "withdraw", by=dept_officer)
    assert do_move(application.pk, "withdraw").state == ApplicationState.WITHDRAWN
    with pytest.raises(IllegalMove):
        do_move(application.pk, "withdraw")


def test_a_stale_form_and_an_unknown_step_are_refused(apply: Apply, dept_officer: User) -> None:
    application = apply().application
    with pytest.raises(IllegalMove) as stale:
        do_move(application.pk, "accept", by=dept_officer, expected_state="deciding")
    with pytest.raises(IllegalMove) as unknown:
        do_move(application.pk, "approve_everything", by=dept_officer)
    assert (stale.value.code, unknown.value.code) == ("stale", "invalid")


def test_the_department_queue_holds_its_open_applications_only(
    apply: Apply, dept_officer: User, other_dept_officer: User
) -> None:
    application = apply().application
    assert list(department_queue(dept_officer)) == [application]
    assert list(department_queue(other_dept_officer)) == []


def _completed(apply: Apply, officer: User) -> Application:
    application = apply().application
    do_move(application.pk, "accept", by=officer)
    do_move(application.pk, "pass_review", by=officer)
    return do_move(application.pk, "complete", by=officer, decision=Decision(outcome="approved"))


def test_an_application_is_rated_once_and_only_when_done(apply: Apply, dept_officer: User) -> None:
    open_one = apply().application
    with pytest.raises(IllegalMove):
        do_rate(open_one.pk, 1, "mobile")
    done = _completed(apply, dept_officer)
    rating = do_rate(done.pk, 2, "mobile", "办得快")
    assert rating.department == done.department
    with pytest.raises(IllegalMove) as again:
        do_rate(done.pk, 1, "mobile")
    assert again.value.code == "already_rated"
    for score, channel in ((0, "pc"), (6, "pc"), (-1, "pc"), (3, "carrier-pigeon")):
        with pytest.raises(IllegalMove):
            do_rate(done.pk, score, channel)


@time_machine.travel(dt.datetime(2026, 9, 30, 10, 0, tzinfo=dt.UTC), tick=False)
def test_a_bad_rating_opens_a_follow_up_due_in_fifteen_working_days(
    apply: Apply, dept_officer: User
) -> None:
    done = _completed(apply, dept_officer)
    rating = do_rate(done.pk, 5, "pc", "态度差")
    # 1–7 October 2026 is the National Day holiday; 10 October (Saturday) is worked.
    assert rating.follow_up.due_date == dt.date(2026, 10, 27)
    assert rating.follow_up.state == FollowUpState.OPEN


def test_a_good_rating_opens_no_follow_up(apply: Apply, dept_officer: User) -> None:
    rating = do_rate(_completed(apply, dept_officer).pk, 1, "qr")
    assert not hasattr(rating, "follow_up") or rating.follow_up is None


def test_the_department_follows_up_a_bad_rating(apply: Apply, dept_officer: User) -> None:
    rating = do_rate(_completed(apply, dept_officer).pk, 4, "pc")
    with pytest.raises(IllegalMove):
        do_rectify(rating.follow_up.pk, dept_officer, " ")
    done = do_rectify(rating.follow_up.pk, dept_officer, "已电话回访并致歉，优化了窗口流程")
    assert done.state == FollowUpState.RECTIFIED


def test_an_upheld_appeal_takes_the_rating_out_of_the_figures(
    apply: Apply, dept_officer: User, supervisor: User, other_dept_officer: User
) -> None:
    rating = do_rate(_completed(apply, dept_officer).pk, 5, "pc", "恶意差评")
    with pytest.raises(PermissionDenied):
        do_appeal(rating.follow_up.pk, other_dept_officer, "不是我们")
    do_appeal(rating.follow_up.pk, dept_officer, "申请人未到现场，评价与事实不符")
    with pytest.raises(IllegalMove):
        do_appeal(rating.follow_up.pk, dept_officer, "再次申诉")
    with pytest.raises(PermissionDenied):
        do_decide_appeal(rating.follow_up.pk, dept_officer, upheld=True, note="自己批准")
    decided = do_decide_appeal(rating.follow_up.pk, supervisor, upheld=True, note="核实属实")
    assert decided.state == FollowUpState.UPHELD
    assert Rating.objects.get(pk=rating.pk).excluded


def test_a_dismissed_appeal_sends_the_follow_up_back_and_no_second_appeal(
    apply: Apply, dept_officer: User, supervisor: User
) -> None:
    rating = do_rate(_completed(apply, dept_officer).pk, 5, "pc")
    do_appeal(rating.follow_up.pk, dept_officer, "理由")
    decided = do_decide_appeal(rating.follow_up.pk, supervisor, upheld=False, note="证据不足")
    assert decided.state == FollowUpState.OPEN
    assert not Rating.objects.get(pk=rating.pk).excluded
    with pytest.raises(IllegalMove):
        do_appeal(rating.follow_up.pk, dept_officer, "再申诉")


@pytest.mark.django_db(transaction=True)
def test_two_officers_accepting_at_once_accept_once(
    make_implementation: Make, dept_officer: User, dept_head: User
) -> None:
    service = make_implementation()
    application = do_submit_application(
        validate_application(service, _input(service)), new_submission_token()
    ).application
    officers = [dept_officer, dept_head]
    results = run_together(
        2, lambda i: do_move(application.pk, "accept", by=officers[i]), (IllegalMove,)
    )
    assert sum(isinstance(r, Application) for r in results) == 1
    assert application.events.filter(action="accept").count() == 1


def test_control_characters_in_opinions_and_comments_are_dropped(
    apply: Apply, dept_officer: User
) -> None:
    application = apply().application
    moved = do_move(
        application.pk, "ask_correction", by=dept_officer, decision=Decision("照片\x00不清晰\r\n")
    )
    assert moved.events.last().opinion == "照片 不清晰"  # type: ignore[union-attr]


def test_who_followed_up_and_who_appealed_is_recorded(apply: Apply, dept_officer: User) -> None:
    rating = do_rate(_completed(apply, dept_officer).pk, 5, "pc", "差\x00评")
    assert rating.comment == "差 评"
    appealed = do_appeal(rating.follow_up.pk, dept_officer, "理由")
    assert appealed.appealed_by == dept_officer


def test_an_organisations_name_is_not_masked(service: Implementation) -> None:
    clean = validate_application(
        service,
        _input(service, applicant_type="entity", name="杭州某某科技有限公司",
               identifier="91330106MA2CDX1E0Q"),
    )  # fmt: skip
    application = do_submit_application(clean, new_submission_token()).application
    assert masked_applicant(application)["name"] == "杭州某某科技有限公司"
