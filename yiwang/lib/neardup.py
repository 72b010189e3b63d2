"""Near-duplicate messages: the same matter written again, by the same citizen or by many.

Pure Python (no Django). See ``neardup.md`` next to this file for the method and its figures.

1. ``canonical``: the engine's normalisation (full-width → half-width, traditional →
   simplified, HTML, emoji and greetings dropped), then only letters and digits are kept, so
   punctuation and spacing never matter.
2. ``shingles``: the set of overlapping 3-character pieces, each hashed to 32 bits (crc32).
   Reordering sentences changes only the few pieces across the seams; a small edit changes
   at most three pieces per changed character.
3. ``sketch``: the ``SKETCH`` smallest hashes of the set (a bottom-k MinHash sketch). Two
   texts that share most of their pieces share most of their smallest hashes, whatever their
   lengths: a partial copy keeps about as many of the original's smallest hashes as the share
   of the original it copies. The index stores only the sketch (a few integers per message).
4. ``resemblance``: the exact overlap of two sets relative to the smaller one (containment),
   which is what a partial copy or a message with a line added has in common with the other.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from yiwang.classifier.engine.text import normalize

SHINGLE = 3
SKETCH = 12  # smallest hashes kept per message (rows in the index)
MIN_SHINGLES = 12  # below this a text is too short to call anything a duplicate of it
DUPLICATE_AT = 0.6  # containment from which two messages are about the same matter
SAME_CITIZEN_AT = 0.35  # looser when the same citizen writes again
_KEEP = re.compile(r"[^\W_]+")


def canonical(text: str) -> str:
    return "".join(_KEEP.findall(normalize(text).lower()))


def shingles(text: str) -> frozenset[int]:
    """The hashed 3-character pieces of a text (after ``canonical``)."""
    flat = canonical(text)
    if len(flat) < SHINGLE:
        return frozenset({zlib.crc32(flat.encode())}) if flat else frozenset()
    encoded = [flat[i : i + SHINGLE].encode() for i in range(len(flat) - SHINGLE + 1)]
    return frozenset(zlib.crc32(piece) for piece in encoded)


def sketch(pieces: Iterable[int]) -> list[int]:
    """The smallest hashes: what the index stores and what a look-up asks for."""
    return sorted(pieces)[:SKETCH]


def resemblance(a: frozenset[int], b: frozenset[int]) -> float:
    """Share of the smaller set found in the larger (1.0: one contains the other)."""
    smaller = min(len(a), len(b))
    if smaller == 0:
        return 0.0
    return len(a & b) / smaller


@dataclass(frozen=True)
class Fingerprint:
    """What the index needs of one message."""

    pieces: frozenset[int]
    keys: tuple[int, ...]

    @property
    def usable(self) -> bool:
        return len(self.pieces) >= MIN_SHINGLES


def fingerprint(title: str, text: str) -> Fingerprint:
    pieces = shingles(f"{title}\n{text}")
    return Fingerprint(pieces, tuple(sketch(pieces)))


def is_duplicate(a: frozenset[int], b: frozenset[int], *, same_citizen: bool = False) -> bool:
    if min(len(a), len(b)) < MIN_SHINGLES:
        return False
    return resemblance(a, b) >= (SAME_CITIZEN_AT if same_citizen else DUPLICATE_AT)
