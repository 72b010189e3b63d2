"""Periodic housekeeping tasks; each takes its slot and is safe to run twice."""

from django_tasks import task

from yiwang.jobs.actions import do_prune_finished_tasks, do_requeue_stale_tasks


@task()
def sweep_stale_tasks(slot: str) -> int:
    return do_requeue_stale_tasks()


@task()
def prune_finished_tasks(slot: str) -> int:
    return do_prune_finished_tasks()
