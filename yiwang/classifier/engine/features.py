"""Features: character n-grams and rjieba word n-grams of the title and of the text.

Every feature is a 64-bit integer key, so the vocabulary is a sorted ``uint64`` array and the
look-up of a whole batch is one ``np.searchsorted`` (no Python loop per n-gram):

- a character n-gram (n ≤ 4) packs its code points, 16 bits each (characters beyond the Basic
  Multilingual Plane fold to U+FFFF); code point 0 never occurs, so keys of different lengths
  never collide;
- a word gets an id (1…) from the word list; a word unigram's key is its id, a bigram's key is
  ``id1 << 32 | id2``; unknown words (id 0) make no unigram and no bigram.

The documents of a batch are joined with a separator (code point 0 for characters, ``"\\n"``
for words: normalised text holds no newline) and cut once, so rjieba is called once per batch.

Weights are TF-IDF per block (sublinear tf, smoothed idf, l2-normalised rows), each block
scaled by its configured weight before the blocks are stacked side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
    docs: np.ndarray  # int64


def char_ngrams(texts: Sequence[str], sizes: tuple[int, int]) -> Occurrences:
    """Every character n-gram with ``sizes[0] ≤ n ≤ sizes[1]``, as packed keys."""
    joined = "\x00".join(text[:LIMIT] for text in texts) + "\x00"
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    codes = np.minimum(codes, 0xFFFF).astype(np.uint64)
    separator = codes == 0
    doc_of = np.cumsum(separator) - separator  # the separator belongs to the document before
    keys, docs = [], []
    for size in range(sizes[0], sizes[1] + 1):
        count = len(codes) - size + 1
        if count <= 0:
            continue
        key = np.zeros(count, dtype=np.uint64)
        broken = np.zeros(count, dtype=bool)
        for offset in range(size):
            key = (key << np.uint64(16)) | codes[offset : offset + count]
            broken |= separator[offset : offset + count]
        keys.append(key[~broken])
        docs.append(doc_of[:count][~broken])
    return _joined(keys, docs)


def words(titles: Sequence[str], texts: Sequence[str]) -> list[str]:
    """rjieba words of every title and text, interleaved, each followed by a separator."""
    joined = SEPARATOR.join(part for pair in zip(titles, texts, strict=True) for part in pair)
    tokens: list[str] = rjieba.cut(joined + SEPARATOR)
    return tokens


def word_ids(tokens: list[str], vocabulary: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Tokens as ids (0 = unknown, -1 = separator) with the part (2 × document + field) of each."""
    get = vocabulary.get
    ids = np.fromiter((get(token, _UNKNOWN) for token in tokens), dtype=np.int64, count=len(tokens))
    separator = np.fromiter((token == SEPARATOR for token in tokens), dtype=bool, count=len(tokens))
    parts = np.cumsum(separator) - separator
    return np.where(separator, -1, ids), parts


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
        return Occurrences(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64))
    return Occurrences(np.concatenate(keys), np.concatenate(docs).astype(np.int64))


def count_matrix(found: Occurrences, vocabulary: np.ndarray, rows: int) -> sp.csr_matrix:
    """Term counts (documents × vocabulary) of the keys that are in the sorted ``vocabulary``."""
    if len(vocabulary) == 0 or len(found.keys) == 0:
        return sp.csr_matrix((rows, len(vocabulary)), dtype=np.float64)
    column = np.searchsorted(vocabulary, found.keys)
    column[column == len(vocabulary)] = 0
    hit = vocabulary[column] == found.keys
    data = np.ones(int(hit.sum()), dtype=np.float64)
    matrix = sp.coo_matrix(
        (data, (found.docs[hit], column[hit])), shape=(rows, len(vocabulary))
    ).tocsr()
    matrix.sum_duplicates()
    return matrix


def fit_vocabulary(found: Occurrences, rows: int, min_df: int) -> tuple[np.ndarray, np.ndarray]:
    """The keys seen in at least ``min_df`` documents (sorted) and their smoothed idf."""
    candidates = np.unique(found.keys)
    counts = count_matrix(found, candidates, rows)
    df = np.bincount(counts.indices, minlength=len(candidates))
    keep = df >= min_df
    idf = np.log((1 + rows) / (1 + df[keep])) + 1.0
    return candidates[keep], idf


def tfidf(counts: sp.csr_matrix, idf: np.ndarray, weight: float) -> sp.csr_matrix:
    """Sublinear tf × idf, each row scaled to length ``weight``."""
    matrix = counts.copy()
    matrix.data = (1.0 + np.log(matrix.data)) * idf[matrix.indices]
    lengths = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    lengths[lengths == 0] = 1.0
    scale = np.repeat(weight / lengths, np.diff(matrix.indptr))
    matrix.data *= scale
    return matrix


def char_key_text(key: int) -> str:
    """The characters a packed character n-gram key stands for."""
    chars = []
    while key:
        chars.append(chr(key & 0xFFFF))
        key >>= 16
    return "".join(reversed(chars))
