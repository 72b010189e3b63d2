"""Department deadlines in working days, on China's official calendar.

The calendar is the shipped data (2004–2026) plus the years administrators have added
(``CalendarYear``). A deadline that reaches into a year with no data raises
``CalendarYearMissing``: the platform never guesses a holiday.
"""

from __future__ import annotations

import datetime as dt
import threading
from functools import cache

from django.conf import settings
from django.utils import timezone

from yiwang.casework.models import CalendarYear
from yiwang.intake.models import Message
from yiwang.lib.workdays import Calendar, CalendarYearMissing, parse_year_json

__all__ = ["CalendarYearMissing", "deadline_after", "reply_days", "site_calendar"]

_lock = threading.Lock()
_built: tuple[tuple[tuple[int, dt.datetime], ...], Calendar] | None = None


@cache
def _shipped() -> Calendar:
    return Calendar.from_chinesecalendar()


def site_calendar() -> Calendar:
    """The shipped calendar with the administrators' years; rebuilt when those change."""
    global _built
    rows = list(CalendarYear.objects.order_by("year").values_list("year", "updated_at", "data"))
    signature = tuple((year, updated) for year, updated, _data in rows)
    with _lock:
        if _built is not None and _built[0] == signature:
            return _built[1]
    calendar = _shipped()
    for _year, _updated, data in rows:
        calendar = calendar.with_year_data(parse_year_json(data))
    with _lock:
        _built = (signature, calendar)
    return calendar


def reply_days(message: Message) -> int:
    """Working days to reply: the nature's rule, else the category's, else the site default."""
    by_nature: dict[str, int] = settings.YIWANG_DEADLINE_DAYS_BY_NATURE
    if message.nature in by_nature:
        return by_nature[message.nature]
    if message.category is not None and message.category.deadline_days:
        return message.category.deadline_days
    days: int = settings.YIWANG_DEADLINE_DAYS
    return days


def deadline_after(start: dt.datetime | dt.date, days: int) -> dt.date:
    """The day ``days`` working days after ``start`` (the day itself does not count)."""
    if isinstance(start, dt.datetime):
        start = timezone.localtime(start)
    return site_calendar().add_workdays(start, days)
