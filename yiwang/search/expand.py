"""Reading a query the way a citizen meant it: synonyms, pinyin, initials, homophones, typos.

Imports nothing from Django. A plain query is "all of these terms"; an expanded query is a
tuple of ``Group``s, one per run of the query, each matched by its best ``Alternative``:

* a **Han run**: its bigrams (weight 1); the bigrams of each synonym variant (落户 → 户口迁入,
  weight 0.9); its syllable bigrams, which a homophone typo shares (身分证 → 8shenfen
  8fenzheng, weight 0.6);
* a **Latin run**: the word itself (English, weight 1); read as pinyin, its syllable bigrams
  with an unfinished last syllable as a prefix (``shebaoka``, ``gongjij``, weight 0.9); read as
  initials, the initials token(s) (``sfz``, weight 0.8);
* a **digit run**: itself.

The literal reading weighs most, so an exact title ranks above one found through pinyin.
``corrected`` adds, for Latin terms no document holds, the closest term the index holds
(one edit, or two for long terms: ``shenfengzheng`` → 8shenfen 8fenzheng).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from yiwang.search import pinyin
from yiwang.search.tokens import (
    MAX_QUERY_TERMS,
    MAX_TOKEN_CHARS,
    Alternative,
    Group,
    Term,
    is_han,
    query_runs,
)

SYNONYM_WEIGHT = 0.9
HOMOPHONE_WEIGHT = 0.6
PINYIN_WEIGHT = 0.9
INITIALS_WEIGHT = 0.8
CORRECTION_WEIGHT = 0.7
MAX_VARIANTS = 4
MAX_INITIALS_QUERY = 8
MAX_EXPANDED_TERMS = 64
MIN_CORRECTED_CHARS = 4


@dataclass(frozen=True)
class Expansion:
    """How to read queries of a kind indexed with ``document_tokens(..., pinyin=True)``."""

    # Each phrase with the phrases that mean the same (both ways), e.g. 落户 → (户口迁入,).
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Suggestions as you type: the last Latin word may be unfinished.
    prefix_last: bool = False
    # PostgreSQL's trigram near titles differ between databases; kinds that promise the same
    # results on both leave them out (typos are corrected by ``corrected`` instead).
    near_titles: bool = False


def synonym_table(sets: Iterable[Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Sets of phrases meaning the same → each phrase with the others, longest phrases first."""
    table: dict[str, tuple[str, ...]] = {}
    for phrases in sets:
        unique = list(dict.fromkeys(phrases))
        for phrase in unique:
            others = [p for p in unique if p != phrase]
            table[phrase] = tuple(dict.fromkeys([*table.get(phrase, ()), *others]))
    return dict(sorted(table.items(), key=lambda item: (-len(item[0]), item[0])))


def _han_terms(run: str) -> tuple[Term, ...]:
    if len(run) == 1:
        return (Term(run, prefix=True),)
    return tuple(sorted({Term(run[i : i + 2]) for i in range(len(run) - 1)}))


def _variants(run: str, synonyms: Mapping[str, tuple[str, ...]]) -> list[str]:
    variants: list[str] = []
    for phrase, others in synonyms.items():
        if phrase in run:
            variants += [run.replace(phrase, other) for other in others]
    return [v for v in dict.fromkeys(variants) if v != run][:MAX_VARIANTS]


def _han_group(run: str, expansion: Expansion) -> Group:
    alternatives = [Alternative(_han_terms(run))]
    alternatives += [
        Alternative(_han_terms(variant), SYNONYM_WEIGHT)
        for variant in _variants(run, expansion.synonyms)
        if all(is_han(part) for part in query_runs(variant))
    ]
    readings = pinyin.syllables(run)
    if len(run) >= 2 and all(readings):
        grams = pinyin.syllable_grams(readings)[:-1]  # the bigrams, not the last syllable
        alternatives.append(Alternative(tuple(sorted(set(map(Term, grams)))), HOMOPHONE_WEIGHT))
    return Group(tuple(alternatives))


def _pinyin_terms(letters: str) -> tuple[Term, ...] | None:
    mark = pinyin.SYLLABLE_MARK
    reading = pinyin.split(letters)
    if reading is None:
        # A typo: its bigrams hold chunks no syllable spells; ``corrected`` mends them.
        loose = pinyin.split_loosely(letters)
        if loose is None or len(loose) < 2:
            return None
        return tuple(sorted({Term(mark + a + b) for a, b in pairwise(loose)}))
    whole, rest = reading
    terms = {Term(mark + a + b) for a, b in pairwise(whole)}
    if rest:
        terms.add(Term(mark + whole[-1] + rest, prefix=True))
    elif len(whole) == 1:
        terms.add(Term(mark + whole[0], prefix=True))
    return tuple(sorted(terms))


def _initials_terms(letters: str) -> tuple[Term, ...]:
    size = pinyin.MAX_INITIALS
    if len(letters) <= size:
        return (Term(pinyin.INITIALS_MARK + letters),)
    grams = {letters[i : i + size] for i in range(len(letters) - size + 1)}
    return tuple(sorted(Term(pinyin.INITIALS_MARK + g) for g in grams))


