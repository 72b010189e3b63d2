"""Enqueue follow-up work so that it exists exactly when the data it is about exists.

With the database task backend on the same database, the task row is written inside the
caller's transaction: it commits with the data or not at all, a worker cannot see it before
the data, and a process dying right after the commit cannot lose it. Any other backend
(Redis, RabbitMQ, the immediate backend of the tests) gets the task after the commit, since
it cannot take part in the transaction. See docs/decisions/0004-enqueue-in-the-transaction.md.
"""

from __future__ import annotations

from typing import ParamSpec, TypeVar

from django.db import transaction
from django_tasks import task_backends
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend

P = ParamSpec("P")
T = TypeVar("T")


def enqueue_with_transaction(task: Task[P, T], *args: P.args, **kwargs: P.kwargs) -> None:
    backend = task_backends[task.backend]
    if isinstance(backend, DatabaseBackend) and transaction.get_connection().in_atomic_block:
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs))
