"""Response, resolution and satisfaction rates per department and month (supervisor's page).

- 响应率 response rate: forwardings signed for within the response time ÷ forwardings.
- 解决率 resolution rate: cases closed without re-handling ÷ cases closed.
- 满意率 satisfaction rate: ratings 1–3 (very satisfied, satisfied, fairly satisfied) ÷ ratings;
  a rating a supervisor excluded on the department's appeal does not count.
Months are local (``TIME_ZONE``); each figure is one grouped query, whatever the data's size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from yiwang.casework.models import Assignment, Rating, Score
from yiwang.intake.models import MessageEvent
from yiwang.orgs.models import Department


@dataclass
class DepartmentRates:
    department: Department
    forwarded: int = 0
    responded: int = 0
    closed: int = 0
    resolved: int = 0
    ratings: int = 0
    satisfied: int = 0
    rates: dict[str, float | None] = field(default_factory=dict)

    def finish(self) -> DepartmentRates:
        self.rates = {
            "response": _rate(self.responded, self.forwarded),
            "resolution": _rate(self.resolved, self.closed),
            "satisfaction": _rate(self.satisfied, self.ratings),
        }
        return self


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local month holding ``month`` as an aware [start, end) range."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(first, dt.time(), tzinfo=zone),
        dt.datetime.combine(following, dt.time(), tzinfo=zone),
    )


def department_rates(month: dt.date) -> list[DepartmentRates]:
    start, end = month_bounds(month)
    rows: dict[int, DepartmentRates] = {}

    def row(department_id: int) -> DepartmentRates:
        return rows.setdefault(department_id, DepartmentRates(Department(pk=department_id)))

    for dept, forwarded, responded in _responses(start, end):
        row(dept).forwarded, row(dept).responded = forwarded, responded
    for dept, closed, resolved in _resolutions(start, end):
        row(dept).closed, row(dept).resolved = closed, resolved
    for dept, ratings, satisfied in _satisfaction(start, end):
        row(dept).ratings, row(dept).satisfied = ratings, satisfied
    names = Department.objects.in_bulk(list(rows))
    for department_id, entry in rows.items():
        entry.department = names[department_id]
    return sorted((r.finish() for r in rows.values()), key=lambda r: r.department.short_code)


def _responses(start: dt.datetime, end: dt.datetime) -> list[tuple[int, int, int]]:
    limit = dt.timedelta(hours=settings.YIWANG_RESPONSE_HOURS)
    waited = ExpressionWrapper(F("accepted_at") - F("forwarded_at"), output_field=DurationField())
    rows = (
        Assignment.objects.filter(forwarded_at__gte=start, forwarded_at__lt=end)
        .annotate(waited=waited)
        .values("department")
        .annotate(total=Count("id"), in_time=Count("id", filter=Q(waited__lte=limit)))
        .values_list("department", "total", "in_time")
    )
    return list(rows)


def _resolutions(start: dt.datetime, end: dt.datetime) -> list[tuple[int, int, int]]:
    closings = MessageEvent.objects.filter(
        action="close", at__gte=start, at__lt=end, message__lead_department__isnull=False
    )
    rows = (
        closings.values("message__lead_department")
        .annotate(
            closed=Count("message", distinct=True),
            rehandled=Count("message", distinct=True, filter=Q(message__rehandlings__isnull=False)),
        )
        .values_list("message__lead_department", "closed", "rehandled")
    )
    return [(dept, closed, closed - rehandled) for dept, closed, rehandled in rows]


def _satisfaction(start: dt.datetime, end: dt.datetime) -> list[tuple[int, int, int]]:
    rows = (
        Rating.objects.filter(
            created_at__gte=start, created_at__lt=end, excluded=False, department__isnull=False
        )
        .values("department")
        .annotate(
            total=Count("id"), satisfied=Count("id", filter=Q(score__lte=Score.FAIRLY_SATISFIED))
        )
        .values_list("department", "total", "satisfied")
    )
    return list(rows)
