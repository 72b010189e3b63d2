"""Enqueue periodic jobs at cron times, each (job, slot) exactly once across restarts.

APScheduler's CronTrigger only does the calendar arithmetic; the unique ``JobRun`` row is what
guarantees once-only, so two schedulers running by mistake still cannot double a slot.
"""

from __future__ import annotations

import datetime as dt
import logging

from apscheduler.triggers.cron import CronTrigger
from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.jobs.models import JobRun
from yiwang.jobs.registry import JOBS, PeriodicJob, task_for
from yiwang.queue import enqueue_with_transaction

log = logging.getLogger(__name__)
MAX_SLOTS_PER_PASS = 500


def slots_between(cron: str, after: dt.datetime, until: dt.datetime) -> list[dt.datetime]:
    """Cron fire times t with after < t <= until (at most MAX_SLOTS_PER_PASS of them)."""
    trigger = CronTrigger.from_crontab(cron, timezone=timezone.get_current_timezone())
    slots: list[dt.datetime] = []
    previous: dt.datetime | None = after
    current = after + dt.timedelta(microseconds=1)
    while len(slots) < MAX_SLOTS_PER_PASS:
        fire = trigger.get_next_fire_time(previous, current)
        if fire is None or fire > until:
            break
        if fire > after:
            slots.append(fire)
        previous = fire
        current = fire + dt.timedelta(seconds=1)
    return slots


def _last_slot(job: PeriodicJob) -> dt.datetime | None:
    last = JobRun.objects.filter(job=job.name).order_by("-slot").values_list("slot", flat=True)
    return last.first()


def do_schedule_due_jobs(now: dt.datetime | None = None) -> list[tuple[str, dt.datetime]]:
    """Record and enqueue every due slot; returns the (job, slot) pairs enqueued by this call."""
    now = now or timezone.now()
    enqueued: list[tuple[str, dt.datetime]] = []
    for job in JOBS:
        last = _last_slot(job)
        if last is None:
            # A job never seen before starts now: a new site does not replay the past. The
            # unrun row marks where it started, so the next pass finds the slots due since.
            _claim(job, now, run_it=False)
            continue
        slots = slots_between(job.cron, last, now)
        for index, slot in enumerate(slots):
            run_it = job.catch_up or index == len(slots) - 1
            if _claim(job, slot, run_it) and run_it:
                enqueued.append((job.name, slot))
    return enqueued


def _claim(job: PeriodicJob, slot: dt.datetime, run_it: bool) -> bool:
    try:
        with transaction.atomic():
            JobRun.objects.create(job=job.name, slot=slot, enqueued=run_it)
            if run_it:
                enqueue_with_transaction(task_for(job), slot.isoformat())
    except IntegrityError:
        log.info("slot %s of %s was already claimed", slot, job.name)
        return False
    return True
