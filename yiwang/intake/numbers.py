"""Tracking numbers: ``YW`` + local date + the day's sequence (``YW20170104000123``).

Each process reserves a block of the day's sequence in one short transaction and hands the
numbers out from memory (the hi/lo technique), so a busy desk does not queue every
submission on one counter row. Numbers stay unique across processes; they are in submission
order within a process, and a process that stops leaves the rest of its block unused (a gap,
which is harmless). Inside an outer transaction no block is cached, because a rollback there
would give the reserved numbers back to the counter while this process still held them;
there a batch writer (an import) can reserve exactly the numbers it needs per day for the
length of its transaction (``reserved_for``).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from yiwang.intake.models import DailySequence
from yiwang.lib.codes import format_tracking_number


@dataclass
class _Block:
    day: dt.date
    next: int
    last: int


_lock = threading.Lock()
_block: _Block | None = None
_batch = threading.local()  # this thread's numbers reserved inside its open transaction


def reserve(counter: Any, day: dt.date, size: int) -> tuple[int, int]:
    """Move the day's row of ``counter`` (a model with ``day`` and ``last_value``) on by
    ``size`` and return the first and last numbers it passed over."""
    rows = counter.objects.filter(day=day)
    with transaction.atomic():
        if not rows.update(last_value=F("last_value") + size):
            try:
                with transaction.atomic():
                    counter.objects.create(day=day, last_value=size)
            except IntegrityError:  # another process created the day's row first
                rows.update(last_value=F("last_value") + size)
        last: int = rows.values_list("last_value", flat=True).get()
    return last - size + 1, last


def _reserve(day: dt.date, size: int) -> _Block:
    return _Block(day, *reserve(DailySequence, day, size))


@contextmanager
def reserved_for(counts: Mapping[dt.date, int]) -> Iterator[None]:
    """Inside one transaction: reserve each day's numbers at once (one update per day).

    The numbers belong to this thread and this transaction only, and are forgotten when the
    block ends, so a rollback (which gives them back to the counter) cannot lead to handing
    them out twice. Numbers not used leave a harmless gap.
    """
    assert connection.in_atomic_block, "reserved numbers must live in the caller's transaction"
    _batch.blocks = {day: _reserve(day, size) for day, size in counts.items() if size > 0}
    try:
        yield
    finally:
        _batch.blocks = {}


def _from_batch(day: dt.date) -> int | None:
    block: _Block | None = getattr(_batch, "blocks", {}).get(day)
    if block is None or block.next > block.last:
        return None
    block.next += 1
    return block.next - 1


def next_tracking_number(day: dt.date) -> str:
    global _block
    reserved = _from_batch(day)
    if reserved is not None:
        return format_tracking_number(settings.YIWANG_TRACKING_PREFIX, day, reserved)
    with _lock:
        block = _block
        if block is None or block.day != day or block.next > block.last:
            size = 1 if connection.in_atomic_block else settings.YIWANG_TRACKING_BLOCK
            block = _reserve(day, size)
            _block = block if size > 1 else None
        value = block.next
        block.next += 1
    return format_tracking_number(settings.YIWANG_TRACKING_PREFIX, day, value)
