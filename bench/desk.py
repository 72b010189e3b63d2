#!/usr/bin/env python
"""Desk benchmark: the desk's pages at 1,000,000 messages, p95 of test-client renders.

    .venv/bin/python bench/desk.py --database postgres|sqlite [--messages 1000000]
        [--renders 50] [--keep]

It builds its own database (PostgreSQL: ``bench_desk`` on the local server, dropped and
created again unless --keep; SQLite: ``var/bench/desk-<N>.sqlite3``), migrates it, loads the
demo organisations, taxonomy, themes and staff through the demo loaders, and then N messages
over two years ending today with PostgreSQL ``COPY`` (SQLite: multi-row inserts). The mix
follows a working desk: volume grows over the two years with quieter weekends, today holds
0.3 % of the messages (3,000 at 1M), most of them still new; older messages are further
along the casework path, a few are handled late and a few hundred are carried over. History
events are not generated (no desk page reads them). With --keep an already loaded dataset
of the same size is reused; if it was loaded on an earlier day, the clock is moved back to
that day (time-machine) so that "today" is the dataset's today.

Then, signed in as the desk clerk through Django's test ``Client`` (DEBUG off, no page or
view cache), it renders each page three times to warm up and once to count its SQL queries,
then --renders times round robin over the pages, and reports p95, p50 and maximum in ms:

- ``home``: ``/staff/`` (today's clearance live, per clerk, the last seven days);
- ``queue``: ``/staff/messages/``, the first page of the message list, no filter;
  ``queue_new`` (extra): ``/staff/messages/?state=new``, what the desk still has to handle;
- ``report``: ``/staff/clearance.xlsx`` for today only; ``report_30`` (extra): the default
  30 days the home page links to;
- ``queue_search`` (extra): the message list searched for a common phrase through the
  full-text index (every message is indexed first, as ``manage.py reindex`` does);
- ``message`` (extra): one of today's messages, with its similar earlier messages.

The machine goes to stdout before the result; the last line on stdout is one JSON object;
logs go to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
BENCH_DB_PREFIX = "bench_"
# Fixed, public keys: the data is invented and --keep must read what an earlier run wrote.
BENCH_PII_KEYS = "bench:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
BENCH_CLERKS = 8
DAYS = 730
TODAY_SHARE = 0.003
BATCH = 20_000
SEARCH_QUERY = "噪音扰民"  # a common complaint: 27,000 matches at 1M messages
EXTRA_PAGES = ("queue_new", "report_30", "queue_search", "message")


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


# --- Environment and database ---------------------------------------------------------------


def configure(args: argparse.Namespace) -> None:
    var_dir = Path(tempfile.mkdtemp(prefix="yiwang-bench-desk-"))
    production_like(var_dir, args.database, args.pg_name)
    if args.database == "sqlite":
        os.environ["YIWANG_VAR_DIR"] = str(sqlite_dir(args))
        os.environ["YIWANG_PRIVATE_DIR"] = str(var_dir / "private")


def production_like(var_dir: Path, database: str, pg_name: str) -> None:
    """Production-like settings (DEBUG off), before Django is imported."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="yiwang.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        YIWANG_SINGLE_PROCESS="1",
        YIWANG_VAR_DIR=str(var_dir),
        YIWANG_PII_KEYS=BENCH_PII_KEYS,
        YIWANG_HASH_KEY="bench-hash-key-0123456789abcdef-0123456789",
        YIWANG_QUERY_CODE_KEY="bench-query-code-key-0123456789-0123456789",
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)
    if database == "postgres":
        os.environ["DATABASE_URL"] = f"{POSTGRES_SERVER}/{pg_name}"
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["YIWANG_ALLOW_SQLITE_IN_PRODUCTION"] = "1"


def sqlite_dir(args: argparse.Namespace) -> Path:
    """The settings keep SQLite at VAR_DIR/yiwang.sqlite3; one folder per dataset size."""
    return ROOT / "var" / "bench" / f"desk-{args.messages}"


