"""Background work of disclosure. Each task body is one call to an idempotent action."""

from __future__ import annotations

from django_tasks import task

from yiwang.disclosure import actions, request_actions


@task()
def publish_scheduled(slot: str) -> int:
    return actions.do_publish_due()


@task()
def lapse_requests(slot: str) -> int:
    return request_actions.do_lapse_due()
