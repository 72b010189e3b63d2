#!/usr/bin/env python
"""Government information benchmark (issue 9): the public catalogue, its search and the
information pages at 1,000,000 documents. PostgreSQL only.

    .venv/bin/python bench/disclosure.py [--documents 1000000] [--rebuild] [--rounds 5]
        [--search-rounds 3] [--seconds 30] [--connections 16] [--workers 4] [--threads 2]
        [--part all|catalogue|pages] [--json PATH]

**Data.** The database ``bench_disclosure`` (``bench_disclosure_<N>`` for another size) on
the local server, kept between runs and reused while it holds the same documents from the
same seed and generator (the record is the database's comment); ``--rebuild`` writes it
again. A build migrates, loads the demo regions and departments (98 issuing bodies) and
writes N published documents generated from the seed (``disclosure_data.py``) and their
search documents — the very rows ``do_index`` writes, through the same function — with
``COPY``, then the search statistics; a reused database gets ``VACUUM ANALYZE``.

**Catalogue and search** (one process, Django's test client, DEBUG off, anonymous, no page
cache on these pages): the catalogue's first page for a fixed list of filter combinations
(none, each category, bodies, years, category + year, kind, openness, the English channel)
and the same page searched with ``?q=`` for a fixed list of at least 100 queries (2–4
character words of the titles, two-word queries, queries within a filter). One warm-up pass
(which also counts each page's SQL statements), then ``--rounds`` (catalogue) and
``--search-rounds`` (search) timed passes; p50/p90/p99/max in ms.

**Search index.** Where the server offers RUM, the disclosure documents get their optional
RUM index (``manage.py search_indexes``, decision 0037); ``search_index`` in the record says
which index the search read.

**Kept pages.** Every information's page is rendered and kept as publication keeps it
(``page_cache.do_render_pages``, in ``--render-workers`` processes), unless the database
already holds this release's pages (the page version is part of the record); the secret key
is fixed, since the pages' CSRF placeholder follows it.

**Pages** (gunicorn with ``yiwang.wsgi:application`` as in production — the front before
Django — DEBUG off, Redis cache): anonymous ``GET /open/info/<index number>/`` of documents
drawn uniformly at random (seeded) over all N (the kept pages read into memory first with
``pg_prewarm``), on ``--connections`` keep-alive connections
from this (second) process for ``--seconds``; 200s per second. Then a hot set (``--hot``
documents at random for ``--hot-seconds``), and the framework's ceiling on the same server:
``GET /api/v1/natures`` (no database) as ``bench/payments.py`` measures it.

The machine goes to stdout before the result; the last stdout line is one JSON object with
catalogue_p99_ms, search_p99_ms, page_requests_per_second and documents (and more); logs go
to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from desk import (  # noqa: E402
    POSTGRES_SERVER,
    fresh_postgres_database,
    log,
    machine,
    percentile,
    production_like,
)
from intake import (  # noqa: E402
    ceiling,
    read_response,
    server_command,
    server_env,
    start_server,
)

DATABASE = "bench_disclosure"
DEFAULT_DOCUMENTS = 1_000_000
SEED = 2019  # the year of the regulations
GENERATOR_VERSION = 1  # bump when disclosure_data.py makes different rows
REDIS_URL = "redis://127.0.0.1:6379/14"  # this benchmark's own Redis database, emptied first
# Fixed, so that kept pages (whose CSRF placeholder follows the key) outlive a run.
SECRET_KEY = "bench-disclosure-secret-key-not-for-production-0123456789abcdef"  # noqa: S105
TARGET_MS = 50.0
TARGET_RPS = 1000.0

CATEGORY_YEARS = (
    ("rules", 2016),
    ("procurement", 2019),
    ("recruitment", 2022),
    ("statistics", 2025),
    ("enforcement", 2015),
    ("welfare", 2026),
)
YEARS = (2015, 2018, 2020, 2021, 2024, 2026)
BODIES = ("浙政办", "浙建", "杭市监", "甬政办", "温交", "西湖政办")  # by short code

# Words of the generated titles and texts, 2–4 characters.
WORDS = (
    *("租赁", "安全生产", "垃圾分类", "营商环境", "政务服务", "养老", "义务教育", "公共卫生"),
    *("人居环境", "城市更新", "数字政府", "融资", "就业", "毕业生", "医疗保障", "医疗保险"),
    *("公积金", "养老保险", "生活保障", "残疾人", "食品安全", "药品", "生态环境", "大气污染"),
    *("水污染", "河长制", "防汛", "森林防火", "交通安全", "消防", "扬尘", "老旧小区"),
    *("保障性", "农田", "乡村振兴", "文化旅游", "全民健身", "科技创新", "知识产权", "专精特新"),
    *("招商引资", "公共资源", "行政执法", "审批", "信用", "统计", "预算", "决算"),
    *("收费", "重大建设", "轨道交通", "公务员", "招聘", "人才", "退役军人", "社会救助"),
    *("儿童", "照护", "学前教育", "技能培训", "欠薪", "市场监管", "特种设备", "抽查"),
    *("疫苗", "地质灾害", "应急物资", "节能", "新能源", "电动自行车", "物业", "不动产"),
    *("户籍", "居住证", "出入境", "中标", "招标", "应急预案", "处罚", "统计公报"),
    *("三公", "解读", "行动计划", "十四五", "实施意见", "管理办法", "耕地", "网络安全"),
)
PAIRS = (
    *("住房 租赁", "安全生产 通报", "垃圾分类 通知", "养老 服务", "公积金 通知"),
    *("食品安全 抽查", "医疗保险 解读", "杭州 招聘", "宁波 预算", "温州 应急预案"),
    *("2024 决算", "2021 统计公报", "政府采购 意向", "行政处罚 决定书", "老旧小区 改造"),
    *("乡村振兴 进展", "消防安全 检查", "营商环境 措施", "数字政府 规划", "就业 补贴"),
)
FILTERED = (  # (query, filters) — bodies by short code
    ("招聘", {"category": "recruitment"}),
    ("安全生产", {"category": "inspections"}),
    ("预算", {"category": "budgets", "year": "2023"}),
    ("中标", {"category": "procurement"}),
    ("通知", {"body": "浙政办"}),
    ("处罚", {"body": "杭市监"}),
    ("统计", {"year": "2025"}),
    ("垃圾分类", {"year": "2019"}),
    ("解读", {"kind": "interpretation"}),
    ("养老", {"category": "welfare", "year": "2024"}),
    ("应急预案", {"category": "emergencies"}),
    ("公积金", {"openness": "service"}),
)


def database_name(documents: int) -> str:
    return DATABASE if documents == DEFAULT_DOCUMENTS else f"{DATABASE}_{documents}"


# --- The database --------------------------------------------------------------------------


def wanted_record(args: argparse.Namespace) -> dict[str, Any]:
    return {"documents": args.documents, "seed": SEED, "generator": GENERATOR_VERSION}


def read_record(name: str) -> dict[str, Any] | None:
    """What the database says it holds (its comment), or None."""
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres") as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    if row is None or not row[0]:
        return None
    try:
        record: dict[str, Any] = json.loads(row[0])
    except ValueError:
        return None
    return record


def write_record(name: str, record: dict[str, Any]) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
        statement = sql.SQL("COMMENT ON DATABASE {} IS {}").format(
            sql.Identifier(name), sql.Literal(json.dumps(record))
        )
        conn.execute(statement)


def prepare(args: argparse.Namespace, var_dir: Path) -> dict[str, Any]:
    """Reuse the database when it holds what this run wants, else write it; the record."""
    name = database_name(args.documents)
    record = read_record(name)
    wanted = wanted_record(args)
    reuse = not args.rebuild and record is not None and _holds(record, wanted)
    fresh_postgres_database(name, keep=reuse)
    production_like(var_dir, "postgres", name)
    os.environ["SECRET_KEY"] = SECRET_KEY
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if reuse and record is not None:
        log(f"reusing {name}: {args.documents:,} documents, built {record.get('built_on')}")
        if count_documents() != args.documents:
            raise SystemExit(f"{name} does not hold {args.documents:,} documents: --rebuild")
        vacuum_analyze()
    else:
        record = {**wanted, **build(args)}
    record = {**record, **keep_pages(args, record), "search_index": search_index()}
    write_record(name, record)
    return {**record, "reused": reuse}


def search_index() -> str:
    """The optional RUM index of the disclosure documents, made when the server offers RUM
    (``manage.py search_indexes``, decision 0037); which index the search reads."""
    from yiwang.search import top_k

    if top_k.rum_available() and "disclosure" not in top_k.indexed_kinds():
        log("creating the RUM index of the disclosure documents")
        top_k.create_indexes(["disclosure"])
        top_k.forget()
    return "rum" if "disclosure" in top_k.indexed_kinds() else "gin"


def keep_pages(args: argparse.Namespace, record: dict[str, Any]) -> dict[str, Any]:
    """Every information's kept page, unless the database holds this release's already."""
    from disclosure_data import render_pages

    from yiwang.disclosure import page_cache
    from yiwang.disclosure.models import PublishedPage

    version = page_cache.version()
    if record.get("pages_version") == version:
        log(f"reusing the kept pages of version {version}")
        return {}
    log(f"rendering every page (version {version}) in {args.render_workers} processes")
    started = time.perf_counter()
    pages = render_pages(args.render_workers)
    seconds = round(time.perf_counter() - started, 1)
    vacuum_analyze()
    current = PublishedPage.objects.filter(version=version).count()
    if current != pages:
        raise SystemExit(f"{pages:,} pages rendered, {current:,} of this version kept")
    log(f"{pages:,} pages kept in {seconds:.0f} s")
    return {"pages_version": version, "pages": pages, "pages_s": seconds}


def _holds(record: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return all(record.get(key) == value for key, value in wanted.items())


def count_documents() -> int:
    from yiwang.disclosure.models import Information
    from yiwang.search.models import Document

    informations = Information.objects.filter(state="published").count()
    documents = Document.objects.filter(kind="disclosure").count()
    return informations if informations == documents else -1


def build(args: argparse.Namespace) -> dict[str, Any]:
    from disclosure_data import load

    from yiwang.demo.loader import load_reference_data
    from yiwang.orgs import lookups

    lookups.clear()
    load_reference_data()
    log(f"writing {args.documents:,} documents (seed {SEED})")
    started = time.perf_counter()
    steps = load(args.documents, SEED)
    tick = time.perf_counter()
    vacuum_analyze()
    steps["vacuum_analyze_s"] = round(time.perf_counter() - tick, 1)
    seconds = round(time.perf_counter() - started, 1)
    log(f"written in {seconds:.0f} s: {steps}")
    built_on = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return {"build_s": seconds, "build_steps": steps, "built_on": built_on}


def vacuum_analyze() -> None:
    """Planner statistics and the visibility map, as autovacuum would soon after a load."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# --- Catalogue and search through the test client --------------------------------------------


