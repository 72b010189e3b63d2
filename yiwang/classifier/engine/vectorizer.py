"""The vectoriser: normalised (title, text) pairs → one sparse TF-IDF matrix of feature blocks."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from . import features as f

FIELDS = ("title", "text")
KINDS = ("char", "word")
_READABLE = re.compile(r"[^\W\d_]")
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
# Function words that carry weight in a linear model but explain nothing to a clerk.
STOPWORDS = frozenset(
    "的了是在我你他她它们和与及或也就都而着被把让对这那有不很还又吗呢吧啊请您"
) | {"我们", "你们", "他们", "一个", "没有", "请问"}


@dataclass(frozen=True)
class BlockSpec:
    """One feature block: which field, which n-grams, its weight and its document floor."""

    field: str  # "title" or "text"
    kind: str  # "char" (character n-grams) or "word" (rjieba words)
    sizes: tuple[int, int]  # smallest and largest n
    weight: float
    min_df: int

    @property
    def name(self) -> str:
        return f"{self.field}_{self.kind}_{self.sizes[0]}_{self.sizes[1]}"


@dataclass(frozen=True)
class Block:
    """A fitted block: its sorted keys and their idf."""

    spec: BlockSpec
    keys: np.ndarray  # uint64, sorted
    idf: np.ndarray  # float64

    @cached_property
    def index(self) -> f.KeyIndex:
        return f.KeyIndex(self.keys)


class Vectorizer:
    """Fitted feature blocks plus the word list they share."""

    def __init__(
        self,
        blocks: Sequence[Block],
        vocabulary: dict[str, int],
        text_chars: int,
        title_in_text: bool = False,
    ) -> None:
        self.blocks = tuple(blocks)
        self.text_chars = text_chars
        self.title_in_text = title_in_text
        self.vocabulary = vocabulary
        self._lookup = f.with_separator(vocabulary)
        self.offsets = np.cumsum([0] + [len(block.keys) for block in self.blocks])
        self._words_by_id: dict[int, str] | None = None

    @property
    def width(self) -> int:
        return int(self.offsets[-1])

    @classmethod
    def fit(
        cls,
        specs: Sequence[BlockSpec],
        titles: Sequence[str],
        texts: Sequence[str],
        text_chars: int,
        title_in_text: bool = False,
    ) -> tuple[Vectorizer, sp.csr_matrix]:
        """Fit on normalised texts and return the vectoriser with the training matrix."""
        texts = _texts(titles, texts, text_chars, title_in_text)
        tokens = f.words(titles, texts)
        vocabulary: dict[str, int] = {}
        for token in tokens:
            if token not in vocabulary and token != f.SEPARATOR:
                vocabulary[token] = len(vocabulary) + 1
        found = _occurrences(specs, titles, texts, tokens, f.with_separator(vocabulary), exact=True)
        rows = len(texts)
        blocks = []
        for spec, occurrences in zip(specs, found, strict=True):
            keys, idf = f.fit_vocabulary(occurrences, rows, spec.min_df)
            blocks.append(Block(spec, keys, idf))
        fitted = cls(blocks, _used_words(blocks, vocabulary), text_chars, title_in_text)
        return fitted, fitted._matrix(found, rows)

    def transform(self, titles: Sequence[str], texts: Sequence[str]) -> sp.csr_matrix:
        texts = _texts(titles, texts, self.text_chars, self.title_in_text)
        tokens = f.words(titles, texts)
        specs = [block.spec for block in self.blocks]
        found = _occurrences(specs, titles, texts, tokens, self._lookup, exact=False)
        return self._matrix(found, len(texts))

    def _matrix(self, found: Sequence[f.Occurrences], rows: int) -> sp.csr_matrix:
        parts = [
            f.tfidf(
                f.count_matrix(occurrences, block.index, rows, len(block.keys)),
                block.idf,
                block.spec.weight,
            )
            for block, occurrences in zip(self.blocks, found, strict=True)
        ]
        return sp.hstack(parts, format="csr")

    def token(self, column: int) -> tuple[str, str]:
        """The kind ("char" or "word") and the readable text of a feature column."""
        index = int(np.searchsorted(self.offsets, column, side="right")) - 1
        block = self.blocks[index]
        key = int(block.keys[column - self.offsets[index]])
        if block.spec.kind == "char":
            return "char", f.char_key_text(key)
        words = self._words()
        first, second = key >> 32, key & 0xFFFFFFFF
        if first:
            return "word", words.get(first, "") + words.get(second, "")
        return "word", words.get(second, "")

    def _words(self) -> dict[int, str]:
        if self._words_by_id is None:
            self._words_by_id = {number: word for word, number in self.vocabulary.items()}
        return self._words_by_id


def trimmed(token: str) -> str:
    """The token without spaces and punctuation at its ends ("安全隐患," → "安全隐患")."""
    return _EDGES.sub("", token)


def _texts(
    titles: Sequence[str], texts: Sequence[str], chars: int, title_in_text: bool
) -> list[str]:
    """What the text blocks read: the text's first ``chars`` characters, after the title."""
    if title_in_text:
        return [f"{title} {text[:chars]}" for title, text in zip(titles, texts, strict=True)]
    return [text[:chars] for text in texts]


def readable(token: str) -> bool:
    """True when a token holds a letter (not only punctuation or digits) and is no function word."""
    return bool(_READABLE.search(token)) and token not in STOPWORDS


def _occurrences(
    specs: Sequence[BlockSpec],
    titles: Sequence[str],
    texts: Sequence[str],
    tokens: list[str],
    lookup: dict[str, int],
    exact: bool,
) -> list[f.Occurrences]:
    ids, parts = f.word_ids(tokens, lookup)
    found = []
    for spec in specs:
        if spec.kind == "char":
            part = titles if spec.field == "title" else texts
            found.append(f.char_ngrams(part, spec.sizes, exact))
            continue
        field = FIELDS.index(spec.field)
        mine = np.where(parts % 2 == field, ids, -1)
        found.append(f.word_ngrams(mine, parts // 2, bigrams=spec.sizes[1] >= 2))
    return found


def _used_words(blocks: Sequence[Block], vocabulary: dict[str, int]) -> dict[str, int]:
    """The part of the word list that some kept word feature refers to (a smaller artefact)."""
    used: set[int] = set()
    for block in blocks:
        if block.spec.kind == "word":
            keys = block.keys
            used.update((keys & np.uint64(0xFFFFFFFF)).tolist())
            used.update((keys >> np.uint64(32)).tolist())
    return {word: number for word, number in vocabulary.items() if number in used}
