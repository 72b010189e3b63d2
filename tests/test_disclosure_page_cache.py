"""The cached page of an information (issue 9, ``disclosure/page_cache.py``): anonymous
readers are served without the database; a change shows at once; each language is kept
apart; staff and anyone with a session always get a fresh render; every reader gets their
own CSRF token."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from yiwang.accounts.models import User
from yiwang.disclosure import actions, page_cache
from yiwang.disclosure.actions import Content
from yiwang.disclosure.models import Attribute, Information
from yiwang.orgs.models import Department

from .conftest import _staff

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = dt.datetime(2026, 11, 17, 10, 0, tzinfo=SHANGHAI)
# pytest-django's fixtures, as the tests receive them.
AssertNumQueries = Callable[[int], AbstractContextManager[Any]]
CaptureOnCommit = Callable[..., AbstractContextManager[Any]]


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    """A working morning; tests move it on."""
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def body(departments: dict[str, Department]) -> Department:
    return departments["housing"]


@pytest.fixture
def officer(body: Department) -> User:
    return _staff("disclosure_officer", ["disclosure_officer"], body)


@pytest.fixture
def head(body: Department) -> User:
    return _staff("disclosure_head", ["disclosure_head"], body)


def policy(**overrides: Any) -> Content:
    fields: dict[str, Any] = {
        "kind": "policy",
        "category": "rules",
        "openness": "decision",
        "attribute": Attribute.PROACTIVE,
        "title": "关于进一步规范住房租赁市场的通知",
        "generated_on": dt.date(2026, 11, 10),
        "summary": "规范住房租赁市场秩序",
        "text": "为规范住房租赁市场，现就有关事项通知如下。",
        "title_en": "Notice on regulating the housing rental market",
        "text_en": "To regulate the housing rental market, the following is notified.",
    }
    fields.update(overrides)
    return Content(**fields)


@pytest.fixture
def publish(
    officer: User,
    head: User,
    django_capture_on_commit_callbacks: CaptureOnCommit,
    clock: time_machine.Traveller,
) -> Callable[[Content], Information]:
    """Publish, then let the seconds pass after which a change's pages may be kept."""

    def published(content: Content) -> Information:
        with django_capture_on_commit_callbacks(execute=True):
            info = actions.do_draft(officer, officer.department, content)  # type: ignore[arg-type]
            actions.do_submit(officer, info.pk)
            actions.do_approve(head, info.pk)
        clock.shift(page_cache.CHANGE_GUARD + 1)
        return info

    return published


@pytest.fixture
def info(publish: Callable[[Content], Information]) -> Information:
    return publish(policy())


def page(info: Information, english: bool = False) -> str:
    # reverse() prefixes the active language, which the last request left behind.
    with translation.override("en" if english else "zh-hans"):
        return reverse("disclosure:information", args=[info.index_no])


def title_of(response: Any) -> str:
    found = re.search(r'<h1 id="title">(.*?)</h1>', response.content.decode())
    assert found is not None
    return found.group(1)


# --- Served from the cache --------------------------------------------------------------------


def test_the_second_anonymous_reader_is_served_without_the_database(
    client: Client, info: Information, django_assert_num_queries: AssertNumQueries
) -> None:
    first = client.get(page(info))
    with django_assert_num_queries(0):
        second = Client().get(page(info))
    assert first.status_code == second.status_code == 200
    assert title_of(second) == "关于进一步规范住房租赁市场的通知"
    assert second["Content-Type"] == "text/html; charset=utf-8"


def test_every_reader_of_a_cached_page_gets_their_own_working_csrf_token(
    info: Information,
) -> None:
    Client().get(page(info))  # fills the cache
    reader = Client(enforce_csrf_checks=True)
    html = reader.get(page(info)).content.decode()
    assert page_cache.CSRF_PLACEHOLDER not in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None
    assert "csrftoken" in reader.cookies
    switched = reader.post(
        reverse("set_language"),
        {"language": "en", "next": page(info), "csrfmiddlewaretoken": token.group(1)},
    )
    assert switched.status_code == 302  # not 403: the token is this reader's