@dataclass
class Timed:
    values: list[float] = field(default_factory=list)  # ms

    def summary(self) -> dict[str, float]:
        v = self.values
        if not v:
            return {}
        return {
            "p50": round(percentile(v, 0.50), 2),
            "p90": round(percentile(v, 0.90), 2),
            "p99": round(percentile(v, 0.99), 2),
            "max": round(max(v), 2),
            "n": len(v),
            "within_target": round(sum(1 for x in v if x <= TARGET_MS) / len(v), 3),
        }


def body_ids() -> dict[str, int]:
    from yiwang.orgs.models import Department

    return dict(Department.objects.values_list("short_code", "pk"))


def catalogue_urls() -> list[str]:
    from yiwang.disclosure.models import Category

    bodies = body_ids()
    urls = ["/open/"]
    urls += [f"/open/?category={c}" for c in Category.values]
    urls += [f"/open/?body={bodies[b]}" for b in BODIES if b in bodies]
    urls += [f"/open/?year={y}" for y in YEARS]
    urls += [f"/open/?category={c}&year={y}" for c, y in CATEGORY_YEARS]
    urls += ["/open/?kind=interpretation", "/open/?openness=result", "/open/?page=2"]
    urls += ["/en/open/", "/en/open/?category=rules"]
    return urls


