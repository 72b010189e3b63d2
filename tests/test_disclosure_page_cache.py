"""The kept page of an information (issue 9, ``disclosure/page_cache.py``): rendered when the
information changes and served to anonymous readers with one statement; the same page the
view would make; a change shows at once; each language kept apart; staff and anyone with a
session always get a fresh render; every reader gets their own CSRF token; pages of an older
release are rendered again by the refresh job."""

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
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from yiwang.accounts.models import User
from yiwang.disclosure import actions, page_cache
from yiwang.disclosure.actions import Content
from yiwang.disclosure.models import Attribute, Information, PublishedPage

from .disclosure_personas import body, head, officer

__all__ = ["body", "head", "officer"]  # fixtures, as pytest sees them

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
    """Publish, and run what the commit enqueued (the pages are rendered)."""

    def published(content: Content) -> Information:
        with django_capture_on_commit_callbacks(execute=True):
            info = actions.do_draft(officer, officer.department, content)  # type: ignore[arg-type]
            actions.do_submit(officer, info.pk)
            actions.do_approve(head, info.pk)
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


def without_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


# --- Served from the kept page ----------------------------------------------------------------


def test_an_anonymous_reader_is_served_the_kept_page_with_one_statement(
    info: Information, django_assert_num_queries: AssertNumQueries
) -> None:
    with django_assert_num_queries(1):
        response = Client().get(page(info))
    assert response.status_code == 200
    assert title_of(response) == "关于进一步规范住房租赁市场的通知"
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_the_page_is_kept_when_the_information_is_published(info: Information) -> None:
    kept = PublishedPage.objects.filter(information=info).values_list("language", "status")
    assert sorted(kept) == [("en", 200), ("zh-hans", 200)]


def test_the_kept_page_is_the_page_the_view_makes_when_nothing_is_kept(
    info: Information,
) -> None:
    served = Client().get(page(info)).content.decode()
    PublishedPage.objects.all().delete()
    made = Client().get(page(info)).content.decode()
    assert without_token(served) == without_token(made)
    assert 'id="index-no"' in made


def test_every_reader_of_a_kept_page_gets_their_own_working_csrf_token(
    info: Information,
) -> None:
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


def test_english_and_chinese_pages_are_kept_apart(
    info: Information, django_assert_num_queries: AssertNumQueries
) -> None:
    with django_assert_num_queries(2):
        chinese = Client().get(page(info))
        english = Client().get(page(info, english=True))
    assert title_of(chinese) == "关于进一步规范住房租赁市场的通知"
    assert title_of(english) == "Notice on regulating the housing rental market"
    assert '<html lang="en">' in english.content.decode()
    assert f'value="{page(info, english=True)}"' in english.content.decode()  # its own address


def test_the_english_page_of_information_without_an_english_version_is_made_for_each_reader(
    publish: Callable[[Content], Information],
) -> None:
    chinese_only = publish(policy(title_en="", text_en=""))
    assert not PublishedPage.objects.filter(information=chinese_only, language="en").exists()
    english = Client().get(page(chinese_only, english=True))
    assert english.status_code == 200
    assert title_of(english) == "关于进一步规范住房租赁市场的通知"
    assert "Index number" in english.content.decode()  # the interface in English


def test_a_request_with_a_query_string_is_rendered_not_served_kept(
    info: Information, django_assert_num_queries: AssertNumQueries
) -> None:
    PublishedPage.objects.filter(information=info).update(html="kept")
    assert Client().get(page(info)).content == b"kept"
    rendered = Client().get(page(info) + "?from=feed")
    assert title_of(rendered) == "关于进一步规范住房租赁市场的通知"


def test_an_unknown_index_number_is_not_found(client: Client, info: Information) -> None:
    with translation.override("zh-hans"):
        missing = reverse("disclosure:information", args=["A1-0001-2026-99999"])
    assert client.get(missing).status_code == 404


# --- Staff and sessions ----------------------------------------------------------------------


def test_a_signed_in_member_of_staff_never_gets_the_kept_page(
    info: Information, head: User
) -> None:
    staff = Client()
    staff.force_login(head)
    seen = staff.get(page(info, english=True)).content.decode()
    assert "Disclosure office" in seen  # their own navigation: rendered for them
    assert title_of(Client().get(page(info))) == title_of(staff.get(page(info)))
    anonymous = Client().get(page(info, english=True)).content.decode()
    assert "Disclosure office" not in anonymous


# --- Changes ----------------------------------------------------------------------------------


