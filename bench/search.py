#!/usr/bin/env python
"""Service catalogue search benchmark (issue 7): speed and top-5 accuracy against a LIKE scan.

    .venv/bin/python bench/search.py [--database sqlite|postgres] [--sizes 100000,1000000]
        [--queries 315] [--rounds 3] [--workdir DIR] [--rebuild] [--quick] [--json PATH]

Each size has a catalogue of exactly that many implementations in a database of its own
(SQLite ``<workdir>/sqlite-<size>/yiwang.sqlite3``; PostgreSQL ``bench_search_<size>``),
written once by ``generate_catalogue(size, seed=2020)`` and reused while it holds that size
(``--rebuild`` writes it again); a reused one has its search index refreshed and ``ANALYZE``
(PostgreSQL: ``VACUUM ANALYZE``) run first. Each size runs in a child process.

Seven categories of queries, the same number of each, seeded and the same for every size and
database, each for an (item, searcher's region) pair: whole names, fragments, pinyin, initials,
synonyms, homophone typos, pinyin typos. A query succeeds when one of the first 5
implementations ``search_services(q, home=region)`` returns belongs to an intended item and
the searcher's region; intended items are every item whose name holds the fragment the query
was made from (for pinyin: its syllables; for initials: characters with those initials). The
baseline is a plain ``item__name_zh__contains`` (``LIKE '%q%'``), the searcher's region first;
``speedup_vs_like`` = LIKE p50 / search p50 at 100,000. The rules in full, and the figures:
docs/benchmarks.md, "Service catalogue search".

Figures, misses (up to 20 per size, with what came back) and the machine go to stdout, logs to
stderr; the last stdout line is one JSON object: p50_ms_100k, p99_ms_100k, p99_ms_1m,
top5_rate and speedup_vs_like (at 100,000), database, and more.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from itertools import zip_longest
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desk import POSTGRES_SERVER, log, machine, percentile, production_like  # noqa: E402

SIZES = (100_000, 1_000_000)
QUICK_SIZES = (6_000,)  # the regions × items of the first slot (5,580) all exist
QUERY_SEED = 7
CATALOGUE_SEED = 2020
DEFAULT_QUERIES = 315
CATEGORIES = (
    *("whole", "fragment", "pinyin", "initials"),
    *("synonym", "typo_hanzi", "typo_pinyin"),
)
LEVEL_WEIGHTS = {"province": 1, "city": 3, "county": 6}
MAX_FAMILIES = 3
MIN_CHARS, MAX_CHARS = 2, 8
TOP = 5
PAGE = 10
LIKE_WARMUP = 20
SHOW_MISSES = 20
PG_PREFIX = "bench_search"
HAN = re.compile(r"[\u4e00-\u9fff]+")
KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


# --- Environment and the catalogue database ---------------------------------------------------


def pg_name(size: int) -> str:
    return f"{PG_PREFIX}_{size}"


def sqlite_dir(workdir: Path, size: int) -> Path:
    return workdir / f"sqlite-{size}"


def configure(args: argparse.Namespace) -> None:
    """Production-like settings (DEBUG off) on the size's own database, before Django."""
    var_dir = Path(tempfile.mkdtemp(prefix="yiwang-bench-catalogue-search-"))
    production_like(var_dir, args.database, pg_name(args.child))
    if args.database == "sqlite":
        folder = sqlite_dir(args.workdir, args.child)
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["YIWANG_VAR_DIR"] = str(folder)
        os.environ["YIWANG_PRIVATE_DIR"] = str(var_dir / "private")


def empty_database(args: argparse.Namespace, *, drop: bool) -> None:
    """Create the size's database if missing; with ``drop``, start it again empty."""
    if args.database == "sqlite":
        if drop:
            from django.db import connection

            connection.close()
            for suffix in ("", "-wal", "-shm"):
                (sqlite_dir(args.workdir, args.child) / f"yiwang.sqlite3{suffix}").unlink(
                    missing_ok=True
                )
        return
    import psycopg

    name = pg_name(args.child)
    if drop:
        from django.db import connection

        connection.close()
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and drop:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or drop:
            conn.execute(f'CREATE DATABASE "{name}"')


def build_record(args: argparse.Namespace) -> Path:
    return Path(args.workdir) / f"build-{args.database}-{args.child}.json"