def search_urls() -> list[str]:
    bodies = body_ids()
    urls = [f"/open/?{urlencode({'q': q})}" for q in (*WORDS, *PAIRS)]
    for query, filters in FILTERED:
        params = dict(filters)
        if "body" in params:
            params["body"] = str(bodies.get(params["body"], 0))
        urls.append(f"/open/?{urlencode({'q': query, **params})}")
    return urls


def measure_pages(
    urls: Sequence[str], rounds: int, what: str, groups: dict[str, int] | None = None
) -> dict[str, Any]:
    """One warm-up pass counting SQL statements, then ``rounds`` timed passes; ``groups``
    names consecutive runs of the urls (name → how many) for figures of their own."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    statements: dict[str, int] = {}
    empty: list[str] = []
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        _check(response, url)
        statements[url] = len(captured.captured_queries)
        if b'id="nothing"' in response.content:
            empty.append(url)
    timings, per_url = Timed(), {url: Timed() for url in urls}
    for number in range(rounds):
        log(f"{what}: round {number + 1} of {rounds} ({len(urls)} pages)")
        for url in urls:
            started = time.perf_counter()
            response = client.get(url)
            spent = (time.perf_counter() - started) * 1000
            _check(response, url)
            timings.values.append(spent)
            per_url[url].values.append(spent)
    slowest = sorted(per_url.items(), key=lambda item: -max(item[1].values))[:5]
    by_group, start = {}, 0
    for name, count in (groups or {}).items():
        chosen = [x for url in urls[start : start + count] for x in per_url[url].values]
        by_group[name] = Timed(chosen).summary()
        start += count
    return {
        "ms": timings.summary(),
        "groups": by_group,
        "pages": len(urls),
        "statements": _spread(list(statements.values())),
        "empty": len(empty),
        "empty_examples": empty[:5],
        "slowest": {url: t.summary() for url, t in slowest},
    }


def _spread(values: list[int]) -> dict[str, int]:
    return {"min": min(values), "max": max(values)} if values else {}


def _check(response: Any, url: str) -> None:
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")


# --- Pages over HTTP ---------------------------------------------------------------------------


@dataclass
class Load:
    started: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    ok_by_second: dict[int, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    repeats: int = 0  # documents already asked for in this run (so possibly cached)
    errors: int = 0


class Picker:
    """Documents at random (seeded), and which were asked for before."""

    def __init__(self, paths: Sequence[str], seed: int) -> None:
        self.paths, self.rng, self.seen = paths, random.Random(seed), set[int]()

    def next(self) -> tuple[str, bool]:
        index = self.rng.randrange(len(self.paths))
        repeat = index in self.seen
        self.seen.add(index)
        return self.paths[index], repeat


async def page_connection(port: int, picker: Picker, stop_at: float, load: Load) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < stop_at:
            path, repeat = picker.next()
            started = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            status, _body, closing = await read_response(reader)
            load.latencies_ms.append((time.perf_counter() - started) * 1000)
            load.statuses[status] = load.statuses.get(status, 0) + 1
            load.repeats += repeat
            if status == 200:
                second = int(time.monotonic() - load.started)
                load.ok_by_second[second] = load.ok_by_second.get(second, 0) + 1
            if closing:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except (ConnectionError, asyncio.IncompleteReadError, ValueError):
        load.errors += 1
    finally:
        writer.close()


async def drive(port: int, picker: Picker, seconds: float, connections: int) -> Load:
    load = Load(started=time.monotonic())
    stop_at = load.started + seconds
    await asyncio.gather(
        *(page_connection(port, picker, stop_at, load) for _ in range(connections))
    )
    return load


def load_figures(load: Load, seconds: float) -> dict[str, Any]:
    ok = load.statuses.get(200, 0)
    full = [load.ok_by_second.get(s, 0) for s in range(int(seconds))]
    total = sum(load.statuses.values())
    return {
        "requests_per_second": round(ok / seconds, 1),
        "per_second": {"min": min(full, default=0), "median": statistics.median(full or [0])},
        "p50_ms": round(percentile(load.latencies_ms, 0.5), 2) if load.latencies_ms else None,
        "p99_ms": round(percentile(load.latencies_ms, 0.99), 2) if load.latencies_ms else None,
        "statuses": {str(k): v for k, v in sorted(load.statuses.items())},
        "repeat_share": round(load.repeats / total, 4) if total else 0.0,
        "client_errors": load.errors,
    }


def information_paths() -> list[str]:
    from yiwang.disclosure.models import Information

    numbers = Information.objects.filter(state="published").order_by("pk")
    return [f"/open/info/{quote(n)}/" for n in numbers.values_list("index_no", flat=True)]


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def prewarm_pages() -> None:
    """The kept pages and their index read into memory (``pg_prewarm``), as a server
    serving them keeps them there (``pg_prewarm.autoprewarm``, enough RAM): uniformly random
    reads over a table evicted by the machine's memory reclaim measure the disk instead."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        for relation in ("disclosure_publishedpage", "one_page_per_language"):
            cursor.execute("SELECT pg_prewarm(%s, 'read')", [relation])
    connection.close()


