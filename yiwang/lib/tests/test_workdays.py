"""The working-day calendar against the State Council's real holiday notices.

国务院办公厅关于2017年部分节假日安排的通知: 春节 1月27日至2月2日, 1月22日(周日)、2月4日(周六)上班.
国务院办公厅关于2024年部分节假日安排的通知: 春节 2月10日至17日, 2月4日、18日(周日)上班, 除夕(2月9日)
only "encouraged" as leave; 国庆 10月1日至7日, 9月29日(周日)、10月12日(周六)上班.
"""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.lib.workdays import (
    Calendar,
    CalendarYearMissing,
    YearData,
    dump_year_file,
    load_year_file,
)

CALENDAR = Calendar.from_chinesecalendar()
TEST_YEAR_FILE = Path(__file__).parent / "data" / "workdays-2031-TEST-DATA.json"


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def a_2027() -> Calendar:
    """2027 as an administrator would enter it (only New Year's Day, enough for these tests)."""
    return CALENDAR.with_year(2027, {date(2027, 1, 1): "元旦"}, set())


# --- the real notices ---------------------------------------------------------------------


def test_sunday_22_january_2017_was_a_working_day() -> None:
    assert CALENDAR.is_workday(date(2017, 1, 22))


def test_spring_festival_2017_ran_from_27_january_to_2_february() -> None:
    for day in days(date(2017, 1, 27), date(2017, 2, 2)):
        assert not CALENDAR.is_workday(day), day
    assert CALENDAR.holiday_name(date(2017, 1, 30)) == "春节"
    assert CALENDAR.is_workday(date(2017, 1, 26))
    assert CALENDAR.is_workday(date(2017, 2, 3))


def test_saturday_4_february_2017_was_a_working_day() -> None:
    assert CALENDAR.is_workday(date(2017, 2, 4))


def test_the_sundays_4_and_18_february_2024_were_working_days() -> None:
    assert CALENDAR.is_workday(date(2024, 2, 4))
    assert CALENDAR.is_workday(date(2024, 2, 18))


def test_spring_festival_2024_ran_from_10_to_17_february() -> None:
    for day in days(date(2024, 2, 10), date(2024, 2, 17)):
        assert not CALENDAR.is_workday(day), day


def test_new_years_eve_2024_was_a_working_day_since_the_notice_only_encouraged_leave() -> None:
    assert CALENDAR.is_workday(date(2024, 2, 9))


def test_national_day_2024_ran_from_1_to_7_october_with_working_weekends_either_side() -> None:
    for day in days(date(2024, 10, 1), date(2024, 10, 7)):
        assert not CALENDAR.is_workday(day), day
        assert CALENDAR.holiday_name(day) == "国庆节"
    assert CALENDAR.is_workday(date(2024, 9, 29))
    assert CALENDAR.is_workday(date(2024, 10, 12))
    assert CALENDAR.holiday_name(date(2024, 10, 8)) is None


def test_the_package_data_agrees_with_chinesecalendar_on_every_day_from_2004_to_2026() -> None:
    for day in days(date(2004, 1, 1), date(2026, 12, 31)):
        assert CALENDAR.is_workday(day) == chinese_calendar.is_workday(day), day


def test_the_package_covers_2004_to_2026() -> None:
    assert CALENDAR.years == tuple(range(2004, 2027))


# --- deadlines ----------------------------------------------------------------------------


def test_five_working_days_from_8_february_2024_end_on_21_february() -> None:
    # 9 Feb (Fri, 除夕, a working day), 18 Feb (make-up Sunday), 19, 20, 21 Feb.
    assert CALENDAR.add_workdays(date(2024, 2, 8), 5) == date(2024, 2, 21)


def test_the_day_of_receipt_does_not_count() -> None:
    assert CALENDAR.add_workdays(date(2024, 3, 4), 1) == date(2024, 3, 5)


def test_zero_working_days_from_a_working_day_is_that_day() -> None:
    assert CALENDAR.add_workdays(date(2024, 2, 8), 0) == date(2024, 2, 8)


def test_zero_working_days_from_a_holiday_is_the_next_working_day() -> None:
    assert CALENDAR.add_workdays(date(2024, 2, 10), 0) == date(2024, 2, 18)


def test_a_message_received_on_a_holiday_gets_the_same_date_for_zero_and_one_day() -> None:
    assert CALENDAR.add_workdays(date(2024, 10, 3), 1) == date(2024, 10, 8)
    assert CALENDAR.add_workdays(date(2024, 10, 3), 0) == date(2024, 10, 8)


