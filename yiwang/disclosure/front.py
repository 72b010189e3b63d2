"""The kept information pages, served in front of Django's middleware (decision 0038).

``yiwang/wsgi.py`` puts ``Front`` around Django. For an anonymous ``GET /open/info/<index
number>/`` (``/en/open/…``) whose page is kept (``page_cache.kept``), it answers with one
indexed statement and no rendering; everything else, and anything it is not sure of, goes to
Django unchanged:

- only what ``page_cache.cacheable`` allows (no query string, no session, no flash messages);
- a host Django would not serve (``ALLOWED_HOSTS``), and a plain-HTTP request the site
  redirects to HTTPS, go to Django, which answers them as it always does;
- the response's headers are those Django's middleware gave the same kind of request (same
  language, same scheme) in this process: until Django has answered one, the front answers
  none; the reader's CSRF cookie is set through ``CsrfViewMiddleware``'s own methods;
- when the database fails, Django answers (and reconnects).

Tests check that the front and Django answer the same request with the same status, headers
and page (tests/test_disclosure_front.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token

from yiwang.disclosure import page_cache

StartResponse = Callable[..., Any]
Application = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
PAGE = re.compile(r"^/(?:(en)/)?open/info/(.+)/$")
# Headers that belong to one response only; everything else Django's middleware adds to such
# a page is the same for every anonymous reader of a language and scheme.
OWN_HEADERS = frozenset({"set-cookie", "content-length"})


def _no_view(request: HttpRequest) -> HttpResponse:
    raise AssertionError("the front's CSRF middleware never calls a view")


class Front:
    def __init__(self, django: Application) -> None:
        self.django = django
        self.csrf = CsrfViewMiddleware(_no_view)
        # (language, HTTPS) → the headers Django gave such a page in this process.
        self.headers: dict[tuple[str, bool], list[tuple[str, str]]] = {}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        found = PAGE.match(environ.get("PATH_INFO", ""))
        if found is None or environ.get("REQUEST_METHOD") != "GET":
            return self.django(environ, start_response)
        language = found.group(1) or page_cache.DEFAULT_LANGUAGE
        index_no = found.group(2)
        request = WSGIRequest(environ)
        if not page_cache.cacheable(request, index_no):
            return self.django(environ, start_response)
        kind = (language, request.is_secure())
        headers = self.headers.get(kind)
        if headers is None:
            return self.django(environ, self._recording(kind, start_response))
        answer = self._answer(request, language, index_no, headers)
        if answer is None:
            return self.django(environ, start_response)
        status, response_headers, body = answer
        start_response(status, response_headers)
        return [body]

    def _answer(
        self, request: WSGIRequest, language: str, index_no: str, headers: list[tuple[str, str]]
    ) -> tuple[str, list[tuple[str, str]], bytes] | None:
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return None
        try:
            request.get_host()
            kept = page_cache.kept(language, index_no)
        except (DisallowedHost, DatabaseError):
            return None
        if kept is None:
            return None
        status, html = kept
        self.csrf.process_request(request)
        body = html.replace(page_cache.CSRF_PLACEHOLDER, get_token(request)).encode()
        response = self.csrf.process_response(request, HttpResponse(status=status))
        cookies = [("Set-Cookie", c.output(header="")) for c in response.cookies.values()]
        answer_headers = [*headers, ("Content-Length", str(len(body))), *cookies]
        return f"{status} {response.reason_phrase}", answer_headers, body

    def _recording(self, kind: tuple[str, bool], start_response: StartResponse) -> StartResponse:
        """Keep the headers of the first such page Django answers in this process."""

        def record(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            if kind not in self.headers and status[:3] in ("200", "410"):
                own = [(k, v) for k, v in headers if k.lower() not in OWN_HEADERS]
                self.headers[kind] = own
            return start_response(status, headers, *args)

        return record
