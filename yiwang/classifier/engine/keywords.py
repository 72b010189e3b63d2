"""Cold start: a keyword table, and the blend that hands each label over to the model.

``KeywordClassifier`` matches keywords on normalised text: a keyword holding Chinese is a
substring match; a latin keyword (the English channel's table) is a case-insensitive whole-word
match. A label scores Σ weight × log(1 + hits) over its matched keywords, where hits count the
text once and the title ``TITLE_HITS`` times, and a keyword's weight is its length (characters
for Chinese, 2 per word for latin keywords), so "公积金贷款" says more than "贷款". Scores
become probabilities ``CAP × score / (Σ scores + DAMPING)``: keywords are weak evidence, so no
label reaches ``CAP`` and one short match stays well below it.

``combine`` blends the model's and the keywords' probabilities per label with the weight
``w = min(1, training examples of the label / full_trust_at)`` on the model, so the engine
takes over one category at a time as the desk's decisions accumulate.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .text import normalize
from .types import Label, Suggestion

CAP = 0.6
DAMPING = 2.0
TITLE_HITS = 2
_HAN = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class _Keyword:
    text: str
    weight: float
    pattern: re.Pattern[str] | None  # whole-word pattern for latin keywords

    def hits(self, text: str) -> int:
        if self.pattern is None:
            return text.count(self.text)
        return len(self.pattern.findall(text))


def _keyword(raw: str) -> _Keyword | None:
    text = normalize(raw)
    if not text:
        return None
    if _HAN.search(text):
        return _Keyword(text, float(len(text)), None)
    pattern = re.compile(r"(?<!\w)" + re.escape(text) + r"(?!\w)", re.IGNORECASE)
    return _Keyword(text, 2.0 * len(text.split()), pattern)


def _pair(two: str) -> int:
    return (ord(two[0]) << 21) | ord(two[1])


def _members(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """For each value, whether it is in ``sorted_set`` (a sorted array)."""
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    found: np.ndarray = sorted_set[at] == values
    return found


class KeywordClassifier:
    """Ranked labels from a table {label: keywords}; no match gives no suggestion.

    Chinese keywords are found where they can start (numpy marks the places holding some
    keyword's first characters), by looking up the substrings of the keywords' lengths there,
    not by searching the text once per keyword: a taxonomy has thousands of keywords and an
    import millions of messages. The counts are those of ``str.count`` per keyword.
    """

    def __init__(self, keywords: Mapping[Label, Sequence[str]]) -> None:
        self._table: dict[Label, tuple[_Keyword, ...]] = {}
        for label, words in keywords.items():
            parsed = (_keyword(word) for word in words)
            self._table[tuple(label)] = tuple(word for word in parsed if word is not None)
        self._han_labels: dict[str, set[Label]] = {}
        self._latin_labels: set[Label] = set()
        for label, table in self._table.items():
            for keyword in table:
                if keyword.pattern is None:
                    self._han_labels.setdefault(keyword.text, set()).add(label)
                else:
                    self._latin_labels.add(label)
        # Where a keyword can start: its first two characters (one for one-character keywords)
        # name the lengths of the keywords starting so. numpy finds the few places of a text
        # where some keyword starts; Python looks only there.
        self._starts: dict[str, tuple[int, ...]] = {}
        for text in self._han_labels:
            start = text[:2]
            self._starts[start] = tuple(sorted({*self._starts.get(start, ()), len(text)}))
        self._pairs = np.array(sorted({_pair(s) for s in self._starts if len(s) == 2}), np.int64)
        self._singles = np.array(sorted({ord(s) for s in self._starts if len(s) == 1}), np.int64)

    @property
    def labels(self) -> tuple[Label, ...]:
        return tuple(self._table)

    def _substring_hits(self, text: str) -> dict[str, int]:
        """How often each Chinese keyword occurs in ``text`` (without overlaps, as str.count)."""
        hits: dict[str, int] = {}
        free_from: dict[str, int] = {}
        for start in self._candidate_starts(text):
            sizes = self._starts.get(text[start : start + 2], ()) + self._starts.get(
                text[start], ()
            )
            for size in sizes:
                piece = text[start : start + size]
                if piece in self._han_labels and start >= free_from.get(piece, 0):
                    hits[piece] = hits.get(piece, 0) + 1
                    free_from[piece] = start + size
        return hits

    def _candidate_starts(self, text: str) -> list[int]:
        """The places of ``text`` where some keyword's first one or two characters are."""
        if not text or not self._starts:
            return []
        points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        found = _members(points, self._singles)
        if len(points) > 1:
            found[:-1] |= _members((points[:-1] << 21) | points[1:], self._pairs)
        return np.flatnonzero(found).tolist()

    def predict(self, title: str, text: str, top: int = 3) -> list[Suggestion]:
        title, text = normalize(title), normalize(text)
        in_text, in_title = self._substring_hits(text), self._substring_hits(title)
        touched = set(self._latin_labels)
        for piece in (*in_text, *in_title):
            touched |= self._han_labels[piece]

        def hits(keyword: _Keyword) -> int:
            if keyword.pattern is None:
                return in_text.get(keyword.text, 0) + TITLE_HITS * in_title.get(keyword.text, 0)
            return keyword.hits(text) + TITLE_HITS * keyword.hits(title)

        scored: list[tuple[float, Label, tuple[str, ...]]] = []
        for label, keywords in self._table.items():
            if label not in touched:
                continue
            score, matched = 0.0, []
            for keyword in keywords:
                if found := hits(keyword):
                    score += keyword.weight * math.log1p(found)
                    matched.append(keyword.text)
            if score > 0:
                scored.append((score, label, tuple(matched)))
        total = sum(score for score, _, _ in scored) + DAMPING
        scored.sort(key=lambda entry: -entry[0])
        return [
            Suggestion(label, CAP * score / total, words) for score, label, words in scored[:top]
        ]


def combine(
    model: Sequence[Suggestion],
    keywords: Sequence[Suggestion],
    label_counts: Mapping[Label, int],
    full_trust_at: int = 50,
    top: int = 3,
) -> list[Suggestion]:
    """Blend per label: ``w`` on the model, ``1 - w`` on the keywords (see the module doc)."""
    from_model = {suggestion.label: suggestion for suggestion in model}
    from_keywords = {suggestion.label: suggestion for suggestion in keywords}
    blended = []
    for label in dict.fromkeys([*from_model, *from_keywords]):
        trust = min(1.0, max(0, label_counts.get(label, 0)) / max(full_trust_at, 1))
        machine, table = from_model.get(label), from_keywords.get(label)
        probability = trust * (machine.probability if machine else 0.0) + (1 - trust) * (
            table.probability if table else 0.0
        )
        words = dict.fromkeys(
            [*(machine.words if machine else ()), *(table.words if table else ())]
        )
        if probability > 0:
            blended.append(Suggestion(label, probability, tuple(words)))
    blended.sort(key=lambda suggestion: -suggestion.probability)
    return blended[:top]
