"""The public board's read side: published messages only, and only their public words.

Everything shown comes from the ``Publication`` (the editor's masked title, text and reply and
the filter copies) plus three facts of the message that identify no one: the day it was
submitted, the day it was replied to and the citizen's rating score. The message row itself is
never loaded, so its content, contacts and tracking number cannot reach a template by mistake.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import get_language

from yiwang.casework.deadlines import site_calendar
from yiwang.casework.models import Rating, Score
from yiwang.lib.workdays import Calendar, CalendarYearMissing
from yiwang.orgs.models import Department, Region
from yiwang.publishing.models import Publication, PublicationState
from yiwang.search.kinds import PUBLICATION
from yiwang.search.queries import matching_object_ids
from yiwang.taxonomy.models import Category, Theme

PAGE_SIZE = 20
FEED_SIZE = 50
QUERY_LIMIT = 200  # characters of ``q`` kept; the search layer reads its first 100 anyway
VALUE_LIMIT = 64  # characters of a filter value kept (every code is shorter)
FILTERS = ("theme", "category", "region", "department")
CHINESE = "zh-Hans"  # BCP 47, as in the pages' ``lang`` attributes
HAN = re.compile(r"[\u3400-\u9fff]")


class NotOnBoard(LookupError):
    """No such publication, or one that has never been public."""


class TakenDown(NotOnBoard):
    """The publication was public once and has been taken off the board (HTTP 410)."""


def clean_text(value: str, limit: int) -> str:
    """Control and format characters out (PostgreSQL refuses NUL in a parameter), runs of
    whitespace made one space, cut to ``limit`` characters."""
    visible = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in value)
    return " ".join(visible.split())[:limit]


@dataclass(frozen=True)
class BoardFilter:
    q: str = ""
    theme: str = ""  # a theme code
    category: str = ""  # a category code; a major category includes its minors
    region: str = ""  # a GB/T 2260 code; a city includes its districts
    department: str = ""  # a department's short code

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> BoardFilter:
        """From query parameters, whatever they hold: anything odd is cleaned, not refused."""

        def value(name: str, limit: int) -> str:
            raw = params.get(name)
            return clean_text(raw, limit) if isinstance(raw, str) else ""

        return cls(
            q=value("q", QUERY_LIMIT), **{name: value(name, VALUE_LIMIT) for name in FILTERS}
        )

    @property
    def chosen(self) -> dict[str, str]:
        """The filters and the search that are set, by name (``q`` first)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    def query_string(self, **more: str | int) -> str:
        """These filters (and ``more``) as a URL query, without the ``?``."""
        return urlencode({**self.chosen, **{k: str(v) for k, v in more.items()}})


@dataclass(frozen=True)
class Named:
    code: str
    name: str
    lang: str = ""  # CHINESE when a Chinese name stands in on a page in another language


def named(code: str, name_zh: str, name_en: str) -> Named:
    """The English name on English pages when there is one, else the Chinese name, marked as
    Chinese on a page in another language so that screen readers say it right (WCAG 3.1.2)."""
    language = get_language() or ""
    if language.startswith("zh"):
        return Named(code, name_zh)
    if language.startswith("en") and name_en:
        return Named(code, name_en)
    return Named(code, name_zh, CHINESE)


def published() -> QuerySet[Publication]:
    return Publication.objects.filter(state=PublicationState.PUBLISHED)


def _filtered(rows: QuerySet[Publication], filters: BoardFilter) -> QuerySet[Publication]:
    if filters.q:
        # A subquery of the search index: still one query (yiwang/search/search.md).
        rows = rows.filter(pk__in=matching_object_ids(PUBLICATION, filters.q))
    if filters.theme:
        rows = rows.filter(theme__code=filters.theme)
    if code := filters.category:
        rows = rows.filter(Q(category__code=code) | Q(category__parent__code=code))
    if code := filters.region:
        rows = rows.filter(
            Q(region__code=code)
            | Q(region__parent__code=code)
            | Q(region__parent__parent__code=code)
        )
    if filters.department:
        rows = rows.filter(department__short_code=filters.department)
    return rows


FACTS = ("submitted_at", "replied_at", "rating_score")


