"""Background work of casework. Each task body is one call to an idempotent action."""

from django_tasks import task

from yiwang.casework.supervision import do_supervise


@task()
def supervise_deadlines(slot: str) -> int:
    return do_supervise()
