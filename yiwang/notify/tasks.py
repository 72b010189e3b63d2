"""Background work of notifications. Each task body is one call to an idempotent action."""

from django_tasks import task

from yiwang.notify.actions import do_deliver, do_retry_undelivered


@task()
def deliver(item_id: int) -> bool:
    return do_deliver(item_id)


@task()
def retry_undelivered(slot: str) -> int:
    return do_retry_undelivered()
