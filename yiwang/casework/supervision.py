"""Supervision of open cases: a reminder before the reply is due (催办), escalation once it is
overdue (督办).

A periodic job looks at every forwarded or signed-for case due by the next working day. Each
case is handled in its own transaction under the case's row lock: the in-app notices (a unique
row per case, stage, deadline and person), the e-mails in the outbox and a line in the history
commit together or not at all. A job that dies halfway leaves some cases done and the rest
untouched, and the next run does exactly the rest: each notice once, never zero or twice.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.casework.deadlines import CalendarYearMissing, site_calendar
from yiwang.casework.department import OPEN_STATES
from yiwang.intake.models import EventKind, Message, MessageEvent
from yiwang.notify.actions import queue_email_to_staff
from yiwang.notify.models import Notice, NoticeStage


def due_soon_limit(today: dt.date) -> dt.date:
    """The last deadline that counts as due soon: the next working day."""
    try:
        return site_calendar().next_workday(today + dt.timedelta(days=1))
    except CalendarYearMissing:
        return today + dt.timedelta(days=1)


def stage_for(deadline: dt.date, today: dt.date) -> NoticeStage | None:
    if deadline < today:
        return NoticeStage.OVERDUE
    if deadline <= due_soon_limit(today):
        return NoticeStage.DUE_SOON
    return None


def recipients(message: Message, stage: NoticeStage) -> QuerySet[User]:
    """Who is told: the lead department's handlers before the deadline; its heads and the desk
    supervisors after it."""
    active = User.objects.filter(is_active=True)
    lead = message.lead_department_id or 0
    if stage is NoticeStage.DUE_SOON:
        handlers = Q(groups__name__in=["dept_officer", "dept_head"])
        return active.filter(handlers, department_id=lead).distinct()
    heads = Q(groups__name="dept_head", department_id=lead)
    return active.filter(heads | Q(groups__name="desk_supervisor")).distinct()


def do_supervise(now: dt.datetime | None = None) -> int:
    """Send the notices due now; returns how many cases got a new notice."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = Message.objects.filter(
        state__in=OPEN_STATES, deadline__lte=due_soon_limit(today)
    ).values_list("pk", "deadline")
    done = {
        (message_id, stage, deadline)
        for message_id, stage, deadline in Notice.objects.filter(
            message__state__in=OPEN_STATES, deadline__lte=due_soon_limit(today)
        ).values_list("message_id", "stage", "deadline")
    }
    handled = 0
    for message_id, deadline in due.iterator():
        stage = stage_for(deadline, today) if deadline is not None else None
        if stage is not None and (message_id, stage, deadline) not in done:
            handled += notify_case(message_id, today)
    return handled


def notify_case(message_id: int, today: dt.date) -> int:
    """Notify everyone concerned about one case at its current stage, once; 1 if notified."""
    with transaction.atomic():
        # Locked: two passes (a rerun after a crash, a second scheduler started by mistake)
        # would both find no notice for the case and both send one.
        message = (
            Message.objects.select_for_update()
            .filter(pk=message_id, state__in=OPEN_STATES, deadline__isnull=False)
            .first()
        )
        if message is None or message.deadline is None:
            return 0
        stage = stage_for(message.deadline, today)
        notices = Notice.objects.filter(message=message, deadline=message.deadline)
        if stage is None or notices.filter(stage=stage).exists():
            return 0
        people = list(recipients(message, stage))
        now = timezone.now()
        Notice.objects.bulk_create(
            Notice(
                recipient=u, message=message, stage=stage, deadline=message.deadline, created_at=now
            )
            for u in people
        )
        _email(message, stage, people)
        MessageEvent.objects.create(
            message=message,
            at=now,
            kind=EventKind.SUPERVISION,
            note=_("%(stage)s: %(count)d people notified.")
            % {"stage": stage.label, "count": len(people)},
        )
    return 1


def _email(message: Message, stage: NoticeStage, people: list[User]) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "message": message,
            "stage": stage.label,
            "link": f"{settings.YIWANG_SITE_URL}/staff/messages/{message.tracking_number}/",
        }
        subject = _("%(stage)s: %(number)s (due %(deadline)s)") % {
            "stage": stage.label,
            "number": message.tracking_number,
            "deadline": message.deadline,
        }
        body = render_to_string("casework/supervision_email.txt", context)
    for person in people:
        key = f"notice:{message.pk}:{stage}:{message.deadline}:{person.pk}"
        queue_email_to_staff(person, key, subject, body)