def test_a_deadline_can_fall_on_a_make_up_saturday() -> None:
    assert CALENDAR.add_workdays(date(2024, 10, 11), 1) == date(2024, 10, 12)


def test_an_aware_datetime_is_counted_from_its_beijing_date() -> None:
    # 17:00 UTC on 8 Feb is 01:00 on 9 Feb in Beijing, so the count starts after 9 Feb.
    received = datetime(2024, 2, 8, 17, 0, tzinfo=UTC)
    assert CALENDAR.add_workdays(received, 1) == date(2024, 2, 18)


def test_a_naive_datetime_is_taken_as_beijing_time() -> None:
    assert CALENDAR.add_workdays(datetime(2024, 2, 8, 23, 59), 1) == date(2024, 2, 9)


@pytest.mark.parametrize("bad_n", [-1, 1.5, True])
def test_it_rejects_a_negative_or_fractional_number_of_days(bad_n: Any) -> None:
    with pytest.raises(ValueError, match="n must be"):
        CALENDAR.add_workdays(date(2024, 2, 8), bad_n)


def test_next_workday_skips_the_whole_national_day_holiday() -> None:
    assert CALENDAR.next_workday(date(2024, 9, 30)) == date(2024, 10, 8)


def test_workdays_between_counts_after_the_first_date_up_to_and_including_the_second() -> None:
    assert CALENDAR.workdays_between(date(2024, 2, 8), date(2024, 2, 21)) == 5
    assert CALENDAR.workdays_between(date(2024, 2, 8), date(2024, 2, 8)) == 0
    assert CALENDAR.workdays_between(date(2024, 2, 9), date(2024, 2, 17)) == 0


def test_workdays_between_refuses_dates_in_the_wrong_order() -> None:
    with pytest.raises(ValueError, match="is before"):
        CALENDAR.workdays_between(date(2024, 2, 21), date(2024, 2, 8))


# --- missing years ------------------------------------------------------------------------


def test_a_date_in_2027_raises_calendar_year_missing_naming_2027() -> None:
    with pytest.raises(CalendarYearMissing, match=r"no data for 2027.*Add 2027's") as raised:
        CALENDAR.is_workday(date(2027, 3, 1))
    assert raised.value.year == 2027
    assert isinstance(raised.value, LookupError)


def test_a_deadline_running_into_2027_raises_rather_than_guessing() -> None:
    with pytest.raises(CalendarYearMissing, match="2027"):
        CALENDAR.add_workdays(date(2026, 12, 28), 5)
    with pytest.raises(CalendarYearMissing, match="2027"):
        CALENDAR.workdays_between(date(2026, 12, 28), date(2027, 1, 5))


def test_a_start_date_in_an_uncovered_year_raises_even_if_the_count_would_leave_it() -> None:
    with pytest.raises(CalendarYearMissing, match="2003"):
        CALENDAR.add_workdays(date(2003, 12, 31), 1)


def test_2027_works_once_it_is_added_with_with_year() -> None:
    calendar = a_2027()
    assert not calendar.is_workday(date(2027, 1, 1))
    assert calendar.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert calendar.years[-1] == 2027


def test_with_year_leaves_the_original_calendar_untouched() -> None:
    a_2027()
    with pytest.raises(CalendarYearMissing):
        CALENDAR.is_workday(date(2027, 1, 1))


def test_with_year_accepts_a_plain_set_of_holiday_dates() -> None:
    calendar = CALENDAR.with_year(2027, {date(2027, 1, 1)}, set())
    assert not calendar.is_workday(date(2027, 1, 1))
    assert calendar.holiday_name(date(2027, 1, 1)) == ""


def test_with_year_replaces_a_year_already_covered() -> None:
    calendar = CALENDAR.with_year(2024, set(), set())
    assert calendar.is_workday(date(2024, 10, 1))
    assert not calendar.is_workday(date(2024, 2, 4))


