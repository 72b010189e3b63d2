"""The rendered page of an information, kept in Django's cache (Redis in production) per
language and index number, so that anonymous readers are served without the database.

Only requests that cannot belong to anyone are served from it or fill it: GET, no query
string, no session cookie (so no signed-in user and no flash messages kept in the session)
and no flash-message cookie. Everything else is rendered as before and never stored: a
signed-in member of staff sees their own navigation, never a cached page.

The page holds no one's data: it is rendered with a placeholder where the language form's
CSRF token goes, and each response gets the reader's own token (``get_token``, which also
sets the CSRF cookie as the normal render does).

A page is forgotten when its information is published, revised, repealed or withdrawn
(``forget_on_commit`` from ``actions.py``, after the commit), together with the pages that
show its title or list it: the document it interprets and its interpretations. Forgetting
writes a short-lived marker instead of deleting, and a page is stored only where there is
nothing (``cache.add``): a render that read the old row before the commit cannot store the
old page after it. Pages expire after ``PAGE_TTL`` anyway (a body renamed, a new release).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation

from yiwang.disclosure.models import Information

VERSION = 1  # bump when the page's template changes what a cached page must show
PAGE_TTL = 60 * 60
CHANGE_GUARD = 10  # seconds after a change during which no render may store the page
CHANGED = "changed"  # the marker that stands where a page was forgotten
MESSAGES_COOKIE = "messages"  # django.contrib.messages' CookieStorage.cookie_name
# Stands in for the CSRF token while rendering, never seen by readers. The same in every
# server process (a page kept by one worker is served by the others), and not guessable
# from outside: derived from the site's secret key.
CSRF_PLACEHOLDER = (
    "csrf" + hashlib.sha256(f"page-csrf:{settings.SECRET_KEY}".encode()).hexdigest()[:32]
)
LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
# Index numbers as actions.INDEX_NO allows them: anything else is not in the cache.
INDEX_NO_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-/")


def key(language: str, index_no: str) -> str:
    return f"disclosure:page:{VERSION}:{language}:{index_no}"


def cacheable(request: HttpRequest, index_no: str) -> bool:
    """Whether this request may be served from the cache or fill it (see the module)."""
    return (
        request.method == "GET"
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and MESSAGES_COOKIE not in request.COOKIES
        and 6 <= len(index_no) <= 32
        and INDEX_NO_CHARS.issuperset(index_no)
    )


def cached_response(request: HttpRequest, index_no: str) -> HttpResponse | None:
    """The cached page for an anonymous request, or None (then render it)."""
    if not cacheable(request, index_no):
        return None
    kept = cache.get(key(translation.get_language(), index_no))
    if not isinstance(kept, tuple):  # nothing, or the marker of a change
        return None
    status, html = kept
    return _response(request, html, status)


def render_page(
    request: HttpRequest, index_no: str, template: str, context: Mapping[str, Any], status: int
) -> HttpResponse:
    """Render the page; for an anonymous request also keep it, unless it just changed."""
    if not cacheable(request, index_no):
        return HttpResponse(render_to_string(template, context, request), status=status)
    html = render_to_string(template, {**context, "csrf_token": CSRF_PLACEHOLDER}, request)
    cache.add(key(translation.get_language(), index_no), (status, html), PAGE_TTL)
    return _response(request, html, status)


def _response(request: HttpRequest, html: str, status: int) -> HttpResponse:
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)), status=status)


def forget(index_numbers: Iterable[str]) -> None:
    """Forget the pages of these index numbers in every language (see the module)."""
    marks = {key(language, n): CHANGED for n in index_numbers for language in LANGUAGES}
    if marks:
        cache.set_many(marks, CHANGE_GUARD)


def forget_on_commit(information: Information, also: int | None = None) -> None:
    """After the commit, forget the information's page and the pages that show it: the
    document it interprets (its list of interpretations) and its interpretations (they
    show its title); ``also``: the document it interpreted before a revision. One query,
    in the writer's transaction."""
    interpreted = {information.interprets_id, also} - {None}
    related = Information.objects.filter(
        Q(pk__in=interpreted) | Q(interprets_id=information.pk)
    ).values_list("index_no", flat=True)
    numbers = [information.index_no, *related]
    transaction.on_commit(partial(forget, numbers))