def fresh_postgres_database(name: str, keep: bool) -> None:
    import psycopg

    if not name.startswith(BENCH_DB_PREFIX):
        raise SystemExit(f"refusing to use {name!r}: benchmark databases start with 'bench_'")
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and keep:
            return
        if exists:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def fresh_sqlite_database(args: argparse.Namespace) -> None:
    folder = sqlite_dir(args)
    folder.mkdir(parents=True, exist_ok=True)
    if not args.keep:
        for suffix in ("", "-wal", "-shm"):
            (folder / f"yiwang.sqlite3{suffix}").unlink(missing_ok=True)


def prepare() -> None:
    from django.core.management import call_command

    from yiwang.accounts.actions import do_sync_roles
    from yiwang.demo.loader import load_demo_staff, load_reference_data

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    do_sync_roles()
    load_reference_data()
    load_demo_staff()
    create_bench_clerks()


def create_bench_clerks() -> None:
    from yiwang.accounts.actions import do_create_staff
    from yiwang.accounts.models import User
    from yiwang.orgs.models import Department

    office = Department.objects.get(short_code="浙政办")
    for n in range(1, BENCH_CLERKS + 1):
        username = f"bench_clerk_{n:02d}"
        if not User.objects.filter(username=username).exists():
            do_create_staff(
                username,
                secrets.token_urlsafe(16),
                roles=["desk_clerk"],
                department_id=office.pk,
                display_name=f"话务员{n:02d}",
            )


# --- The dataset -----------------------------------------------------------------------------

COLUMNS = (
    "tracking_number",
    "query_code_digest",
    "submission_token_hash",
    "fingerprint",
    "title",
    "content",
    "is_long",
    "nature",
    "region_id",
    "theme_id",
    "category_id",
    "category_is_partial",
    "lead_department_id",
    "state",
    "channel",
    "source",
    "api_client_id",
    "language",
    "hall_id",
    "campaign_id",
    "external_id",
    "contact_name",
    "mobile_encrypted",
    "mobile_hash",
    "email_encrypted",
    "email_hash",
    "id_number_encrypted",
    "id_number_hash",
    "consent_publish",
    "submitted_at",
    "due_day",
    "cleared_at",
    "deadline",
    "cleared_day",
    "cleared_by_id",
    "reply_text",
    "replied_at",
    "reply_approved_at",
    "receipt_sent_at",
)
Row = tuple[Any, ...]

Choices = tuple[tuple[str, int], ...]
CHANNELS: Choices = (
    *(("web", 45), ("api", 25), ("phone", 12), ("qr", 6)),
    *(("hall", 5), ("email", 4), ("import", 2), ("open311", 1)),
)
TODAY_STATES: Choices = (
    *(("new", 55), ("triaged", 25), ("forwarded", 15), ("answered", 3), ("not_accepted", 2)),
)
RECENT_STATES: Choices = (
    *(("triaged", 20), ("forwarded", 40), ("accepted", 30), ("answered", 5)),
    ("not_accepted", 5),
)
WEEKS_STATES: Choices = (
    *(("forwarded", 10), ("accepted", 40), ("replied", 35), ("answered", 5)),
    *(("not_accepted", 5), ("closed", 5)),
)
OLD_STATES: Choices = (
    *(("closed", 80), ("replied", 6), ("answered", 6), ("not_accepted", 4)),
    *(("merged", 2), ("returned", 1), ("accepted", 1)),
)
REPLIED = {"replied", "closed"}
FORWARDED = {"forwarded", "accepted", "replied", "closed", "returned"}


@dataclass(frozen=True)
class Template:
    """One demo message, ready to be repeated: texts, contacts, its category and department."""

    title: str
    content: str
    nature: str
    region_id: int
    theme_id: int | None
    category_id: int | None
    department_id: int | None
    contact_name: str
    mobile: tuple[str, str]
    email: tuple[str, str]
    consent: bool


