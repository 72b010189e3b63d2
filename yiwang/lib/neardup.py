"""Near-duplicate messages: the same matter written again, by the same citizen or by many.

Pure Python (no Django). See ``neardup.md`` next to this file for the method and its figures.

1. ``canonical``: the engine's normalisation (full-width → half-width, traditional →
   simplified, HTML, emoji and greetings dropped), then only letters and digits are kept, so
   punctuation and spacing never matter.
2. *Pieces* (``_hashes``): the set of overlapping 3-character pieces, each hashed to 32
   bits (the three code points packed into 63 bits, mixed by the splitmix64 finaliser, high
   half kept; numpy hashes a whole message at once, about ten times faster than crc32 per
   piece). Reordering sentences changes only the few pieces across the seams; a small edit
   changes at most three pieces per changed character.
3. *Sketch* (``Fingerprint.keys``): the ``SKETCH`` smallest hashes of the set (a bottom-k
   MinHash sketch). Two texts that share most of their pieces share most of their smallest
   hashes, whatever their lengths: a partial copy keeps about as many of the original's
   smallest hashes as the share of the original it copies. The index stores only the sketch
   (a few integers per message).
4. ``resemblance``: the exact overlap of two sets relative to the smaller one (containment),
   which is what a partial copy or a message with a line added has in common with the other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from yiwang.classifier.engine.text import normalize_many

SHINGLE = 3
SKETCH = 12  # smallest hashes kept per message (rows in the index)
MIN_SHINGLES = 12  # below this a text is too short to call anything a duplicate of it
DUPLICATE_AT = 0.6  # containment from which two messages are about the same matter
SAME_CITIZEN_AT = 0.35  # looser when the same citizen writes again
_KEEP = re.compile(r"[^\W_]+")


def canonical_many(texts: Sequence[str]) -> list[str]:
    """``canonical`` of many texts (one normalisation pass for all of them)."""
    return ["".join(_KEEP.findall(text.lower())) for text in normalize_many(texts)]


def canonical(text: str) -> str:
    return canonical_many([text])[0]


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
    return np.unique(_mixed(packed)).astype(np.uint32)


def resemblance(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the smaller set of pieces found in the larger (1.0: one contains the other).
    Both are sorted and hold each piece once, as ``Fingerprint.pieces``."""
    smaller = min(len(a), len(b))
    if smaller == 0:
        return 0.0
    probe, sorted_set = (a, b) if len(a) <= len(b) else (b, a)
    at = np.minimum(np.searchsorted(sorted_set, probe), len(sorted_set) - 1)
    return int(np.count_nonzero(sorted_set[at] == probe)) / smaller


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """What the index needs of one message: its pieces (sorted hashes, each once; a numpy
    array, since sets of Python ints cost ten times the memory and time) and its sketch."""

    pieces: np.ndarray
    keys: tuple[int, ...]

    @property
    def usable(self) -> bool:
        return len(self.pieces) >= MIN_SHINGLES


def fingerprint_many(items: Sequence[tuple[str, str]]) -> list[Fingerprint]:
    """The fingerprints of many (title, text) pairs: one normalisation pass for all."""
    flats = canonical_many([f"{title}\n{text}" for title, text in items])
    found = []
    for flat in flats:
        hashes = _hashes(flat) if flat else np.empty(0, np.uint32)
        found.append(Fingerprint(hashes, tuple(hashes[:SKETCH].tolist())))
    return found


def fingerprint(title: str, text: str) -> Fingerprint:
    return fingerprint_many([(title, text)])[0]


def is_duplicate(a: np.ndarray, b: np.ndarray, *, same_citizen: bool = False) -> bool:
    if min(len(a), len(b)) < MIN_SHINGLES:
        return False
    return resemblance(a, b) >= (SAME_CITIZEN_AT if same_citizen else DUPLICATE_AT)
