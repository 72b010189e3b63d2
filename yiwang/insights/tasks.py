"""Background work of insights. Each task body is one call to an action."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from yiwang.insights.actions import do_compute_topics


@task()
def compute_topics(slot: str) -> None:
    """Hourly: the day's topics so far; the first run of a day also completes yesterday's, so
    the morning briefing reads a finished day."""
    at = timezone.localtime(dt.datetime.fromisoformat(slot))
    if at.hour == 0:
        do_compute_topics(at.date() - dt.timedelta(days=1))
    do_compute_topics(at.date())
