"""Every write of the near-duplicate index: a message's sketch (in the intake transaction, so
a message is findable the moment it exists) and the duplicates found for it (on the worker)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection
from django.utils import timezone

from yiwang.dedupe.models import Duplicate, SketchKey
from yiwang.intake.models import Message
from yiwang.lib.neardup import Fingerprint, fingerprint, is_duplicate, resemblance

CANDIDATES = 8  # earlier messages sharing the most sketch keys, checked exactly
PER_KEY = 200  # latest holders of a sketch key read per look-up
MIN_SHARED = 2  # sketch keys an earlier message must share to be checked
SAME_CITIZEN_DAYS = 90  # how far back the same citizen's messages are compared
SAME_CITIZEN_CANDIDATES = 20


def do_fingerprint(
    message_id: int, title: str, content: str, *, replace: bool = False
) -> Fingerprint:
    """Store the sketch of a message (``replace``: of a message that already had one)."""
    found = fingerprint(title, content)
    if replace:
        SketchKey.objects.filter(message_id=message_id).delete()
    if found.usable:
        SketchKey.objects.bulk_create(SketchKey(message_id=message_id, key=k) for k in found.keys)
    return found


def _sharing(message: Message, found: Fingerprint) -> list[int]:
    """Earlier messages sharing at least ``MIN_SHARED`` of the sketch's keys, most first.

    Each key is read for at most ``PER_KEY`` of its latest holders: a piece every complaint
    contains can be held by a million messages, while the pieces that make two texts the same
    matter are rare; so the look-up costs the same at any size of the index.
    """
    table = SketchKey._meta.db_table
    one_key = (
        f"SELECT message_id FROM (SELECT message_id FROM {table} WHERE key = %s "  # noqa: S608
        f"AND message_id < %s ORDER BY message_id DESC LIMIT {PER_KEY}) k{{n}}"
    )
    union = " UNION ALL ".join(one_key.format(n=n) for n in range(len(found.keys)))
    sql = (
        f"SELECT message_id FROM ({union}) shared GROUP BY message_id "  # noqa: S608
        f"HAVING COUNT(*) >= {MIN_SHARED} ORDER BY COUNT(*) DESC, message_id DESC "
        f"LIMIT {CANDIDATES}"
    )
    params = [value for key in found.keys for value in (key, message.pk)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _same_citizen(message: Message) -> list[int]:
    if not message.mobile_hash:
        return []
    since = message.submitted_at - dt.timedelta(days=SAME_CITIZEN_DAYS)
    earlier = Message.objects.filter(
        mobile_hash=message.mobile_hash, pk__lt=message.pk, submitted_at__gte=since
    ).order_by("-pk")
    return list(earlier.values_list("pk", flat=True)[:SAME_CITIZEN_CANDIDATES])


def find_earlier(message: Message) -> list[tuple[int, float, bool]]:
    """(earlier message id, resemblance, same citizen) of the earlier messages about the same
    matter, most alike first."""
    found = fingerprint(message.title, message.content)
    if not found.usable:
        return []
    ids = set(_sharing(message, found)) | set(_same_citizen(message))
    rows = Message.objects.filter(pk__in=ids).values_list("pk", "title", "content", "mobile_hash")
    matches = []
    for pk, title, content, mobile_hash in rows:
        pieces = fingerprint(title, content).pieces
        same = bool(message.mobile_hash) and mobile_hash == message.mobile_hash
        if is_duplicate(found.pieces, pieces, same_citizen=same):
            matches.append((pk, resemblance(found.pieces, pieces), same))
    return sorted(matches, key=lambda m: (-m[1], -m[0]))


def do_find_duplicates(message_id: int) -> int:
    """Record the earlier messages about the same matter as ``message_id``; idempotent."""
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return 0
    now = timezone.now()
    rows: Iterable[Duplicate] = (
        Duplicate(
            message=message, earlier_id=pk, resemblance=round(r, 4), same_citizen=s, found_at=now
        )
        for pk, r, s in find_earlier(message)
    )
    created = Duplicate.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)
