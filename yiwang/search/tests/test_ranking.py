"""The prepared BM25 of ``ranking`` gives the very floats of the textbook loop (no database)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence

import pytest

from yiwang.search.ranking import (
    COUNT_EACH_UP_TO,
    K1,
    REFERENCE_LENGTH,
    B,
    Candidate,
    bm25,
    idf,
    rank_groups,
    term_frequency,
)
from yiwang.search.tokens import Alternative, Group, Term, plain_groups

VOCABULARY = ("通知", "行政", "执法", "政执", "公积", "积金", "金", "wifi", "5", "号线", "通", "ab")


def textbook_bm25(
    groups: Sequence[Group], tokens: Sequence[str], df: Mapping[Term, int], n_docs: int
) -> tuple[int, float]:
    """The loop as search.md states it: one Counter, each alternative's terms in order."""
    counts = Counter(tokens)
    norm = K1 * (1.0 - B + B * len(tokens) / REFERENCE_LENGTH)
    matched, score = 0, 0.0
    for group in sorted(groups):
        best = None
        for alternative in group.alternatives:
            scores = []
            for term in sorted(alternative.terms):
                tf = term_frequency(term, counts)
                weight = idf(df.get(term, 0), n_docs)
                scores.append(weight * tf * (K1 + 1.0) / (tf + norm) if tf else 0.0)
            if all(scores):
                value = alternative.weight * sum(scores) / len(scores)
                best = value if best is None else max(best, value)
        if best is not None:
            matched += 1
            score += best
    return matched, score


def random_query(rng: random.Random) -> tuple[Group, ...]:
    count = rng.randint(1, 2 * COUNT_EACH_UP_TO)  # both ways of counting
    terms = sorted({Term(rng.choice(VOCABULARY), rng.random() < 0.2) for _ in range(count)})
    if rng.random() < 0.5:
        return plain_groups(tuple(terms))
    return tuple(
        Group(
            tuple(
                Alternative(tuple(sorted(rng.sample(terms, rng.randint(1, len(terms))))), w)
                for w in rng.sample([1.0, 0.8, 0.5, 0.35], rng.randint(1, 3))
            )
        )
        for _ in range(rng.randint(1, 4))
    )


@pytest.mark.parametrize("seed", range(40))
def test_prepared_scores_are_the_floats_of_the_textbook_loop(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(25):
        groups = random_query(rng)
        terms = {t for g in groups for t in g.terms}
        df = {t: rng.randint(0, 2000) for t in terms if rng.random() < 0.9}
        n_docs = rng.choice([10, 1000, 1_000_000])
        candidates = [
            Candidate(i, [rng.choice(VOCABULARY) for _ in range(rng.randint(1, 60))])
            for i in range(rng.randint(0, 12))
        ]
        expected = [(c.object_id, textbook_bm25(groups, c.tokens, df, n_docs)) for c in candidates]
        assert [(c.object_id, bm25(groups, c.tokens, df, n_docs)) for c in candidates] == expected
        ranked = sorted(
            (-score[0], -score[1], -object_id) for object_id, score in expected if score[0] >= 2
        )
        assert rank_groups(groups, candidates, df, n_docs, min_matched=2) == [
            (-key[2], -key[1]) for key in ranked
        ]
