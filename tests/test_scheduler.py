"""Periodic jobs: each (job, slot) is enqueued exactly once, and the queue is kept clean."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from yiwang.jobs import scheduler
from yiwang.jobs.actions import do_prune_finished_tasks, do_requeue_stale_tasks
from yiwang.jobs.management.commands import run_scheduler
from yiwang.jobs.models import JobRun
from yiwang.jobs.registry import JOBS, PeriodicJob
from yiwang.jobs.scheduler import do_schedule_due_jobs, slots_between
from yiwang.jobs.tasks import prune_finished_tasks, sweep_stale_tasks

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 3, 2, 10, 1, 30, tzinfo=SHANGHAI)
SWEEP = "sweep_stale_tasks"
CaptureCallbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]

RAN: list[str] = []


@task()
def record_slot(slot: str) -> str:
    """A catch-up test job: it notes every slot it is run for."""
    RAN.append(slot)
    return slot


CATCH_UP_JOB = PeriodicJob(
    "test_catch_up", "*/10 * * * *", f"{__name__}.record_slot", catch_up=True
)


HOUSEKEEPING = tuple(job for job in JOBS if job.name in (SWEEP, "prune_finished_tasks"))


@pytest.fixture(autouse=True)
def _housekeeping_jobs_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests follow the two housekeeping jobs; the other jobs have tests of their own."""
    monkeypatch.setattr(scheduler, "JOBS", HOUSEKEEPING)


@pytest.fixture
def catch_up_job(monkeypatch: pytest.MonkeyPatch) -> Iterator[PeriodicJob]:
    monkeypatch.setattr(scheduler, "JOBS", (CATCH_UP_JOB,))
    RAN.clear()
    yield CATCH_UP_JOB
    RAN.clear()


def at(minutes: float) -> dt.datetime:
    return START + dt.timedelta(minutes=minutes)


def local(hour: int, minute: int, day: int = 2) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def runs(job: str) -> list[tuple[dt.datetime, bool]]:
    return [(r.slot, r.enqueued) for r in JobRun.objects.filter(job=job).order_by("slot")]


