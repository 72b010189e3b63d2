"""Ranking shared by every database: BM25 over the stored tokens. Imports nothing from Django.

The database only finds candidates; the order comes from here, from the same tokens and the
same statistics, so SQLite and PostgreSQL give the same ids in the same order (search.md).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from yiwang.search.tokens import Group, Term, plain_groups

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


# A query has few terms: counting each in the token list beats building a Counter of every
# token (~190 tokens a document). Above this many terms, the Counter wins.
COUNT_EACH_UP_TO = 6


@dataclass(frozen=True)
class _Query:
    """A query made ready once for all its candidates: its distinct terms with their idf, and
    its groups in summing order, each alternative as (weight, positions of its terms in
    ``terms``, in term order)."""

    terms: tuple[Term, ...]
    idfs: tuple[float, ...]
    groups: tuple[tuple[tuple[float, tuple[int, ...]], ...], ...]

    @classmethod
    def of(cls, groups: Sequence[Group], df: Mapping[Term, int], n_docs: int) -> _Query:
        terms = tuple(sorted({t for group in groups for t in group.terms}))
        position = {term: i for i, term in enumerate(terms)}
        ordered = tuple(
            tuple((a.weight, tuple(position[t] for t in sorted(a.terms))) for a in g.alternatives)
            for g in sorted(groups)
        )
        return cls(terms, tuple(idf(df.get(t, 0), n_docs) for t in terms), ordered)

    def frequencies(self, tokens: Sequence[str]) -> list[int]:
        """Each term's frequency in ``tokens``: the integers ``term_frequency`` counts."""
        if len(self.terms) > COUNT_EACH_UP_TO:
            counts = Counter(tokens)
            return [term_frequency(term, counts) for term in self.terms]
        return [
            sum(1 for token in tokens if token.startswith(term.text))
            if term.prefix
            else tokens.count(term.text)
            for term in self.terms
        ]

    def score(self, tokens: Sequence[str]) -> tuple[int, float]:
        """``bm25`` of one document: the same arithmetic in the same order."""
        tfs = self.frequencies(tokens)
        norm = K1 * (1.0 - B + B * len(tokens) / REFERENCE_LENGTH)
        scores = [
            self.idfs[i] * tf * (K1 + 1.0) / (tf + norm) if tf else 0.0 for i, tf in enumerate(tfs)
        ]
        matched, total = 0, 0.0
        for alternatives in self.groups:
            best = None
            for weight, positions in alternatives:
                mine = [scores[i] for i in positions]
                if all(mine):
                    value = weight * sum(mine) / len(mine)
                    best = value if best is None else max(best, value)
            if best is not None:
                matched += 1
                total += best
        return matched, total


def bm25(
    groups: Sequence[Group], tokens: Sequence[str], df: Mapping[Term, int], n_docs: int
) -> tuple[int, float]:
    """(how many groups the document matches, its BM25 score), summed in group order.

    A group scores by its best alternative whose every term the document holds: the mean of
    the alternative's term scores (summed in term order) times its weight, so a synonym of
    three bigrams does not outweigh the literal word of one. For plain groups (one term each)
    this is the textbook sum over the query terms.
    """
    return _Query.of(groups, df, n_docs).score(tokens)


def rank_groups(
    groups: Sequence[Group],
    candidates: Iterable[Candidate],
    df: Mapping[Term, int],
    n_docs: int,
    *,
    min_matched: int = 1,
) -> list[tuple[int, float]]:
    """(object id, score), best first: most groups matched, then score, then the newest."""
    query = _Query.of(groups, df, n_docs)
    scored = []
    for candidate in candidates:
        matched, score = query.score(candidate.tokens)
        if matched >= min_matched:
            scored.append((-matched, -score, -candidate.object_id))
    return [(-key[2], -key[1]) for key in sorted(scored)]


def rank(
    terms: Sequence[Term],
    candidates: Iterable[Candidate],
    df: Mapping[Term, int],
    n_docs: int,
    *,
    min_matched: int = 1,
) -> list[int]:
    """Object ids, best first: most terms matched, then score, then the newest (highest id)."""
    ranked = rank_groups(
        plain_groups(tuple(terms)), candidates, df, n_docs, min_matched=min_matched
    )
    return [object_id for object_id, _ in ranked]


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
