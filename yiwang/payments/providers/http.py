"""The default ``Transport``: plain ``urllib.request``, no third-party HTTP client.

Contract (``base.Transport``): a network error, a timeout or an HTTP 5xx raises
``ProviderUnavailable`` (try again later); any other status, 4xx included, is returned as an
``HttpResponse`` because only the adapter knows what a provider's 4xx means (WeChat Pay answers
``404 ORDER_NOT_EXIST`` to a query, which is an answer, not an outage).
"""

from __future__ import annotations

import http.client
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from email.message import Message
from typing import IO
from urllib.parse import urlsplit

from .base import HttpResponse, ProviderUnavailable, Transport

# Statement files are the largest answers (a busy day's CSV); anything bigger is not ours.
MAX_RESPONSE_BYTES = 64 * 1024 * 1024


def urllib_transport(timeout: float = 10.0, *, max_bytes: int = MAX_RESPONSE_BYTES) -> Transport:
    """A transport that sends each request with ``urllib`` and waits at most ``timeout`` s
    for the connection and for each read."""
    opener = _opener()

    def send(method: str, url: str, headers: Mapping[str, str], body: bytes) -> HttpResponse:
        if urlsplit(url).scheme not in ("http", "https"):
            raise ProviderUnavailable(f"refusing to fetch a non-HTTP URL: {url[:80]!r}")
        data = None if method in ("GET", "HEAD") else body
        # The scheme is checked above, and the opener has no file:/ftp:/data: handlers.
        request = urllib.request.Request(url, data=data, headers=dict(headers), method=method)  # noqa: S310
        try:
            with opener.open(request, timeout=timeout) as response:
                return _answer(response.status, response.headers, response, max_bytes)
        except urllib.error.HTTPError as error:
            with error:
                answer = _answer(error.code, error.headers, error, max_bytes)
            if answer.status >= 500:
                raise ProviderUnavailable(f"{method} {_host(url)}: HTTP {answer.status}") from None
            return answer
        except (OSError, http.client.HTTPException) as error:  # URLError, timeouts, TLS, resets
            raise ProviderUnavailable(f"{method} {_host(url)}: {error}") from error

    return send


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header's value, whatever the case of its name (plain dicts are case-sensitive)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def _opener() -> urllib.request.OpenerDirector:
    # Only HTTP(S), following redirects (statement downloads are redirected to file storage);
    # proxies come from the environment as usual (government networks often require one).
    opener = urllib.request.OpenerDirector()
    handlers: list[urllib.request.BaseHandler] = [
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(context=ssl.create_default_context()),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPRedirectHandler(),
        urllib.request.HTTPErrorProcessor(),
    ]
    for handler in handlers:
        opener.add_handler(handler)
    return opener


def _answer(status: int, headers: Message, stream: IO[bytes], max_bytes: int) -> HttpResponse:
    try:
        body = stream.read(max_bytes + 1)
    except (OSError, http.client.HTTPException) as error:
        raise ProviderUnavailable(f"reading the answer failed: {error}") from error
    if len(body) > max_bytes:
        raise ProviderUnavailable(f"the answer is larger than {max_bytes} bytes")
    return HttpResponse(status=status, headers=dict(headers.items()), body=body)


def _host(url: str) -> str:
    return urlsplit(url).netloc or url[:40]
