"""The API speaks the caller's language.

Public pages choose their language by URL (``/en/…``; no prefix is Chinese), so Django's
LocaleMiddleware treats every unprefixed path as Chinese. The API has no language prefix: there
the ``Accept-Language`` header (or the language cookie) decides, Chinese by default.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

API_PREFIX = "/api/"


class ApiLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
