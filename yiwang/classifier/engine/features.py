"""Features: character n-grams and rjieba word n-grams of the title and of the text.

Every feature is a 64-bit integer key, so the vocabulary is a sorted ``uint64`` array and the
look-up of a whole batch is one ``np.searchsorted`` (no Python loop per n-gram):

- a character n-gram (n ≤ 4) packs its code points, 16 bits each (characters beyond the Basic
  Multilingual Plane fold to U+FFFF); code point 0 never occurs, so keys of different lengths
  never collide (nor do they with the separator U+0001, which normalised text never holds);
- a word gets an id (1…) from the word list; a word unigram's key is its id, a bigram's key is
  ``id1 << 32 | id2``; unknown words (id 0) make no unigram and no bigram.

The documents of a batch are joined with a separator (U+0001 for characters, ``"\\n"`` for
words: normalised text holds neither) and cut once, so rjieba is called once per batch.

Look-ups go through ``KeyIndex``, a two-choice hash table over the sorted keys (numpy gathers
instead of a binary search per key).

Weights are TF-IDF per block (sublinear tf, smoothed idf, l2-normalised rows), each block
scaled by its configured weight before the blocks are stacked side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np
import rjieba
import scipy.sparse as sp

from .text import LIMIT

Keys = np.ndarray  # uint64 feature keys
SEPARATOR = "\n"  # between the parts of a batch for rjieba
_UNKNOWN = 0


@dataclass(frozen=True)
class Occurrences:
    """The feature keys found in a batch and the document each one belongs to."""

    keys: np.ndarray  # uint64
    docs: np.ndarray  # int32


def char_ngrams(texts: Sequence[str], sizes: tuple[int, int], exact: bool = True) -> Occurrences:
    """Every character n-gram with ``sizes[0] ≤ n ≤ sizes[1]``, as packed keys.

    The texts are joined with U+0001 (normalisation removes it from any text). With ``exact``
    the n-grams that span two texts are left out; without it (prediction) they stay in: their
    keys hold the separator, so no vocabulary has them and they cost one failed look-up each.
    """
    joined = "\x01".join(text[:LIMIT] for text in texts) + "\x01"
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    codes = np.minimum(codes, 0xFFFF).astype(np.uint64)
    separator = codes == 1
    doc_of = (np.cumsum(separator) - separator).astype(np.int32)
    keys, docs = [], []
    for size in range(sizes[0], sizes[1] + 1):
        count = len(codes) - size + 1
        if count <= 0:
            continue
        key = codes[:count].copy()
        for offset in range(1, size):
            key <<= np.uint64(16)
            key |= codes[offset : offset + count]
        if exact:
            broken = separator[:count].copy()
            for offset in range(1, size):
                broken |= separator[offset : offset + count]
            keys.append(key[~broken])
            docs.append(doc_of[:count][~broken])
        else:
            keys.append(key)
            docs.append(doc_of[:count])
    return _joined(keys, docs)


def words(titles: Sequence[str], texts: Sequence[str]) -> list[str]:
    """rjieba words of every title and text, interleaved, each followed by a separator."""
    joined = SEPARATOR.join(part for pair in zip(titles, texts, strict=True) for part in pair)
    tokens: list[str] = rjieba.cut(joined + SEPARATOR)
    return tokens


def word_ids(tokens: list[str], lookup: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Tokens as ids (0 = unknown, -1 = separator) with the part (2 × document + field) of each.

    ``lookup`` is the word list with the separator mapped to -1 (``with_separator``).
    """
    ids = np.fromiter(map(lookup.get, tokens, repeat(_UNKNOWN)), dtype=np.int64, count=len(tokens))
    separator = ids < 0
    return ids, (np.cumsum(separator) - separator).astype(np.int32)


def with_separator(vocabulary: dict[str, int]) -> dict[str, int]:
    return {**vocabulary, SEPARATOR: -1}


def word_ngrams(ids: np.ndarray, docs: np.ndarray, bigrams: bool) -> Occurrences:
    """Word unigram (and bigram) keys from ``word_ids`` output; separators are ``-1``."""
    known = ids > 0
    keys = [ids[known].astype(np.uint64)]
    found = [docs[known]]
    if bigrams and len(ids) > 1:
        pair = known[:-1] & known[1:]
        first = ids[:-1][pair].astype(np.uint64)
        second = ids[1:][pair].astype(np.uint64)
        keys.append((first << np.uint64(32)) | second)
        found.append(docs[:-1][pair])
    return _joined(keys, found)


