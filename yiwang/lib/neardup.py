"""Near-duplicate messages: the same matter written again, by the same citizen or by many.

Pure Python (no Django). See ``neardup.md`` next to this file for the method and its figures.

1. ``canonical``: the engine's normalisation (full-width → half-width, traditional →
   simplified, HTML, emoji and greetings dropped), then only letters and digits are kept, so
   punctuation and spacing never matter.
2. ``shingles``: the set of overlapping 3-character pieces, each hashed to 32 bits (the three
   code points packed into 63 bits, mixed by the splitmix64 finaliser, high half kept; numpy
   hashes a whole message at once, about ten times faster than crc32 per piece).
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
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from yiwang.classifier.engine.text import normalize

SHINGLE = 3
SKETCH = 12  # smallest hashes kept per message (rows in the index)
MIN_SHINGLES = 12  # below this a text is too short to call anything a duplicate of it
DUPLICATE_AT = 0.6  # containment from which two messages are about the same matter
SAME_CITIZEN_AT = 0.35  # looser when the same citizen writes again
_KEEP = re.compile(r"[^\W_]+")


def canonical(text: str) -> str:
    return "".join(_KEEP.findall(normalize(text).lower()))


def _mixed(packed: np.ndarray) -> np.ndarray:
    """32-bit hashes of 64-bit values (splitmix64's finaliser; wrap-around is intended)."""
    with np.errstate(over="ignore"):
        value = packed ^ (packed >> np.uint64(30))
        value = value * np.uint64(0xBF58476D1CE4E5B9)
        value = value ^ (value >> np.uint64(27))
        value = value * np.uint64(0x94D049BB133111EB)
        value = value ^ (value >> np.uint64(31))
    high: np.ndarray = value >> np.uint64(32)
    return high


def _hashes(text: str) -> np.ndarray:
    """The sorted, distinct hashes of the 3-character pieces of a canonical text."""
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(points) < SHINGLE:  # too short for a piece: the whole text is one
        packed = np.array([sum(int(p) << (21 * i) for i, p in enumerate(points))], np.uint64)
    else:
        packed = (points[:-2] << np.uint64(42)) | (points[1:-1] << np.uint64(21)) | points[2:]
    return np.unique(_mixed(packed))


def shingles(text: str) -> frozenset[int]:
    """The hashed 3-character pieces of a text (after ``canonical``)."""
    flat = canonical(text)
    return frozenset(_hashes(flat).tolist()) if flat else frozenset()


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
    flat = canonical(f"{title}\n{text}")
    if not flat:
        return Fingerprint(frozenset(), ())
    hashes = _hashes(flat)
    return Fingerprint(frozenset(hashes.tolist()), tuple(hashes[:SKETCH].tolist()))


def is_duplicate(a: frozenset[int], b: frozenset[int], *, same_citizen: bool = False) -> bool:
    if min(len(a), len(b)) < MIN_SHINGLES:
        return False
    return resemblance(a, b) >= (SAME_CITIZEN_AT if same_citizen else DUPLICATE_AT)
