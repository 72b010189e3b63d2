"""China's working-day calendar: public holidays and make-up working days (调休), by year.

A deadline "within n working days" follows the State Council's yearly holiday notice
(国务院办公厅关于某年部分节假日安排的通知): a weekday can be a holiday and a Saturday or Sunday
can be a working day. The calendar is data: each covered year carries its holiday dates and its
make-up working days. Years 2004–2026 come from the ``chinesecalendar`` package; later years are
added as data (:meth:`Calendar.with_year`, :func:`load_year_file`) when their notice is published.
A question about a year the calendar lacks raises :class:`CalendarYearMissing`; it never guesses.

Pure Python: no Django imports. See ``workdays.md`` next to this file for the algorithm and sources.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Any

# China has kept UTC+8 without daylight saving since 1991: a fixed offset is exact for every
# covered year and needs no tz database.
CHINA_TIME = timezone(timedelta(hours=8), "CST")

_ONE_DAY = timedelta(days=1)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_FILE_KEYS = frozenset({"year", "holidays", "makeup_workdays", "source"})
_SATURDAY = 5


class CalendarYearMissing(LookupError):
    """The calendar has no holiday data for ``year``: add it, don't guess."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"The working-day calendar has no data for {year}. Add {year}'s public holidays "
            f"and make-up working days (from the State Council's holiday notice for {year}) "
            "before computing dates in that year."
        )


@dataclass(frozen=True)
class YearData:
    """One calendar year: holiday dates with their names, and weekend days that are workdays.

    Dates are grouped by the calendar year they fall in, not by notice: a notice for year Y that
    puts a holiday or make-up day in December of Y-1 belongs in Y-1's data. Holidays may include
    the weekend days inside a holiday period (harmless, and it names them); an unnamed holiday
    has the name ``""``. Invalid data raises ``ValueError`` naming the offending date.
    """

    year: int
    holidays: Mapping[date, str]
    makeup_workdays: frozenset[date]
    source: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", MappingProxyType(dict(self.holidays)))
        object.__setattr__(self, "makeup_workdays", frozenset(self.makeup_workdays))
        _validate_year_data(self)


def _validate_year_data(data: YearData) -> None:
    if isinstance(data.year, bool) or not isinstance(data.year, int) or data.year < 1:
        raise ValueError(f"year must be a positive integer, not {data.year!r}")
    for day, name in data.holidays.items():
        _check_in_year(day, data.year, "holiday")
        if not isinstance(name, str):
            raise ValueError(f"holiday {day.isoformat()} has a name that is not text: {name!r}")
    for day in data.makeup_workdays:
        _check_in_year(day, data.year, "make-up working day")
        if day.weekday() < _SATURDAY:
            raise ValueError(
                f"make-up working day {day.isoformat()} is a {day.strftime('%A')}: "
                "make-up working days must be a Saturday or a Sunday"
            )
    clash = sorted(set(data.holidays) & data.makeup_workdays)
    if clash:
        listed = ", ".join(d.isoformat() for d in clash)
        raise ValueError(f"{listed} cannot be both a holiday and a make-up working day")


def _check_in_year(day: object, year: int, what: str) -> None:
    if isinstance(day, datetime) or not isinstance(day, date):
        raise ValueError(f"{what} {day!r} must be a date (not a datetime or text)")
    if day.year != year:
        raise ValueError(f"{what} {day.isoformat()} is not in {year}")


def _as_date(moment: datetime | date) -> date:
    """The local (Beijing) date of ``moment``; naive datetimes are taken as Beijing time."""
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(CHINA_TIME)
        return moment.date()
    return moment


