"""Batches of an iterable: what streaming imports, exports and index writers walk in."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of ``size`` items in order (the last may be shorter), one at a time in memory."""
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
