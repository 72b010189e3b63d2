"""The front (issue 9, ``disclosure/front.py``): kept information pages answered before
Django's middleware, exactly as Django answers them; everything else, and anything it is not
sure of, left to Django."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import DatabaseError, close_old_connections
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from yiwang.disclosure import actions, page_cache
from yiwang.disclosure.front import Front
from yiwang.disclosure.models import Information

from .disclosure_personas import body, head, officer
from .test_disclosure_page_cache import clock, info, policy, publish

__all__ = ["body", "clock", "head", "info", "officer", "publish"]  # fixtures, as pytest sees them

AssertNumQueries = Callable[[int], AbstractContextManager[Any]]
CaptureOnCommit = Callable[..., AbstractContextManager[Any]]


class Answer:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def header(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def page(self) -> str:
        """The page without the reader's CSRF token."""
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", self.body.decode())

    def fixed_headers(self) -> list[tuple[str, str]]:
        return sorted((k, v) for k, v in self.headers if k.lower() != "set-cookie")


class Django:
    """Django's own WSGI handler, counting the requests it answers."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.answered = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.answered += 1
        return self.handler(environ, start_response)


@pytest.fixture(autouse=True)
def keep_the_test_transaction() -> Iterator[None]:
    """As Django's test client does: a request must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def django() -> Django:
    return Django()


@pytest.fixture
def front(django: Django) -> Front:
    return Front(django)


def call(
    app: Callable[..., Iterable[bytes]],
    path: str,
    method: str = "GET",
    **environ: Any,
) -> Answer:
    env: dict[str, Any] = {"PATH_INFO": path, "REQUEST_METHOD": method, **environ}
    setup_testing_defaults(env)
    env["HTTP_HOST"] = environ.get("HTTP_HOST", "testserver")
    started: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], *args: Any) -> None:
        started.extend([status, headers])

    chunks = app(env, start_response)
    body = b"".join(chunks)
    close = getattr(chunks, "close", None)
    if close is not None:
        close()
    return Answer(started[0], started[1], body)


def page(information: Information, english: bool = False) -> str:
    with translation.override("en" if english else "zh-hans"):
        return reverse("disclosure:information", args=[information.index_no])


def test_once_django_has_answered_such_a_page_the_front_answers_the_next_with_one_statement(
    front: Front, django: Django, info: Information, django_assert_num_queries: AssertNumQueries
) -> None:
    call(front, page(info))
    with django_assert_num_queries(1):
        served = call(front, page(info))
    assert django.answered == 1
    assert served.status == "200 OK"
    assert "关于进一步规范住房租赁市场的通知" in served.page()


def test_the_front_answers_as_django_does_headers_and_page(
    front: Front, django: Django, info: Information
) -> None:
    for english in (False, True):
        by_django = call(django, page(info, english))
        call(front, page(info, english))  # the front learns the headers
        by_front = call(front, page(info, english))
        assert django.answered == 2 + 2 * english
        assert by_front.status == by_django.status
        assert by_front.fixed_headers() == by_django.fixed_headers()
        assert by_front.page() == by_django.page()
        assert by_front.header("Content-Security-Policy")
        assert len(by_front.header("Set-Cookie")) == 1  # the reader's CSRF cookie, as Django's


def test_the_front_gives_each_reader_a_token_matching_their_own_cookie(
    front: Front, info: Information
) -> None:
    call(front, page(info))
    cookie = call(front, page(info)).header("Set-Cookie")[0]
    secret = re.search(r"csrftoken=([^;]+)", cookie)
    assert secret is not None
    returning = call(front, page(info), HTTP_COOKIE=f"csrftoken={secret.group(1)}")
    assert secret.group(1) in returning.header("Set-Cookie")[0]  # kept, as Django keeps it
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', returning.body.decode())
    assert token is not None
    form = urlencode({"language": "en", "next": page(info), "csrfmiddlewaretoken": token[1]})
    switched = call(
        front,
        reverse("set_language"),
        "POST",
        HTTP_COOKIE=f"csrftoken={secret.group(1)}",
        CONTENT_TYPE="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(len(form)),
        **{"wsgi.input": io.BytesIO(form.encode())},
    )
    assert switched.status.startswith("302")  # not 403: the token goes with the cookie


def test_a_withdrawn_information_is_answered_410_by_the_front(
    front: Front,
    django: Django,
    info: Information,
    head: Any,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    call(front, page(info))
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_withdraw(head, info.pk, "已被新文件替代")
    gone = call(front, page(info))
    assert django.answered == 1
    assert gone.status == "410 Gone"
    assert "已被新文件替代" in gone.page()


@pytest.mark.parametrize(
    ("method", "suffix", "environ"),
    [
        ("POST", "", {}),
        ("GET", "?from=feed", {}),
        ("GET", "", {"HTTP_COOKIE": "sessionid=abc"}),
        ("GET", "", {"HTTP_COOKIE": "messages=abc"}),
    ],
    ids=["a POST", "a query string", "a session", "flash messages"],
)
def test_requests_that_may_belong_to_someone_go_to_django(
    front: Front,
    django: Django,
    info: Information,
    method: str,
    suffix: str,
    environ: dict[str, str],
) -> None:
    call(front, page(info))
    path, _, query = (page(info) + suffix).partition("?")
    call(front, path, method, QUERY_STRING=query, **environ)
    assert django.answered == 2


def test_a_page_that_is_not_kept_and_an_unknown_number_go_to_django(
    front: Front, django: Django, publish: Callable[..., Information]
) -> None:
    chinese_only = publish(policy(title_en="", text_en=""))
    call(front, page(chinese_only))
    english = call(front, page(chinese_only, english=True))  # not kept: made by Django
    assert english.status == "200 OK"
    call(front, page(chinese_only, english=True))
    with translation.override("zh-hans"):
        unknown = call(front, reverse("disclosure:information", args=["A1-0001-2026-99999"]))
    assert unknown.status.startswith("404")
    assert django.answered == 4


def test_a_host_the_site_does_not_serve_goes_to_django(
    front: Front, django: Django, info: Information
) -> None:
    call(front, page(info))
    refused = call(front, page(info), HTTP_HOST="evil.example")
    assert refused.status.startswith("400")
    assert django.answered == 2


def test_plain_http_goes_to_django_where_the_site_redirects_to_https(
    info: Information,
) -> None:
    with override_settings(SECURE_SSL_REDIRECT=True):
        django = Django()  # the middleware reads the setting when it is made
        front = Front(django)
        first = call(front, page(info))
        second = call(front, page(info))
        secure = call(front, page(info), **{"wsgi.url_scheme": "https"})
        again = call(front, page(info), **{"wsgi.url_scheme": "https"})
    assert first.status.startswith("301")
    assert second.status.startswith("301")
    assert secure.status == again.status == "200 OK"
    assert django.answered == 3  # the redirects, and the first HTTPS page


def test_when_the_database_fails_django_answers(
    front: Front, django: Django, info: Information, monkeypatch: pytest.MonkeyPatch
) -> None:
    call(front, page(info))

    def failing(language: str, index_no: str) -> None:
        raise DatabaseError("connection lost")

    monkeypatch.setattr(page_cache, "kept", failing)
    answer = call(front, page(info))  # the view reads the same way: it fails too, with a 500
    assert answer.status.startswith("500")
    assert django.answered == 2
