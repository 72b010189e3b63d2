"""Reminders of the annual report's deadlines: departments send their report for the previous
year to their government by 31 January, governments publish theirs by 31 March. In January and
again in February–March, the heads of the disclosure office of every body whose report for the
previous year is not final get one e-mail per stage; the outbox key makes it exactly once, so
the job may run every day (and run again after a crash) without repeating itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from yiwang.accounts.models import User
from yiwang.disclosure.models import AnnualReport, ReportState
from yiwang.notify.actions import queue_email_to_staff


@dataclass(frozen=True)
class Stage:
    name: str
    months: tuple[int, ...]
    deadline_month: int
    deadline_day: int
    text: Promise


STAGES = (
    Stage(
        "departments",
        (1,),
        1,
        31,
        gettext_lazy(
            "The %(year)s annual report on government information disclosure of %(body)s is "
            "not final yet. Departments send their report to their government by %(deadline)s."
        ),
    ),
    Stage(
        "publication",
        (2, 3),
        3,
        31,
        gettext_lazy(
            "The %(year)s annual report on government information disclosure of %(body)s is "
            "not final yet. Governments publish their annual reports by %(deadline)s."
        ),
    ),
)


def stage_on(today: dt.date) -> Stage | None:
    return next((stage for stage in STAGES if today.month in stage.months), None)


def disclosure_heads() -> QuerySet[User]:
    """Active staff of a body who may approve its disclosure (the heads of the office)."""
    approve = Permission.objects.filter(
        codename="approve_disclosure", content_type__app_label="accounts"
    )
    may_approve = Q(groups__permissions__in=approve) | Q(user_permissions__in=approve)
    return (
        User.objects.filter(may_approve, is_active=True, department__isnull=False)
        .select_related("department")
        .distinct()
    )


def do_remind_annual_reports(today: dt.date | None = None) -> int:
    """E-mail the heads of every body whose report for last year is not final, once per
    stage; returns how many e-mails were queued by this call."""
    today = today or timezone.localdate()
    stage = stage_on(today)
    if stage is None:
        return 0
    year = today.year - 1
    final = AnnualReport.objects.filter(year=year, state=ReportState.FINAL).values("body_id")
    queued = 0
    for head in disclosure_heads().exclude(department_id__in=final).order_by("pk"):
        queued += _remind(head, stage, year, today)
    return queued


def _remind(head: User, stage: Stage, year: int, today: dt.date) -> bool:
    assert head.department is not None
    deadline = dt.date(today.year, stage.deadline_month, stage.deadline_day)
    with translation.override(settings.LANGUAGE_CODE):
        link = settings.YIWANG_SITE_URL + reverse("disclosure_staff:report", args=[year])
        names = {"year": year, "body": head.department.name_zh, "deadline": deadline.isoformat()}
        subject = _("The %(year)s annual report on disclosure is due by %(deadline)s") % names
        body = "\n\n".join(
            (
                str(stage.text) % names,
                _("Complete it and make it final at %(link)s") % {"link": link},
            )
        )
    key = f"annual-report:{head.department_id}:{year}:{stage.name}:{head.pk}"
    return queue_email_to_staff(head, key, subject, body)


@task()
def remind_annual_reports(slot: str) -> int:
    return do_remind_annual_reports(timezone.localdate(dt.datetime.fromisoformat(slot)))
