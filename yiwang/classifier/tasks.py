"""Background work of the classifier. Each task body is one call to an idempotent action."""

from __future__ import annotations

import logging

from django_tasks import task

from yiwang.classifier.learning import do_retrain, due_for_retraining
from yiwang.classifier.models import Target
from yiwang.classifier.suggest import do_suggest

log = logging.getLogger(__name__)


@task()
def suggest(message_id: int) -> None:
    """Right after intake: the message's category and lead-department suggestions."""
    do_suggest([message_id])


@task()
def suggest_many(message_ids: list[int]) -> None:
    """After an import: suggestions for every new message of it, in one batch."""
    do_suggest(message_ids)


@task()
def retrain(target: str) -> None:
    outcome = do_retrain(Target(target))
    log.info("classifier %s: %s", target, outcome.why)


@task()
def retrain_when_due(slot: str) -> None:
    """Periodic: retrain each target once enough new decisions have accumulated."""
    for target in Target:
        if due_for_retraining(target):
            outcome = do_retrain(target)
            log.info("classifier %s (%s): %s", target, slot, outcome.why)
