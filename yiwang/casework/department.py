"""A department's open cases against their deadlines (a few aggregate queries)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from yiwang.casework.deadlines import CalendarYearMissing, site_calendar
from yiwang.intake.models import Message, MessageEvent, MessageState

OPEN_STATES = (MessageState.FORWARDED, MessageState.ACCEPTED)


@dataclass(frozen=True)
class DepartmentDesk:
    open_cases: int
    due_soon: int  # due today or on the next working day
    overdue: int
    by_officer: list[tuple[str, int]]
    cases: QuerySet[Message]


def open_cases(department_id: int) -> QuerySet[Message]:
    return Message.objects.filter(lead_department_id=department_id, state__in=OPEN_STATES)


def department_desk(department_id: int, today: dt.date) -> DepartmentDesk:
    cases = open_cases(department_id)
    try:
        soon = site_calendar().next_workday(today + dt.timedelta(days=1))
    except CalendarYearMissing:
        soon = today + dt.timedelta(days=1)
    counts = cases.aggregate(
        total=Count("id"),
        due_soon=Count("id", filter=Q(deadline__gte=today, deadline__lte=soon)),
        overdue=Count("id", filter=Q(deadline__lt=today)),
    )
    officers = (
        MessageEvent.objects.filter(action="accept", message__in=cases.filter(state="accepted"))
        .values("actor__username", "actor__display_name")
        .annotate(cases=Count("message", distinct=True))
        .order_by("-cases")
    )
    by_officer = [
        (row["actor__display_name"] or row["actor__username"], row["cases"]) for row in officers
    ]
    listed = cases.select_related("region").order_by("deadline", "submitted_at")
    return DepartmentDesk(
        counts["total"], counts["due_soon"], counts["overdue"], by_officer, listed
    )
