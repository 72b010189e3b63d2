"""The statutory clock of an information request (依申请公开) on China's real 2026 calendar.

国务院办公厅关于2026年部分节假日安排的通知: 春节 2月15日(周日)至23日(周一)放假, 2月14日(周六)、
2月28日(周六)上班; 清明 4月4日至6日放假. March 2026 starts on a Sunday.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiwang.lib.requestclock import (
    ApproverRequired,
    Channel,
    ClockError,
    ClockNotRunning,
    ClockStatus,
    ConflictingReceiptDates,
    CorrectionAfterLapse,
    CorrectionAlreadyAsked,
    CorrectionTooLate,
    DateOutOfOrder,
    ExtensionAfterDeadline,
    ExtensionAlreadyGranted,
    ExtensionOutOfRange,
    MissingReceiptDate,
    NoCorrectionAsked,
    NoOpenPause,
    PauseKind,
    RequestClock,
    receipt_date,
)
from yiwang.lib.workdays import Calendar, CalendarYearMissing

CALENDAR = Calendar.from_chinesecalendar()
OFFICE_HEAD = "王主任 (head of the disclosure office)"
LONG_AFTER = date(2026, 12, 1)
MONDAY_2_MARCH = date(2026, 3, 2)  # due Monday 30 March
THIRD_PARTY = PauseKind.THIRD_PARTY
OTHER_BODY = PauseKind.OTHER_BODY


def request_received(on: date, calendar: Calendar = CALENDAR) -> RequestClock:
    return RequestClock(on, calendar)


def d(month: int, day: int) -> date:
    return date(2026, month, day)


def running_deadline(clock: RequestClock, as_of: date) -> date:
    deadline = clock.deadline(as_of)
    assert deadline is not None, "the clock should be running"
    return deadline


# --- receipt by channel (Art. 31) ---------------------------------------------------------


def test_a_request_handed_in_counts_as_received_that_day() -> None:
    assert receipt_date(Channel.IN_PERSON, submitted_on=d(3, 2)) == d(3, 2)


def test_a_letter_counts_as_received_on_the_day_the_office_signs_for_it() -> None:
    assert receipt_date(Channel.POST, signed_for_on=d(3, 4)) == d(3, 4)


def test_an_ordinary_letter_counts_as_received_on_the_day_the_office_confirms_it() -> None:
    assert receipt_date(Channel.POST, confirmed_on=d(3, 5)) == d(3, 5)


@pytest.mark.parametrize("channel", [Channel.ONLINE, Channel.FAX])
def test_an_online_or_faxed_request_counts_from_the_day_both_sides_confirm(
    channel: Channel,
) -> None:
    assert receipt_date(channel, confirmed_on=d(3, 6)) == d(3, 6)


def test_an_online_request_without_a_confirmation_date_is_refused() -> None:
    with pytest.raises(MissingReceiptDate, match=r"both sides confirm.*Art\. 31\(3\)") as error:
        receipt_date(Channel.ONLINE)
    assert isinstance(error.value, ValueError)
    assert error.value.code == "missing_receipt_date"


def test_a_letter_with_both_a_signature_and_a_confirmation_date_is_refused() -> None:
    with pytest.raises(ConflictingReceiptDates, match="not both"):
        receipt_date(Channel.POST, signed_for_on=d(3, 4), confirmed_on=d(3, 5))


def test_a_date_that_does_not_apply_to_the_channel_is_refused() -> None:
    with pytest.raises(ConflictingReceiptDates, match="confirmed_on"):
        receipt_date(Channel.IN_PERSON, confirmed_on=d(3, 5))


def test_a_confirmation_time_is_read_as_a_beijing_date() -> None:
    late_evening_utc = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)
    assert receipt_date(Channel.ONLINE, confirmed_on=late_evening_utc) == d(3, 2)


# --- the answer period (Art. 33) ----------------------------------------------------------


def test_the_answer_is_due_20_working_days_after_receipt() -> None:
    clock = request_received(MONDAY_2_MARCH)
    assert clock.deadline(MONDAY_2_MARCH) == d(3, 30)
    assert clock.working_days_left(MONDAY_2_MARCH) == 20


def test_the_deadline_day_is_still_in_time_and_the_next_working_day_is_late() -> None:
    clock = request_received(MONDAY_2_MARCH)
    assert clock.working_days_left(d(3, 30)) == 0
    assert not clock.is_overdue(d(3, 30))
    assert clock.is_overdue(d(3, 31))
    assert clock.working_days_left(d(3, 31)) == -1


def test_a_request_received_the_working_day_before_the_spring_festival_is_due_on_20_march() -> None:
    saturday_14_february = d(2, 14)  # a make-up working day, the last one before the holiday
    assert CALENDAR.is_workday(saturday_14_february)
    clock = request_received(saturday_14_february)
    assert clock.deadline(saturday_14_february) == d(3, 20)
    assert clock.working_days_left(d(2, 23)) == 20  # the whole holiday counts for nothing


def test_make_up_working_saturdays_count_as_working_days() -> None:
    friday_13_february = d(2, 13)
    clock = request_received(friday_13_february)
    # Saturdays 14 and 28 February are days 1 and 6 of the period: a day earlier than 20 March.
    assert clock.deadline(friday_13_february) == d(3, 19)


def test_a_request_received_during_the_holiday_starts_counting_after_it() -> None:
    clock = request_received(d(2, 17))
    assert clock.deadline(d(2, 17)) == d(3, 20)


def test_a_deadline_running_into_2027_raises_until_2027_is_added() -> None:
    with pytest.raises(CalendarYearMissing) as error:
        request_received(d(12, 10)).deadline(d(12, 10))
    assert error.value.year == 2027
    invented_2027 = CALENDAR.with_year(2027, {date(2027, 1, 1): "元旦"}, set())
    assert request_received(d(12, 10), invented_2027).deadline(d(12, 10)) == date(2027, 1, 8)


def test_a_day_before_receipt_is_refused() -> None:
    with pytest.raises(DateOutOfOrder):
        request_received(MONDAY_2_MARCH).deadline(d(3, 1))


# --- correction (Art. 30) -----------------------------------------------------------------


def test_a_correction_may_be_asked_on_the_7th_working_day_after_receipt() -> None:
    clock = request_received(MONDAY_2_MARCH)
    assert clock.correction_last_day() == d(3, 11)
    asked = clock.with_correction_asked(d(3, 11), due=d(3, 25))
    assert asked.status(d(3, 11)) is ClockStatus.AWAITING_CORRECTION


def test_a_correction_asked_on_the_8th_working_day_is_refused() -> None:
    with pytest.raises(CorrectionTooLate, match="by 2026-03-11") as error:
        request_received(MONDAY_2_MARCH).with_correction_asked(d(3, 12), due=d(3, 25))
    assert error.value.code == "correction_too_late"


def test_the_7_working_days_for_a_correction_skip_the_spring_festival() -> None:
    assert request_received(d(2, 13)).correction_last_day() == d(3, 2)


def test_a_correction_asked_in_late_december_needs_no_data_for_the_next_year() -> None:
    received_monday_28_december = request_received(d(12, 28))
    asked = received_monday_28_december.with_correction_asked(d(12, 30), due=d(12, 31))
    assert asked.status(d(12, 31)) is ClockStatus.AWAITING_CORRECTION


def test_a_second_correction_is_refused() -> None:
    asked = request_received(MONDAY_2_MARCH).with_correction_asked(d(3, 3), due=d(3, 13))
    with pytest.raises(CorrectionAlreadyAsked, match="一次性告知"):
        asked.with_correction_asked(d(3, 5), due=d(3, 20))


def test_no_deadline_runs_while_a_correction_is_awaited() -> None:
    asked = request_received(MONDAY_2_MARCH).with_correction_asked(d(3, 5), due=d(3, 20))
    assert asked.deadline(d(3, 10)) is None
    assert asked.working_days_left(d(3, 10)) is None
    assert not asked.is_overdue(d(3, 10))
    assert asked.remind_on(d(3, 10)) == ()


def test_before_the_correction_was_asked_the_clock_ran_from_receipt() -> None:
    asked = request_received(MONDAY_2_MARCH).with_correction_asked(d(3, 5), due=d(3, 20))
    assert asked.deadline(d(3, 4)) == d(3, 30)


def test_a_received_correction_restarts_the_clock_from_its_day_of_receipt() -> None:
    asked = request_received(MONDAY_2_MARCH).with_correction_asked(d(3, 5), due=d(3, 20))
    corrected = asked.with_correction_received(d(3, 16))
    assert corrected.status(d(3, 16)) is ClockStatus.RUNNING
    assert corrected.deadline(d(3, 16)) == d(4, 14)  # past the 清明 holiday, 4-6 April
    assert corrected.working_days_left(d(3, 16)) == 20


def test_the_request_lapses_the_day_after_the_correction_was_due() -> None:
    asked = request_received(MONDAY_2_MARCH).with_correction_asked(d(3, 5), due=d(3, 20))
    assert not asked.has_lapsed(d(3, 20))
    assert asked.has_lapsed(d(3, 21))
    assert asked.status(d(3, 21)) is ClockStatus.LAPSED
    assert asked.deadline(d(3, 21)) is None


def test_a_correction_due_on_a_rest_day_may_still_arrive_on_the_next_working_day() -> None:
    asked = request_received(MONDAY_2_MARCH).with_correction_asked(d(3, 5), due=d(3, 21))
    assert not asked.has_lapsed(d(3, 23))
    assert asked.has_lapsed(d(3, 24))


def test_a_correction_after_the_lapse_is_refused_unless_the_delay_is_excused() -> None:
    asked = request_received(MONDAY_2_MARCH).with_correction_asked(d(3, 5), due=d(3, 20))
    with pytest.raises(CorrectionAfterLapse, match="视为放弃申请"):
        asked.with_correction_received(d(3, 24))
    excused = asked.with_correction_received(d(3, 24), late_excused=True)
    assert excused.has_lapsed(d(3, 23))
    assert excused.deadline(d(3, 24)) == d(4, 22)


def test_receiving_a_correction_that_was_never_asked_is_refused() -> None:
    with pytest.raises(NoCorrectionAsked):
        request_received(MONDAY_2_MARCH).with_correction_received(d(3, 5))


# --- extension (Art. 33) ------------------------------------------------------------------


def test_an_approved_extension_adds_its_working_days_to_the_deadline() -> None:
    clock = request_received(MONDAY_2_MARCH)
    extended = clock.with_extension(20, approved_by=OFFICE_HEAD, on=d(3, 20))
    assert extended.deadline(d(3, 20)) == d(4, 28)
    assert extended.deadline(d(3, 19)) == d(3, 30)  # not yet approved that day


def test_a_second_extension_is_refused() -> None:
    extended = request_received(MONDAY_2_MARCH).with_extension(
        5, approved_by=OFFICE_HEAD, on=d(3, 20)
    )
    with pytest.raises(ExtensionAlreadyGranted, match="one extension") as error:
        extended.with_extension(5, approved_by=OFFICE_HEAD, on=d(3, 27))
    assert error.value.code == "extension_already_granted"


@pytest.mark.parametrize("working_days", [21, 0, -3])
def test_an_extension_outside_1_to_20_working_days_is_refused(working_days: int) -> None:
    with pytest.raises(ExtensionOutOfRange, match="1 to 20"):
        request_received(MONDAY_2_MARCH).with_extension(
            working_days, approved_by=OFFICE_HEAD, on=d(3, 20)
        )


def test_an_extension_needs_a_named_approver() -> None:
    with pytest.raises(ApproverRequired, match="负责人"):
        request_received(MONDAY_2_MARCH).with_extension(10, approved_by="  ", on=d(3, 20))


def test_an_extension_after_the_deadline_is_refused() -> None:
    with pytest.raises(ExtensionAfterDeadline, match="2026-03-30"):
        request_received(MONDAY_2_MARCH).with_extension(10, approved_by=OFFICE_HEAD, on=d(3, 31))


def test_an_extension_while_a_correction_is_awaited_is_refused() -> None:
    asked = request_received(MONDAY_2_MARCH).with_correction_asked(d(3, 5), due=d(3, 20))
    with pytest.raises(ClockNotRunning):
        asked.with_extension(10, approved_by=OFFICE_HEAD, on=d(3, 10))


# --- consultations (Art. 32, 33) ----------------------------------------------------------


def test_a_consultation_extends_the_deadline_by_its_working_days() -> None:
    clock = request_received(MONDAY_2_MARCH).with_pause(OTHER_BODY, d(3, 9), d(3, 13))
    assert clock.excluded_days(LONG_AFTER) == {d(3, 10), d(3, 11), d(3, 12), d(3, 13)}
    assert clock.deadline(LONG_AFTER) == d(4, 3)


def test_overlapping_consultations_count_once() -> None:
    clock = (
        request_received(MONDAY_2_MARCH)
        .with_pause(THIRD_PARTY, d(3, 9), d(3, 13))
        .with_pause(OTHER_BODY, d(3, 11), d(3, 18))
    )
    assert len(clock.excluded_days(LONG_AFTER)) == 7  # 10-13 and 16-18 March, not 4 + 5
    assert clock.deadline(LONG_AFTER) == d(4, 9)


def test_an_open_consultation_holds_the_deadline_back_until_it_ends() -> None:
    consulting = request_received(MONDAY_2_MARCH).with_pause(THIRD_PARTY, d(3, 10))
    assert consulting.deadline(d(3, 13)) == d(4, 2)
    assert consulting.deadline(d(3, 20)) == d(4, 10)
    answered = consulting.with_pause_ended(THIRD_PARTY, d(3, 10), d(3, 13))
    assert answered.deadline(d(3, 20)) == d(4, 2)


def test_a_consultation_over_the_spring_festival_excludes_only_working_days() -> None:
    clock = request_received(d(2, 9)).with_pause(THIRD_PARTY, d(2, 13), d(2, 25))
    assert clock.excluded_days(LONG_AFTER) == {d(2, 14), d(2, 24), d(2, 25)}


def test_a_third_party_consultation_over_15_working_days_is_flagged_yet_excluded_in_full() -> None:
    on_time = request_received(MONDAY_2_MARCH).with_pause(THIRD_PARTY, d(3, 2), d(3, 23))
    assert on_time.third_party_overdue(LONG_AFTER) == ()
    late = request_received(MONDAY_2_MARCH).with_pause(THIRD_PARTY, d(3, 2), d(3, 24))
    assert late.third_party_overdue(LONG_AFTER) == late.pauses
    assert len(late.excluded_days(LONG_AFTER)) == 16


def test_an_open_third_party_consultation_is_flagged_once_its_15_working_days_pass() -> None:
    consulting = request_received(MONDAY_2_MARCH).with_pause(THIRD_PARTY, d(3, 2))
    assert consulting.third_party_overdue(d(3, 23)) == ()
    assert consulting.third_party_overdue(d(3, 24)) == consulting.pauses


def test_a_consultation_with_another_body_has_no_15_day_flag() -> None:
    clock = request_received(MONDAY_2_MARCH).with_pause(OTHER_BODY, d(3, 2), d(4, 30))
    assert clock.third_party_overdue(LONG_AFTER) == ()


def test_a_consultation_started_on_the_deadline_day_does_not_move_it() -> None:
    clock = request_received(MONDAY_2_MARCH).with_pause(OTHER_BODY, d(3, 30), d(4, 10))
    assert clock.deadline(LONG_AFTER) == d(3, 30)
    assert clock.is_overdue(d(3, 31))


def test_a_consultation_cannot_end_before_it_starts() -> None:
    with pytest.raises(DateOutOfOrder):
        request_received(MONDAY_2_MARCH).with_pause(THIRD_PARTY, d(3, 9), d(3, 6))


def test_a_consultation_cannot_start_before_receipt() -> None:
    with pytest.raises(DateOutOfOrder):
        request_received(MONDAY_2_MARCH).with_pause(THIRD_PARTY, d(2, 27), d(3, 6))


def test_ending_a_consultation_that_is_not_open_is_refused() -> None:
    clock = request_received(MONDAY_2_MARCH).with_pause(THIRD_PARTY, d(3, 9), d(3, 13))
    with pytest.raises(NoOpenPause):
        clock.with_pause_ended(THIRD_PARTY, d(3, 9), d(3, 20))


# --- reminders ----------------------------------------------------------------------------


def test_reminders_fall_5_and_2_working_days_before_the_deadline() -> None:
    clock = request_received(MONDAY_2_MARCH)
    assert clock.remind_on(MONDAY_2_MARCH) == (d(3, 23), d(3, 26))
    assert clock.working_days_left(d(3, 23)) == 5


def test_reminders_skip_the_qingming_holiday() -> None:
    clock = request_received(d(3, 10))
    assert clock.deadline(d(3, 10)) == d(4, 8)
    assert clock.remind_on(d(3, 10)) == (d(3, 31), d(4, 3))


def test_a_reminder_before_the_clock_started_is_left_out() -> None:
    assert request_received(MONDAY_2_MARCH).remind_on(MONDAY_2_MARCH, before=(20, 21)) == (
        MONDAY_2_MARCH,
    )


def test_a_reminder_must_be_a_positive_number_of_working_days() -> None:
    with pytest.raises(ValueError, match="reminders"):
        request_received(MONDAY_2_MARCH).remind_on(MONDAY_2_MARCH, before=(0,))


# --- errors -------------------------------------------------------------------------------


def test_every_clock_error_is_a_value_error_with_its_own_code() -> None:
    codes = [error.code for error in ClockError.__subclasses__()]
    assert all(issubclass(error, ValueError) for error in ClockError.__subclasses__())
    assert len(codes) == len(set(codes)) >= 14


# --- properties ---------------------------------------------------------------------------

receipts = st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 12, 31))
offsets = st.integers(min_value=0, max_value=40).map(lambda n: timedelta(days=n))
lengths = st.integers(min_value=0, max_value=30).map(lambda n: timedelta(days=n))
kinds = st.sampled_from(PauseKind)


@given(receipts, offsets, lengths, kinds)
def test_a_consultation_never_shortens_the_deadline(
    received: date, offset: timedelta, length: timedelta, kind: PauseKind
) -> None:
    clock = request_received(received)
    paused = clock.with_pause(kind, received + offset, received + offset + length)
    assert running_deadline(paused, LONG_AFTER) >= running_deadline(clock, LONG_AFTER)


@given(receipts, offsets, lengths, st.data())
def test_a_consultation_inside_another_changes_nothing(
    received: date, offset: timedelta, length: timedelta, data: st.DataObject
) -> None:
    start, end = received + offset, received + offset + length
    inner_start = data.draw(st.dates(min_value=start, max_value=end))
    inner_end = data.draw(st.dates(min_value=inner_start, max_value=end))
    outer = request_received(received).with_pause(OTHER_BODY, start, end)
    both = outer.with_pause(THIRD_PARTY, inner_start, inner_end)
    assert both.deadline(LONG_AFTER) == outer.deadline(LONG_AFTER)


@given(receipts, st.integers(min_value=1, max_value=20))
def test_an_extension_moves_the_deadline_by_exactly_its_working_days(
    received: date, working_days: int
) -> None:
    clock = request_received(received)
    extended = clock.with_extension(working_days, approved_by=OFFICE_HEAD, on=received)
    before, after = running_deadline(clock, received), running_deadline(extended, received)
    assert CALENDAR.workdays_between(before, after) == working_days


@given(receipts)
def test_every_deadline_is_a_working_day_20_working_days_after_receipt(received: date) -> None:
    clock = request_received(received)
    assert CALENDAR.is_workday(running_deadline(clock, received))
    assert clock.working_days_left(received) == 20
