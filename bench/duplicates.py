#!/usr/bin/env python
"""Near-duplicate benchmark: recall and precision of the duplicate check, and its look-up time,
with up to 1,000,000 messages stored.

    .venv/bin/python bench/duplicates.py --database postgres|sqlite [--stored 1000000]
        [--originals 600] [--keep]

From the real messages in ../shared/data/tipdm2020 (labelled, with votes, with replies) it
takes three disjoint pools, after removing the repeats the board itself holds (any two
messages sharing 30 % or more of their pieces are kept once): originals, unrelated messages
of the same categories (queries that must find nothing), and filler sources. It stores the
originals and filler (sentences of filler sources recombined, each with its own numbers) up to
--stored messages, with their near-duplicate sketches, in its own database (PostgreSQL
``bench_dupes``, SQLite ``var/bench/dupes-<N>``). Then it queries five variants of every
original (small edits, reordered sentences, changed punctuation, traditional script, a partial
copy of 60–90 %) and every unrelated message through the desk's own look-up
(``yiwang.dedupe.actions.find_earlier``), timing each.

recall = variants whose original is returned; precision = returned messages that are the
query's original, over all queries (unrelated ones included). The machine goes to stdout
first; the last stdout line is one JSON object: precision, recall, lookup_ms (mean),
lookup_p95_ms, stored, database.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desk import (  # noqa: E402
    fresh_postgres_database,
    log,
    percentile,
    production_like,
)

DATA = ROOT.parent / "shared" / "data" / "tipdm2020"
BATCH = 10_000
REPEAT_AT = 0.3
_SENTENCE = re.compile(r"(?<=[。！？!?；;\n])")
Text = tuple[str, str, str]  # title, text, label ("" where the file has none)


def configure(args: argparse.Namespace) -> None:
    import tempfile

    var_dir = Path(tempfile.mkdtemp(prefix="yiwang-bench-dupes-"))
    production_like(var_dir, args.database, "bench_dupes")
    if args.database == "postgres":
        fresh_postgres_database("bench_dupes", args.keep)
        return
    folder = ROOT / "var" / "bench" / f"dupes-{args.stored}"
    folder.mkdir(parents=True, exist_ok=True)
    if not args.keep:
        for suffix in ("", "-wal", "-shm"):
            (folder / f"yiwang.sqlite3{suffix}").unlink(missing_ok=True)
    os.environ["YIWANG_VAR_DIR"] = str(folder)
    os.environ["YIWANG_PRIVATE_DIR"] = str(var_dir / "private")


# --- Real messages, pools and variants ------------------------------------------------------


def read_messages() -> list[Text]:
    if not DATA.exists():
        raise SystemExit(f"the real messages are not at {DATA}")
    found: list[Text] = []
    sources = (
        ("messages_labelled.csv", "title", "text", "label"),
        ("messages_with_votes.csv", "留言主题", "留言详情", ""),
        ("messages_with_replies.csv", "留言主题", "留言详情", ""),
    )
    for name, title, text, label in sources:
        with (DATA / name).open(encoding="utf-8-sig", newline="") as source:
            for row in csv.DictReader(source):
                body = (row.get(text) or "").strip()
                if len(body) >= 60:
                    found.append(((row.get(title) or "").strip(), body, row.get(label, "")))
    return found


def without_repeats(messages: list[Text]) -> list[tuple[Text, Any]]:
    """Each matter once: a message sharing 30 % of its pieces with a kept one is dropped."""
    from yiwang.lib.neardup import SKETCH, fingerprint, resemblance

    kept: list[tuple[Text, Any]] = []
    by_key: dict[int, list[int]] = {}
    for message in messages:
        found = fingerprint(message[0], message[1])
        if not found.usable:
            continue
        near = {i for k in found.keys for i in by_key.get(k, ())}
        if any(resemblance(found.pieces, kept[i][1]) >= REPEAT_AT for i in near):
            continue
        for key in found.keys[: SKETCH // 2]:
            by_key.setdefault(key, []).append(len(kept))
        kept.append((message, found.pieces))
    return kept


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text) if s.strip()]


def variants(rng: random.Random) -> dict[str, Callable[[str], str]]:
    import zhconv

    def edits(text: str) -> str:
        chars = list(text)
        for _ in range(max(1, len(chars) // 30)):
            i = rng.randrange(len(chars))
            roll = rng.random()
            if roll < 0.4:
                chars[i] = rng.choice("的了是在我们有这个")
            elif roll < 0.7:
                del chars[i]
            else:
                chars.insert(i, rng.choice("的了啊呢吧"))
        return "".join(chars)

    def reordered(text: str) -> str:
        parts = sentences(text)
        rng.shuffle(parts)
        return "".join(parts)

    def punctuation(text: str) -> str:
        marks = [" ", "", "，", ".", "!!"]
        return re.sub(r"[，。！？、；：,.]", lambda _m: rng.choice(marks), text)

    def traditional(text: str) -> str:
        return str(zhconv.convert(text, "zh-tw"))

    def partial(text: str) -> str:
        size = int(len(text) * rng.uniform(0.6, 0.9))
        start = rng.randrange(0, len(text) - size + 1)
        return text[start : start + size]

    return {
        "edits": edits,
        "reordered": reordered,
        "punctuation": punctuation,
        "traditional": traditional,
        "partial": partial,
    }


def filler(rng: random.Random, sources: list[Text], count: int) -> Iterator[tuple[str, str]]:
    pieces = [s for _t, text, _l in sources for s in sentences(text) if len(s) >= 8]
    titles = [t for t, _x, _l in sources if t]
    for n in range(count):
        picked = rng.sample(pieces, rng.randint(2, 4))
        yield rng.choice(titles), f"{n}号。" + "".join(picked) + f"编号{rng.randint(1, 10**6)}。"


# --- Storing --------------------------------------------------------------------------------


def store(rows: Iterator[tuple[str, str]], first_number: int) -> list[int]:
    """Messages with their sketches, in batches (PostgreSQL: COPY); the new ids in order."""
    from django.db import connection, transaction
    from django.utils import timezone

    from yiwang.intake.models import Message
    from yiwang.lib.neardup import fingerprint
    from yiwang.orgs.models import Region

    region = Region.objects.order_by("pk").first()
    assert region is not None
    now = timezone.now()
    prototype = Message(
        query_code_digest="0" * 64,
        nature="other",
        region=region,
        channel="import",
        source="bench",
        submitted_at=now,
        due_day=now.date(),
    )
    fields = list(Message._meta.concrete_fields)
    columns = [f.column for f in fields]
    base = [getattr(prototype, f.attname) for f in fields]
    at = {column: i for i, column in enumerate(columns)}
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM intake_message")
        next_id = int(cursor.fetchone()[0]) + 1
    ids: list[int] = []
    batch: list[list[Any]] = []
    keys: list[tuple[int, int]] = []

    def flush() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            write(cursor, "intake_message", columns, batch)
            write(cursor, "dedupe_sketchkey", ["message_id", "key"], keys)
        batch.clear()
        keys.clear()

    for title, text in rows:
        row = list(base)
        row[at["id"]] = next_id
        row[at["tracking_number"]] = f"DUP{first_number + len(ids):09d}"
        row[at["title"]] = title[:200]
        row[at["content"]] = text
        batch.append(row)
        keys.extend((next_id, k) for k in fingerprint(title, text).keys)
        ids.append(next_id)
        next_id += 1
        if len(batch) >= BATCH:
            flush()
            if len(ids) % 100_000 < BATCH:
                log(f"  {len(ids):,} stored")
    if batch:
        flush()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('intake_message', 'id'), %s)", [next_id]
            )
    return ids


def write(cursor: Any, table: str, columns: list[str], rows: list[Any]) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    cursor.executemany(sql, rows)


def stored_before(args: argparse.Namespace) -> list[int]:
    """The originals' ids when --keep finds the same number of messages stored."""
    from yiwang.intake.models import Message

    bench = Message.objects.filter(tracking_number__startswith="DUP")
    if bench.count() != args.stored:
        return []
    return list(bench.order_by("pk").values_list("pk", flat=True)[: args.originals])


