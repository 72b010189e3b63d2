"""Housekeeping of the task queue."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

# A task still RUNNING this long after it started belongs to a worker that died (our tasks
# take seconds); django-tasks-db never retries it, so the sweep puts it back in the queue.
STALE_AFTER = dt.timedelta(minutes=getattr(settings, "YIWANG_TASK_STALE_MINUTES", 30))
KEEP_FINISHED = dt.timedelta(days=14)


def do_requeue_stale_tasks(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - STALE_AFTER
    ).update(status=TaskResultStatus.READY, started_at=None)


def do_prune_finished_tasks(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    deleted, _ = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
        finished_at__lt=now - KEEP_FINISHED,
    ).delete()
    return deleted