def catalogue_ready(size: int) -> bool:
    from yiwang.catalogue.generator import item_specs
    from yiwang.catalogue.models import Implementation, ServiceItem

    return (
        ServiceItem.objects.count() == len(item_specs()) and Implementation.objects.count() == size
    )


def prepare_catalogue(args: argparse.Namespace) -> dict[str, Any]:
    """Reuse the catalogue when it holds exactly the size, else write it; how long it took."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if not args.rebuild and catalogue_ready(args.child):
        return reuse_catalogue(args)
    empty_database(args, drop=True)
    call_command("migrate", interactive=False, verbosity=0)
    return build_catalogue(args)


def reuse_catalogue(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import transaction

    from yiwang.catalogue.actions import do_refresh_search

    log(f"reusing the catalogue of {args.child:,} implementations; refreshing its search index")
    start = time.perf_counter()
    with transaction.atomic():
        do_refresh_search()
    refresh = time.perf_counter() - start
    analyze()  # the statistics of a fresh build, whatever ran on this database in between
    record = build_record(args)
    built = json.loads(record.read_text()) if record.exists() else {}
    return {"reused": True, "refresh_s": round(refresh, 1), **built}


def build_catalogue(args: argparse.Namespace) -> dict[str, Any]:
    from yiwang.catalogue.generator import generate_catalogue
    from yiwang.demo.loader import load_reference_data
    from yiwang.orgs import lookups

    lookups.clear()
    load_reference_data()
    log(f"writing a catalogue of {args.child:,} implementations ({args.database})")
    start = time.perf_counter()
    generate_catalogue(args.child, seed=CATALOGUE_SEED)
    built = time.perf_counter() - start
    analyze()
    log(f"written in {built:.0f} s")
    record = {"build_s": round(built, 1), "built_on": time.strftime("%Y-%m-%d %H:%M")}
    build_record(args).write_text(json.dumps(record) + "\n")
    return {"reused": False, **record}


def analyze() -> None:
    """Planner statistics, as autovacuum (PostgreSQL) or ``PRAGMA optimize`` would gather.
    Without them SQLite joins the LIKE baseline from the implementations (a full scan, ~85 ms
    at 100,000) instead of from the 310 item names (~2 ms); the search does not change.
    On PostgreSQL also ``VACUUM``, as autovacuum would soon after a refresh: the refresh
    rewrites every document and count, and the dead rows it leaves cost a reused catalogue
    about a millisecond per search (p50 4.4 ms against 3.7 ms on a fresh build)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


# --- The catalogue's names ------------------------------------------------------------------


@dataclass(frozen=True)
class Name:
    pk: int
    code: str
    name: str
    runs: tuple[str, ...]  # the Han runs of the name
    readings: tuple[tuple[str, ...], ...]  # toneless syllables per run

    @property
    def family(self) -> str:
        return self.code[:7]  # a main item and its sub-items share the first seven


@dataclass(frozen=True)
class Span:
    text: str
    syllables: tuple[str, ...]


class Catalogue:
    """The item names, with the items a fragment, a reading or initials point to."""

    def __init__(self, names: list[Name]) -> None:
        self.names = names
        self.by_code = {n.code: n for n in names}

    def containing(self, text: str) -> frozenset[str]:
        return frozenset(n.code for n in self.names if text in n.name)

    def reading(self, syllables: tuple[str, ...]) -> frozenset[str]:
        return frozenset(
            n.code for n in self.names if any(_within(syllables, r) for r in n.readings)
        )

    def with_initials(self, letters: str) -> frozenset[str]:
        return frozenset(
            n.code for n in self.names if any(letters in _initials(r) for r in n.readings)
        )

    def distinctive(self, codes: frozenset[str]) -> bool:
        return bool(codes) and len({self.by_code[c].family for c in codes}) <= MAX_FAMILIES

    def in_any_name(self, text: str) -> bool:
        return any(text in n.name for n in self.names)


def _within(part: tuple[str, ...], whole: tuple[str, ...]) -> bool:
    size = len(part)
    return any(whole[i : i + size] == part for i in range(len(whole) - size + 1))


def _initials(syllables: Iterable[str]) -> str:
    return "".join(s[0] for s in syllables)


