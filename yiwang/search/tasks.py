"""Background work of search. Each task body is one call to an idempotent action."""

from django_tasks import task

from yiwang.search.actions import do_refresh_statistics
from yiwang.search.kinds import KINDS


@task()
def refresh_statistics(slot: str) -> int:
    """Recount the term statistics of every kind; how many documents were counted."""
    return sum(do_refresh_statistics(kind) for kind in KINDS)
