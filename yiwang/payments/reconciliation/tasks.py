"""Background work of reconciliation. Each task body is one call to an idempotent action."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from yiwang.payments.reconciliation import actions


@task()
def reconcile_yesterday(slot: str) -> int:
    """Reconcile the day before the slot (site time zone) for every enabled provider; a day
    already done is skipped, so a repeated slot changes nothing."""
    day = timezone.localtime(dt.datetime.fromisoformat(slot)).date() - dt.timedelta(days=1)
    return actions.do_reconcile_day(day)


@task()
def reconcile_day(provider_name: str, day: str) -> int | None:
    """The finance page's "run this day again"."""
    return actions.do_run_day(provider_name, dt.date.fromisoformat(day))
