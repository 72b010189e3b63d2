"""Reminders before an information request's deadline, and the escalation once it passed.

Every working morning: the body's disclosure office is e-mailed 5 and 2 counted working days
before the answer is due (``RequestClock.remind_on``), and the heads of the office on the first
working day it is overdue. Each e-mail has a key (request, deadline, day, person), so a job
that runs twice sends nothing twice, and an extension or a correction — a new deadline — starts
a new round."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from yiwang.accounts.models import User
from yiwang.casework.deadlines import site_calendar
from yiwang.disclosure.models import InformationRequest, RequestState
from yiwang.disclosure.request_actions import clock_of
from yiwang.lib.workdays import CalendarYearMissing
from yiwang.notify.actions import queue_email_to_staff

OFFICE = ("disclosure_officer", "disclosure_head")


def _people(body_id: int, roles: tuple[str, ...]) -> QuerySet[User]:
    users = User.objects.filter(is_active=True, department_id=body_id, groups__name__in=roles)
    return users.distinct()


def do_remind_requests(today: dt.date | None = None) -> int:
    """E-mail what is due today; the number of e-mails queued (new ones only)."""
    today = today or timezone.localdate()
    calendar, sent = site_calendar(), 0
    running = InformationRequest.objects.filter(state=RequestState.RUNNING).select_related("body")
    for request in running.prefetch_related("pauses"):
        try:
            clock = clock_of(request, calendar)
            if clock is None:
                continue
            deadline = clock.deadline(today)
            if deadline is None:
                continue
            overdue = clock.is_overdue(today) and clock.working_days_left(today) == -1
            due_soon = today in clock.remind_on(today)
        except CalendarYearMissing:
            continue  # the office's list says the year is missing
        if due_soon:
            sent += _send(request, deadline, today, OFFICE, overdue=False)
        elif overdue:
            sent += _send(request, deadline, today, ("disclosure_head",), overdue=True)
    return sent


def _send(
    request: InformationRequest,
    deadline: dt.date,
    today: dt.date,
    roles: tuple[str, ...],
    *,
    overdue: bool,
) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        values = {"number": request.number, "deadline": deadline.isoformat()}
        if overdue:
            subject = _("Overdue: information request %(number)s was due %(deadline)s") % values
        else:
            subject = _("Reminder: information request %(number)s is due %(deadline)s") % values
        link = f"{settings.YIWANG_SITE_URL}/staff/disclosure/requests/{request.pk}/"
    sent = 0
    for person in _people(request.body_id, roles):
        key = f"disclosure-request:{request.pk}:{deadline}:{today}:{person.pk}"
        sent += queue_email_to_staff(person, key, subject, f"{subject}\n\n{link}\n")
    return sent


@task()
def remind_requests(slot: str) -> int:
    return do_remind_requests()
