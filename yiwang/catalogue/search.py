"""Searching the service catalogue (一网通办): items by text, implementations by place.

Implementations share their item's name, so the text index holds items (a few thousand even
for a province), and the catalogue's size only shows in ``PlaceCount`` — active
implementations per item, region, kind of body, level, online flag and audiences. One search:

1. ranks the items matching the query (the platform's search layer with synonyms, pinyin,
   initials, homophones and corrected spellings; ``yiwang/search/expand.py``), or all items
   in code order when there is no query;
2. reads their counts (one query) and computes from them the total, the facets (each
   counted with the other filters, so a chosen value can be changed) and the order of the
   results in *segments*: one item's implementations in one region by one kind of body;
3. fetches only the page's rows, segment by segment (at most three queries).

Order: the searcher's own region and the regions above it before regions below it before
the rest; statutory bodies before authorised and entrusted ones; own region before the
regions above; then the item's rank; then region code and implementation code. Every step is
the same Python on both databases, so both give the same ids (catalogue/search.md).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from yiwang.catalogue.codes import Audience, Level
from yiwang.catalogue.models import PlaceCount, ServiceItem, ServiceTheme
from yiwang.catalogue.synonyms import SYNONYMS
from yiwang.orgs import lookups
from yiwang.orgs.models import Department, Region
from yiwang.search.expand import Expansion
from yiwang.search.kinds import SERVICE
from yiwang.search.queries import CANDIDATES, search
from yiwang.search.tokens import normalize, query_terms

EXPANSION = Expansion(synonyms=SYNONYMS)
SUGGESTING = Expansion(synonyms=SYNONYMS, prefix_last=True)
PER_PAGE = 10
MAX_PER_PAGE = 50
MAX_PAGE = 1000
SUGGESTIONS = 8
MIN_SUGGEST_CHARS = 1


@dataclass(frozen=True)
class Filters:
    """What a searcher narrowed the results to; each empty by default."""

    region: str = ""  # a region code: implementations in it and the regions below it
    department: str = ""  # a department's short code
    level: str = ""  # A.2
    audience: int = 0  # an A.4 bit
    theme: str = ""  # a theme code
    online: bool | None = None

    def chosen(self) -> bool:
        return self != Filters()


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Results:
    ids: list[int]  # the page's implementations, in order (``queries.listed`` loads them)
    total: int
    page: int
    pages: int
    fuzzy: bool  # near matches: nothing matched the whole query
    items: int  # matching items
    facets: dict[str, list[Option]] = field(default_factory=dict)
    home: Region | None = None


@dataclass(frozen=True)
class _Row:
    item_id: int
    region_id: int
    body_nature: str
    level: str
    online: bool
    audiences: int
    count: int


class _Places:
    """The regions by id, and where each stands to the searcher's region (``home``)."""

    def __init__(self, codes: dict[int, str], home: Region | None) -> None:
        self.codes = codes
        self.home = home
        self._standing: dict[int, tuple[int, int]] = {}

    def within(self, region_id: int, code: str) -> bool:
        """Whether the region with ``region_id`` is the region ``code`` or below it."""
        return _contains(code, self.codes[region_id])

    def standing(self, region_id: int) -> tuple[int, int]:
        """(0 own or above / 1 below / 2 elsewhere, 0 own / 1.. levels above)."""
        known = self._standing.get(region_id)
        if known is None:
            known = self._standing[region_id] = self._stand(self.codes[region_id])
        return known

    def _stand(self, other: str) -> tuple[int, int]:
        if self.home is None:
            return (0, _depth(other))
        own = self.home.code
        if other == own:
            return (0, 0)
        if _contains(other, own):
            return (0, _depth(own) - _depth(other))
        return (1, 0) if _contains(own, other) else (2, 0)


def _prefix(code: str) -> str:
    """The part of a GB/T 2260 code shared by the regions below it: 330000 → 33."""
    for size in (2, 4):
        if code[size:] == "0" * (6 - size):
            return code[:size]
    return code