def _joined(keys: list[np.ndarray], docs: list[np.ndarray]) -> Occurrences:
    if not keys:
        return Occurrences(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int32))
    return Occurrences(np.concatenate(keys), np.concatenate(docs).astype(np.int32, copy=False))


class KeyIndex:
    """Column numbers of sorted keys, found by hashing (two choices) rather than bisection.

    Each key sits in the slot of its first hash or, if that one is taken, of its second; the
    few keys that find both taken are bisected. Slots hold their key, so a look-up is exact.
    """

    _FIRST = np.uint64(0x9E3779B97F4A7C15)
    _SECOND = np.uint64(0xC2B2AE3D27D4EB4F)

    def __init__(self, keys: np.ndarray) -> None:
        self.bits = max(10, int(np.ceil(np.log2(max(len(keys), 1) * 4))))
        self.slot_keys = np.zeros(1 << self.bits, dtype=np.uint64)  # 0: empty (no key is 0)
        self.slot_columns = np.full(1 << self.bits, -1, dtype=np.int32)
        left = np.arange(len(keys))
        for factor in (self._FIRST, self._SECOND):
            slots = self._slots(keys[left], factor)
            free = self.slot_columns[slots] < 0
            taken, first = np.unique(slots[free], return_index=True)
            placed = left[free][first]
            self.slot_keys[taken] = keys[placed]
            self.slot_columns[taken] = placed
            left = np.setdiff1d(left, placed, assume_unique=True)
        self.rest_columns = left
        self.rest_keys = keys[left]

    def _slots(self, keys: np.ndarray, factor: np.uint64) -> np.ndarray:
        with np.errstate(over="ignore"):
            return (keys * factor) >> np.uint64(64 - self.bits)

    def _probe(self, keys: np.ndarray, factor: np.uint64) -> np.ndarray:
        slots = self._slots(keys, factor)
        return np.where(self.slot_keys[slots] == keys, self.slot_columns[slots], -1)

    def columns(self, keys: np.ndarray) -> np.ndarray:
        """The column of every key, -1 for keys that are not in the index."""
        found = self._probe(keys, self._FIRST)
        missed = np.flatnonzero(found < 0)
        found[missed] = self._probe(keys[missed], self._SECOND)
        missed = missed[found[missed] < 0]
        if len(self.rest_keys) and len(missed):
            # A key that is not in a slot can only be in the rest if both its slots are taken.
            crowded = np.ones(len(missed), dtype=bool)
            for factor in (self._FIRST, self._SECOND):
                crowded &= self.slot_keys[self._slots(keys[missed], factor)] != 0
            missed = missed[crowded]
            place = np.searchsorted(self.rest_keys, keys[missed])
            place[place == len(self.rest_keys)] = 0
            hit = self.rest_keys[place] == keys[missed]
            found[missed[hit]] = self.rest_columns[place[hit]]
        return found


def count_matrix(found: Occurrences, index: KeyIndex, rows: int, width: int) -> sp.csr_matrix:
    """Term counts (documents × ``width``) of the keys ``index`` knows."""
    column = index.columns(found.keys)
    hit = column >= 0
    data = np.ones(int(hit.sum()), dtype=np.float64)
    matrix = sp.coo_matrix((data, (found.docs[hit], column[hit])), shape=(rows, width)).tocsr()
    matrix.sum_duplicates()
    return matrix


def fit_vocabulary(found: Occurrences, rows: int, min_df: int) -> tuple[np.ndarray, np.ndarray]:
    """The keys seen in at least ``min_df`` documents (sorted) and their smoothed idf."""
    candidates = np.unique(found.keys)
    counts = count_matrix(found, KeyIndex(candidates), rows, len(candidates))
    df = np.bincount(counts.indices, minlength=len(candidates))
    keep = df >= min_df
    idf = np.log((1 + rows) / (1 + df[keep])) + 1.0
    return candidates[keep], idf


def tfidf(counts: sp.csr_matrix, idf: np.ndarray, weight: float) -> sp.csr_matrix:
    """Sublinear tf × idf, each row scaled to length ``weight``."""
    matrix = counts.copy()
    matrix.data = (1.0 + np.log(matrix.data)) * idf[matrix.indices]
    row_of = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    lengths = np.sqrt(np.bincount(row_of, weights=matrix.data**2, minlength=matrix.shape[0]))
    lengths[lengths == 0] = 1.0
    matrix.data *= (weight / lengths)[row_of]
    return matrix


def char_key_text(key: int) -> str:
    """The characters a packed character n-gram key stands for."""
    chars = []
    while key:
        chars.append(chr(key & 0xFFFF))
        key >>= 16
    return "".join(reversed(chars))
