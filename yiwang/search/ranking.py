"""Ranking shared by every database: BM25 over the stored tokens. Imports nothing from Django.

The database only finds candidates; the order comes from here, from the same tokens and the
same statistics, so SQLite and PostgreSQL give the same ids in the same order (search.md).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from yiwang.search.tokens import Term

K1 = 1.2
B = 0.75
# A fixed reference length instead of the corpus average: one statistic fewer to read, and
# the same number whatever the database holds.
REFERENCE_LENGTH = 120.0


@dataclass(frozen=True)
class Candidate:
    object_id: int
    tokens: Sequence[str]


def idf(df: int, n_docs: int) -> float:
    return math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))


def term_frequency(term: Term, counts: Mapping[str, int]) -> int:
    if not term.prefix:
        return counts.get(term.text, 0)
    return sum(n for token, n in counts.items() if term.matches(token))


def bm25(
    terms: Sequence[Term], tokens: Sequence[str], df: Mapping[Term, int], n_docs: int
) -> tuple[int, float]:
    """(how many terms the document contains, its BM25 score), summed in term order."""
    counts = Counter(tokens)
    norm = K1 * (1.0 - B + B * len(tokens) / REFERENCE_LENGTH)
    matched, score = 0, 0.0
    for term in sorted(terms):
        tf = term_frequency(term, counts)
        if tf:
            matched += 1
            score += idf(df.get(term, 0), n_docs) * tf * (K1 + 1.0) / (tf + norm)
    return matched, score


def rank(
    terms: Sequence[Term],
    candidates: Iterable[Candidate],
    df: Mapping[Term, int],
    n_docs: int,
    *,
    min_matched: int = 1,
) -> list[int]:
    """Object ids, best first: most terms matched, then score, then the newest (highest id)."""
    scored = []
    for candidate in candidates:
        matched, score = bm25(terms, candidate.tokens, df, n_docs)
        if matched >= min_matched:
            scored.append((-matched, -score, -candidate.object_id))
    return [-key[2] for key in sorted(scored)]


def distinctive_terms(
    tokens: Sequence[str], df: Mapping[Term, int], n_docs: int, count: int
) -> list[Term]:
    """The words of a document that best tell it apart: tf·idf, seen in another document."""
    counts = Counter(tokens)
    weighted = [
        (-counts[term.text] * idf(seen, n_docs), term.text)
        for term, seen in df.items()
        if seen >= 2
    ]
    return [Term(text) for _, text in sorted(weighted)[:count]]


def similarity_vocabulary(tokens: Sequence[str], count: int) -> list[Term]:
    """The document's most frequent tokens of two or more characters, to look up their df."""
    counts = Counter(token for token in tokens if len(token) >= 2)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], -len(item[0]), item[0]))
    return [Term(token) for token, _ in ordered[:count]]