def _contains(outer: str, inner: str) -> bool:
    return inner.startswith(_prefix(outer))


def _depth(code: str) -> int:
    return {2: 0, 4: 1}.get(len(_prefix(code)), 2)


def _places(home: Region | None) -> _Places:
    return _Places(lookups.region_codes(), home)


def ranked_items(query: str) -> tuple[list[int], bool]:
    """The ids of the items matching ``query``, best first, and whether they are near ones;
    every item in code order for an empty query (browsing), none for one without a letter,
    digit or character (only punctuation). An item named exactly as typed comes first, then
    those whose name starts with it (a main item before its sub-items)."""
    if not query.strip():
        return list(ServiceItem.objects.order_by("basic_code").values_list("pk", flat=True)), False
    if not query_terms(query):
        return [], False
    result = search(SERVICE, query, limit=CANDIDATES, expansion=EXPANSION)
    typed = normalize(query).strip()
    names = _catalogue().names

    def closeness(item_id: int) -> int:
        name = names.get(item_id, "")
        return 0 if name == typed else 1 if name.startswith(typed) else 2

    return sorted(result.ids, key=closeness), result.fuzzy


_ROW_COLUMNS = "item_id, region_id, body_nature, level, online, audiences"
_SEGMENT = ("item_id", "region_id", "body_nature")


def _select(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Plain SQL for the two queries of every search: building them with the ORM cost more
    than running them. The SQL text is built from constants; values are parameters."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _in(column: str, values: Iterable[object]) -> tuple[str, list[object]]:
    ordered = sorted(set(values))  # type: ignore[type-var]
    return f"{column} IN ({', '.join(['%s'] * len(ordered))})", list(ordered)


def _rows(item_ids: list[int], department: Department | None) -> list[_Row]:
    """The counts of the items' active implementations: stored, or counted for one body."""
    where, params = _in("item_id", item_ids)
    if department is None:
        sql = f"SELECT {_ROW_COLUMNS}, implementations FROM catalogue_placecount WHERE {where}"  # noqa: S608
    else:
        sql = (
            f"SELECT {_ROW_COLUMNS}, COUNT(*) FROM catalogue_implementation"  # noqa: S608
            f" WHERE {where} AND body_id = %s AND is_active = %s GROUP BY {_ROW_COLUMNS}"
        )
        params += [department.pk, True]
    return [
        _Row(item, region, nature, level, bool(online), audiences, count)
        for item, region, nature, level, online, audiences, count in _select(sql, params)
    ]


_DIMENSIONS = ("region", "level", "audience", "online", "theme")


def _passes(
    row: _Row, filters: Filters, places: _Places, themes: dict[int, set[str]]
) -> tuple[bool, ...]:
    """Whether the row passes each filter, in the order of ``_DIMENSIONS``."""
    return (
        not filters.region or places.within(row.region_id, filters.region),
        not filters.level or row.level == filters.level,
        not filters.audience or bool(row.audiences & filters.audience),
        filters.online is None or row.online == filters.online,
        not filters.theme or filters.theme in themes.get(row.item_id, ()),
    )


def search_services(
    query: str,
    *,
    home: Region | None = None,
    filters: Filters | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Results:
    """One page of the implementations matching ``query`` and ``filters``, the searcher's
    region (``home``) first, with the total and the facets."""
    filters = filters or Filters()
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, min(page, MAX_PAGE))
    item_ids, fuzzy = ranked_items(query)
    rank = {item_id: position for position, item_id in enumerate(item_ids)}
    department = (
        Department.objects.filter(short_code=filters.department).first()
        if filters.department
        else None
    )
    if filters.department and department is None:
        item_ids = []
    places = _places(home)
    rows = _rows(item_ids, department) if item_ids else []
    catalogue = _catalogue()
    passes = [(row, _passes(row, filters, places, catalogue.themes)) for row in rows]
    kept = [row for row, flags in passes if all(flags)]
    total = sum(row.count for row in kept)
    pages = max(1, math.ceil(total / per_page))
    segments = _segments(kept, rank, places)
    start = (min(page, pages) - 1) * per_page
    return Results(
        ids=_fetch(segments, start, per_page, filters, department),
        total=total,
        page=min(page, pages),
        pages=pages,
        fuzzy=fuzzy,
        items=len({row.item_id for row in kept}),
        facets=_facets(passes, filters, catalogue),
        home=home,
    )


@dataclass(frozen=True)
class _Segment:
    item_id: int
    region_id: int
    body_nature: str
    count: int

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.item_id, self.region_id, self.body_nature)