def serve_pages(args: argparse.Namespace, var_dir: Path, paths: list[str]) -> dict[str, Any]:
    """Start the production server (the front before Django), drive it, stop it."""
    env = server_env("postgres", var_dir)
    redis_url = os.environ.get("BENCH_DISCLOSURE_REDIS_URL", REDIS_URL)
    env.update(DATABASE_URL=f"{POSTGRES_SERVER}/{database_name(args.documents)}")
    env.update(REDIS_URL=redis_url, SECRET_KEY=SECRET_KEY)
    flush_redis(redis_url)
    prewarm_pages()
    command = server_command("gunicorn", args.port, args.workers, args.threads)
    server = start_server(env, command, args.port)
    try:
        return run_load(args, paths)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def run_load(args: argparse.Namespace, paths: list[str]) -> dict[str, Any]:
    def run(picker: Picker, seconds: float) -> Load:
        return asyncio.run(drive(args.port, picker, seconds, args.connections))

    log(f"warming up for {args.warmup}s")
    run(Picker(paths, SEED + 1), args.warmup)
    log(f"uniform: {args.connections} connections for {args.seconds}s over {len(paths):,}")
    uniform = load_figures(run(Picker(paths, SEED + 2), args.seconds), args.seconds)
    log(f"uniform: {uniform}")
    hot_paths = random.Random(SEED + 3).sample(paths, min(args.hot, len(paths)))
    log(f"hot set: {len(hot_paths):,} documents for {args.hot_seconds}s")
    hot = load_figures(run(Picker(hot_paths, SEED + 4), args.hot_seconds), args.hot_seconds)
    log(f"hot set: {hot}")
    log("measuring the framework's ceiling (a request that does no work) for 10s")
    trivial = asyncio.run(ceiling(args.port, 10.0, args.connections))
    return {
        "uniform": uniform,
        "hot": {**hot, "documents": len(hot_paths)},
        "trivial_requests_per_second": round(trivial, 1),
        "seconds": args.seconds,
        "connections": args.connections,
        "server": f"gunicorn gthread, {args.workers} workers x {args.threads} threads",
    }