def read_names() -> Catalogue:
    from pypinyin import Style, lazy_pinyin

    from yiwang.catalogue.models import ServiceItem

    names = []
    for pk, code, name in ServiceItem.objects.order_by("basic_code").values_list(
        "pk", "basic_code", "name_zh"
    ):
        runs = tuple(HAN.findall(name))
        readings = tuple(tuple(lazy_pinyin(run, style=Style.NORMAL)) for run in runs)
        if all(len(r) == len(run) for r, run in zip(readings, runs, strict=True)):
            names.append(Name(pk, code, name, runs, readings))
    return Catalogue(names)


def fragments(name: Name) -> list[Span]:
    """Word-aligned stretches of 2–8 characters: runs of jieba words (not starting with a
    one-character word), where the first word may be cut to a search-mode sub-word at its end
    and the last to one at its start, each part at least two characters (居民|身份证,
    住房|公积金; not 旅|行社)."""
    import rjieba

    found: dict[str, Span] = {}
    for run, reading in zip(name.runs, name.readings, strict=True):
        words = [(a, b) for _w, a, b in rjieba.tokenize(run)]
        starts = {a for a, b in words if b - a >= 2}
        ends = {b for _a, b in words}
        for _sub, a, b in rjieba.tokenize(run, mode="search"):
            for start, end in words:
                if b - a >= 2 and b == end and a - start >= 2:
                    starts.add(a)
                if b - a >= 2 and a == start and end - b >= 2:
                    ends.add(b)
        for a in sorted(starts):
            for b in sorted(ends):
                if MIN_CHARS <= b - a <= MAX_CHARS:
                    found.setdefault(run[a:b], Span(run[a:b], reading[a:b]))
    return list(found.values())


# --- The queries ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    text: str  # the query, or for typos the span it is made from
    source: str  # what it was made from
    intended: frozenset[str]
    syllables: tuple[str, ...] = ()


@dataclass
class Query:
    category: str
    text: str
    source: str
    item: str  # the basic code it was made for
    region_id: int
    region: str  # name (code)
    level: str
    intended: list[str]
    # filled in by the measurement
    hit_rank: int | None = None  # 1-based position of the first intended implementation
    like_rank: int | None = None
    got: list[str] = field(default_factory=list)


def han_count(text: str) -> int:
    return sum(len(run) for run in HAN.findall(text))


def options(cat: Catalogue, name: Name, category: str) -> list[Option]:
    spans = fragments(name)
    whole = "".join(name.runs)
    if category == "whole":
        ok = MIN_CHARS <= han_count(name.name) <= MAX_CHARS
        return [Option(name.name, name.name, cat.containing(name.name))] if ok else []
    if category == "fragment":
        return [
            Option(s.text, s.text, cat.containing(s.text))
            for s in spans
            if s.text != whole and cat.distinctive(cat.containing(s.text))
        ]
    if category in ("pinyin", "typo_pinyin"):
        least = 2 if category == "pinyin" else 3
        return [
            Option("".join(s.syllables), s.text, cat.reading(s.syllables), s.syllables)
            for s in spans
            if len(s.text) >= least
            and (category == "pinyin" or len("".join(s.syllables)) >= 7)
            and cat.distinctive(cat.reading(s.syllables))
        ]
    if category == "initials":
        return [
            Option(_initials(s.syllables), s.text, cat.with_initials(_initials(s.syllables)))
            for s in spans
            if 3 <= len(s.text) <= 6 and cat.distinctive(cat.with_initials(_initials(s.syllables)))
        ]
    if category == "synonym":
        return synonym_options(cat, name)
    return [  # typo_hanzi: the span; the homophone is chosen when the query is drawn
        Option(s.text, s.text, cat.containing(s.text), s.syllables)
        for s in spans
        if len(s.text) >= 3 and cat.distinctive(cat.containing(s.text))
    ]


def synonym_options(cat: Catalogue, name: Name) -> list[Option]:
    """A phrase of the synonym sets in the name, with a word either side or not, swapped for
    an everyday phrase of its set: one no longer than it and neither inside the other (社保卡
    for 社会保障卡, not 居民身份证 for 身份证), the result not literally in the name."""
    from yiwang.catalogue.synonyms import SETS

    found: dict[str, Option] = {}
    for line in SETS.splitlines():
        phrases = line.split()
        for phrase in phrases:
            others = [
                o for o in phrases if len(o) <= len(phrase) and o not in phrase and phrase not in o
            ]
            for source, left, right in _around(name, phrase):
                intended = cat.containing(source)
                for other in others:
                    query = left + other + right
                    if (
                        MIN_CHARS <= len(query) <= MAX_CHARS
                        and query not in name.name
                        and cat.distinctive(intended)
                    ):
                        found.setdefault(query, Option(query, source, intended))
    return [found[k] for k in sorted(found)]