@pytest.mark.parametrize(
    ("holidays", "makeup", "message"),
    [
        ({date(2026, 12, 31): "元旦"}, set(), "2026-12-31 is not in 2027"),
        ({}, {date(2027, 2, 8)}, "2027-02-08 is a Monday"),
        ({date(2027, 2, 7): "春节"}, {date(2027, 2, 7)}, "both a holiday and a make-up"),
        ({datetime(2027, 1, 1, 8): "元旦"}, set(), "must be a date"),
    ],
)
def test_with_year_rejects_inconsistent_data(
    holidays: dict[date, str], makeup: set[date], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        CALENDAR.with_year(2027, holidays, makeup)


# --- year files ---------------------------------------------------------------------------


def test_the_invented_2031_test_file_loads_and_answers() -> None:
    data = load_year_file(TEST_YEAR_FILE)
    assert data.year == 2031
    assert "TEST DATA" in data.source
    calendar = Calendar([data])
    assert calendar.is_workday(date(2031, 1, 19))  # make-up Sunday
    assert not calendar.is_workday(date(2031, 1, 22))
    assert calendar.holiday_name(date(2031, 10, 1)) == "国庆节"
    assert calendar.add_workdays(date(2031, 9, 30), 1) == date(2031, 10, 8)


def test_a_year_file_round_trips_through_dump_and_load(tmp_path: Path) -> None:
    original = CALENDAR.year_data(2024)
    path = tmp_path / "2024.json"
    dump_year_file(original, path)
    assert load_year_file(path) == original
    assert "春节" in path.read_text(encoding="utf-8")


def test_a_loaded_year_can_be_added_to_the_package_calendar() -> None:
    calendar = CALENDAR.with_year_data(load_year_file(TEST_YEAR_FILE))
    assert calendar.years[-1] == 2031
    with pytest.raises(CalendarYearMissing, match="2030"):
        calendar.is_workday(date(2030, 6, 3))


GOOD_FILE: dict[str, Any] = {
    "year": 2031,
    "holidays": {"2031-01-01": "元旦"},
    "makeup_workdays": ["2031-01-19"],
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"holidays": {"2031/01/01": "元旦"}}, "not a date written YYYY-MM-DD"),
        ({"holidays": {"2031-02-30": "春节"}}, "not a real date"),
        ({"holidays": {"2030-12-31": "元旦"}}, "2030-12-31 is not in 2031"),
        ({"makeup_workdays": ["2031-01-20"]}, "2031-01-20 is a Monday"),
        ({"holidays": {"2031-01-19": "春节"}}, "both a holiday and a make-up"),
        ({"holidays": {"2031-01-01": 1}}, "name that is not text"),
        ({"makeup_workdays": ["2031-01-19", "2031-01-19"]}, "lists a date twice"),
        ({"makeup_workday": []}, r"unknown keys \['makeup_workday'\]"),
        ({"year": "2031"}, "year must be a positive integer"),
    ],
)
def test_a_bad_year_file_raises_a_clear_value_error(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    path = tmp_path / "2031.json"
    path.write_text(json.dumps({**GOOD_FILE, **change}), encoding="utf-8")
    with pytest.raises(ValueError, match=message) as raised:
        load_year_file(path)
    assert str(path) in str(raised.value)


def test_a_year_file_with_a_date_given_twice_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "2031.json"
    path.write_text(
        '{"year": 2031, "holidays": {"2031-01-01": "元旦", "2031-01-01": "春节"},'
        ' "makeup_workdays": []}',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="'2031-01-01' appears twice"):
        load_year_file(path)


def test_a_year_file_missing_a_key_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "2031.json"
    path.write_text('{"year": 2031, "holidays": {}}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"missing keys \['makeup_workdays'\]"):
        load_year_file(path)


def test_year_data_can_be_built_directly_and_validates() -> None:
    with pytest.raises(ValueError, match="is a Wednesday"):
        YearData(2031, {}, frozenset({date(2031, 1, 1)}))


# --- properties ---------------------------------------------------------------------------

# Starts and counts chosen so that no deadline runs past 2026, the last covered year.
starts = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 6, 30))
counts = st.integers(min_value=1, max_value=60)


@settings(database=None)
@given(starts, counts)
def test_a_deadline_of_one_or_more_working_days_falls_on_a_working_day(start: date, n: int) -> None:
    assert CALENDAR.is_workday(CALENDAR.add_workdays(start, n))


@settings(database=None)
@given(starts, st.integers(min_value=0, max_value=59))
def test_more_working_days_never_give_an_earlier_deadline(start: date, n: int) -> None:
    earlier, later = CALENDAR.add_workdays(start, n), CALENDAR.add_workdays(start, n + 1)
    assert earlier <= later
    if n >= 1 or CALENDAR.is_workday(start):
        assert earlier < later


@settings(database=None)
@given(starts, counts)
def test_workdays_between_the_start_and_its_deadline_is_the_count(start: date, n: int) -> None:
    assert CALENDAR.workdays_between(start, CALENDAR.add_workdays(start, n)) == n
