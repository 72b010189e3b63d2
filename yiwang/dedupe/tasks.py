"""Background work of near-duplicate detection. Each task body is one call to an action."""

from __future__ import annotations

from django_tasks import task

from yiwang.dedupe.actions import do_find_duplicates, do_find_duplicates_many


@task()
def find_duplicates(message_id: int) -> None:
    do_find_duplicates(message_id)


@task()
def find_duplicates_many(message_ids: list[int]) -> None:
    """After an import: the duplicate check of each of its messages, in one batch."""
    do_find_duplicates_many(message_ids)
