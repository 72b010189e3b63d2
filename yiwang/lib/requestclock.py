"""The statutory clock of a request for government information (依申请公开).

The 2019 Regulations on Government Information Disclosure (中华人民共和国政府信息公开条例, 国务院令
第711号) fix when a request counts as received (Art. 31), when a correction may be asked and what it
does to the clock (Art. 30), the answer period and its one extension (Art. 33), and which
consultation time is not counted (Art. 32, 33). Working days come from :mod:`yiwang.lib.workdays`:
a date in a year the calendar lacks raises ``CalendarYearMissing``; nothing is guessed.

Every event carries its date, and every computation takes ``as_of``: the clock as it stood at the
end of that day, from the events dated on or before it. Pure Python: no Django imports. See
``requestclock.md`` next to this file for the rules, the conventions and worked examples.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import ClassVar

from yiwang.lib.workdays import CHINA_TIME, Calendar

ANSWER_WORKDAYS = 20  # Art. 33 ¶2: answer within 20 working days of receipt
MAX_EXTENSION_WORKDAYS = 20  # Art. 33 ¶2: one extension of at most 20 working days
CORRECTION_ASK_WORKDAYS = 7  # Art. 30: ask for a correction within 7 working days of receipt
THIRD_PARTY_WORKDAYS = 15  # Art. 32: a third party answers within 15 working days
DEFAULT_REMINDERS = (5, 2)

_ONE_DAY = timedelta(days=1)


# --- errors -------------------------------------------------------------------------------


class ClockError(ValueError):
    """A rule of the request clock refused the input; ``code`` is machine-readable."""

    code: ClassVar[str] = "clock_error"


class MissingReceiptDate(ClockError):
    code = "missing_receipt_date"


class ConflictingReceiptDates(ClockError):
    code = "conflicting_receipt_dates"


class DateOutOfOrder(ClockError):
    code = "date_out_of_order"


class CorrectionAlreadyAsked(ClockError):
    code = "correction_already_asked"


class CorrectionTooLate(ClockError):
    code = "correction_too_late"


class NoCorrectionAsked(ClockError):
    code = "no_correction_asked"


class CorrectionAlreadyReceived(ClockError):
    code = "correction_already_received"


class CorrectionAfterLapse(ClockError):
    code = "correction_after_lapse"


class ExtensionAlreadyGranted(ClockError):
    code = "extension_already_granted"


class ExtensionOutOfRange(ClockError):
    code = "extension_out_of_range"


class ApproverRequired(ClockError):
    code = "approver_required"


class ExtensionAfterDeadline(ClockError):
    code = "extension_after_deadline"


class ClockNotRunning(ClockError):
    code = "clock_not_running"


class NoOpenPause(ClockError):
    code = "no_open_pause"


# --- receipt (Art. 31) --------------------------------------------------------------------


class Channel(StrEnum):
    IN_PERSON = "in_person"  # 当面提交
    POST = "post"  # 邮寄
    ONLINE = "online"  # 互联网渠道: the website's form, e-mail
    FAX = "fax"  # 传真


_CONFIRMED = ("confirmed_on",), "on the day both sides confirm it (Art. 31(3)): give confirmed_on"
_RECEIPT_RULES: dict[Channel, tuple[tuple[str, ...], str]] = {
    Channel.IN_PERSON: (
        ("submitted_on",),
        "on the day it is handed in (Art. 31(1)): give submitted_on",
    ),
    Channel.POST: (
        ("signed_for_on", "confirmed_on"),
        "on the day the office signs for the letter, or, for an ordinary letter that needs no "
        "signature, on the day the office confirms it with the applicant (Art. 31(2)): give "
        "signed_for_on or confirmed_on, not both",
    ),
    Channel.ONLINE: _CONFIRMED,
    Channel.FAX: _CONFIRMED,
}


def receipt_date(
    channel: Channel,
    *,
    submitted_on: date | None = None,
    signed_for_on: date | None = None,
    confirmed_on: date | None = None,
) -> date:
    """The day a request counts as received, by the channel it came through (Art. 31)."""
    candidates = {
        "submitted_on": submitted_on,
        "signed_for_on": signed_for_on,
        "confirmed_on": confirmed_on,
    }
    given = {name: day for name, day in candidates.items() if day is not None}
    accepted, how = _RECEIPT_RULES[channel]
    rule = f"A request by {channel.value} counts as received {how}."
    if not given:
        raise MissingReceiptDate(rule)
    if len(given) > 1 or not given.keys() <= set(accepted):
        raise ConflictingReceiptDates(f"{rule} Given: {', '.join(sorted(given))}.")
    (day,) = given.values()
    return _local_date(day)


def _local_date(moment: date) -> date:
    """The Beijing date of a date or datetime; naive datetimes are taken as Beijing time."""
    if isinstance(moment, datetime):
        return (moment.astimezone(CHINA_TIME) if moment.tzinfo else moment).date()
    return moment


# --- the clock's events -------------------------------------------------------------------


class PauseKind(StrEnum):
    THIRD_PARTY = "third_party"  # 征求第三方意见 (Art. 32)
    OTHER_BODY = "other_body"  # 征求其他机关意见 (Art. 33 ¶3)


class ClockStatus(StrEnum):
    RUNNING = "running"
    AWAITING_CORRECTION = "awaiting_correction"
    LAPSED = "lapsed"  # 视为放弃申请 (Art. 30)


@dataclass(frozen=True)
class Pause:
    """A consultation: the working days after ``start`` up to ``end`` are not counted.

    ``end`` is None while the answer is awaited; the pause then runs up to ``as_of``.
    """

    kind: PauseKind
    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", _local_date(self.start))
        if self.end is not None:
            object.__setattr__(self, "end", _local_date(self.end))
            if self.end < self.start:
                raise DateOutOfOrder(
                    f"a consultation cannot end ({self.end}) before it starts ({self.start})"
                )

    def end_as_of(self, as_of: date) -> date:
        """The last paused day known on ``as_of``."""
        return as_of if self.end is None else min(self.end, as_of)


@dataclass(frozen=True)
class Correction:
    asked_on: date
    due_on: date
    received_on: date | None = None
    late_excused: bool = False  # received after due_on for a good reason (正当理由, Art. 30)


@dataclass(frozen=True)
class Extension:
    working_days: int
    approved_by: str  # the head of the disclosure office (政府信息公开工作机构负责人)
    approved_on: date


# --- the clock ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestClock:
    """The answer clock of one request; ``with_*`` methods return a new clock."""

    received_on: date
    calendar: Calendar = field(repr=False, compare=False)
    correction: Correction | None = None
    extension: Extension | None = None
    pauses: tuple[Pause, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "received_on", _local_date(self.received_on))

    # --- recording events ---

    def correction_last_day(self) -> date:
        """The last day to ask for a correction: the 7th working day after receipt (Art. 30)."""
        return self.calendar.add_workdays(self.received_on, CORRECTION_ASK_WORKDAYS)

    def with_correction_asked(self, on: date, due: date) -> RequestClock:
        """Ask the applicant, once, to correct the request by ``due`` (Art. 30)."""
        on, due = self._as_of(on), _local_date(due)
        if self.correction is not None:
            raise CorrectionAlreadyAsked(
                f"a correction was already asked on {self.correction.asked_on}: Art. 30 allows "
                "one request for correction, naming everything to correct at once (一次性告知)"
            )
        if self._too_late_to_ask(on):
            raise CorrectionTooLate(
                f"a correction must be asked within {CORRECTION_ASK_WORKDAYS} working days of "
                f"receipt ({self.received_on}), by {self.correction_last_day()}; {on} is too "
                "late (Art. 30)"
            )
        if due <= on:
            raise DateOutOfOrder(f"the correction must be due after it is asked ({on}), not {due}")
        return replace(self, correction=Correction(on, due))

    def with_correction_received(self, on: date, *, late_excused: bool = False) -> RequestClock:
        """The corrected request arrived on ``on``: the answer period restarts from it."""
        on, correction = _local_date(on), self.correction
        if correction is None:
            raise NoCorrectionAsked("no correction was asked, so none can be received")
        if correction.received_on is not None:
            raise CorrectionAlreadyReceived(
                f"the correction was already received on {correction.received_on}"
            )
        if on < correction.asked_on:
            raise DateOutOfOrder(f"a correction received on {on} predates the request for it")
        if self._past_correction_period(correction, on) and not late_excused:
            raise CorrectionAfterLapse(
                f"the correction was due by {correction.due_on}, so the request lapsed "
                "(视为放弃申请, Art. 30); record it with late_excused=True only if the applicant "
                "had a good reason (正当理由)"
            )
        received = replace(correction, received_on=on, late_excused=late_excused)
        return replace(self, correction=received)

    def with_extension(self, working_days: int, *, approved_by: str, on: date) -> RequestClock:
        """Extend the answer period once, approved by the office head on ``on`` (Art. 33)."""
        if self.extension is not None:
            raise ExtensionAlreadyGranted(
                f"the answer period was already extended on {self.extension.approved_on}: "
                "Art. 33 allows one extension"
            )
        _check_extension(working_days, approved_by)
        due = self.deadline(on)
        if due is None:
            raise ClockNotRunning(f"no answer period is running on {on}: nothing to extend")
        if _local_date(on) > due:
            raise ExtensionAfterDeadline(f"the answer was due by {due}: too late to extend it")
        extension = Extension(working_days, approved_by.strip(), _local_date(on))
        return replace(self, extension=extension)

    def with_pause(self, kind: PauseKind, start: date, end: date | None = None) -> RequestClock:
        """Record a consultation (``end=None`` while it is still open)."""
        pause = Pause(kind, start, end)
        self._as_of(pause.start)
        return replace(self, pauses=(*self.pauses, pause))

    def with_pause_ended(self, kind: PauseKind, start: date, end: date) -> RequestClock:
        """Close the open consultation of ``kind`` that started on ``start``."""
        open_pause = Pause(kind, start)
        if open_pause not in self.pauses:
            raise NoOpenPause(f"no open {kind.value} consultation started on {open_pause.start}")
        index = self.pauses.index(open_pause)
        closed = Pause(kind, start, end)
        return replace(self, pauses=(*self.pauses[:index], closed, *self.pauses[index + 1 :]))

    # --- the clock on a given day ---

    def status(self, as_of: date) -> ClockStatus:
        """Running, awaiting the applicant's correction, or lapsed (Art. 30)."""
        as_of, correction = self._as_of(as_of), self.correction
        if correction is None or correction.asked_on > as_of:
            return ClockStatus.RUNNING
        if correction.received_on is not None and correction.received_on <= as_of:
            return ClockStatus.RUNNING
        if self._past_correction_period(correction, as_of):
            return ClockStatus.LAPSED
        return ClockStatus.AWAITING_CORRECTION

    def has_lapsed(self, as_of: date) -> bool:
        """True once the correction period has passed without a correction (视为放弃申请)."""
        return self.status(as_of) is ClockStatus.LAPSED

    def clock_start(self, as_of: date) -> date | None:
        """The day the answer period counts from (receipt, or receipt of the correction)."""
        if self.status(as_of) is not ClockStatus.RUNNING:
            return None
        received = self.correction.received_on if self.correction else None
        if received is not None and received <= _local_date(as_of):
            return received
        return self.received_on

    def answer_period(self, as_of: date) -> int:
        """Working days to answer: 20, plus the extension approved by ``as_of``."""
        extension, as_of = self.extension, self._as_of(as_of)
        if extension is None or extension.approved_on > as_of:
            return ANSWER_WORKDAYS
        return ANSWER_WORKDAYS + extension.working_days

    def excluded_days(self, as_of: date) -> frozenset[date]:
        """The working days inside consultations known on ``as_of``, each counted once."""
        as_of = self._as_of(as_of)
        days: set[date] = set()
        for pause in self.pauses:
            if pause.start < as_of:
                days.update(self._workdays_after(pause.start, pause.end_as_of(as_of)))
        return frozenset(days)

    def deadline(self, as_of: date) -> date | None:
        """The last day to answer, or None while no answer period runs (correction, lapse)."""
        start = self.clock_start(as_of)
        if start is None:
            return None
        day, counted, skipped = start, 0, self.excluded_days(as_of)
        period = self.answer_period(as_of)
        while counted < period:
            day = self.calendar.next_workday(day)
            counted += day not in skipped
        return day

    def working_days_left(self, as_of: date) -> int | None:
        """Working days after ``as_of`` up to the deadline; negative: working days late."""
        due, as_of = self.deadline(as_of), _local_date(as_of)
        if due is None:
            return None
        if as_of <= due:
            return self.calendar.workdays_between(as_of, due)
        return -self.calendar.workdays_between(due, as_of)

    def is_overdue(self, as_of: date) -> bool:
        """True after the deadline day (the deadline day itself is still in time)."""
        due = self.deadline(as_of)
        return due is not None and _local_date(as_of) > due

    def remind_on(self, as_of: date, before: Iterable[int] = DEFAULT_REMINDERS) -> tuple[date, ...]:
        """The days on which ``n`` counted working days remain before the deadline, for each n.

        In date order; a reminder that would fall before the clock started is left out.
        """
        due, start = self.deadline(as_of), self.clock_start(as_of)
        if due is None or start is None:
            return ()
        skipped = self.excluded_days(as_of)
        dates = {self._count_back(due, n, start, skipped) for n in _positive(before)}
        return tuple(sorted(day for day in dates if day is not None))

    def third_party_overdue(self, as_of: date) -> tuple[Pause, ...]:
        """Third-party consultations past the third party's 15 working days (Art. 32).

        The pause is still excluded in full; this flags it so that staff decide without the
        third party's opinion, as Art. 32 allows once the 15 working days have passed.
        """
        as_of = self._as_of(as_of)
        return tuple(
            pause
            for pause in self.pauses
            if pause.kind is PauseKind.THIRD_PARTY
            and pause.start <= as_of
            and self.calendar.workdays_between(pause.start, pause.end_as_of(as_of))
            > THIRD_PARTY_WORKDAYS
        )

    # --- helpers ---

    def _as_of(self, as_of: date) -> date:
        day = _local_date(as_of)
        if day < self.received_on:
            raise DateOutOfOrder(f"{day} is before the request was received ({self.received_on})")
        return day

    def _too_late_to_ask(self, on: date) -> bool:
        # The 7th working day is looked up only once 7 have passed: for a request received in
        # late December it may lie in a year the calendar does not cover yet.
        passed = self.calendar.workdays_between(self.received_on, on)
        return passed >= CORRECTION_ASK_WORKDAYS and on > self.correction_last_day()

    def _past_correction_period(self, correction: Correction, day: date) -> bool:
        """Past the due date (or the next working day if it is a rest day: 民法典 art. 203)."""
        due = correction.due_on
        if day <= due:
            return False
        return self.calendar.is_workday(due) or day > self.calendar.next_workday(due)

    def _workdays_after(self, first: date, last: date) -> Iterator[date]:
        """The working days in (first, last]; never looks past ``last``."""
        day = first + _ONE_DAY
        while day <= last:
            if self.calendar.is_workday(day):
                yield day
            day += _ONE_DAY

    def _count_back(self, due: date, n: int, start: date, skipped: frozenset[date]) -> date | None:
        """The n-th counted working day before ``due``; None if that is before ``start``."""
        day = due
        for _ in range(n):
            day -= _ONE_DAY
            while day >= start and (day in skipped or not self.calendar.is_workday(day)):
                day -= _ONE_DAY
            if day < start:
                return None
        return day


def _check_extension(working_days: int, approved_by: str) -> None:
    if (
        isinstance(working_days, bool)
        or not isinstance(working_days, int)
        or not 1 <= working_days <= MAX_EXTENSION_WORKDAYS
    ):
        raise ExtensionOutOfRange(
            f"an extension is 1 to {MAX_EXTENSION_WORKDAYS} working days (Art. 33), "
            f"not {working_days!r}"
        )
    if not approved_by.strip():
        raise ApproverRequired(
            "an extension needs the approval of the head of the disclosure office "
            "(政府信息公开工作机构负责人, Art. 33): name the approver"
        )


def _positive(counts: Iterable[int]) -> list[int]:
    values = list(counts)
    if any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in values):
        raise ValueError(f"reminders are whole numbers of working days >= 1, not {values!r}")
    return values
