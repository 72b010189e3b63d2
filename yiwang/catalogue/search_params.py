"""What a citizen asked the service search for: the words, the filters, the page.

Nothing read from the query string is refused: a value the search cannot use is left out and
named in a note, so a stale or hand-edited link still shows a useful page (README, "Search
pages"). Values are checked against the enumerations of ``codes.py`` and the stored themes,
regions and departments before they reach ``search_services``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.catalogue.codes import Audience, Level
from yiwang.catalogue.search import Filters
from yiwang.orgs.lookups import region_by_code
from yiwang.orgs.models import Department, Region
from yiwang.search.tokens import MAX_QUERY_CHARS, query_terms

REGION_CODE = re.compile(r"[0-9]{6}")
MAX_PAGE_DIGITS = 6
PAST_THE_LAST_PAGE = 1_000_000  # more digits than MAX_PAGE_DIGITS: the last page
SHOWN_VALUE_CHARS = 30
ONLINE = {"1": True, "0": False}
# The order of the parameters in every link the pages make.
PARAMETERS = ("q", "region", "department", "level", "audience", "theme", "online")

IGNORED: dict[str, Promise] = {
    "level": gettext_lazy("There is no level “%(value)s”, so services of every level are shown."),
    "audience": gettext_lazy(
        "“%(value)s” is not a kind of applicant we know, so services for everyone are shown."
    ),
    "online": gettext_lazy(
        "“%(value)s” is not a way of applying we know, so online and counter services are shown."
    ),
    "theme": gettext_lazy("There is no theme “%(value)s”, so services of every theme are shown."),
    "region": gettext_lazy(
        "There is no region with the code “%(value)s”, so services of every region are shown."
    ),
    "department": gettext_lazy(
        "There is no department “%(value)s”, so services of every department are shown."
    ),
}


def clean_words(raw: str) -> str:
    """The words without control or invisible formatting characters (PostgreSQL refuses NUL,
    and a zero-width or right-to-left mark would only confuse the search), spaces folded."""
    kept = "".join(
        ch for ch in raw if ch.isspace() or unicodedata.category(ch) not in {"Cc", "Cf", "Cs"}
    )
    return " ".join(kept.split())


def shown(value: str) -> str:
    """A value as a note repeats it: cleaned and cut short."""
    value = clean_words(value)
    return value if len(value) <= SHOWN_VALUE_CHARS else f"{value[:SHOWN_VALUE_CHARS]}…"


def region_for(code: str) -> Region | None:
    """The stored region with this code; anything but six digits never reaches the database."""
    return region_by_code(code) if REGION_CODE.fullmatch(code) else None


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    filters: Filters = field(default_factory=Filters)
    page: int = 1
    notes: tuple[str, ...] = ()
    region: Region | None = None  # the region filter's region
    department: Department | None = None  # the department filter's department

    @property
    def searching(self) -> bool:
        """Whether the words hold anything to look for (else the catalogue is browsed)."""
        return bool(query_terms(self.q))

    @property
    def browsing(self) -> bool:
        return not self.searching and not self.filters.chosen()

    def pairs(self, **changes: str | int | bool | None) -> list[tuple[str, str]]:
        """The parameters of this search with some changed (``None`` takes one away), in a
        fixed order, without the page: a changed search starts on its first page."""
        values: dict[str, str | int | bool | None] = {
            "q": self.q,
            **{name: getattr(self.filters, name) for name in PARAMETERS[1:]},
            **changes,
        }
        pairs = [(name, _parameter(values[name])) for name in PARAMETERS]
        return [(name, value) for name, value in pairs if value]

    def link(self, **changes: str | int | bool | None) -> str:
        """The query string of ``pairs``."""
        return urlencode(self.pairs(**changes))

    def without_filters(self) -> str:
        return urlencode([("q", self.q)] if self.q else [])

    def page_link(self, number: int) -> str:
        query = self.link()
        return f"{query}&page={number}" if query else f"page={number}"


def _parameter(value: str | int | bool | None) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value) if value else ""


def read_request(params: Mapping[str, str], themes: Collection[str]) -> SearchRequest:
    """The search asked for by ``params`` (a query string), with a note per value left out."""
    notes: list[str] = []
    q = _words(params.get("q", ""), notes)
    level = _known(params, "level", set(Level.values), notes)
    audience = _known(params, "audience", {str(a.value) for a in Audience}, notes)
    online = _known(params, "online", set(ONLINE), notes)
    theme = _known(params, "theme", set(themes), notes)
    region = _region(params.get("region", ""), notes)
    department = _department(params.get("department", ""), notes)
    filters = Filters(
        region=region.code if region else "",
        department=department.short_code if department else "",
        level=level,
        audience=int(audience) if audience else 0,
        theme=theme,
        online=ONLINE.get(online),
    )
    return SearchRequest(
        q=q,
        filters=filters,
        page=_page(params.get("page", "")),
        notes=tuple(notes),
        region=region,
        department=department,
    )


def _words(raw: str, notes: list[str]) -> str:
    q = clean_words(raw)
    if len(q) > MAX_QUERY_CHARS:
        q = q[:MAX_QUERY_CHARS].rstrip()
        notes.append(
            _("Only the first %(count)s characters of your search were used.")
            % {"count": MAX_QUERY_CHARS}
        )
    if q and not query_terms(q):
        notes.append(
            _("“%(q)s” has no letters or digits to look for, so the whole catalogue is shown.")
            % {"q": shown(q)}
        )
    return q


def _known(params: Mapping[str, str], name: str, allowed: Collection[str], notes: list[str]) -> str:
    value = params.get(name, "")
    if not value or value in allowed:
        return value
    notes.append(str(IGNORED[name]) % {"value": shown(value)})
    return ""


def _region(code: str, notes: list[str]) -> Region | None:
    region = region_for(code) if code else None
    if code and region is None:
        notes.append(str(IGNORED["region"]) % {"value": shown(code)})
    return region


def _department(short_code: str, notes: list[str]) -> Department | None:
    if not short_code:
        return None
    # A short code is at most 16 characters and never holds a control character (nor NUL).
    usable = len(short_code) <= 16 and clean_words(short_code) == short_code
    found = Department.objects.filter(short_code=short_code).first() if usable else None
    if found is None:
        notes.append(str(IGNORED["department"]) % {"value": shown(short_code)})
    return found


def _page(raw: str) -> int:
    """The page asked for; anything but a positive whole number is the first page (a page
    past the last shows the last, ``search_services`` says which)."""
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()):
        return 1
    if len(raw) > MAX_PAGE_DIGITS:
        return PAST_THE_LAST_PAGE
    return max(1, int(raw))
