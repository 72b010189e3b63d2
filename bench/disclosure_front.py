"""A prototype measured by ``bench/disclosure.py --front``: the cached information pages
served in front of Django's middleware stack. Not wired into ``yiwang/wsgi.py``.

For an anonymous ``GET /open/info/<index number>/`` (``/en/open/...``) whose page is in the
cache (``yiwang.disclosure.page_cache``), it answers from the cache with only what such a
page needs: the reader's CSRF token and cookie (through ``CsrfViewMiddleware``'s own
``process_request``/``process_response``) and the headers Django's stack would add, which
are copied once from a response Django rendered (``FIXED_HEADERS``). Everything else goes to
Django unchanged.

What it would need before production (see docs/benchmarks.md): the headers taken from the
settings rather than copied from one response, tests that both paths answer the same bytes
and headers, and a decision on whether a front cache (nginx, or this) owns the anonymous
pages. Gunicorn loads it as ``disclosure_front:application`` with ``--pythonpath bench``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.core.handlers.wsgi import WSGIHandler, WSGIRequest

from yiwang.wsgi import application as django_application

StartResponse = Callable[..., Any]
PAGE = re.compile(r"^/(en/)?open/info/(.+)/$")
# Headers Django's middleware adds to the page, besides those of the CSRF cookie.
FIXED_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Vary",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Content-Security-Policy",
)


class Front:
    def __init__(self, django: WSGIHandler) -> None:
        from django.middleware.csrf import CsrfViewMiddleware

        self.django = django
        self.csrf = CsrfViewMiddleware(lambda request: None)  # type: ignore[arg-type]
        self.headers: dict[str, list[tuple[str, str]]] = {}  # per language, from Django

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        found = PAGE.match(environ.get("PATH_INFO", ""))
        if found is None or environ.get("REQUEST_METHOD") != "GET":
            return self.django(environ, start_response)
        language = "en" if found.group(1) else "zh-hans"
        served = self.from_cache(environ, language, found.group(2))
        if served is not None:
            status, headers, body = served
            start_response(status, headers)
            return [body]
        return self.django(environ, self.recording(language, start_response))

    def from_cache(
        self, environ: dict[str, Any], language: str, index_no: str
    ) -> tuple[str, list[tuple[str, str]], bytes] | None:
        from django.core.cache import cache
        from django.http import HttpResponse
        from django.middleware.csrf import get_token

        from yiwang.disclosure import page_cache

        fixed = self.headers.get(language)
        request = WSGIRequest(environ)
        if fixed is None or not page_cache.cacheable(request, index_no):
            return None
        kept = cache.get(page_cache.key(language, index_no))
        if not isinstance(kept, tuple):
            return None
        status, html = kept
        self.csrf.process_request(request)
        body = html.replace(page_cache.CSRF_PLACEHOLDER, get_token(request)).encode()
        response = self.csrf.process_response(request, HttpResponse(status=status))
        cookies = [("Set-Cookie", c.output(header="")) for c in response.cookies.values()]
        headers = [*fixed, ("Content-Length", str(len(body))), *cookies]
        return f"{status} {response.reason_phrase}", headers, body

    def recording(self, language: str, start_response: StartResponse) -> StartResponse:
        """Keep the fixed headers of the first page Django answers in this language."""

        def record(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            if language not in self.headers and status.startswith("200"):
                self.headers[language] = [(k, v) for k, v in headers if k in FIXED_HEADERS]
            return start_response(status, headers, *args)

        return record


application = Front(django_application)
