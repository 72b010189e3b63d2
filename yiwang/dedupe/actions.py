"""Every write of the near-duplicate index: a message's sketch (in the intake transaction, so
a message is findable the moment it exists) and the duplicates found for it (on the worker)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from yiwang.dedupe.models import Duplicate, SketchKey
from yiwang.intake.models import Message
from yiwang.lib.batches import batched
from yiwang.lib.neardup import (
    Fingerprint,
    fingerprint_many,
    is_duplicate,
    resemblance,
)

CANDIDATES = 8  # earlier messages sharing the most sketch keys, checked exactly
PER_KEY = 200  # latest holders of a sketch key read per look-up
KEYS_PER_STATEMENT = 400  # SQLite allows 500 SELECTs in one compound statement
PIECES_KEPT = 50_000  # messages whose pieces a process keeps (~1.6 kB each)
MIN_SHARED = 2  # sketch keys an earlier message must share to be checked
SAME_CITIZEN_DAYS = 90  # how far back the same citizen's messages are compared
SAME_CITIZEN_CANDIDATES = 20


def do_fingerprint(message_id: int, title: str, content: str) -> None:
    """Store the sketch of a new message (in the intake transaction)."""
    do_fingerprint_many([(message_id, title, content)])


def do_fingerprint_many(messages: Iterable[tuple[int, str, str]]) -> None:
    """Store the sketches of many new messages (id, title, content): one statement per
    5,000 keys, without building a model object per key."""
    listed = list(messages)
    rows: list[tuple[int, int]] = []
    prints = fingerprint_many([(title, content) for _id, title, content in listed])
    for (message_id, _title, _content), found in zip(listed, prints, strict=True):
        if found.usable:
            rows.extend((message_id, key) for key in found.keys)
    table = SketchKey._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5_000):
            chunk = rows[start : start + 5_000]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (message_id, key) VALUES {values}",  # noqa: S608
                [value for row in chunk for value in row],
            )


class _PiecesKept:
    """The pieces of the messages this process looked at last, so that a message compared
    again (a campaign's copies are candidates of many later messages) is not hashed again.
    An entry holds only while the message's text is the one it was computed from."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[int, tuple[int, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, pk: int, title: str, content: str) -> np.ndarray | None:
        with self._lock:
            entry = self._entries.get(pk)
            if entry is None or entry[0] != hash((title, content)):
                return None
            self._entries.move_to_end(pk)
            return entry[1]

    def put(self, pk: int, title: str, content: str, pieces: np.ndarray) -> None:
        with self._lock:
            self._entries[pk] = (hash((title, content)), pieces)
            self._entries.move_to_end(pk)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


_pieces_kept = _PiecesKept(PIECES_KEPT)


@dataclass(frozen=True)
class _Query:
    """A message looking for earlier ones: what the look-up needs of it."""

    pk: int
    mobile_hash: str
    submitted_at: dt.datetime
    found: Fingerprint


def _holders(keys: dict[int, int], below: int) -> dict[int, list[int]]:
    """For each sketch key, its latest holders below message ``below``, newest first: at most
    ``PER_KEY`` plus ``keys[key]`` of them (the batch's own messages holding it, which the
    later of them must look past). One backward index range per key: PostgreSQL joins the
    keys laterally in one statement; SQLite, which has no LATERAL, gets 400 keys per
    statement as a UNION ALL (PostgreSQL plans such a union ten times slower)."""
    rows = _holder_rows_postgres if connection.vendor == "postgresql" else _holder_rows
    held: dict[int, list[int]] = {}
    for key, message_id in rows(sorted(keys.items()), below):
        held.setdefault(key, []).append(message_id)
    for ids in held.values():
        ids.sort(reverse=True)
    return held


def _holder_rows_postgres(items: list[tuple[int, int]], below: int) -> list[tuple[int, int]]:
    table = SketchKey._meta.db_table
    sql = (  # the table name is ours; every value is a parameter
        "SELECT k.key, h.message_id FROM unnest(%s::bigint[], %s::int[]) AS k(key, wanted) "  # noqa: S608
        f"CROSS JOIN LATERAL (SELECT message_id FROM {table} s WHERE s.key = k.key "
        "AND s.message_id < %s ORDER BY s.message_id DESC LIMIT k.wanted) h"
    )
    keys = [key for key, _n in items]
    wanted = [PER_KEY + n for _key, n in items]
    with connection.cursor() as cursor:
        cursor.execute(sql, (keys, wanted, below))
        return list(cursor.fetchall())


def _holder_rows(items: list[tuple[int, int]], below: int) -> list[tuple[int, int]]:
    table = SketchKey._meta.db_table
    one_key = (
        f"SELECT * FROM (SELECT key, message_id FROM {table} WHERE key = %s "  # noqa: S608
        f"AND message_id < %s ORDER BY message_id DESC LIMIT %s) k{{n}}"
    )
    found: list[tuple[int, int]] = []
    for start in range(0, len(items), KEYS_PER_STATEMENT):
        chunk = items[start : start + KEYS_PER_STATEMENT]
        sql = " UNION ALL ".join(one_key.format(n=n) for n in range(len(chunk)))
        params = [v for key, extra in chunk for v in (key, below, PER_KEY + extra)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found.extend(cursor.fetchall())
    return found


def _sharing(query: _Query, held: dict[int, list[int]]) -> list[int]:
    """Earlier messages sharing at least ``MIN_SHARED`` of the sketch's keys, most first.

    Each key counts only its ``PER_KEY`` latest holders before the message: a piece every
    complaint contains can be held by a million messages, while the pieces that make two
    texts the same matter are rare; so the look-up costs the same at any size of the index.
    """
    shared: Counter[int] = Counter()
    for key in query.found.keys:
        earlier = [pk for pk in held.get(key, ()) if pk < query.pk]
        shared.update(earlier[:PER_KEY])
    ranked = sorted(
        (pk for pk, n in shared.items() if n >= MIN_SHARED), key=lambda pk: (-shared[pk], -pk)
    )
    return ranked[:CANDIDATES]


def _same_citizen(queries: list[_Query]) -> dict[int, list[int]]:
    """Each message's latest earlier messages from the same mobile number (90 days)."""
    hashes = {q.mobile_hash for q in queries if q.mobile_hash}
    if not hashes:
        return {}
    since = min(q.submitted_at for q in queries) - dt.timedelta(days=SAME_CITIZEN_DAYS)
    rows = Message.objects.filter(
        mobile_hash__in=hashes, submitted_at__gte=since, pk__lt=max(q.pk for q in queries)
    ).values_list("pk", "mobile_hash", "submitted_at")
    by_mobile: dict[str, list[tuple[int, dt.datetime]]] = {}
    for pk, mobile_hash, at in rows.order_by("-pk"):
        by_mobile.setdefault(mobile_hash, []).append((pk, at))
    found = {}
    for query in queries:
        since = query.submitted_at - dt.timedelta(days=SAME_CITIZEN_DAYS)
        earlier = by_mobile.get(query.mobile_hash, [])
        ids = [pk for pk, at in earlier if pk < query.pk and at >= since]
        found[query.pk] = ids[:SAME_CITIZEN_CANDIDATES]
    return found


def find_earlier_many(messages: list[Message]) -> dict[int, list[tuple[int, float, bool]]]:
    """For each message: (earlier message id, resemblance, same citizen) of the earlier
    messages about the same matter, most alike first. A few statements for the whole list."""
    prints = fingerprint_many([(m.title, m.content) for m in messages])
    queries = [
        _Query(m.pk, m.mobile_hash, m.submitted_at, found)
        for m, found in zip(messages, prints, strict=True)
        if found.usable
    ]
    if not queries:
        return {m.pk: [] for m in messages}
    in_batch = Counter(key for q in queries for key in set(q.found.keys))
    held = _holders(dict(in_batch), max(q.pk for q in queries))
    same = _same_citizen(queries)
    candidates = {q.pk: set(_sharing(q, held)) | set(same.get(q.pk, ())) for q in queries}
    known = {q.pk: (q.found.pieces, q.mobile_hash) for q in queries}
    for message, found_print in zip(messages, prints, strict=True):
        _pieces_kept.put(message.pk, message.title, message.content, found_print.pieces)
    wanted = set().union(*candidates.values()) - set(known)
    rows = Message.objects.filter(pk__in=wanted).values_list(
        "pk", "title", "content", "mobile_hash"
    )
    for chunk in batched(rows.iterator(chunk_size=1_000), 1_000):
        kept = [_pieces_kept.get(pk, title, content) for pk, title, content, _m in chunk]
        missing = [row for row, pieces in zip(chunk, kept, strict=True) if pieces is None]
        computed = iter(fingerprint_many([(title, content) for _pk, title, content, _m in missing]))
        for (pk, title, content, mobile_hash), pieces in zip(chunk, kept, strict=True):
            if pieces is None:
                pieces = next(computed).pieces
                _pieces_kept.put(pk, title, content, pieces)
            known[pk] = (pieces, mobile_hash)
    found: dict[int, list[tuple[int, float, bool]]] = {m.pk: [] for m in messages}
    for query in queries:
        matches = []
        for pk in candidates[query.pk]:
            pieces, mobile_hash = known[pk]
            same_citizen = bool(query.mobile_hash) and mobile_hash == query.mobile_hash
            if is_duplicate(query.found.pieces, pieces, same_citizen=same_citizen):
                matches.append((pk, resemblance(query.found.pieces, pieces), same_citizen))
        found[query.pk] = sorted(matches, key=lambda m: (-m[1], -m[0]))
    return found


def find_earlier(message: Message) -> list[tuple[int, float, bool]]:
    """(earlier message id, resemblance, same citizen) of the earlier messages about the same
    matter, most alike first."""
    return find_earlier_many([message])[message.pk]


def do_find_duplicates(message_id: int) -> int:
    """Record the earlier messages about the same matter as ``message_id``; idempotent."""
    return do_find_duplicates_many([message_id])


def do_find_duplicates_many(message_ids: Sequence[int]) -> int:
    """Record the earlier messages about the same matter as each message, and that each was
    checked; idempotent. Messages that are gone are skipped. Returns the duplicates found."""
    messages = list(
        Message.objects.filter(pk__in=message_ids)
        .only("pk", "title", "content", "mobile_hash", "submitted_at")
        .order_by("pk")
    )
    if not messages:
        return 0
    now = timezone.now()
    rows: Iterable[Duplicate] = (
        Duplicate(
            message_id=pk, earlier_id=earlier, resemblance=round(r, 4), same_citizen=s, found_at=now
        )
        for pk, matches in find_earlier_many(messages).items()
        for earlier, r, s in matches
    )
    with transaction.atomic():
        created = Duplicate.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2_000)
        Message.objects.filter(pk__in=[m.pk for m in messages]).update(duplicates_checked_at=now)
    return len(created)
