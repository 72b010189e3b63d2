"""The public service search (一网通办): the search page and the suggestions as you type.

No sign-in. The page works without JavaScript (``static/js/service-suggest.js`` only adds the
suggestions). The searcher's own region is kept in a cookie so that its services come first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from yiwang.catalogue import queries
from yiwang.catalogue.models import ServiceTheme
from yiwang.catalogue.search import Results, search_services, suggest
from yiwang.catalogue.search_page import (
    Chip,
    cards,
    chosen_filters,
    facet_groups,
    region_choices,
    theme_names,
    theme_tiles,
)
from yiwang.catalogue.search_params import (
    SearchRequest,
    clean_words,
    read_request,
    region_for,
    shown,
)
from yiwang.orgs.models import Region
from yiwang.publishing.queries import named
from yiwang.search.tokens import MAX_QUERY_CHARS

HOME_COOKIE = "yiwang_region"
HOME_COOKIE_AGE = 365 * 24 * 60 * 60
SUGGESTIONS_MAX_AGE = 60
EXAMPLES = ("身份证", "公积金提取", "sfz", "落户")


@dataclass(frozen=True)
class Home:
    """The searcher's own region, and what to do with the cookie that keeps it."""

    region: Region | None = None
    remember: bool = False
    forget: bool = False
    note: str = ""


def home_region(request: HttpRequest) -> Home:
    """``?home=<code>`` chooses the region and ``?home=`` forgets it; else the cookie says.
    An unknown code changes nothing; a cookie naming no stored region is dropped."""
    if "home" in request.GET:
        code = request.GET["home"].strip()
        if not code:
            return Home(forget=True)
        region = region_for(code)
        if region is not None:
            return Home(region, remember=True)
        note = _("There is no region with the code “%(value)s”, so your region was not changed.")
        return replace(_remembered(request), note=note % {"value": shown(code)})
    return _remembered(request)


def _remembered(request: HttpRequest) -> Home:
    code = request.COOKIES.get(HOME_COOKIE, "")
    if not code:
        return Home()
    region = region_for(code)
    return Home(region) if region is not None else Home(forget=True)


def _keep_home(response: HttpResponse, request: HttpRequest, home: Home) -> None:
    if home.remember and home.region is not None:
        response.set_cookie(
            HOME_COOKIE,
            home.region.code,
            max_age=HOME_COOKIE_AGE,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )
    elif home.forget and HOME_COOKIE in request.COOKIES:
        response.delete_cookie(HOME_COOKIE, samesite="Lax")
    patch_vary_headers(response, ["Cookie"])


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    themes = sorted(
        ServiceTheme.objects.all(), key=lambda t: (t.audience != ServiceTheme.For.PERSONS, t.code)
    )
    asked = read_request(request.GET, {theme.code for theme in themes})
    home = home_region(request)
    # Words with no letter or digit browse the catalogue (a note says so).
    words = asked.q if asked.searching else ""
    results = search_services(words, home=home.region, filters=asked.filters, page=asked.page)
    names = theme_names(themes)
    context = {
        "asked": asked,
        "results": results,
        "cards": cards(queries.listed(results.ids), home.region),
        "notes": [*asked.notes, *([home.note] if home.note else [])],
        "facets": facet_groups(asked, results, names),
        "chosen": chosen_filters(asked, names),
        "tiles": theme_tiles(themes, results, names) if asked.browsing else [],
        "examples": [Chip(named("", q, ""), SearchRequest(q=q).link()) for q in EXAMPLES],
        **_home_context(asked, home),
        **_pages(asked, results),
    }
    response = render(request, "catalogue/search.html", context)
    _keep_home(response, request, home)
    return response


def _home_context(asked: SearchRequest, home: Home) -> dict[str, object]:
    region = home.region
    return {
        "home": home,
        "home_name": named(region.code, region.name_zh, region.name_en) if region else None,
        "home_links": {
            "only": asked.link(region=region.code) if region else "",
            "forget": urlencode([*asked.pairs(), ("home", "")]),
        },
        "regions": region_choices(list(Region.objects.order_by("code"))),
    }


def _pages(asked: SearchRequest, results: Results) -> dict[str, str]:
    base = reverse("catalogue:search")
    number = results.page
    return {
        "base": base,
        "previous_page": f"{base}?{asked.page_link(number - 1)}" if number > 1 else "",
        "next_page": f"{base}?{asked.page_link(number + 1)}" if number < results.pages else "",
    }


@require_safe
def suggestions(request: HttpRequest) -> JsonResponse:
    """Item names for what is being typed: ``{"suggestions": [{"name", "code"}]}``, the name
    in the page's language. Nothing to look for, or more than a search reads, gives none."""
    q = clean_words(request.GET.get("q", ""))
    found = suggest(q) if q and len(q) <= MAX_QUERY_CHARS else []
    data = {
        "suggestions": [
            {"name": named(s.basic_code, s.name_zh, s.name_en).name, "code": s.basic_code}
            for s in found
        ]
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, public=True, max_age=SUGGESTIONS_MAX_AGE)
    return response