def run_pass(capture: CaptureCallbacks, now: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """One scheduler pass whose enqueued work actually runs (the immediate backend)."""
    with capture(execute=True):
        return do_schedule_due_jobs(now=now)


# --- calendar arithmetic -----------------------------------------------------------------------


def test_slots_between_lists_the_fire_times_after_the_start_up_to_the_end() -> None:
    slots = slots_between("*/5 * * * *", local(10, 0), local(10, 20))
    assert slots == [local(10, 5), local(10, 10), local(10, 15), local(10, 20)]


def test_a_daily_cron_fires_once_across_midnight_in_shanghai() -> None:
    slots = slots_between("0 0 * * *", local(23, 50, day=2), local(0, 10, day=3))
    assert slots == [local(0, 0, day=3)]
    assert slots[0] == dt.datetime(2026, 3, 2, 16, 0, tzinfo=dt.UTC)


def test_a_daily_cron_uses_the_local_clock_over_several_days() -> None:
    after = dt.datetime(2026, 3, 1, 15, 0, tzinfo=dt.UTC)  # 23:00 in Shanghai
    slots = slots_between("30 3 * * *", after, local(4, 0, day=4))
    assert slots == [local(3, 30, day=2), local(3, 30, day=3), local(3, 30, day=4)]
    assert {slot.astimezone(dt.UTC).hour for slot in slots} == {19}


def test_a_slot_at_the_start_is_not_repeated() -> None:
    assert slots_between("*/5 * * * *", local(10, 5), local(10, 9)) == []


# --- the scheduler pass ------------------------------------------------------------------------


def test_the_first_pass_enqueues_nothing_and_replays_no_past(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    assert run_pass(django_capture_on_commit_callbacks, START) == []
    assert not JobRun.objects.filter(enqueued=True).exists()
    assert not JobRun.objects.filter(slot__lt=START).exists()
    assert runs(SWEEP) == [(START, False)]


def test_after_twelve_minutes_the_sweep_runs_once_for_the_latest_slot(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    run_pass(django_capture_on_commit_callbacks, START)
    enqueued = run_pass(django_capture_on_commit_callbacks, at(12))
    assert enqueued == [(SWEEP, local(10, 10))]
    assert runs(SWEEP) == [(START, False), (local(10, 5), False), (local(10, 10), True)]
    assert not JobRun.objects.filter(job="prune_finished_tasks", enqueued=True).exists()


def test_the_sweep_task_really_runs_when_enqueued(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    stale = make_result(TaskResultStatus.RUNNING, started=timezone.now() - dt.timedelta(hours=2))
    run_pass(django_capture_on_commit_callbacks, START)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        do_schedule_due_jobs(now=at(12))
    assert len(callbacks) == 1
    stale.refresh_from_db()
    assert stale.status == TaskResultStatus.READY


def test_a_second_pass_for_the_same_time_enqueues_nothing(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    run_pass(django_capture_on_commit_callbacks, START)
    assert run_pass(django_capture_on_commit_callbacks, at(12)) == [(SWEEP, local(10, 10))]
    before = runs(SWEEP)
    assert run_pass(django_capture_on_commit_callbacks, at(12)) == []
    assert run_pass(django_capture_on_commit_callbacks, at(13)) == []  # 10:14:30
    assert runs(SWEEP) == before


def test_two_schedulers_racing_never_double_a_slot(
    django_capture_on_commit_callbacks: CaptureCallbacks, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_pass(django_capture_on_commit_callbacks, START)
    started = {job.name: JobRun.objects.get(job=job.name).slot for job in HOUSEKEEPING}
    # Both schedulers read "the last slot" before either writes: the second one sees the stale
    # value and tries to claim the very same slots.
    monkeypatch.setattr(scheduler, "_last_slot", lambda job: started[job.name])
    with django_capture_on_commit_callbacks(execute=True) as first_callbacks:
        first = do_schedule_due_jobs(now=at(12))
    with django_capture_on_commit_callbacks(execute=True) as second_callbacks:
        second = do_schedule_due_jobs(now=at(12))
    assert first == [(SWEEP, local(10, 10))]
    assert second == []
    assert (len(first_callbacks), len(second_callbacks)) == (1, 0)
    assert JobRun.objects.filter(job=SWEEP).count() == 3
    later = do_schedule_due_jobs(now=at(16))  # a late racer still gets only the new slot
    assert later == [(SWEEP, local(10, 15))]


def test_a_catch_up_job_runs_every_missed_slot_exactly_once_after_a_restart(
    catch_up_job: PeriodicJob, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    run_pass(django_capture_on_commit_callbacks, START)
    assert RAN == []
    # The scheduler was down from 10:01 to 11:05; on restart it catches up.
    enqueued = run_pass(django_capture_on_commit_callbacks, local(11, 5))
    expected = [local(10, m) for m in (10, 20, 30, 40, 50)] + [local(11, 0)]
    assert enqueued == [(catch_up_job.name, slot) for slot in expected]
    assert [slot.isoformat() for slot in expected] == RAN
    assert run_pass(django_capture_on_commit_callbacks, local(11, 5)) == []
    run_pass(django_capture_on_commit_callbacks, local(11, 25))
    assert sorted(RAN) == sorted({*RAN})
    assert len(RAN) == 8
    assert all(enqueued for _slot, enqueued in runs(catch_up_job.name)[1:])


def test_a_pass_uses_the_clock_when_no_time_is_given(
    catch_up_job: PeriodicJob, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    with time_machine.travel(START, tick=False):
        assert run_pass(django_capture_on_commit_callbacks, timezone.now()) == []
    with (
        time_machine.travel(local(10, 21), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        enqueued = do_schedule_due_jobs()
    assert [slot for _job, slot in enqueued] == [local(10, 10), local(10, 20)]


def test_run_scheduler_once_runs_one_pass_and_exits(
    django_capture_on_commit_callbacks: CaptureCallbacks, monkeypatch: pytest.MonkeyPatch
) -> None:
    # close_old_connections() closes a connection that is inside a transaction, as the test's
    # is: on PostgreSQL that would end the test's connection.
    monkeypatch.setattr(run_scheduler, "close_old_connections", lambda: None)
    out = io.StringIO()
    with time_machine.travel(START, tick=False):
        call_command("run_scheduler", "--once", stdout=out)
    assert out.getvalue().splitlines() == ["scheduler started", "scheduler stopped"]
    assert JobRun.objects.count() == len(HOUSEKEEPING)
    out = io.StringIO()
    with time_machine.travel(at(5), tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduler", "--once", stdout=out)
    assert f"enqueued {SWEEP} for {local(10, 5).isoformat()}" in out.getvalue()


# --- keeping the queue clean -------------------------------------------------------------------


def make_result(
    status: TaskResultStatus,
    *,
    started: dt.datetime | None = None,
    finished: dt.datetime | None = None,
) -> DBTaskResult[Any, Any]:
    now = timezone.now()
    result: DBTaskResult[Any, Any] = DBTaskResult.objects.create(
        status=status,
        task_path="yiwang.jobs.tasks.sweep_stale_tasks",
        args_kwargs={"args": ["2026-03-02T10:05:00+08:00"], "kwargs": {}},
        backend_name="default",
        queue_name="default",
        run_after=now,
        started_at=started,
        finished_at=finished,
    )
    return result


def test_the_sweep_puts_only_a_stale_running_task_back_in_the_queue() -> None:
    now = timezone.now()
    stale = make_result(TaskResultStatus.RUNNING, started=now - dt.timedelta(hours=2))
    busy = make_result(TaskResultStatus.RUNNING, started=now - dt.timedelta(minutes=1))
    waiting = make_result(TaskResultStatus.READY)
    done = make_result(
        TaskResultStatus.SUCCESSFUL, started=now - dt.timedelta(hours=3), finished=now
    )
    assert do_requeue_stale_tasks(now=now) == 1
    for result in (stale, busy, waiting, done):
        result.refresh_from_db()
    assert (stale.status, stale.started_at) == (TaskResultStatus.READY, None)
    assert busy.status == TaskResultStatus.RUNNING
    assert waiting.status == TaskResultStatus.READY
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert do_requeue_stale_tasks(now=now) == 0


def test_the_sweep_task_reads_the_clock_at_run_time() -> None:
    started = timezone.now()
    task_result = make_result(TaskResultStatus.RUNNING, started=started)
    assert sweep_stale_tasks.enqueue("2026-03-02T10:05:00+08:00").return_value == 0
    with time_machine.travel(started + dt.timedelta(hours=1), tick=False):
        assert sweep_stale_tasks.enqueue("2026-03-02T11:05:00+08:00").return_value == 1
    task_result.refresh_from_db()
    assert task_result.status == TaskResultStatus.READY


def test_pruning_deletes_only_finished_tasks_older_than_fourteen_days() -> None:
    now = timezone.now()
    old, recent = now - dt.timedelta(days=15), now - dt.timedelta(days=13)
    old_success = make_result(TaskResultStatus.SUCCESSFUL, started=old, finished=old)
    old_failure = make_result(TaskResultStatus.FAILED, started=old, finished=old)
    recent_success = make_result(TaskResultStatus.SUCCESSFUL, started=recent, finished=recent)
    old_running = make_result(TaskResultStatus.RUNNING, started=old)
    old_ready = make_result(TaskResultStatus.READY)
    DBTaskResult.objects.filter(pk=old_ready.pk).update(enqueued_at=old, run_after=old)
    assert do_prune_finished_tasks(now=now) == 2
    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert left == {recent_success.pk, old_running.pk, old_ready.pk}
    assert old_success.pk not in left
    assert old_failure.pk not in left
    assert prune_finished_tasks.enqueue("2026-03-02T03:30:00+08:00").return_value == 0