def _segments(rows: list[_Row], rank: dict[int, int], places: _Places) -> list[_Segment]:
    counts: dict[tuple[int, int, str], int] = defaultdict(int)
    for row in rows:
        counts[(row.item_id, row.region_id, row.body_nature)] += row.count

    def order(key: tuple[int, int, str]) -> tuple[int, str, int, int, str, int]:
        item_id, region_id, nature = key
        band, distance = places.standing(region_id)
        return (band, nature, distance, rank[item_id], places.codes[region_id], item_id)

    return [_Segment(*key, counts[key]) for key in sorted(counts, key=order)]


def _row_conditions(filters: Filters, department: Department | None) -> tuple[str, list[object]]:
    """The filters that apply to an implementation's own columns, as SQL."""
    conditions: list[str] = ["is_active = %s"]
    params: list[object] = [True]
    if department is not None:
        conditions.append("body_id = %s")
        params.append(department.pk)
    if filters.level:
        conditions.append("level = %s")
        params.append(filters.level)
    if filters.online is not None:
        conditions.append("online = %s")
        params.append(filters.online)
    if filters.audience:
        conditions.append("(audiences & %s) > 0")
        params.append(filters.audience)
    return " AND ".join(conditions), params


def _fetch(
    segments: list[_Segment],
    start: int,
    size: int,
    filters: Filters,
    department: Department | None,
) -> list[int]:
    """The ids of rows ``start`` to ``start + size`` of the segments: whole segments in one
    query, a segment cut by the page's edge with its own ``LIMIT``/``OFFSET``."""
    wanted: list[tuple[_Segment, int, int]] = []  # segment, offset, count
    seen = taken = 0
    for segment in segments:
        if taken >= size:
            break
        if seen + segment.count > start:
            offset = max(0, start - seen)
            take = min(segment.count - offset, size - taken)
            wanted.append((segment, offset, take))
            taken += take
        seen += segment.count
    if not wanted:
        return []
    conditions, params = _row_conditions(filters, department)
    select = f"SELECT id, item_id, region_id, body_nature FROM catalogue_implementation WHERE {conditions}"  # noqa: S608, E501
    whole = {s.key: s for s, offset, take in wanted if offset == 0 and take == s.count}
    found: dict[tuple[int, int, str], list[int]] = defaultdict(list)
    if whole:
        # One query for the whole segments: usually one region and one kind of body, so
        # the IN lists select exactly them; any extra rows are dropped here.
        parts = [_in(column, (key[i] for key in whole)) for i, column in enumerate(_SEGMENT)]
        sql = f"{select} AND {' AND '.join(p[0] for p in parts)} ORDER BY code"
        for pk, *key in _select(sql, params + [v for p in parts for v in p[1]]):
            if tuple(key) in whole:
                found[tuple(key)].append(pk)
    for segment, offset, take in wanted:
        if segment.key not in whole:
            sql = f"{select} AND item_id = %s AND region_id = %s AND body_nature = %s"
            sql += " ORDER BY code LIMIT %s OFFSET %s"
            rows = _select(sql, [*params, *segment.key, take, offset])
            found[segment.key] = [row[0] for row in rows]
    return [pk for segment, _o, _t in wanted for pk in found.get(segment.key, [])]


