"""Department deadlines in working days on China's official calendar, extensions, new years."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client

from yiwang.accounts.actions import do_create_staff, do_sync_roles
from yiwang.accounts.models import User
from yiwang.casework.actions import (
    do_accept,
    do_decide_extension,
    do_forward,
    do_request_extension,
)
from yiwang.casework.machine import IllegalMove
from yiwang.casework.models import CalendarYear
from yiwang.intake.models import Message
from yiwang.orgs.models import Department
from yiwang.taxonomy.models import Category

pytestmark = pytest.mark.django_db
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def morning(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 10, tzinfo=SHANGHAI)


YEAR_2027 = {
    "year": 2027,
    "holidays": {"2027-01-01": "元旦"},
    "makeup_workdays": [],
    "source": "invented for the test",
}


def forward_on(
    when: dt.datetime, clerk: User, message: Message, departments: dict[str, Department]
) -> Message:
    Message.objects.filter(pk=message.pk).update(state="triaged")
    with time_machine.travel(when, tick=False):
        return do_forward(clerk, message.pk, departments["housing"].pk)


def test_a_complaint_gets_five_working_days_across_spring_festival(
    clerk: User, message_for: Callable[..., Message], departments: dict[str, Department]
) -> None:
    # From Thursday 2024-02-08: 02-09, the make-up Sunday 02-18, 02-19, 02-20, 02-21.
    message = message_for("housing", nature="complaint")
    forwarded = forward_on(morning(2024, 2, 8), clerk, message, departments)
    assert forwarded.deadline == dt.date(2024, 2, 21)


def test_a_consultation_is_due_sooner_than_the_categorys_default(
    clerk: User,
    message_for: Callable[..., Message],
    departments: dict[str, Department],
    taxonomy: dict[str, Category],
) -> None:
    Category.objects.filter(pk=taxonomy["repairs"].pk).update(deadline_days=10)
    message = message_for("housing", nature="consult")
    Message.objects.filter(pk=message.pk).update(category=taxonomy["repairs"])
    forwarded = forward_on(morning(2024, 2, 8), clerk, message, departments)
    assert forwarded.deadline == dt.date(2024, 2, 19)


def test_a_category_may_give_more_days_than_the_default(
    clerk: User,
    message_for: Callable[..., Message],
    departments: dict[str, Department],
    taxonomy: dict[str, Category],
) -> None:
    Category.objects.filter(pk=taxonomy["repairs"].pk).update(deadline_days=10)
    message = message_for("housing", nature="complaint")
    Message.objects.filter(pk=message.pk).update(category=taxonomy["repairs"])
    forwarded = forward_on(morning(2024, 9, 23), clerk, message, departments)
    # 09-24..27 (4), the make-up Sunday 09-29 (5), 09-30 (6), National Day 10-01..07 off,
    # 10-08..11 (10).
    assert forwarded.deadline == dt.date(2024, 10, 11)


def test_a_deadline_in_a_year_without_data_is_refused_until_an_administrator_adds_it(
    clerk: User, message_for: Callable[..., Message], departments: dict[str, Department]
) -> None:
    message = message_for("housing", nature="complaint")
    when = morning(2026, 12, 29)
    with pytest.raises(IllegalMove) as raised:
        forward_on(when, clerk, message, departments)
    assert raised.value.code == "calendar_missing"
    assert "2027" in raised.value.message
    message.refresh_from_db()
    assert message.state == "triaged"
    CalendarYear.objects.create(year=2027, data=json.dumps(YEAR_2027))
    forwarded = forward_on(when, clerk, message, departments)
    # 12-30, 12-31, (01-01 holiday, 01-02/03 weekend), 01-04, 01-05, 01-06.
    assert forwarded.deadline == dt.date(2027, 1, 6)


def test_an_approved_extension_moves_the_deadline(
    clerk: User,
    supervisor: User,
    dept_officer: User,
    message_for: Callable[..., Message],
    departments: dict[str, Department],
) -> None:
    message = message_for("housing", nature="complaint")
    forward_on(morning(2024, 3, 4), clerk, message, departments)
    Message.objects.filter(pk=message.pk).update(state="accepted")
    do_request_extension(dept_officer, message.pk, 5, "需要现场勘查")
    decided = do_decide_extension(supervisor, message.pk, approve=True)
    assert decided.deadline == dt.date(2024, 3, 18)  # 03-11 plus five working days


def test_an_administrator_adds_a_year_and_bad_data_is_refused(
    departments: dict[str, Department],
) -> None:
    do_sync_roles()
    admin_user = do_create_staff("calendar_admin", "a-long-password-2026", roles=["administrator"])
    browser = Client()
    browser.force_login(admin_user)
    url = "/admin/casework/calendaryear/add/"
    bad = {**YEAR_2027, "makeup_workdays": ["2027-02-03"]}  # a Wednesday
    response = browser.post(url, {"year": 2027, "data": json.dumps(bad)})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["data"]
    wrong_year = browser.post(url, {"year": 2028, "data": json.dumps(YEAR_2027)})
    assert wrong_year.context["adminform"].form.errors["data"]
    response = browser.post(url, {"year": 2027, "data": json.dumps(YEAR_2027)})
    assert response.status_code == 302
    assert CalendarYear.objects.get().year == 2027


def test_the_department_page_shows_open_due_soon_and_overdue_cases(
    clerk: User,
    dept_officer: User,
    other_dept_officer: User,
    signed_in: Callable[[User], Client],
    message_for: Callable[..., Message],
    departments: dict[str, Department],
) -> None:
    late = message_for("housing", nature="complaint")
    soon = message_for("housing", nature="complaint", mobile="13900139000")
    forward_on(morning(2024, 3, 4), clerk, late, departments)  # due 2024-03-11
    forward_on(morning(2024, 3, 8), clerk, soon, departments)  # due 2024-03-15
    with time_machine.travel(morning(2024, 3, 14), tick=False):
        do_accept(dept_officer, soon.pk)
        page = signed_in(dept_officer).get("/staff/department/")
    desk = page.context["desk"]
    assert (desk.open_cases, desk.due_soon, desk.overdue) == (2, 1, 1)
    assert desk.by_officer == [("dept_officer", 1)]
    assert [m.tracking_number for m in page.context["page"]] == [
        late.tracking_number,
        soon.tracking_number,
    ]
    assert signed_in(other_dept_officer).get("/staff/department/").context["desk"].open_cases == 0
    assert signed_in(clerk).get("/staff/department/").status_code == 403  # the desk has its own
