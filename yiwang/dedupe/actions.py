"""Every write of the near-duplicate index: a message's sketch (in the intake transaction, so
a message is findable the moment it exists) and the duplicates found for it (on the worker)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count
from django.utils import timezone

from yiwang.dedupe.models import Duplicate, SketchKey
from yiwang.intake.models import Message
from yiwang.lib.neardup import Fingerprint, fingerprint, is_duplicate, resemblance

CANDIDATES = 8  # earlier messages sharing the most sketch keys, checked exactly
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
    """Earlier messages sharing at least ``MIN_SHARED`` of the sketch's keys, most first."""
    rows = (
        SketchKey.objects.filter(key__in=found.keys, message_id__lt=message.pk)
        .values("message_id")
        .annotate(shared=Count("id"))
        .filter(shared__gte=MIN_SHARED)
        .order_by("-shared", "-message_id")
        .values_list("message_id", flat=True)
    )
    return list(rows[:CANDIDATES])


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
