"""Chinese-aware tokens for the search index and for queries. Imports nothing from Django.

A document becomes a list of tokens, each made only of letters and digits (never ASCII
punctuation or spaces), so that both databases store exactly these tokens: SQLite's FTS5
``ascii`` tokenizer and PostgreSQL's ``array_to_tsvector`` split on the spaces we put between
them and on nothing else. See search.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import rjieba

MAX_QUERY_CHARS = 100  # longer queries are trimmed (after normalisation), never rejected
MAX_QUERY_TERMS = 32
MAX_TOKEN_CHARS = 32
# Han ideographs: the unified block, extension A, compatibility ideographs, extensions B and on.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Han runs, letter runs and digit runs: "WiFi6" gives "wifi" and "6", "3号线" gives "3", "号线".
_RUN = re.compile(rf"[{_HAN}]+|[^\W\d_{_HAN}]+|\d+")
_IS_HAN = re.compile(rf"[{_HAN}]")


@dataclass(frozen=True, order=True)
class Term:
    """One query term: a whole token, or (``prefix``) any token that starts with ``text``."""

    text: str
    prefix: bool = False

    def matches(self, token: str) -> bool:
        return token.startswith(self.text) if self.prefix else token == self.text


@dataclass(frozen=True, order=True)
class Alternative:
    """One way to satisfy a group: every term, its score multiplied by ``weight``."""

    terms: tuple[Term, ...]
    weight: float = 1.0


@dataclass(frozen=True, order=True)
class Group:
    """A part of a query a document must match in one of its ways (the best one counts)."""

    alternatives: tuple[Alternative, ...]

    @property
    def terms(self) -> set[Term]:
        return {term for alternative in self.alternatives for term in alternative.terms}


def plain_groups(terms: tuple[Term, ...]) -> tuple[Group, ...]:
    """Every term a group of its own: "all of these terms", the plain query."""
    return tuple(Group((Alternative((term,)),)) for term in terms)


def group_terms(groups: tuple[Group, ...]) -> tuple[Term, ...]:
    """Every term of a query's groups, sorted, once."""
    return tuple(sorted(set().union(*(group.terms for group in groups))))


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits to ASCII) and case folding."""
    return unicodedata.normalize("NFKC", text).casefold()


def _runs(text: str) -> Iterator[str]:
    """Runs of Han characters and runs of other letters/digits, in order."""
    for match in _RUN.finditer(normalize(text)):
        yield match.group()


def is_han(run: str) -> bool:
    return _IS_HAN.match(run) is not None


def han_grams(run: str) -> list[str]:
    """Overlapping bigrams of a Han run, then its last character on its own.

    Every character of the run starts exactly one of these tokens, so any 2+ character
    fragment is found by its bigrams and a single character by a prefix match.
    """
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def _run_tokens(run: str) -> list[str]:
    if not is_han(run):
        return [run[:MAX_TOKEN_CHARS]]
    # jieba words of three or more characters; shorter words are already bigrams.
    if len(run) < 3:
        return han_grams(run)
    words = [w for w in rjieba.cut(run) if len(w) >= 3 and len(w) <= MAX_TOKEN_CHARS]
    return han_grams(run) + words


def text_tokens(text: str) -> list[str]:
    return [token for run in _runs(text) for token in _run_tokens(run)]


def document_tokens(title: str, body: str, *, pinyin: bool = False) -> list[str]:
    """The stored tokens of a document; the title counts twice. With ``pinyin``, every Han
    run adds its syllable and initials tokens (``pinyin.py``), once."""
    title_tokens = text_tokens(title)
    tokens = title_tokens + title_tokens + text_tokens(body)
    if pinyin:
        from yiwang.search.pinyin import run_tokens  # pypinyin loads its tables on first use

        runs = [run for text in (title, body) for run in _runs(text) if is_han(run)]
        tokens += [token for run in runs for token in run_tokens(run)]
    return tokens


def query_runs(query: str) -> list[str]:
    """The runs of a query as ``query_terms`` reads them: normalised, trimmed, in order."""
    return list(_runs(normalize(query)[:MAX_QUERY_CHARS]))


def query_terms(query: str) -> tuple[Term, ...]:
    """The terms a document must all contain to match ``query``, sorted, without repeats.

    Only letters and digits survive, so no query syntax of either database can get through:
    quotes, ``*``, ``NEAR``/``OR`` (just words), ``^``, ``-`` and the like mean nothing here.
    """
    terms: set[Term] = set()
    for run in query_runs(query):
        if not is_han(run):
            terms.add(Term(run[:MAX_TOKEN_CHARS]))
        elif len(run) == 1:
            terms.add(Term(run, prefix=True))
        else:
            terms.update(Term(run[i : i + 2]) for i in range(len(run) - 1))
    return tuple(sorted(terms))[:MAX_QUERY_TERMS]