def _around(name: Name, phrase: str) -> list[tuple[str, str, str]]:
    """(phrase with the words around it, the word before or "", the word after or "")."""
    import rjieba

    spans = []
    for run in name.runs:
        at = run.find(phrase)
        if at < 0:
            continue
        before = rjieba.cut(run[:at])[-1:] if at else []
        after = rjieba.cut(run[at + len(phrase) :])[:1]
        for left in ["", *before]:
            for right in ["", *after]:
                spans.append((left + phrase + right, left, right))
    return spans


def homophones() -> dict[str, list[str]]:
    """The common characters (GB 2312 level 1) by toneless reading."""
    from pypinyin import Style, lazy_pinyin

    table: dict[str, list[str]] = {}
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                char = bytes([high, low]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            table.setdefault(lazy_pinyin(char, style=Style.NORMAL)[0], []).append(char)
    return table


def hanzi_typo(
    cat: Catalogue, option: Option, rng: random.Random, table: dict[str, list[str]]
) -> str | None:
    text = option.text
    for _ in range(20):
        at = rng.randrange(len(text))
        choices = [c for c in table.get(option.syllables[at], []) if c != text[at]]
        if choices:
            typo = text[:at] + rng.choice(choices) + text[at + 1 :]
            if not cat.in_any_name(typo):
                return typo
    return None


def neighbours(letter: str) -> str:
    for row in KEYBOARD:
        at = row.find(letter)
        if at >= 0:
            return row[max(0, at - 1) : at] + row[at + 1 : at + 2]
    return ""


def pinyin_typo(option: Option, rng: random.Random) -> str:
    text = option.text
    at = rng.randrange(1, len(text))
    if rng.random() < 0.5 or not neighbours(text[at]):
        return text[:at] + text[at + 1 :]
    return text[:at] + rng.choice(neighbours(text[at])) + text[at + 1 :]


@dataclass(frozen=True)
class Place:
    pk: int
    code: str
    name: str
    level: str


def make_queries(cat: Catalogue, places: list[Place], total: int) -> list[Query]:
    """``total`` queries (rounded up to a multiple of the categories), the same every time."""
    rng = random.Random(QUERY_SEED)
    table = homophones()
    per = math.ceil(total / len(CATEGORIES))
    levels = sorted(LEVEL_WEIGHTS)
    by_level = {lv: [p for p in places if p.level == lv] for lv in levels}
    queries: list[Query] = []
    for category in CATEGORIES:
        eligible = [(n, o) for n in cat.names if (o := options(cat, n, category))]
        used: set[str] = set()
        made = 0
        while made < per:
            name, opts = rng.choice(eligible)
            option = rng.choice(opts)
            text: str | None = option.text
            if category == "typo_hanzi":
                text = hanzi_typo(cat, option, rng, table)
            elif category == "typo_pinyin":
                text = pinyin_typo(option, rng)
            level = rng.choices(levels, weights=[LEVEL_WEIGHTS[lv] for lv in levels])[0]
            place = rng.choice(by_level[level])
            if text is None or (text in used and len(used) < len(eligible)):
                continue
            used.add(text)
            intended = sorted(option.intended)
            queries.append(
                Query(
                    category, text, option.source, name.code, place.pk, place.name, level, intended
                )
            )
            made += 1
    return queries


def implemented(queries: list[Query], cat: Catalogue) -> list[Query]:
    """The queries whose item has an implementation in the searcher's region (all of them
    from 5,580 implementations on: every item in every region)."""
    from yiwang.catalogue.models import Implementation

    kept = [
        q
        for q in queries
        if Implementation.objects.filter(
            item_id=cat.by_code[q.item].pk, region_id=q.region_id, is_active=True
        ).exists()
    ]
    if len(kept) < len(queries):
        log(f"{len(queries) - len(kept)} queries dropped: no implementation in the region")
    return kept


def fingerprint(queries: list[Query]) -> str:
    """Shows that two runs asked the same queries from the same regions."""
    text = "\n".join(f"{q.category}|{q.text}|{q.region}" for q in queries)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def read_places() -> list[Place]:
    from yiwang.orgs.models import Region

    rows = Region.objects.order_by("code").values_list("pk", "code", "name_zh", "level")
    return [Place(pk, code, f"{name} ({code})", level) for pk, code, name, level in rows]


# --- Measuring ------------------------------------------------------------------------------


@dataclass
class Timings:
    values: list[float] = field(default_factory=list)  # ms

    def add(self, seconds: float) -> None:
        self.values.append(seconds * 1000)

    def summary(self) -> dict[str, float]:
        if not self.values:
            return {}
        v = self.values
        return {
            "p50": round(percentile(v, 0.50), 2),
            "p90": round(percentile(v, 0.90), 2),
            "p99": round(percentile(v, 0.99), 2),
            "mean": round(statistics.fmean(v), 2),
            "max": round(max(v), 2),
            "n": len(v),
        }


@dataclass
class Measured:
    search: dict[str, Timings] = field(default_factory=dict)  # by category, and "all"
    like: dict[str, Timings] = field(default_factory=dict)
    listed: Timings = field(default_factory=Timings)
    suggest: Timings = field(default_factory=Timings)
    errors: dict[str, str] = field(default_factory=dict)  # "call: text" → the first error
    slowest: dict[str, float] = field(default_factory=dict)  # "call: text" → its longest ms

    def of(self, kind: dict[str, Timings], category: str) -> list[Timings]:
        return [kind.setdefault("all", Timings()), kind.setdefault(category, Timings())]

    def attempt(self, what: str, call: Callable[[], Any], *into: Timings) -> Any:
        """``call()``, its time added to ``into``; an exception is kept, not timed: None."""
        start = time.perf_counter()
        try:
            value = call()
        except Exception as error:  # a failing query is a finding, not the end
            self.errors.setdefault(what, f"{type(error).__name__}: {error}")
            return None
        spent = time.perf_counter() - start
        for timings in into:
            timings.add(spent)
        if into:
            self.slowest[what] = max(self.slowest.get(what, 0.0), round(spent * 1000, 1))
        return value

    def slowest_of(self, call: str, count: int = 5) -> dict[str, float]:
        mine = [(what, ms) for what, ms in self.slowest.items() if what.startswith(call + ":")]
        return dict(sorted(mine, key=lambda pair: -pair[1])[:count])


def run_search(query: Query, homes: dict[int, Any]) -> list[int]:
    from yiwang.catalogue.search import search_services

    return search_services(query.text, home=homes[query.region_id], per_page=PAGE).ids


def run_like(query: Query) -> list[int]:
    from django.db.models import Case, IntegerField, Value, When

    from yiwang.catalogue.models import Implementation

    home_first = Case(
        When(region_id=query.region_id, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    rows = (
        Implementation.objects.filter(is_active=True, item__name_zh__contains=query.text)
        .annotate(home_first=home_first)
        .order_by("home_first", "code")
        .values_list("pk", flat=True)
    )
    return list(rows[:PAGE])


def measure(queries: list[Query], rounds: int) -> tuple[Measured, dict[int, list[int]]]:
    from yiwang.catalogue.queries import listed
    from yiwang.orgs.models import Region

    homes = Region.objects.in_bulk({q.region_id for q in queries})
    found: dict[int, list[int]] = {}
    measured = Measured()
    log(f"warm-up: {len(queries)} queries")
    for query in queries:
        listed(measured.attempt(f"search: {query.text}", partial(run_search, query, homes)) or [])
    for number in range(rounds):
        log(f"search, round {number + 1} of {rounds}")
        for index, query in enumerate(queries):
            call = partial(run_search, query, homes)
            into = measured.of(measured.search, query.category)
            found[index] = measured.attempt(f"search: {query.text}", call, *into) or []
            if number == 0:
                measured.attempt("listed", partial(listed, found[index]), measured.listed)
    measure_suggest(queries, measured)
    return measured, found


def measure_suggest(queries: list[Query], measured: Measured) -> None:
    from yiwang.catalogue.search import suggest

    prefixes = [q.text[:n] for q in queries for n in range(1, len(q.text) + 1)]
    log(f"suggest: {len(prefixes)} prefixes")
    for prefix in prefixes[:50]:
        measured.attempt(f"suggest: {prefix}", partial(suggest, prefix))
    for prefix in prefixes:
        measured.attempt(f"suggest: {prefix}", partial(suggest, prefix), measured.suggest)


def measure_like(queries: list[Query], measured: Measured) -> dict[int, list[int]]:
    log(f"LIKE scan: warm-up {LIKE_WARMUP}, then {len(queries)} queries")
    for query in queries[:: max(1, len(queries) // LIKE_WARMUP)][:LIKE_WARMUP]:
        run_like(query)
    found: dict[int, list[int]] = {}
    for index, query in enumerate(queries):
        into = measured.of(measured.like, query.category)
        found[index] = measured.attempt(f"like: {query.text}", partial(run_like, query), *into)
        found[index] = found[index] or []
    return found


@dataclass(frozen=True)
class Row:
    code: str
    region_id: int
    line: str  # how a miss shows it


def rows_of(ids: Iterable[int]) -> dict[int, Row]:
    from yiwang.catalogue.models import Implementation

    rows: dict[int, Row] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), 500):
        chunk = Implementation.objects.filter(pk__in=wanted[start : start + 500]).values_list(
            "pk",
            "item__basic_code",
            "item__name_zh",
            "region_id",
            "region__name_zh",
            "body_nature",
        )
        for pk, code, name, region_id, region, nature in chunk:
            rows[pk] = Row(code, region_id, f"{name} @ {region} [{nature}]")
    return rows


def first_hit(query: Query, ids: Sequence[int], rows: dict[int, Row]) -> int | None:
    intended = set(query.intended)
    for position, pk in enumerate(ids, start=1):
        row = rows[pk]
        if row.code in intended and row.region_id == query.region_id:
            return position
    return None


def judge(queries: list[Query], found: dict[int, list[int]], like: dict[int, list[int]]) -> None:
    rows = rows_of([pk for ids in (*found.values(), *like.values()) for pk in ids])
    for index, query in enumerate(queries):
        query.hit_rank = first_hit(query, found[index], rows)
        query.like_rank = first_hit(query, like.get(index, []), rows)
        query.got = [rows[pk].line for pk in found[index][:TOP]]


def text_rank(query: Query, cat: Catalogue) -> str:
    """Where the text search put the first intended item (before the region order)."""
    from yiwang.catalogue.search import ranked_items

    try:
        ids, fuzzy = ranked_items(query.text)
    except Exception as error:  # reported with the errors
        return f"ranked_items raised {type(error).__name__}: {error}"
    pks = {cat.by_code[c].pk for c in query.intended if c in cat.by_code}
    position = next((i for i, pk in enumerate(ids, start=1) if pk in pks), None)
    if not ids:
        return "the text search found no item" + (", not even a near one" if fuzzy else "")
    found = f"item rank {position}" if position else "not among them"
    return f"{found} of {len(ids)} {'near ' if fuzzy else ''}items"


# --- Figures --------------------------------------------------------------------------------


def rate(queries: list[Query], attribute: str, within: int = TOP) -> float:
    if not queries:
        return 0.0
    ranks = [getattr(q, attribute) for q in queries]
    return round(sum(1 for r in ranks if r is not None and r <= within) / len(queries), 4)


def figures(queries: list[Query], measured: Measured) -> dict[str, Any]:
    search = measured.search["all"].summary()
    like = measured.like["all"].summary() if measured.like else {}
    per_category = {}
    for category in CATEGORIES:
        mine = [q for q in queries if q.category == category]
        per_category[category] = {
            "queries": len(mine),
            "top5_rate": rate(mine, "hit_rank"),
            "top1_rate": rate(mine, "hit_rank", 1),
            "like_top5_rate": rate(mine, "like_rank"),
            "search_ms": measured.search[category].summary(),
            "like_ms": measured.like[category].summary() if measured.like else {},
        }
    return {
        "queries": len(queries),
        "top5_rate": rate(queries, "hit_rank"),
        "top1_rate": rate(queries, "hit_rank", 1),
        "top10_rate": rate(queries, "hit_rank", PAGE),
        "like_top5_rate": rate(queries, "like_rank"),
        "search_ms": search,
        "listed_ms": measured.listed.summary(),
        "suggest_ms": measured.suggest.summary(),
        "like_ms": like,
        "speedup_vs_like": round(like["p50"] / search["p50"], 1) if like else None,
        "by_category": per_category,
        "levels": {lv: sum(1 for q in queries if q.level == lv) for lv in LEVEL_WEIGHTS},
        "slowest_ms": {call: measured.slowest_of(call) for call in ("search", "suggest", "like")},
        "errors": len(measured.errors),
        "error_examples": dict(list(measured.errors.items())[:SHOW_MISSES]),
    }


def show(size: int, database: str, result: dict[str, Any], misses: list[str]) -> None:
    def ms(t: dict[str, float]) -> str:
        if not t:
            return "-"
        return f"p50 {t['p50']} · p90 {t['p90']} · p99 {t['p99']} · mean {t['mean']} · max {t['max']} ms (n={t['n']})"  # noqa: E501

    catalogue = result["catalogue"]
    built = (
        f"reused (built {catalogue.get('built_on', '?')} in {catalogue.get('build_s', '?')} s; "
        f"search refreshed in {catalogue['refresh_s']} s)"
        if catalogue["reused"]
        else f"built in {catalogue['build_s']} s"
    )
    print(f"\n== {database}, {size:,} implementations, {result['items']} items ==")
    print(f"catalogue: {built}")
    print(
        f"queries: {result['queries']} (set {result['query_set']}), searcher's regions by "
        f"level: {result['levels']}; load average {result['load_average'][0]} before, "
        f"{result['load_average'][1]} after"
    )
    print(f"search_services   {ms(result['search_ms'])}")
    print(f"listed(ids)       {ms(result['listed_ms'])}")
    print(f"suggest(prefix)   {ms(result['suggest_ms'])}")
    print(f"LIKE '%q%' scan   {ms(result['like_ms'])}")
    print(
        f"top-5 {result['top5_rate']:.1%} (top-1 {result['top1_rate']:.1%}, top-10 "
        f"{result['top10_rate']:.1%}); LIKE top-5 {result['like_top5_rate']:.1%}; "
        f"speedup_vs_like (LIKE p50 / search p50) {result['speedup_vs_like']}"
    )
    print(
        f"{'category':<12} {'n':>4} {'top5':>7} {'top1':>7} {'LIKE5':>7} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'LIKE p50':>9}"
    )
    for category, row in result["by_category"].items():
        s, lk = row["search_ms"], row["like_ms"]
        print(
            f"{category:<12} {row['queries']:>4} {row['top5_rate']:>7.1%} {row['top1_rate']:>7.1%}"
            f" {row['like_top5_rate']:>7.1%} {s.get('p50', 0):>8} {s.get('p99', 0):>8}"
            f" {lk.get('p50', '-'):>9}"
        )
    for call, slow in result["slowest_ms"].items():
        print(
            f"slowest {call}: "
            + ", ".join(f"{w.split(': ', 1)[1]!r} {ms}" for w, ms in slow.items())
        )
    if result["errors"]:
        print(f"errors ({result['errors']} distinct calls raised; first {SHOW_MISSES}):")
        for what, error in result["error_examples"].items():
            print(f"- {what!r}: {error}")
    print(f"misses ({result['misses']} of {result['queries']}; first {SHOW_MISSES}):")
    for line in misses:
        print(line)


def miss_lines(queries: list[Query], cat: Catalogue) -> list[str]:
    """Up to ``SHOW_MISSES`` misses, taken from the categories in turn."""
    missed = [q for q in queries if q.hit_rank is None or q.hit_rank > TOP]
    by_category = [[q for q in missed if q.category == c] for c in CATEGORIES]
    shown = [q for turn in zip_longest(*by_category) for q in turn if q is not None]
    lines = []
    for query in shown[:SHOW_MISSES]:
        intended = ", ".join(cat.by_code[c].name for c in query.intended[:3])
        more = f" +{len(query.intended) - 3}" if len(query.intended) > 3 else ""
        rank = f"at {query.hit_rank}" if query.hit_rank else "not in the top 10"
        lines.append(
            f"- [{query.category}] {query.text!r} (from {query.source}) @ {query.region}: "
            f"intended {intended}{more}; {rank}; {text_rank(query, cat)}; got: "
            + " | ".join(query.got)
        )
    return lines


# --- One size (child process) and all of them (parent) ---------------------------------------


def run_size(args: argparse.Namespace) -> None:
    configure(args)
    empty_database(args, drop=False)
    import django

    django.setup()
    catalogue = prepare_catalogue(args)
    cat = read_names()
    places = read_places()
    queries = implemented(make_queries(cat, places, args.queries), cat)
    log(f"{len(queries)} queries; measuring")
    load_before = os.getloadavg()[0]
    measured, found = measure(queries, args.rounds)
    like = measure_like(queries, measured) if not args.no_like else {}
    load_after = os.getloadavg()[0]
    judge(queries, found, like)
    result = figures(queries, measured)
    result.update(
        size=args.child,
        items=len(cat.names),
        catalogue=catalogue,
        misses=sum(1 for q in queries if q.hit_rank is None or q.hit_rank > TOP),
        query_set=fingerprint(queries),
        load_average=[round(load_before, 2), round(load_after, 2)],
        machine=machine(),
    )
    show(args.child, args.database, result, miss_lines(queries, cat))
    result["query_list"] = [asdict(q) for q in queries]
    args.json_out.write_text(json.dumps(result, ensure_ascii=False) + "\n", encoding="utf-8")


def run_all(args: argparse.Namespace) -> None:
    sizes = list(QUICK_SIZES) if args.quick else [int(s) for s in args.sizes.split(",")]
    results: dict[int, dict[str, Any]] = {}
    for size in sizes:
        out = args.workdir / f"result-{args.database}-{size}.json"
        out.unlink(missing_ok=True)
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            str(size),
            "--json-out",
            str(out),
            *child_flags(args),
        ]
        subprocess.run(command, check=True)
        results[size] = json.loads(out.read_text(encoding="utf-8"))
    final = summary(args, results)
    print(f"\nmachine: {final['machine']}")
    line = json.dumps(final, ensure_ascii=False)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(line + "\n", encoding="utf-8")
    print(line)


def child_flags(args: argparse.Namespace) -> list[str]:
    flags = [
        "--database",
        args.database,
        "--queries",
        str(args.queries),
        "--rounds",
        str(args.rounds),
        "--workdir",
        str(args.workdir),
    ]
    return flags + ["--rebuild"] * args.rebuild + ["--no-like"] * args.no_like


def summary(args: argparse.Namespace, results: dict[int, dict[str, Any]]) -> dict[str, Any]:
    small, large = results.get(100_000), results.get(1_000_000)

    def pick(result: dict[str, Any] | None, *path: str) -> Any:
        value: Any = result
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    return {
        "p50_ms_100k": pick(small, "search_ms", "p50"),
        "p99_ms_100k": pick(small, "search_ms", "p99"),
        "p99_ms_1m": pick(large, "search_ms", "p99"),
        "top5_rate": pick(small, "top5_rate"),
        "speedup_vs_like": pick(small, "speedup_vs_like"),
        "database": args.database,
        "speedup_definition": "LIKE p50 / search_services p50, at 100,000",
        "p50_ms_1m": pick(large, "search_ms", "p50"),
        "top5_rate_1m": pick(large, "top5_rate"),
        "by_size": {
            str(size): {
                "search_ms": r["search_ms"],
                "like_ms": r["like_ms"],
                "listed_ms": r["listed_ms"],
                "suggest_ms": r["suggest_ms"],
                "top5_rate": r["top5_rate"],
                "top1_rate": r["top1_rate"],
                "like_top5_rate": r["like_top5_rate"],
                "speedup_vs_like": r["speedup_vs_like"],
                "top5_by_category": {c: v["top5_rate"] for c, v in r["by_category"].items()},
                "catalogue": r["catalogue"],
                "errors": r["errors"],
                "load_average": r["load_average"],
            }
            for size, r in results.items()
        },
        "queries": next(iter(results.values()))["queries"],
        "query_set": next(iter(results.values()))["query_set"],
        "machine": next(iter(results.values()))["machine"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--queries", type=int, default=DEFAULT_QUERIES)
    parser.add_argument("--rounds", type=int, default=3, help="timed passes of the search")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/yiwang-bench-search"))
    parser.add_argument("--rebuild", action="store_true", help="write the catalogues again")
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES}: a smoke run")
    parser.add_argument("--no-like", action="store_true", help="skip the LIKE baseline")
    parser.add_argument("--json", type=Path, help="also write the result here")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--json-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.queries < len(CATEGORIES) or args.rounds < 1:
        parser.error("--queries must be at least 7 and --rounds at least 1")
    args.workdir = args.workdir.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.child:
        run_size(args)
    else:
        run_all(args)


if __name__ == "__main__":
    main()