class Calendar:
    """Working days for the years it covers; immutable (``with_year`` returns a new one)."""

    def __init__(self, years: Iterable[YearData] = ()) -> None:
        self._years: dict[int, YearData] = {data.year: data for data in years}

    @classmethod
    def from_chinesecalendar(cls) -> Calendar:
        """The years the ``chinesecalendar`` package knows (2004–2026 in version 1.11)."""
        import chinese_calendar

        holidays: dict[int, dict[date, str]] = {}
        makeup: dict[int, set[date]] = {}
        for day, english in chinese_calendar.holidays.items():
            name = str(chinese_calendar.Holiday(english).chinese)
            holidays.setdefault(day.year, {})[day] = name
        for day in chinese_calendar.workdays:
            makeup.setdefault(day.year, set()).add(day)
        years = sorted(holidays.keys() | makeup.keys())
        source = f"chinesecalendar {chinese_calendar.__version__}"
        return cls(
            YearData(y, holidays.get(y, {}), frozenset(makeup.get(y, set())), source) for y in years
        )

    def with_year(
        self, year: int, holidays: Mapping[date, str] | Set[date], makeup_workdays: Set[date]
    ) -> Calendar:
        """A new calendar that also covers ``year`` (replacing that year if already covered)."""
        if not isinstance(holidays, Mapping):
            holidays = dict.fromkeys(holidays, "")
        return self.with_year_data(YearData(year, holidays, frozenset(makeup_workdays)))

    def with_year_data(self, data: YearData) -> Calendar:
        """A new calendar with ``data`` added (e.g. from :func:`load_year_file`)."""
        return Calendar([*self._years.values(), data])

    @property
    def years(self) -> tuple[int, ...]:
        """The covered years, in order."""
        return tuple(sorted(self._years))

    def year_data(self, year: int) -> YearData:
        """The data for ``year``, e.g. to write it out with :func:`dump_year_file`."""
        try:
            return self._years[year]
        except KeyError:
            raise CalendarYearMissing(year) from None

    def is_workday(self, day: datetime | date) -> bool:
        """A weekday that is not a holiday, or a make-up working day (调休)."""
        day = _as_date(day)
        data = self.year_data(day.year)
        if day in data.makeup_workdays:
            return True
        return day.weekday() < _SATURDAY and day not in data.holidays

    def holiday_name(self, day: datetime | date) -> str | None:
        """The holiday's name (e.g. ``"春节"``), ``""`` if unnamed, None on other days."""
        day = _as_date(day)
        return self.year_data(day.year).holidays.get(day)

    def next_workday(self, day: datetime | date) -> date:
        """The first working day strictly after ``day``."""
        day = _as_date(day)
        self.year_data(day.year)
        day += _ONE_DAY
        while not self.is_workday(day):
            day += _ONE_DAY
        return day

    def add_workdays(self, start: datetime | date, n: int) -> date:
        """The date on which a deadline of ``n`` working days counted from ``start`` falls.

        Counting rule: the day of receipt does not count; the deadline is the n-th working day
        after it (it ends at the close of that day). ``n == 0`` means "the same working day": the
        start date if it is a working day, else the next one, so a message received on a holiday
        gets the same date for n = 0 and n = 1. Working days are the State Council's (weekends
        and public holidays off, make-up weekend days on). Sources: ../shared/reference/
        rules-and-deadlines.md, "Working days" and the 政府信息公开条例 deadlines counted from
        receipt; the start day not counting is the general rule for periods counted in days
        (民法典 art. 201: 开始的当日不计入，自下一日开始计算), and 行政许可法 art. 82 counts
        deadlines in working days excluding statutory holidays.
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"n must be a whole number of working days >= 0, not {n!r}")
        day = _as_date(start)
        if n == 0:
            return day if self.is_workday(day) else self.next_workday(day)
        for _ in range(n):
            day = self.next_workday(day)
        return day

    def workdays_between(self, a: datetime | date, b: datetime | date) -> int:
        """The number of working days in (a, b]: after ``a``, up to and including ``b``."""
        first, last = _as_date(a), _as_date(b)
        if last < first:
            raise ValueError(f"{last.isoformat()} is before {first.isoformat()}")
        self.year_data(first.year)
        count, day = 0, first + _ONE_DAY
        while day <= last:
            count += self.is_workday(day)
            day += _ONE_DAY
        return count


# --- year files ---------------------------------------------------------------------------


def load_year_file(path: str | Path) -> YearData:
    """Read one year from JSON; a bad file raises ``ValueError`` naming the file and the problem.

    Format: ``{"year": 2027, "holidays": {"2027-01-01": "元旦", ...},
    "makeup_workdays": ["2027-02-07", ...], "source": "国办发明电〔2026〕…号"}`` (source optional).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
        raw = json.loads(text, object_pairs_hook=_reject_duplicate_keys)
        return _year_data_from_json(raw)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from error


def dump_year_file(data: YearData, path: str | Path) -> None:
    """Write ``data`` in the format :func:`load_year_file` reads (UTF-8, sorted, readable)."""
    payload: dict[str, Any] = {"year": data.year}
    if data.source:
        payload["source"] = data.source
    payload["holidays"] = {d.isoformat(): data.holidays[d] for d in sorted(data.holidays)}
    payload["makeup_workdays"] = [d.isoformat() for d in sorted(data.makeup_workdays)]
    text = json.dumps(payload, ensure_ascii=False, indent=2)
    Path(path).write_text(text + "\n", encoding="utf-8")


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"{key!r} appears twice")
        result[key] = value
    return result


def _year_data_from_json(raw: object) -> YearData:
    if not isinstance(raw, dict):
        raise ValueError("the file must hold one JSON object")
    unknown = sorted(raw.keys() - _FILE_KEYS)
    missing = sorted({"year", "holidays", "makeup_workdays"} - raw.keys())
    if unknown or missing:
        raise ValueError(f"unknown keys {unknown}, missing keys {missing}")
    if not isinstance(raw["holidays"], dict):
        raise ValueError('"holidays" must be an object of "YYYY-MM-DD": "name"')
    if not isinstance(raw["makeup_workdays"], list):
        raise ValueError('"makeup_workdays" must be a list of "YYYY-MM-DD"')
    source = raw.get("source", "")
    if not isinstance(source, str):
        raise ValueError('"source" must be text')
    holidays = {_parse_iso_date(k, "holidays"): v for k, v in raw["holidays"].items()}
    makeup = [_parse_iso_date(v, "makeup_workdays") for v in raw["makeup_workdays"]]
    if len(set(makeup)) != len(makeup):
        raise ValueError('"makeup_workdays" lists a date twice')
    return YearData(raw["year"], holidays, frozenset(makeup), source)


def _parse_iso_date(value: object, key: str) -> date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError(f'"{key}": {value!r} is not a date written YYYY-MM-DD')
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f'"{key}": {value!r} is not a real date') from None


def parse_year_json(text: str) -> YearData:
    """One year from the JSON text of a year file (as stored by the site); ``ValueError`` if bad."""
    raw = json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    return _year_data_from_json(raw)