# --- Querying -------------------------------------------------------------------------------


def look_up(title: str, text: str) -> tuple[list[int], float]:
    from django.utils import timezone

    from yiwang.dedupe.actions import find_earlier
    from yiwang.intake.models import Message

    query = Message(pk=2**62, title=title, content=text, mobile_hash="")
    query.submitted_at = timezone.now()
    started = time.perf_counter()
    found = find_earlier(query)
    return [pk for pk, _r, _s in found], (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--stored", type=int, default=1_000_000)
    parser.add_argument("--originals", type=int, default=600)
    parser.add_argument("--keep", action="store_true", help="reuse the messages stored before")
    args = parser.parse_args()
    configure(args)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from yiwang.demo.loader import load_reference_data

    call_command("migrate", interactive=False, verbosity=0)
    load_reference_data()
    rng = random.Random(2026)
    log("reading the real messages and removing the board's own repeats")
    pool = [m for m, _p in without_repeats(read_messages())]
    labelled = [m for m in pool if m[2]]
    rng.shuffle(labelled)
    originals = labelled[: args.originals]
    unrelated = labelled[args.originals : 2 * args.originals]
    used = {m[1] for m in originals + unrelated}
    sources = [m for m in pool if m[1] not in used]
    log(f"{len(pool):,} distinct matters: {len(originals)} originals, {len(unrelated)} unrelated")
    started = time.monotonic()
    original_ids = stored_before(args) if args.keep else []
    if len(original_ids) != len(originals):
        started = time.monotonic()
        original_ids = store(iter([(t, x) for t, x, _l in originals]), 0)
        store(filler(rng, sources, max(0, args.stored - len(originals))), len(originals))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        log(f"stored {args.stored:,} in {time.monotonic() - started:.0f}s")
    rng = random.Random(7)  # the variants: the same whether the data was stored now or before
    timings: list[float] = []
    hits = returned = right = queries = 0
    kinds = variants(rng)
    per_kind: dict[str, int] = dict.fromkeys(kinds, 0)
    for (title, text, _label), original in zip(originals, original_ids, strict=True):
        for kind, make in kinds.items():
            found, ms = look_up(title if rng.random() < 0.5 else "", make(text))
            timings.append(ms)
            queries += 1
            returned += len(found)
            right += found.count(original)
            if original in found:
                hits += 1
                per_kind[kind] += 1
    for title, text, _label in unrelated:
        found, ms = look_up(title, text)
        timings.append(ms)
        queries += 1
        returned += len(found)
    recall = hits / (len(originals) * len(kinds))
    precision = right / returned if returned else 1.0
    log("recall per variant:", {k: round(v / len(originals), 4) for k, v in per_kind.items()})
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    print(f"machine: {machine}, Python {platform.python_version()}, {connection.vendor}")
    print(f"queries: {queries}, returned {returned}, right {right}")
    result: dict[str, Any] = {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "lookup_ms": round(statistics.fmean(timings), 2),
        "lookup_p95_ms": round(percentile(timings, 0.95), 2),
        "stored": args.stored,
        "database": args.database,
        "date": dt.date.today().isoformat(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
