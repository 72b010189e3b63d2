"""Work that follows an import or a gateway message, wired in one place.

Imports submit with ``suggest_later`` and ask the classifier for the whole batch at once. The
classifier's batch task may not exist in every installation (or yet): then there is nothing
to suggest with, and nothing is enqueued.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.db import transaction


def _suggest_many_task() -> Any | None:
    try:
        module = importlib.import_module("yiwang.classifier.tasks")
    except ImportError:
        return None
    return getattr(module, "suggest_many", None)


def enqueue_suggestions(message_ids: list[int]) -> None:
    """After the batch commits: the classifier's suggestions for these new messages."""
    task = _suggest_many_task()
    if task is None or not message_ids:
        return
    ids = list(message_ids)
    transaction.on_commit(lambda: task.enqueue(ids))