@dataclass(frozen=True)
class Reference:
    templates: list[Template]
    clerk_ids: list[int]
    tz: dt.tzinfo


def reference(pool: int) -> Reference:
    """Texts from the demo generator; ids of what the loaders put in the database."""
    from django.utils import timezone

    from yiwang.accounts.models import User
    from yiwang.demo.generator import generate_messages
    from yiwang.intake.personal import lookup_hash, seal
    from yiwang.orgs.models import Region
    from yiwang.taxonomy.models import Category, Theme
    from yiwang.taxonomy.routing import route_lead_department

    regions = {r.code: r for r in Region.objects.all()}
    themes = dict(Theme.objects.values_list("code", "id"))
    leaves: dict[str, list[Category]] = {}
    leaf: Category | None
    for leaf in Category.objects.filter(version__is_active=True, is_leaf=True).select_related(
        "parent"
    ):
        leaves.setdefault(leaf.code.split(".")[0], []).append(leaf)
    rng = random.Random(7)
    templates = []
    for demo in generate_messages(pool, seed=2026):
        region = regions[demo.region_code]
        leaf = rng.choice(leaves[demo.major_code]) if demo.major_code in leaves else None
        department = route_lead_department(leaf, region) if leaf else None
        templates.append(
            Template(
                title=demo.title,
                content=demo.content,
                nature=demo.nature,
                region_id=region.pk,
                theme_id=themes.get(demo.theme_code or ""),
                category_id=leaf.pk if leaf else None,
                department_id=department.pk if department else None,
                contact_name=demo.contact_name,
                mobile=(
                    seal("mobile", demo.mobile or ""),
                    lookup_hash("mobile", demo.mobile or ""),
                ),
                email=(seal("email", demo.email or ""), lookup_hash("email", demo.email or "")),
                consent=demo.consent_publish,
            )
        )
    desk = User.objects.filter(username__in=["clerk", "supervisor"])
    clerks = User.objects.filter(username__startswith="bench_clerk_") | desk
    return Reference(
        templates, list(clerks.values_list("id", flat=True)), timezone.get_current_timezone()
    )


def per_day(total: int, today: dt.date) -> list[tuple[dt.date, int]]:
    """Messages per due day: growing over two years, quieter at weekends, today fixed."""
    today_count = max(1, round(total * TODAY_SHARE))
    days = [today - dt.timedelta(days=DAYS - 1 - i) for i in range(DAYS - 1)]
    weights = [
        (0.6 + 0.8 * i / DAYS) * (0.6 if d.weekday() >= 5 else 1.0) for i, d in enumerate(days)
    ]
    rest = total - today_count
    scale = rest / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(rest - sum(counts)):  # hand out the rounding remainder
        counts[-1 - i % len(counts)] += 1
    return [*zip(days, counts, strict=True), (today, today_count)]


