"""The read side of disclosure: the public catalogue (目录) and its filters, the machine-readable
catalogue, and the staff's check of information not published in time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import QuerySet, Value
from django.db.models.functions import ExtractYear

from yiwang.disclosure.models import (
    Attribute,
    Category,
    InfoKind,
    Information,
    InfoState,
    OpennessType,
)
from yiwang.lib.workdays import Calendar, CalendarYearMissing

PUBLICATION_DAYS = 20  # working days from creation or change (条例 art. 26)
PAGE_SIZE = 20
PUBLIC = (InfoState.PUBLISHED,)
COUNT_CAP = 10_000  # information counted for the catalogue's page total: 500 pages of 20


@dataclass(frozen=True)
class Filters:
    body: int | None = None
    category: str = ""
    openness: str = ""
    kind: str = ""
    year: int | None = None
    english: bool = False  # the English channel: only what has an English version


def parse_filters(params: dict[str, str]) -> Filters:
    """Filters from a query string; anything unknown is ignored rather than refused (old links
    keep working), and a number that is not one is dropped."""
    return Filters(
        body=_number(params.get("body", "")),
        category=_choice(params.get("category", ""), Category.values),
        openness=_choice(params.get("openness", ""), OpennessType.values),
        kind=_choice(params.get("kind", ""), InfoKind.values),
        year=_year(params.get("year", "")),
    )


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 9 else None


def _year(value: str) -> int | None:
    year = _number(value)
    return year if year is not None and 1949 <= year <= 2100 else None


def _choice(value: str, allowed: list[str]) -> str:
    return value if value in allowed else ""


def published() -> QuerySet[Information]:
    return Information.objects.filter(state__in=PUBLIC)


def catalogue(filters: Filters) -> QuerySet[Information]:
    rows = published().select_related("body")
    if filters.body is not None:
        rows = rows.filter(body_id=filters.body)
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.openness:
        rows = rows.filter(openness=filters.openness)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.year is not None:
        # EXTRACT(YEAR FROM generated_on) = year, the expression of the year indexes
        # (migration 0004), which hold each year in publication order. A plain number on the
        # right would make Django compare dates instead (a range no index orders as needed).
        year = ExtractYear("generated_on")
        rows = rows.alias(generated_year=year).filter(generated_year=Value(filters.year))
    if filters.english:
        rows = rows.exclude(title_en="")
    return rows.order_by("-published_at", "-pk")


def is_unfiltered(filters: Filters) -> bool:
    """Whether the filters select every published information."""
    return filters == Filters()


class CataloguePaginator(Paginator[Information]):
    """Counts at most ``COUNT_CAP`` information, so the catalogue costs the same at ten
    thousand and ten million documents, as the desk's list does (decision 0016): up to the
    cap the total is exact; past it the catalogue offers the first 500 pages and says "500+".
    Deeper pages are reached by filtering (body, category, year)."""

    @cached_property
    def counted(self) -> int:
        rows = self.object_list
        assert isinstance(rows, QuerySet)
        return rows.order_by()[: COUNT_CAP + 1].count()  # any COUNT_CAP + 1 rows will do

    @cached_property
    def count(self) -> int:
        return min(self.counted, COUNT_CAP)

    @property
    def pages_shown(self) -> str:
        return f"{self.num_pages}+" if self.counted > COUNT_CAP else str(self.num_pages)


# What an information's page reads through the information: its body, the document it
# interprets, its topic.
PAGE_RELATED = ("body", "interprets", "topic")


def by_index_no(index_no: str) -> Information | None:
    """The information at its stable address: published, withdrawn (the page says so) — never a
    draft or filed information."""
    rows = Information.objects.select_related(*PAGE_RELATED).filter(
        index_no=index_no, state__in=(InfoState.PUBLISHED, InfoState.WITHDRAWN)
    )
    # Not first(): the number is unique, and ordering the query costs more than running it.
    found = list(rows[:1])
    return found[0] if found else None


def late_for_publication(
    calendar: Calendar, today: dt.date, body: int | None = None
) -> list[Information]:
    """Proactive information not yet public 20 working days after it was created or last
    changed (条例 art. 26), oldest first."""
    waiting = Information.objects.filter(
        attribute=Attribute.PROACTIVE,
        state__in=(InfoState.DRAFT, InfoState.IN_REVIEW, InfoState.SCHEDULED),
    )
    if body is not None:
        waiting = waiting.filter(body_id=body)
    return [info for info in waiting.order_by("changed_on", "pk") if _late(calendar, info, today)]


def _late(calendar: Calendar, information: Information, today: dt.date) -> bool:
    try:
        return publication_due(calendar, information) < today
    except CalendarYearMissing as exc:
        if exc.year > today.year:
            return False  # due in a year that has not begun: not late yet
        raise


def publication_due(calendar: Calendar, information: Information) -> dt.date:
    return calendar.add_workdays(information.changed_on, PUBLICATION_DAYS)


def catalogue_rows(filters: Filters) -> Iterator[dict[str, str]]:
    """The machine-readable catalogue, one row per published information (JSON and CSV)."""
    for info in catalogue(filters).iterator(chunk_size=2000):
        yield {
            "index_no": info.index_no,
            "title": info.title,
            "title_en": info.title_en,
            "body": info.body.name_zh,
            "doc_number": info.doc_number,
            "kind": info.kind,
            "category": info.category,
            "openness": info.openness,
            "summary": info.summary,
            "generated_on": info.generated_on.isoformat(),
            "published_at": info.published_at.isoformat() if info.published_at else "",
            "valid_until": info.valid_until.isoformat() if info.valid_until else "",
            "repealed_on": info.repealed_on.isoformat() if info.repealed_on else "",
        }