def _with_facts(rows: QuerySet[Publication]) -> QuerySet[Publication]:
    """The message's non-personal facts as annotations: the message row is never loaded."""
    latest_rating = (
        Rating.objects.filter(message=OuterRef("message"), excluded=False)
        .order_by("-round", "-pk")
        .values("score")[:1]
    )
    return rows.annotate(
        submitted_at=F("message__submitted_at"),
        replied_at=F("message__replied_at"),
        rating_score=Subquery(latest_rating),
    )


def _shown(rows: QuerySet[Publication]) -> QuerySet[Publication]:
    """With what the board shows: names of the filter values and the message's facts."""
    return _with_facts(rows.select_related("region", "theme", "category__parent", "department"))


def board_publications(filters: BoardFilter) -> QuerySet[Publication]:
    """Published messages matching ``filters``, newest first, with what the board shows."""
    return _shown(_filtered(published(), filters)).order_by("-published_at", "-pk")


def unmatched_filters(filters: BoardFilter) -> list[str]:
    """The filters whose value alone matches no published message (one query each): asked
    only when a list came out empty, to say which value was wrong."""
    return [
        name
        for name, value in filters.chosen.items()
        if name in FILTERS and not _filtered(published(), BoardFilter(**{name: value})).exists()
    ]


# --- entries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardEntry:
    id: int
    title: str
    text: str
    reply: str
    published_at: dt.datetime
    submitted_on: dt.date
    replied_on: dt.date | None
    region: Named | None
    theme: Named | None
    category: Named | None
    major: Named | None  # the major category of a minor one (the category itself if major)
    department: Named | None
    department_id: int | None
    response_working_days: int | None
    rating: int | None

    @property
    def lang(self) -> str:
        """CHINESE when the public words are Chinese (they are written as the citizen wrote)."""
        return CHINESE if HAN.search(f"{self.title}{self.text}") else ""

    @property
    def reply_lang(self) -> str:
        return CHINESE if HAN.search(self.reply) else ""

    @property
    def rating_label(self) -> str:
        return str(Score(self.rating).label) if self.rating in Score.values else ""


def working_days(
    calendar: Calendar, submitted: dt.datetime, replied: dt.datetime | None
) -> int | None:
    """Working days from submission to reply (the day of submission does not count); None
    when there is no reply or the calendar lacks a year (it never guesses a holiday)."""
    if replied is None:
        return None
    try:
        return calendar.workdays_between(submitted, replied)
    except (CalendarYearMissing, ValueError):
        return None


def _named_category(category: Category | None) -> tuple[Named | None, Named | None]:
    if category is None:
        return None, None
    own = named(category.code, category.name_zh, category.name_en)
    parent = category.parent
    major = named(parent.code, parent.name_zh, parent.name_en) if parent else own
    return own, major


def _entry(publication: Publication, calendar: Calendar) -> BoardEntry:
    facts: dict[str, Any] = {name: getattr(publication, name) for name in FACTS}
    region, theme, department = publication.region, publication.theme, publication.department
    category, major = _named_category(publication.category)
    assert publication.published_at is not None  # only published rows get here
    return BoardEntry(
        id=publication.pk,
        title=publication.title,
        text=publication.text,
        reply=publication.reply,
        published_at=publication.published_at,
        submitted_on=timezone.localdate(facts["submitted_at"]),
        replied_on=timezone.localdate(facts["replied_at"]) if facts["replied_at"] else None,
        region=named(region.code, region.name_zh, region.name_en) if region else None,
        theme=named(theme.code, theme.name_zh, theme.name_en) if theme else None,
        category=category,
        major=major,
        department=(
            named(department.short_code, department.name_zh, department.name_en)
            if department
            else None
        ),
        department_id=publication.department_id,
        response_working_days=working_days(calendar, facts["submitted_at"], facts["replied_at"]),
        rating=facts["rating_score"],
    )


def entries(rows: Iterable[Publication]) -> list[BoardEntry]:
    """Board entries of rows from ``board_publications``; one query for the calendar."""
    publications = list(rows)
    if not publications:
        return []
    calendar = site_calendar()
    return [_entry(publication, calendar) for publication in publications]


def public_entry(pk: int, calendar: Calendar | None = None) -> BoardEntry:
    """One published message; ``NotOnBoard`` if it is not public, ``TakenDown`` if it was and
    is no more. Two queries: the publication with its facts, and the calendar."""
    found = _shown(Publication.objects.filter(pk=pk)).first()
    if found is None:
        raise NotOnBoard(pk)
    if found.state != PublicationState.PUBLISHED:
        raise TakenDown(pk) if found.published_at is not None else NotOnBoard(pk)
    return _entry(found, calendar or site_calendar())


