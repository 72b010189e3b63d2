"""Same-day clearance (日清日结): due days, the desk's home page and the daily XLSX report."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.test.utils import override_settings
from openpyxl import load_workbook

from yiwang.accounts.models import User
from yiwang.casework.actions import do_triage
from yiwang.casework.clearance import daily_figures
from yiwang.intake.actions import SubmissionResult
from yiwang.lib.clearance import clearance_day, parse_cutoff
from yiwang.taxonomy.models import Category

pytestmark = pytest.mark.django_db
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def test_a_message_is_due_on_its_local_arrival_day_or_after_the_cut_off_the_next() -> None:
    assert clearance_day(at(27, 23, 30), "") == dt.date(2026, 11, 27)
    assert clearance_day(at(27, 23, 30), "22:00") == dt.date(2026, 11, 28)
    assert clearance_day(at(27, 21, 59), "22:00") == dt.date(2026, 11, 27)
    with pytest.raises(ValueError, match="HH:MM"):
        parse_cutoff("10pm")


def test_the_due_day_uses_shanghai_time_not_utc(submit: Callable[..., SubmissionResult]) -> None:
    with time_machine.travel(at(28, 1, 30), tick=False):  # 17:30 UTC on the 27th
        message = submit().message
    assert message.due_day == dt.date(2026, 11, 28)


@override_settings(YIWANG_CLEARANCE_CUTOFF="22:00")
def test_a_late_arrival_counts_towards_the_next_day(
    submit: Callable[..., SubmissionResult],
) -> None:
    with time_machine.travel(at(27, 22, 15), tick=False):
        message = submit().message
    assert message.due_day == dt.date(2026, 11, 28)


def _submit_at(submit: Callable[..., SubmissionResult], when: dt.datetime, n: int) -> Any:
    with time_machine.travel(when, tick=False):
        return submit(mobile=f"1370000{n:04d}").message


def test_handled_the_same_day_or_later_is_counted_apart(
    submit: Callable[..., SubmissionResult], clerk: User, taxonomy: dict[str, Category]
) -> None:
    on_time = _submit_at(submit, at(27, 9), 1)
    late = _submit_at(submit, at(27, 10), 2)
    _submit_at(submit, at(27, 11), 3)  # never handled
    with time_machine.travel(at(27, 17), tick=False):
        do_triage(clerk, on_time.pk, taxonomy["repairs"].pk)
    with time_machine.travel(at(28, 9), tick=False):
        do_triage(clerk, late.pk, taxonomy["repairs"].pk)
    day = daily_figures(dt.date(2026, 11, 27), dt.date(2026, 11, 28))
    assert [(d.received, d.handled_on_time, d.handled_late, d.carried_over) for d in day] == [
        (3, 1, 1, 2),
        (0, 0, 0, 0),
    ]


def test_the_desk_home_page_shows_today_live_and_per_clerk(
    submit: Callable[..., SubmissionResult],
    clerk: User,
    signed_in: Callable[[User], Client],
    taxonomy: dict[str, Category],
) -> None:
    old = _submit_at(submit, at(26, 9), 1)
    first = _submit_at(submit, at(28, 8), 2)
    _submit_at(submit, at(28, 9), 3)
    with time_machine.travel(at(28, 10), tick=False):
        do_triage(clerk, first.pk, taxonomy["repairs"].pk)
        page = signed_in(clerk).get("/staff/")
    desk = page.context["desk"]
    assert (desk.figures.received, desk.figures.handled_on_time) == (2, 1)
    assert (desk.remaining, desk.backlog) == (1, 1)
    assert desk.by_clerk == [("clerk", 1)]
    assert old.due_day == dt.date(2026, 11, 26)


@pytest.mark.parametrize(
    "page",
    ["/staff/", "/staff/clearance.xlsx?from=2026-11-22&to=2026-11-28"],
    ids=["home", "report"],
)
def test_the_desk_pages_cost_the_same_queries_whatever_the_volume(
    submit: Callable[..., SubmissionResult],
    clerk: User,
    supervisor: User,
    signed_in: Callable[[User], Client],
    taxonomy: dict[str, Category],
    django_assert_max_num_queries: Any,
    page: str,
) -> None:
    browser = signed_in(clerk)
    for n in range(3):
        _submit_at(submit, at(28, 8, n), n)
    with time_machine.travel(at(28, 10), tick=False):
        with django_assert_max_num_queries(12) as few:
            assert browser.get(page).status_code == 200
        for n in range(3, 15):  # more messages, more days, handled by more than one person
            message = _submit_at(submit, at(22 + n % 7, 8, n), n)
            do_triage(clerk if n % 2 else supervisor, message.pk, taxonomy["repairs"].pk)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert browser.get(page).status_code == 200


def test_the_clearance_report_downloads_as_a_spreadsheet(
    submit: Callable[..., SubmissionResult], clerk: User, signed_in: Callable[[User], Client]
) -> None:
    _submit_at(submit, at(27, 9), 1)
    response = signed_in(clerk).get("/staff/clearance.xlsx?from=2026-11-26&to=2026-11-28")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1]) for r in rows] == [  # openpyxl reads dates back as datetimes
        (dt.datetime(2026, 11, 26), 0),
        (dt.datetime(2026, 11, 27), 1),
        (dt.datetime(2026, 11, 28), 0),
    ]


@pytest.mark.parametrize(
    "query",
    ["from=2026-13-01", "from=yesterday", "from=2026-11-28&to=2026-11-01", "from=2024-01-01"],
)
def test_a_bad_report_period_is_a_clear_400(
    clerk: User, signed_in: Callable[[User], Client], query: str
) -> None:
    with time_machine.travel(at(28, 10), tick=False):
        response = signed_in(clerk).get(f"/staff/clearance.xlsx?{query}")
    assert response.status_code == 400
    assert response.content


def test_departments_do_not_see_the_desk_pages(
    dept_officer: User, signed_in: Callable[[User], Client]
) -> None:
    browser = signed_in(dept_officer)
    assert browser.get("/staff/").status_code == 403
    assert browser.get("/staff/clearance.xlsx").status_code == 403