# --- Main ---------------------------------------------------------------------------------------


def show(result: dict[str, Any]) -> None:
    def ms(t: dict[str, float]) -> str:
        if not t:
            return "-"
        return f"p50 {t['p50']} · p90 {t['p90']} · p99 {t['p99']} · max {t['max']} ms (n={t['n']})"

    data = result["data"]
    built = f"built in {data.get('build_s')} s on {data.get('built_on')}"
    print(
        f"\n== {result['documents']:,} documents ({'reused, ' if data['reused'] else ''}{built}) =="
    )
    for name in ("catalogue", "search"):
        part = result.get(name)
        if part:
            print(
                f"{name:<10} {ms(part['ms'])}; {part['pages']} pages, SQL statements "
                f"{part['statements']}, with nothing found {part['empty']}, within "
                f"{TARGET_MS:.0f} ms {part['ms']['within_target']:.1%}"
            )
            for group, figures in part["groups"].items():
                print(f"  {group:<14} {ms(figures)}, within target {figures['within_target']:.1%}")
    pages = result.get("pages")
    if pages:
        for name in ("uniform", "hot"):
            p = pages[name]
            print(
                f"pages {name:<8} {p['requests_per_second']} 200s/s (per second "
                f"{p['per_second']}), p50 {p['p50_ms']} ms, p99 {p['p99_ms']} ms, statuses "
                f"{p['statuses']}, repeats {p['repeat_share']:.1%}"
            )
        print(f"ceiling: {pages['trivial_requests_per_second']} trivial requests/s")
    if data.get("pages_s") is not None:
        print(f"kept pages: {data['pages']:,} rendered in {data['pages_s']} s")
    print(f"machine: {result['machine']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--documents", type=int, default=DEFAULT_DOCUMENTS)
    parser.add_argument("--rebuild", action="store_true", help="write the database again")
    parser.add_argument("--part", choices=["all", "catalogue", "pages"], default="all")
    parser.add_argument("--rounds", type=int, default=5, help="timed passes of the catalogue")
    parser.add_argument("--search-rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--hot", type=int, default=1000, help="documents of the hot set")
    parser.add_argument("--hot-seconds", type=float, default=15.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--render-workers", type=int, default=2, help="processes rendering pages")
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args()
    if args.documents < 1000 or args.rounds < 1 or args.search_rounds < 1:
        parser.error("--documents must be at least 1000, the rounds at least 1")
    var_dir = Path(tempfile.mkdtemp(prefix="yiwang-bench-disclosure-"))
    data = prepare(args, var_dir)
    result: dict[str, Any] = {"documents": args.documents, "data": data}
    load_before = os.getloadavg()[0]
    if args.part in ("all", "catalogue"):
        result["catalogue"] = measure_pages(catalogue_urls(), args.rounds, "catalogue")
        groups = {"words": len(WORDS), "two words": len(PAIRS), "with a filter": len(FILTERED)}
        result["search"] = measure_pages(search_urls(), args.search_rounds, "search", groups)
    if args.part in ("all", "pages"):
        from django.db import connections

        paths = information_paths()
        connections.close_all()
        result["pages"] = serve_pages(args, var_dir, paths)
    result["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    result["machine"] = machine()
    report(result, args.json)


def report(result: dict[str, Any], json_path: Path | None) -> None:
    show(result)
    pick: Callable[[str], Any] = lambda part: (result.get(part) or {}).get("ms", {}).get("p99")  # noqa: E731
    pages = result.get("pages") or {}
    final = {
        "catalogue_p99_ms": pick("catalogue"),
        "search_p99_ms": pick("search"),
        "page_requests_per_second": pages.get("uniform", {}).get("requests_per_second"),
        "documents": result["documents"],
        "targets": {"p99_ms": TARGET_MS, "requests_per_second": TARGET_RPS},
        **result,
    }
    line = json.dumps(final, ensure_ascii=False)
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(line + "\n", encoding="utf-8")
    print(line)


if __name__ == "__main__":
    main()