def test_a_page_kept_by_one_server_process_works_when_another_serves_it(
    info: Information,
) -> None:
    Client().get(page(info))  # kept by this process
    importlib.reload(page_cache)  # another worker: the module made afresh
    reader = Client(enforce_csrf_checks=True)
    html = reader.get(page(info)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None
    switched = reader.post(
        reverse("set_language"),
        {"language": "en", "next": page(info), "csrfmiddlewaretoken": token.group(1)},
    )
    assert switched.status_code == 302


def test_english_and_chinese_pages_are_cached_apart(
    info: Information, django_assert_num_queries: AssertNumQueries
) -> None:
    Client().get(page(info))
    Client().get(page(info, english=True))
    with django_assert_num_queries(0):
        chinese = Client().get(page(info))
        english = Client().get(page(info, english=True))
    assert title_of(chinese) == "关于进一步规范住房租赁市场的通知"
    assert title_of(english) == "Notice on regulating the housing rental market"
    assert '<html lang="en">' in english.content.decode()


def test_a_request_with_a_query_string_is_rendered_and_not_kept(
    info: Information, django_assert_num_queries: AssertNumQueries
) -> None:
    Client().get(page(info) + "?from=feed")
    assert Client().get(page(info)).status_code == 200  # rendered: nothing was kept
    with django_assert_num_queries(0):
        Client().get(page(info))


# --- Staff and sessions ----------------------------------------------------------------------


def test_a_signed_in_member_of_staff_never_gets_a_cached_page(
    info: Information, head: User, django_assert_num_queries: AssertNumQueries
) -> None:
    Client().get(page(info, english=True))  # an anonymous reader fills the cache
    staff = Client()
    staff.force_login(head)
    seen = staff.get(page(info, english=True)).content.decode()
    assert "Disclosure office" in seen  # their own navigation: rendered for them
    with django_assert_num_queries(0):
        anonymous = Client().get(page(info, english=True)).content.decode()
    assert "Disclosure office" not in anonymous  # and the staff's page was not kept


def test_a_page_rendered_for_staff_is_never_kept_for_anonymous_readers(
    info: Information, head: User
) -> None:
    staff = Client()
    staff.force_login(head)
    staff.get(page(info, english=True))  # the first render of the page
    anonymous = Client().get(page(info, english=True)).content.decode()
    assert "Disclosure office" not in anonymous


# --- Changes ----------------------------------------------------------------------------------


def test_a_revised_information_is_served_fresh_at_once(
    client: Client,
    info: Information,
    head: User,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    client.get(page(info))
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_revise(head, info.pk, policy(title="关于规范住房租赁市场的通知（修订）"))
    assert title_of(Client().get(page(info))) == "关于规范住房租赁市场的通知（修订）"


def test_a_withdrawn_information_answers_410_at_once_and_keeps_answering_it(
    info: Information,
    head: User,
    django_capture_on_commit_callbacks: CaptureOnCommit,
    django_assert_num_queries: AssertNumQueries,
    clock: time_machine.Traveller,
) -> None:
    Client().get(page(info))
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_withdraw(head, info.pk, "已被新文件替代")
    withdrawn = Client().get(page(info))
    assert withdrawn.status_code == 410
    assert "已被新文件替代" in withdrawn.content.decode()
    clock.shift(page_cache.CHANGE_GUARD + 1)
    Client().get(page(info))  # now the withdrawn page is kept
    with django_assert_num_queries(0):
        again = Client().get(page(info))
    assert again.status_code == 410
    assert "已被新文件替代" in again.content.decode()


def test_a_repeal_shows_at_once(
    info: Information, head: User, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    Client().get(page(info))
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_repeal(head, info.pk, dt.date(2026, 11, 16))
    assert 'id="repealed"' in Client().get(page(info)).content.decode()


def test_a_new_interpretation_appears_on_the_cached_page_of_its_document(
    info: Information, publish: Callable[[Content], Information]
) -> None:
    Client().get(page(info))
    interpretation = publish(
        policy(kind="interpretation", title="《住房租赁通知》政策解读", interprets_id=info.pk)
    )
    html = Client().get(page(info)).content.decode()
    assert "《住房租赁通知》政策解读" in html
    assert page(interpretation) in html


def test_an_interpretation_shows_the_revised_title_of_its_document(
    info: Information,
    head: User,
    publish: Callable[[Content], Information],
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    interpretation = publish(
        policy(kind="interpretation", title="《住房租赁通知》政策解读", interprets_id=info.pk)
    )
    Client().get(page(interpretation))
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_revise(head, info.pk, policy(title="住房租赁新规"))
    assert "住房租赁新规" in Client().get(page(interpretation)).content.decode()


def test_a_render_that_read_the_old_row_cannot_keep_its_page_after_a_change(
    info: Information,
) -> None:
    page_cache.forget([info.index_no])  # as after a commit, while a render was under way
    Client().get(page(info))  # that render finishes: not kept
    with CaptureQueriesContext(connection) as rendered:  # so the next reader is rendered again
        Client().get(page(info))
    assert rendered.captured_queries
