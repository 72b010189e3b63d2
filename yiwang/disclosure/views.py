"""The public disclosure catalogue (政府信息公开目录): browse, search, a stable page per
information, the machine-readable catalogue (JSON, CSV) and feeds per category. The same
views serve the English channel (``/en/open/``): the interface in English, English versions
where they exist."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from yiwang.disclosure import page_cache, queries
from yiwang.disclosure.actions import SEARCH_KIND
from yiwang.disclosure.models import Category, InfoKind, OpennessType
from yiwang.orgs.models import Department
from yiwang.search.queries import search

MAX_QUERY = 100
SELECTED = SafeString(" selected")
SEARCH_LIMIT = 50
# The best 50 among the newest 200 matches: a million documents rank fast enough (decision 0037).
CANDIDATES = 200
EXPORT_FIELDS = (
    "index_no",
    "title",
    "title_en",
    "body",
    "doc_number",
    "kind",
    "category",
    "openness",
    "summary",
    "generated_on",
    "published_at",
    "valid_until",
    "repealed_on",
)


def _english() -> bool:
    return translation.get_language() == "en"


def _filters(request: HttpRequest) -> queries.Filters:
    filters = queries.parse_filters(request.GET.dict())
    if _english():
        filters = queries.Filters(**{**filters.__dict__, "english": True})
    return filters


@require_GET
def catalogue_page(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    asked = request.GET.get("q", "").strip()[:MAX_QUERY]
    rows = queries.catalogue(filters)
    number = request.GET.get("page")
    if asked:
        # The index holds exactly the published information: no filter, no subquery.
        within = None if queries.is_unfiltered(filters) else rows.order_by().values("pk")
        found_ids = search(SEARCH_KIND, asked, SEARCH_LIMIT, within, candidates=CANDIDATES)
        ids = found_ids.ids
        found = {info.pk: info for info in rows.filter(pk__in=ids)}
        page = Paginator([found[i] for i in ids if i in found], queries.PAGE_SIZE).get_page(number)
    else:
        page = queries.CataloguePaginator(rows, queries.PAGE_SIZE).get_page(number)
    context = {
        "page": page,
        "asked": asked,
        "filters": filters,
        "body_options": _body_options(filters.body, _english()),
        "categories": Category.choices,
        "opennesses": OpennessType.choices,
        "kinds": InfoKind.choices,
        "english": _english(),
    }
    return render(request, "disclosure/catalogue.html", context)


def _body_options(selected: int | None, english: bool) -> SafeString:
    """The issuing bodies as ``<option>``s, built here rather than in the template, where
    a hundred bodies cost 5 ms of every catalogue page (bench/disclosure.py)."""
    bodies = Department.objects.filter(is_active=True).order_by("name_zh")
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (pk, SELECTED if pk == selected else "", name_en if english and name_en else name_zh)
            for pk, name_zh, name_en in bodies.values_list("pk", "name_zh", "name_en")
        ),
    )


@require_GET
def information_page(request: HttpRequest, index_no: str) -> HttpResponse:
    """An anonymous reader gets the kept page, or the same page made now; staff get it in
    their own navigation (``page_cache.py``)."""
    language = translation.get_language()
    if page_cache.cacheable(request, index_no):
        kept = page_cache.kept(language, index_no)
        if kept is not None:
            return page_cache.respond(request, *kept)
    information = queries.by_index_no(index_no)
    if information is None:
        raise Http404
    shown = page_cache.shown_with(information)
    if page_cache.cacheable(request, index_no):
        return page_cache.respond(request, *page_cache.compose(information, language, shown))
    context = page_cache.context_of(information, language, shown)
    status = 410 if context["withdrawn"] else 200
    return render(request, "disclosure/information.html", context, status=status)


@require_GET
def catalogue_json(request: HttpRequest) -> HttpResponse:
    rows = list(queries.catalogue_rows(queries.parse_filters(request.GET.dict())))
    body = json.dumps({"count": len(rows), "results": rows}, ensure_ascii=False)
    return HttpResponse(body, content_type="application/json; charset=utf-8")


@require_GET
def catalogue_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The catalogue as CSV (UTF-8 with a byte-order mark, so that Excel and WPS read the
    Chinese), streamed: a body's whole catalogue is never held in memory."""
    filters = queries.parse_filters(request.GET.dict())

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, EXPORT_FIELDS)
        buffer.write("\ufeff")
        writer.writeheader()
        for row in queries.catalogue_rows(filters):
            writer.writerow(row)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="catalogue.csv"'
    return response
