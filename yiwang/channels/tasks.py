"""Background work of the channels. Each task body is one call to an idempotent action."""

from django_tasks import task

from yiwang.channels.actions import do_prune_rejections
from yiwang.channels.imports.runner import do_run_import


@task()
def run_import(run_id: int) -> None:
    do_run_import(run_id)


@task()
def prune_rejections(slot: str) -> int:
    """Daily: forget refused hall references past their retention."""
    return do_prune_rejections()