def entry_page(pk: int) -> tuple[BoardEntry, DepartmentRecord | None]:
    """One published message and its department's record (one query more)."""
    calendar = site_calendar()
    entry = public_entry(pk, calendar)
    if entry.department_id is None:
        return entry, None
    return entry, department_record(entry.department_id, calendar)


# --- a department's record ------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentRecord:
    published: int
    timed: int  # published messages whose response time is known
    average_working_days: float | None
    rated: int
    average_rating: float | None  # on the 1 (very satisfied) to 5 (very unsatisfied) scale

    @property
    def average_rating_label(self) -> str:
        if self.average_rating is None:
            return ""
        return str(Score(round(self.average_rating)).label)


def _average(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def department_record(department_id: int, calendar: Calendar) -> DepartmentRecord:
    """Average response time and rating over the department's published messages: one query
    of three columns per published message (a curated few, not the department's caseload)."""
    rows = _with_facts(published().filter(department_id=department_id))
    facts: list[tuple[dt.datetime, dt.datetime | None, int | None]] = list(rows.values_list(*FACTS))
    days = [
        d
        for submitted, replied, _score in facts
        if (d := working_days(calendar, submitted, replied)) is not None
    ]
    scores = [score for _s, _r, score in facts if score is not None]
    return DepartmentRecord(len(facts), len(days), _average(days), len(scores), _average(scores))


# --- the list page --------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryFacet:
    major: Named
    minors: list[Named]


@dataclass(frozen=True)
class Facets:
    """The values the filters offer: only those that have published messages."""

    themes: list[Named]
    categories: list[CategoryFacet]
    regions: list[Named]
    departments: list[Named]


def _used(field: str) -> QuerySet[Publication, Any]:
    rows: QuerySet[Publication, Any] = published().values(field)
    return rows


def facets() -> Facets:
    """Four small queries, whatever the number of publications."""
    themes = Theme.objects.filter(pk__in=_used("theme")).values_list("code", "name_zh", "name_en")
    regions = Region.objects.filter(
        Q(pk__in=_used("region"))
        | Q(pk__in=_used("region__parent"))
        | Q(pk__in=_used("region__parent__parent"))
    ).values_list("code", "name_zh", "name_en")
    departments = Department.objects.filter(pk__in=_used("department")).values_list(
        "short_code", "name_zh", "name_en"
    )
    return Facets(
        themes=[named(code, zh, en) for code, zh, en in themes],
        categories=_category_facets(),
        regions=[named(code, zh, en) for code, zh, en in regions],
        departments=[named(code, zh, en) for code, zh, en in departments],
    )


def _category_facets() -> list[CategoryFacet]:
    rows = (
        Category.objects.filter(Q(pk__in=_used("category")) | Q(pk__in=_used("category__parent")))
        .order_by("sort_order", "code", "-version_id")
        .values_list("code", "name_zh", "name_en", "parent__code")
    )
    majors: dict[str, CategoryFacet] = {}
    minors: dict[str, dict[str, Named]] = {}
    for code, zh, en, parent in rows:  # a code in two taxonomy versions is offered once
        if parent is None:
            majors.setdefault(code, CategoryFacet(named(code, zh, en), []))
        else:
            minors.setdefault(parent, {}).setdefault(code, named(code, zh, en))
    return [
        replace(facet, minors=list(minors.get(code, {}).values())) for code, facet in majors.items()
    ]


@dataclass(frozen=True)
class BoardListing:
    filters: BoardFilter
    page: Page[Publication]
    entries: list[BoardEntry]
    facets: Facets
    unmatched: list[str]  # filters whose value matches no published message


def board_listing(filters: BoardFilter, page_number: str | None) -> BoardListing:
    """One page of the board: a page number that is not a number shows the first page, one
    out of range the last (never an error)."""
    paginator = Paginator(board_publications(filters), PAGE_SIZE)
    page = paginator.get_page(page_number)
    listed = entries(page.object_list)
    unmatched = unmatched_filters(filters) if not listed and filters.chosen else []
    return BoardListing(filters, page, listed, facets(), unmatched)
