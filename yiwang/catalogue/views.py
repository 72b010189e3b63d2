"""Public pages of the catalogue: the service guide (办事指南) of one implementation."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from yiwang.catalogue import queries
from yiwang.catalogue.codes import IMPLEMENTATION_CODE


@require_GET
def guide_page(request: HttpRequest, code: str) -> HttpResponse:
    # Only a code's own characters reach the database (PostgreSQL refuses a NUL in a query).
    implementation = queries.guide(code) if IMPLEMENTATION_CODE.fullmatch(code.upper()) else None
    if implementation is None:
        raise Http404
    english = (get_language() or "").startswith("en")
    context = {
        "i": implementation,
        "item": implementation.item,
        "audiences": queries.audiences(implementation).labels,
        "forms": queries.handling_forms(implementation).labels,
        "english": english,
        "partial_english": english and not implementation.has_english_guide,
    }
    return render(request, "catalogue/guide.html", context)