def pick(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def state_for(rng: random.Random, age: int) -> str:
    """The state of a message ``age`` days after its due day; a few stay new (carried over)."""
    if age == 0:
        return pick(rng, TODAY_STATES)
    unhandled = 0.08 if age == 1 else 0.02 if age <= 7 else 0.003 if age <= 30 else 0.0002
    if rng.random() < unhandled:
        return "new"
    if age <= 3:
        return pick(rng, RECENT_STATES)
    return pick(rng, WEEKS_STATES if age <= 14 else OLD_STATES)


@dataclass
class DayClock:
    now: dt.datetime
    today: dt.date
    tz: dt.tzinfo


def message_row(
    rng: random.Random, ref: Reference, clock: DayClock, day: dt.date, number: str
) -> Row:
    t = rng.choice(ref.templates)
    age = (clock.today - day).days
    start = dt.datetime.combine(day, dt.time(), tzinfo=clock.tz)
    if age == 0:  # today so far
        minutes = rng.uniform(0, (clock.now - start).total_seconds() / 60)
    else:
        minutes = rng.triangular(420, 1380, 630) if rng.random() < 0.9 else rng.uniform(0, 1440)
    at = min(start + dt.timedelta(minutes=minutes), clock.now)
    state = state_for(rng, age)
    cleared_at: dt.datetime | None = None
    if state != "new":
        late = age > 0 and rng.random() < 0.07
        delay = dt.timedelta(days=rng.randint(1, min(3, age))) if late else dt.timedelta()
        cleared_at = min(at + dt.timedelta(minutes=rng.randint(5, 240)) + delay, clock.now)
        if not late:  # handled the same day: before midnight
            cleared_at = min(cleared_at, start + dt.timedelta(hours=23, minutes=59))
    classified = state not in {"new", "not_accepted"}
    forwarded = state in FORWARDED
    replied_at = None
    if cleared_at is not None and state in REPLIED:
        replied_at = min(cleared_at + dt.timedelta(days=rng.randint(1, 10)), clock.now)
    return (
        number,
        "0" * 64,
        f"{rng.getrandbits(256):064x}",  # unique per message, as in production
        f"{rng.getrandbits(256):064x}",
        t.title,
        t.content,
        False,
        t.nature,
        t.region_id,
        t.theme_id,
        t.category_id if classified else None,
        False,
        t.department_id if forwarded else None,
        state,
        pick(rng, CHANNELS),
        "bench",
        None,
        "zh-hans",
        None,
        None,
        "",
        t.contact_name,
        *t.mobile,
        *t.email,
        "",
        "",
        t.consent,
        at,
        day,
        cleared_at,
        day + dt.timedelta(days=7) if forwarded else None,
        cleared_at.astimezone(clock.tz).date() if cleared_at else None,
        rng.choice(ref.clerk_ids) if cleared_at else None,
        "您好！您反映的问题已收悉，经核实已处理完毕。感谢您的支持！" if replied_at else "",
        replied_at,
        replied_at,
        at,
    )


def generate(total: int, ref: Reference, clock: DayClock) -> Iterator[list[Row]]:
    from yiwang.lib.codes import format_tracking_number

    rng = random.Random(20261128)
    batch: list[Row] = []
    for day, count in per_day(total, clock.today):
        for seq in range(1, count + 1):
            number = format_tracking_number("YW", day, seq)
            batch.append(message_row(rng, ref, clock, day, number))
            if len(batch) >= BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def check_columns() -> None:
    """A column added to Message without a database default would break COPY: say so."""
    from yiwang.intake.models import Message

    model = {f.column for f in Message._meta.concrete_fields} - {"id"}
    if model != set(COLUMNS):
        raise SystemExit(f"bench/desk.py: update COLUMNS; differs by {model ^ set(COLUMNS)}")


def load_messages(total: int) -> None:
    from django.db import connection
    from django.utils import timezone

    check_columns()
    now = timezone.localtime()
    ref = reference(pool=min(2000, max(50, total // 100)))
    clock = DayClock(now, now.date(), ref.tz)
    started, loaded = time.monotonic(), 0
    for batch in generate(total, ref, clock):
        if connection.vendor == "postgresql":
            copy_rows(batch)
        else:
            insert_rows(batch)
        loaded += len(batch)
        if loaded % 100_000 < BATCH:
            log(f"  {loaded:,} messages in {time.monotonic() - started:.0f}s")
    record_sequences(per_day(total, clock.today))
    log("analysing")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    log(f"loaded {loaded:,} messages in {time.monotonic() - started:.0f}s")


def copy_rows(batch: list[Row]) -> None:
    from django.db import connection, transaction

    sql = f"COPY intake_message ({', '.join(COLUMNS)}) FROM STDIN"
    with transaction.atomic(), connection.cursor() as cursor:
        # The rows point at reference data this script has just loaded: skip the FK triggers.
        cursor.execute("SET LOCAL session_replication_role = replica")
        with cursor.cursor.copy(sql) as copy:
            for row in batch:
                copy.write_row(row)


def insert_rows(batch: list[Row]) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    def plain(value: Any) -> Any:  # SQLite stores aware datetimes as naive UTC text
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
        return value.isoformat() if isinstance(value, dt.date) else value

    marks = ", ".join(["%s"] * len(COLUMNS))
    sql = f"INSERT INTO intake_message ({', '.join(COLUMNS)}) VALUES ({marks})"  # noqa: S608 - constants
    assert timezone.is_aware(batch[0][COLUMNS.index("submitted_at")])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, [tuple(plain(v) for v in row) for row in batch])


def record_sequences(days: list[tuple[dt.date, int]]) -> None:
    """New submissions continue after the loaded tracking numbers."""
    from yiwang.intake.models import DailySequence

    DailySequence.objects.bulk_create(
        [DailySequence(day=day, last_value=count) for day, count in days if count],
        update_conflicts=True,
        unique_fields=["day"],
        update_fields=["last_value"],
    )


def index_for_search() -> None:
    """Put every message into the full-text index and count its term statistics, as
    ``manage.py reindex`` does (statistics only when the documents are there already)."""
    from django.core.management import call_command

    from yiwang.intake.models import Message
    from yiwang.search.actions import do_refresh_statistics
    from yiwang.search.models import CorpusStatistic, Document

    started = time.monotonic()
    if Document.objects.filter(kind="message").count() != Message.objects.count():
        log("indexing the messages for full-text search")
        call_command("reindex", kind="message", verbosity=0)
    elif not CorpusStatistic.objects.filter(kind="message").exists():
        log("counting the term statistics")
        do_refresh_statistics("message")
    else:
        return
    log(f"done in {time.monotonic() - started:.0f}s")


def a_message_of(day: dt.date) -> str:
    """A message of the day's intake, for the message page (similar messages and all)."""
    from yiwang.intake.models import Message

    message = Message.objects.filter(due_day=day).order_by("-id").first()
    assert message is not None
    return message.tracking_number


def dataset_day(expected: int) -> dt.date | None:
    """The day the loaded dataset ends on, if it holds exactly ``expected`` messages."""
    from django.db.models import Max

    from yiwang.intake.models import Message

    if Message.objects.count() != expected:
        return None
    day = Message.objects.aggregate(last=Max("due_day"))["last"]
    return day if isinstance(day, dt.date) else None


# --- Rendering -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageResult:
    p95_ms: float
    p50_ms: float
    max_ms: float
    queries: int


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def count_queries(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # warm up: templates compiled, connections open
        check(client.get(url), url)
    with CaptureQueriesContext(connection) as queries:
        check(client.get(url), url)
    return len(queries.captured_queries)  # now: the next request empties the log


def timed(client: Any, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    check(response, url)
    return elapsed


def summary(timings: list[float], queries: int) -> PageResult:
    return PageResult(
        round(percentile(timings, 0.95), 1),
        round(statistics.median(timings), 1),
        round(max(timings), 1),
        queries,
    )


def check(response: Any, url: str) -> None:
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    if not response.streaming:
        _ = response.content


def render_pages(day: dt.date, renders: int) -> dict[str, PageResult]:
    from django.test import Client

    from yiwang.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="clerk"))
    pages = {
        "home": "/staff/",
        "queue": "/staff/messages/",
        "queue_new": "/staff/messages/?state=new",
        "report": f"/staff/clearance.xlsx?from={day}&to={day}",
        "report_30": f"/staff/clearance.xlsx?from={day - dt.timedelta(days=29)}&to={day}",
        "queue_search": f"/staff/messages/?q={SEARCH_QUERY}",
        "message": f"/staff/messages/{a_message_of(day)}/",
    }
    queries = {name: count_queries(client, url) for name, url in pages.items()}
    log(f"queries per render: {queries}")
    timings: dict[str, list[float]] = {name: [] for name in pages}
    for n in range(renders):  # round robin: a busy moment on the machine hits every page alike
        for name, url in pages.items():
            timings[name].append(timed(client, url))
        if (n + 1) % 10 == 0:
            log(f"  {n + 1} renders of each page")
    results = {name: summary(timings[name], queries[name]) for name in pages}
    for name, result in results.items():
        log(f"{name}: {pages[name]} {result}")
    return results


def on_the_day(day: dt.date) -> AbstractContextManager[Any]:
    """Run as if it were ``day`` (at the current time of day) when the dataset is older."""
    from django.utils import timezone

    now = timezone.localtime()
    if day == now.date():
        return nullcontext()
    import time_machine

    log(f"the dataset ends on {day}: moving the clock back to that day")
    return time_machine.travel(dt.datetime.combine(day, now.timetz()), tick=True)


# --- Machine and result ----------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return 0.0


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def machine() -> str:
    return (
        f"{cpu_model()}, {os.cpu_count()} cores, {memory_gib()} GiB RAM, {platform.machine()}, "
        f"Python {platform.python_version()}, {database_version()}"
    )


def today_figures(day: dt.date) -> dict[str, int]:
    from yiwang.casework.clearance import today_at_the_desk

    desk = today_at_the_desk(day)
    return {
        "received_today": desk.figures.received,
        "remaining_today": desk.remaining,
        "carried_over": desk.backlog,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", choices=["postgres", "sqlite"], required=True)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--renders", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="reuse a dataset of the same size")
    parser.add_argument("--pg-name", default="bench_desk", help="PostgreSQL database (bench_*)")
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args()
    if args.renders < 1 or args.messages < 1000:
        parser.error("--renders must be positive and --messages at least 1000")

    configure(args)
    if args.database == "postgres":
        fresh_postgres_database(args.pg_name, args.keep)
    else:
        fresh_sqlite_database(args)
    import django

    django.setup()
    log(f"preparing the {args.database} database")
    prepare()
    day = dataset_day(args.messages) if args.keep else None
    if day is None:
        log(f"loading {args.messages:,} messages")
        from yiwang.intake.models import Message

        if Message.objects.exists():
            raise SystemExit("the database holds other messages: run without --keep")
        load_messages(args.messages)
        day = dataset_day(args.messages)
        assert day is not None
    else:
        log(f"reusing the {args.messages:,} messages already loaded")
    index_for_search()
    with on_the_day(day):
        figures = today_figures(day)
        pages = render_pages(day, args.renders)
    result: dict[str, Any] = {
        "home_ms": pages["home"].p95_ms,
        "queue_ms": pages["queue"].p95_ms,
        "report_ms": pages["report"].p95_ms,
        "home_queries": pages["home"].queries,
        "queue_queries": pages["queue"].queries,
        "report_queries": pages["report"].queries,
        "messages": args.messages,
        "database": args.database,
        "renders": args.renders,
        "p50_ms": {name: page.p50_ms for name, page in pages.items()},
        "max_ms": {name: page.max_ms for name, page in pages.items()},
        "extra_p95_ms": {name: pages[name].p95_ms for name in EXTRA_PAGES},
        "extra_queries": {name: pages[name].queries for name in EXTRA_PAGES},
        "day": str(day),
        **figures,
        "machine": machine(),
    }
    report(result, args.json)


def report(result: dict[str, Any], json_path: Path | None) -> None:
    """The machine, then the result as the last stdout line (and into ``json_path``)."""
    print(f"machine: {result['machine']}")
    line = json.dumps(result, ensure_ascii=False)
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(line + "\n", encoding="utf-8")
    print(line)


if __name__ == "__main__":
    main()
