"""The query parameters of the read endpoints, checked once: dates, lists, status, pages."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.open311.web import Call, Open311Error

MAX_SPAN = dt.timedelta(days=90)
LIMIT = 1_000
MAX_IDS = 200
STATUSES = ("open", "closed")
# An unencoded "+" in a query string arrives as a space: "…T09:00:00 08:00" meant "+08:00".
_SPACED_OFFSET = re.compile(r" (\d{2}:?\d{2})$")


@dataclass(frozen=True)
class Window:
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class RequestFilter:
    ids: tuple[str, ...]  # when given, every other filter is ignored (spec)
    codes: tuple[str, ...]
    window: Window | None  # None with ids
    statuses: tuple[str, ...]
    page: int
    page_size: int


def _datetime(call: Call, name: str) -> dt.datetime | None:
    raw = _SPACED_OFFSET.sub(r"+\1", call.param(name))
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise Open311Error(
            400,
            f"{name}: "
            + _("Give a W3C date and time with its time zone, e.g. 2026-01-04T09:12:00+08:00."),
        )
    return value


def window(call: Call) -> Window:
    """``start_date``–``end_date``: at most 90 days; one end given, the other is 90 days off;
    neither, the last 90 days."""
    start, end = _datetime(call, "start_date"), _datetime(call, "end_date")
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        assert end is not None
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    if end < start:
        raise Open311Error(400, "end_date: " + _("The end date is before the start date."))
    if end - start > MAX_SPAN:
        raise Open311Error(400, "end_date: " + _("Ask for at most 90 days at a time."))
    return Window(start, end)


def _listed(call: Call, name: str, limit: int = MAX_IDS) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(p.strip() for p in call.param(name).split(",") if p.strip()))
    if len(items) > limit:
        raise Open311Error(400, f"{name}: " + _("At most %(count)d values.") % {"count": limit})
    return items


def _statuses(call: Call) -> tuple[str, ...]:
    statuses = _listed(call, "status")
    if any(status not in STATUSES for status in statuses):
        raise Open311Error(400, "status: " + _("Use open, closed or both (comma-separated)."))
    return statuses


def _whole(call: Call, name: str, default: int, maximum: int) -> int:
    raw = call.param(name)
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise Open311Error(
            400, f"{name}: " + _("Give a whole number from 1 to %(max)d.") % {"max": maximum}
        )
    return int(raw)


def request_filter(call: Call) -> RequestFilter:
    ids = _listed(call, "service_request_id")
    if ids:
        return RequestFilter(ids, (), None, (), 1, LIMIT)
    return RequestFilter(
        ids=(),
        codes=_listed(call, "service_code"),
        window=window(call),
        statuses=_statuses(call),
        page=_whole(call, "page", 1, 1_000_000),
        page_size=_whole(call, "page_size", LIMIT, LIMIT),
    )