@dataclass(frozen=True)
class _Catalogue:
    """What every search reads of the items and themes (kept per process like the regions;
    catalogue writes clear it, other processes see changes within a minute)."""

    themes: dict[int, set[str]]  # an item's theme codes
    names: dict[int, str]  # an item's Chinese name, normalised as queries are
    theme_names: dict[str, tuple[str, str]]  # a theme's Chinese and English names


def _catalogue() -> _Catalogue:
    def load() -> _Catalogue:
        through = ServiceItem.themes.through
        themes: dict[int, set[str]] = defaultdict(set)
        for item_id, code in through.objects.values_list("serviceitem_id", "servicetheme__code"):
            themes[item_id].add(code)
        names = {
            pk: normalize(name) for pk, name in ServiceItem.objects.values_list("pk", "name_zh")
        }
        theme_names = {
            code: (zh, en or zh)
            for code, zh, en in ServiceTheme.objects.values_list("code", "name_zh", "name_en")
        }
        return _Catalogue(dict(themes), names, theme_names)

    found: _Catalogue = lookups.cached("catalogue-items", "", load)
    return found


def _theme_label(catalogue: _Catalogue, code: str) -> str:
    zh, en = catalogue.theme_names.get(code, (code, code))
    return en if (get_language() or "").startswith("en") else zh


_AUDIENCES = tuple((a.value, a.label) for a in Audience)
_LEVELS = tuple(Level.choices)
_ONLINE = (("1", _("Online"), True), ("0", _("At a counter only"), False))


def _facets(
    passes: list[tuple[_Row, tuple[bool, ...]]], filters: Filters, catalogue: _Catalogue
) -> dict[str, list[Option]]:
    """Each facet counted with every other filter applied (so a choice can be changed)."""
    level: dict[str, int] = defaultdict(int)
    audience: dict[int, int] = defaultdict(int)
    online: dict[bool, int] = defaultdict(int)
    theme: dict[str, int] = defaultdict(int)
    for row, (in_region, of_level, serves, by_online, of_theme) in passes:
        if not in_region:
            continue
        if serves and by_online and of_theme:
            level[row.level] += row.count
        if of_level and by_online and of_theme:
            for bit, _label in _AUDIENCES:
                if row.audiences & bit:
                    audience[bit] += row.count
        if of_level and serves and of_theme:
            online[row.online] += row.count
        if of_level and serves and by_online:
            for code in catalogue.themes.get(row.item_id, ()):
                theme[code] += row.count
    return {
        "level": [
            Option(str(v), str(label), level[v], filters.level == v)
            for v, label in _LEVELS
            if level.get(v)
        ],
        "audience": [
            Option(str(bit), str(label), audience[bit], filters.audience == bit)
            for bit, label in _AUDIENCES
            if audience.get(bit)
        ],
        "online": [
            Option(value, str(label), online[flag], filters.online is flag)
            for value, label, flag in _ONLINE
            if online.get(flag)
        ],
        "theme": [
            Option(code, _theme_label(catalogue, code), theme[code], filters.theme == code)
            for code in sorted(theme, key=lambda c: (-theme[c], c))
        ],
    }


@dataclass(frozen=True)
class Suggestion:
    name_zh: str
    name_en: str
    basic_code: str


def suggest(query: str, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """Names of items with an active implementation for what is being typed (the last word
    may be unfinished)."""
    if len(query.strip()) < MIN_SUGGEST_CHARS or not query_terms(query):
        return []
    offered = PlaceCount.objects.values("item_id")
    ids = search(SERVICE, query, limit=limit, within=offered, expansion=SUGGESTING).ids
    items = ServiceItem.objects.in_bulk(ids)
    return [
        Suggestion(items[i].name_zh, items[i].name_en, items[i].basic_code)
        for i in ids
        if i in items
    ]