def _latin_group(run: str, expansion: Expansion, last: bool) -> Group:
    word = run[:MAX_TOKEN_CHARS]
    alternatives = [Alternative((Term(word, prefix=last and expansion.prefix_last),))]
    if run.isascii() and run.isalpha():
        if (terms := _pinyin_terms(run)) is not None:
            alternatives.append(Alternative(terms, PINYIN_WEIGHT))
        if 2 <= len(run) <= MAX_INITIALS_QUERY:
            alternatives.append(Alternative(_initials_terms(run), INITIALS_WEIGHT))
    return Group(tuple(alternatives))


def groups(query: str, expansion: Expansion) -> tuple[Group, ...]:
    """The groups of ``query``, at most ``MAX_EXPANDED_TERMS`` terms in all."""
    runs = query_runs(query)
    result: list[Group] = []
    total = 0
    for index, run in enumerate(runs):
        if is_han(run):
            group = _han_group(run, expansion)
        elif run.isdigit():
            group = Group((Alternative((Term(run[:MAX_TOKEN_CHARS]),)),))
        else:
            group = _latin_group(run, expansion, last=index == len(runs) - 1)
        kept: list[Alternative] = []
        for alternative in group.alternatives:
            if total + len(alternative.terms) > MAX_EXPANDED_TERMS:
                break
            kept.append(alternative)
            total += len(alternative.terms)
        if not kept or len(result) == MAX_QUERY_TERMS:
            break
        result.append(Group(tuple(kept)))
    return tuple(sorted(set(result)))


class Vocabulary:
    """The Latin (ASCII) terms a kind's index holds, with a lookup of near spellings.

    A symmetric-delete index (Garbe's SymSpell): every term under itself and its one-letter
    deletions, so a query term finds the terms one insertion, deletion or substitution away
    by looking up itself and its own deletions; two edits for long terms by one more step.
    """

    def __init__(self, frequencies: Mapping[str, int]) -> None:
        # Initials are left out: almost any letters are one edit from some initials.
        self.frequencies = {
            t: n
            for t, n in frequencies.items()
            if t.isascii() and t.isalnum() and not t.startswith(pinyin.INITIALS_MARK)
        }
        self._deletions: dict[str, set[str]] = {}
        for term in self.frequencies:
            if len(term) >= MIN_CORRECTED_CHARS:
                for variant in {term, *_deletions(term)}:
                    self._deletions.setdefault(variant, set()).add(term)

    def closest(self, text: str) -> str | None:
        """The most frequent term within one edit (two when ``text`` has 8+ letters)."""
        if len(text) < MIN_CORRECTED_CHARS:
            return None
        found = self._within_one(text)
        if not found and len(text) >= 8:
            found = {t for d in _deletions(text) for t in self._within_one(d)}
            found = {t for t in found if _distance(text, t) <= 2}
        found.discard(text)
        if not found:
            return None
        return min(found, key=lambda t: (_distance(text, t), -self.frequencies[t], t))

    def _within_one(self, text: str) -> set[str]:
        found = set(self._deletions.get(text, ()))
        for variant in _deletions(text):
            found |= self._deletions.get(variant, set())
        return {t for t in found if _head(t) == _head(text) and _distance(text, t) <= 1}


def _head(term: str) -> str:
    """What a correction keeps: the first letter, after the marker of a pinyin token."""
    return term[:2] if term[:1] in (pinyin.SYLLABLE_MARK, pinyin.INITIALS_MARK) else term[:1]


def _deletions(text: str) -> set[str]:
    return {text[:i] + text[i + 1 :] for i in range(len(text))}


@lru_cache(maxsize=8192)
def _distance(a: str, b: str) -> int:
    """Levenshtein distance (small strings)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def corrected(
    query: tuple[Group, ...], df: Mapping[Term, int], vocabulary: Vocabulary
) -> tuple[tuple[Group, ...], dict[Term, int]]:
    """The query with, beside each alternative holding Latin terms no document has, that
    alternative with those terms replaced by the closest indexed terms; their frequencies."""
    extra_df: dict[Term, int] = {}
    result: list[Group] = []
    for group in query:
        alternatives = list(group.alternatives)
        for alternative in group.alternatives:
            replaced = _replace_unknown(alternative, df, vocabulary)
            if replaced is not None:
                alternatives.append(replaced)
                extra_df.update(
                    {t: vocabulary.frequencies[t.text] for t in replaced.terms if t not in df}
                )
        result.append(Group(tuple(dict.fromkeys(alternatives))))
    return tuple(sorted(set(result))), extra_df


def _replace_unknown(
    alternative: Alternative, df: Mapping[Term, int], vocabulary: Vocabulary
) -> Alternative | None:
    """The alternative with its unknown Latin terms corrected. A syllable pair that a typo
    spoils beyond one edit is left out when the rest still says enough: at least two terms
    and half of them (``gonggongchngsuo…`` keeps 8gonggong, 8suowei …)."""
    unknown = [t for t in alternative.terms if not t.prefix and not df.get(t) and t.text.isascii()]
    if not unknown:
        return None
    replacements = {t: vocabulary.closest(t.text) for t in unknown}
    # An unfinished syllable next to a typo cannot be judged; the other terms decide.
    kept = {
        Term(replacements[t]) if t in replacements else t  # type: ignore[arg-type]
        for t in alternative.terms
        if not t.prefix and (t not in replacements or replacements[t] is not None)
    }
    whole = [t for t in alternative.terms if not t.prefix]
    if len(kept) < len(whole) and (len(kept) < 2 or 2 * len(kept) < len(whole)):
        return None
    if not kept:
        return None
    return Alternative(tuple(sorted(kept)), alternative.weight * CORRECTION_WEIGHT)
