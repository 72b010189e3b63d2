"""The public board (公开留言): published messages, masked, with the departments' replies.

No sign-in, no JavaScript. Every value read from the query string is cleaned rather than
refused: a bad page number shows the first page, an unknown filter an empty list with a note.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from yiwang.publishing.queries import (
    FILTERS,
    BoardFilter,
    BoardListing,
    NotOnBoard,
    TakenDown,
    board_listing,
    entry_page,
)

UNMATCHED: dict[str, Promise] = {
    "theme": gettext_lazy("No published message has the theme “%(value)s”."),
    "category": gettext_lazy("No published message is in the category “%(value)s”."),
    "region": gettext_lazy("No published message comes from the region “%(value)s”."),
    "department": gettext_lazy("No published message was answered by the department “%(value)s”."),
}


def _notes(listing: BoardListing) -> list[str]:
    """Why the list is empty, in a sentence or two."""
    if listing.entries:
        return []
    filters = listing.filters
    notes = [str(UNMATCHED[name]) % {"value": getattr(filters, name)} for name in listing.unmatched]
    if notes:
        return notes
    if filters.q:
        return [_("No published message matches your search “%(q)s”.") % {"q": filters.q}]
    if filters.chosen:
        return [_("No published message matches these filters.")]
    return [_("No message has been published yet.")]


def _page_link(filters: BoardFilter, number: int) -> str:
    return f"{reverse('board:list')}?{filters.query_string(page=number)}"


def _feed_query(filters: BoardFilter) -> str:
    """The filters the feeds understand (not the search)."""
    return BoardFilter(**{name: getattr(filters, name) for name in FILTERS}).query_string()


@require_safe
def board(request: HttpRequest) -> HttpResponse:
    filters = BoardFilter.from_params(request.GET)
    listing = board_listing(filters, request.GET.get("page"))
    page = listing.page
    context = {
        "listing": listing,
        "notes": _notes(listing),
        "previous_page": _page_link(filters, page.number - 1) if page.has_previous() else "",
        "next_page": _page_link(filters, page.number + 1) if page.has_next() else "",
        "feed_query": _feed_query(filters),
    }
    return render(request, "publishing/board_list.html", context)


@require_safe
def entry(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        found, record = entry_page(pk)
    except TakenDown:
        return render(request, "publishing/board_gone.html", status=410)
    except NotOnBoard as exc:
        raise Http404(_("There is no such published message.")) from exc
    return render(request, "publishing/board_detail.html", {"entry": found, "record": record})
