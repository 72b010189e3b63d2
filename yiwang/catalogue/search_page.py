"""What the service search page shows, in the page's language: result cards, filter chips,
theme tiles and the regions a citizen can call home.

Names come through ``publishing.queries.named``: the English name on English pages when there
is one, else the Chinese one, marked as Chinese (WCAG 3.1.2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from yiwang.catalogue.codes import Audience, Level
from yiwang.catalogue.models import Implementation, ServiceTheme
from yiwang.catalogue.search import Option, Results
from yiwang.catalogue.search_params import SearchRequest
from yiwang.orgs.models import Region, RegionLevel
from yiwang.publishing.queries import Named, named

FACETS: dict[str, Promise] = {
    "theme": gettext_lazy("Service theme"),
    "online": gettext_lazy("How to apply"),
    "audience": gettext_lazy("For"),
    "level": gettext_lazy("Level"),
}
ONLINE_LABELS: dict[bool, Promise] = {
    True: gettext_lazy("Online"),
    False: gettext_lazy("At a counter only"),
}
THEME_GROUPS: dict[str, Promise] = {
    ServiceTheme.For.PERSONS: gettext_lazy("For people"),
    ServiceTheme.For.ENTITIES: gettext_lazy("For businesses and organisations"),
}
DEPTH: dict[str, int] = {RegionLevel.PROVINCE: 0, RegionLevel.CITY: 1, RegionLevel.COUNTY: 2}
INDENT = "\u3000"  # an ideographic space: browsers keep it at the start of an option


@dataclass(frozen=True)
class Card:
    """One implementation in the results."""

    implementation: Implementation
    item: Named
    body: Named
    region: Named
    in_home_region: bool


def cards(implementations: list[Implementation], home: Region | None) -> list[Card]:
    return [
        Card(
            implementation=i,
            item=named(i.code, i.item.name_zh, i.item.name_en),
            body=named(i.body.short_code, i.body.name_zh, i.body.name_en),
            region=named(i.region.code, i.region.name_zh, i.region.name_en),
            in_home_region=home is not None and i.region_id == home.pk,
        )
        for i in implementations
    ]


@dataclass(frozen=True)
class Chip:
    """A filter value as a link: choosing it, or (``selected``) taking it away."""

    label: Named
    href: str
    selected: bool = False
    count: int | None = None


@dataclass(frozen=True)
class ChipGroup:
    key: str
    title: str
    chips: list[Chip] = field(default_factory=list)


def theme_names(themes: list[ServiceTheme]) -> dict[str, Named]:
    return {t.code: named(t.code, t.name_zh, t.name_en) for t in themes}


def facet_groups(
    asked: SearchRequest, results: Results, themes: dict[str, Named]
) -> list[ChipGroup]:
    """The facets of ``search_services``, each value a link with its count."""
    groups = []
    for key, title in FACETS.items():
        chips = [_facet_chip(asked, key, option, themes) for option in results.facets.get(key, [])]
        if chips:
            groups.append(ChipGroup(key, str(title), chips))
    return groups


def _facet_chip(asked: SearchRequest, key: str, option: Option, themes: dict[str, Named]) -> Chip:
    value: str | int | bool = option.value
    if key == "audience":
        value = int(option.value)
    elif key == "online":
        value = option.value == "1"
    label = themes.get(option.value) if key == "theme" else None
    return Chip(
        label=label or Named(option.value, option.label),
        href=asked.link(**{key: None if option.selected else value}),
        selected=option.selected,
        count=option.count,
    )


def chosen_filters(asked: SearchRequest, themes: dict[str, Named]) -> list[Chip]:
    """Every filter in force, each a link that takes it away."""
    filters = asked.filters
    chosen: list[tuple[str, Named | None]] = [
        ("region", _region_name(asked.region)),
        ("department", _department_name(asked)),
        ("theme", themes.get(filters.theme)),
        ("online", _label(ONLINE_LABELS[filters.online]) if filters.online is not None else None),
        ("audience", _label(Audience(filters.audience).label) if filters.audience else None),
        ("level", _label(Level(filters.level).label) if filters.level else None),
    ]
    return [
        Chip(label=label, href=asked.link(**{key: None}), selected=True)
        for key, label in chosen
        if label is not None
    ]


def _label(text: str | Promise) -> Named:
    return Named("", str(text))


def _region_name(region: Region | None) -> Named | None:
    return named(region.code, region.name_zh, region.name_en) if region else None


def _department_name(asked: SearchRequest) -> Named | None:
    found = asked.department
    return named(found.short_code, found.name_zh, found.name_en) if found else None


@dataclass(frozen=True)
class Tile:
    theme: Named
    href: str
    count: int


def theme_tiles(
    themes: list[ServiceTheme], results: Results, names: dict[str, Named]
) -> list[tuple[str, list[Tile]]]:
    """The themes with services, grouped for people and for businesses: where browsing starts."""
    counts = {option.value: option.count for option in results.facets.get("theme", [])}
    browse = SearchRequest()
    groups = []
    for audience, members in groupby(themes, key=lambda t: t.audience):
        tiles = [
            Tile(names[t.code], browse.link(theme=t.code), counts[t.code])
            for t in members
            if counts.get(t.code)
        ]
        if tiles:
            groups.append((str(THEME_GROUPS.get(audience, audience)), tiles))
    return groups


@dataclass(frozen=True)
class RegionChoice:
    region: Named
    indent: str


def region_choices(regions: list[Region]) -> list[tuple[Named, list[RegionChoice]]]:
    """Every region under its province, in code order (GB/T 2260 codes put each city's
    counties right after it), indented by level."""
    groups = []
    for _prefix, members in groupby(regions, key=lambda r: r.code[:2]):
        choices = [
            RegionChoice(named(r.code, r.name_zh, r.name_en), INDENT * DEPTH.get(r.level, 0))
            for r in members
        ]
        groups.append((choices[0].region, choices))
    return groups