def test_a_revised_information_is_kept_again_at_once(
    info: Information,
    head: User,
    django_capture_on_commit_callbacks: CaptureOnCommit,
    django_assert_num_queries: AssertNumQueries,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_revise(head, info.pk, policy(title="关于规范住房租赁市场的通知（修订）"))
    with django_assert_num_queries(1):
        revised = Client().get(page(info))
    assert title_of(revised) == "关于规范住房租赁市场的通知（修订）"


def test_between_the_commit_and_the_new_render_readers_get_the_page_made_for_them(
    info: Information, head: User, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # the render has not run yet
        actions.do_revise(head, info.pk, policy(title="关于规范住房租赁市场的通知（修订）"))
    assert not PublishedPage.objects.filter(information=info).exists()
    assert title_of(Client().get(page(info))) == "关于规范住房租赁市场的通知（修订）"


def test_a_withdrawn_information_answers_410_at_once_and_keeps_answering_it(
    info: Information,
    head: User,
    django_capture_on_commit_callbacks: CaptureOnCommit,
    django_assert_num_queries: AssertNumQueries,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_withdraw(head, info.pk, "已被新文件替代")
    with django_assert_num_queries(1):
        withdrawn = Client().get(page(info))
    assert withdrawn.status_code == 410
    assert "已被新文件替代" in withdrawn.content.decode()


def test_a_repeal_shows_at_once(
    info: Information, head: User, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_repeal(head, info.pk, dt.date(2026, 11, 16))
    assert 'id="repealed"' in Client().get(page(info)).content.decode()


def test_a_new_interpretation_appears_on_the_kept_page_of_its_document(
    info: Information, publish: Callable[[Content], Information]
) -> None:
    interpretation = publish(
        policy(kind="interpretation", title="《住房租赁通知》政策解读", interprets_id=info.pk)
    )
    kept = PublishedPage.objects.get(information=info, language="zh-hans").html
    assert "《住房租赁通知》政策解读" in kept
    assert page(interpretation) in kept


def test_an_interpretation_shows_the_revised_title_of_its_document(
    info: Information,
    head: User,
    publish: Callable[[Content], Information],
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    interpretation = publish(
        policy(kind="interpretation", title="《住房租赁通知》政策解读", interprets_id=info.pk)
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_revise(head, info.pk, policy(title="住房租赁新规"))
    assert "住房租赁新规" in Client().get(page(interpretation)).content.decode()


def test_rendering_the_pages_of_a_number_without_a_public_information_drops_them(
    info: Information,
) -> None:
    Information.objects.filter(pk=info.pk).update(state="draft")
    assert page_cache.do_render_pages([info.index_no, "NOT-A-NUMBER"]) == 0
    assert not PublishedPage.objects.exists()


def test_an_english_page_is_dropped_when_the_english_version_is_removed(
    info: Information, head: User, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_revise(head, info.pk, policy(title_en="", text_en=""))
    kept = PublishedPage.objects.filter(information=info).values_list("language", flat=True)
    assert list(kept) == ["zh-hans"]


# --- Releases -----------------------------------------------------------------------------------


def test_a_page_of_an_older_release_is_not_served(info: Information) -> None:
    PublishedPage.objects.filter(information=info).update(version="older", html="old page")
    response = Client().get(page(info))
    assert title_of(response) == "关于进一步规范住房租赁市场的通知"


def test_the_refresh_renders_missing_and_older_pages_once_per_release(
    publish: Callable[[Content], Information], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = (publish(policy(title=f"通知{n}")) for n in (1, 2))
    PublishedPage.objects.filter(information=first).delete()
    PublishedPage.objects.filter(information=second).update(version="older")
    monkeypatch.setattr(page_cache, "REFRESH_BATCH", 1)
    assert page_cache.do_refresh_pages() == 2
    current = PublishedPage.objects.filter(version=page_cache.version()).count()
    assert current == 4
    assert page_cache.do_refresh_pages() == 0  # every information seen for this release
    monkeypatch.setattr(page_cache, "version", lambda: "next-release")
    assert page_cache.do_refresh_pages() == 2


def test_the_refresh_stops_when_its_time_is_up_and_goes_on_where_it_stopped(
    publish: Callable[[Content], Information], monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        publish(policy(title=f"通知{n}"))
    PublishedPage.objects.all().delete()
    monkeypatch.setattr(page_cache, "REFRESH_BATCH", 1)
    assert page_cache.do_refresh_pages(seconds=0) == 0
    assert page_cache.do_refresh_pages() == 3


def test_pages_kept_under_another_secret_key_are_of_another_version() -> None:
    before = page_cache.version()
    rotated = "another secret key, as after a rotation, 0123456789abcdefghij"
    try:
        with override_settings(SECRET_KEY=rotated):
            assert importlib.reload(page_cache).version() != before
    finally:
        importlib.reload(page_cache)
    assert page_cache.version() == before
