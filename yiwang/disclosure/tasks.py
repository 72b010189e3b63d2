"""Background work of disclosure. Each task body is one call to an idempotent action."""

from __future__ import annotations

from django_tasks import task

from yiwang.disclosure import actions, page_cache, request_actions


@task()
def publish_scheduled(slot: str) -> int:
    return actions.do_publish_due()


@task()
def lapse_requests(slot: str) -> int:
    return request_actions.do_lapse_due()


@task()
def render_pages(index_numbers: list[str]) -> int:
    return page_cache.do_render_pages(index_numbers)


@task()
def refresh_pages(slot: str) -> int:
    return page_cache.do_refresh_pages()
