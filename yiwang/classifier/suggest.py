"""Suggestions for new messages, computed on the background worker right after intake and in
bulk after imports.

Categories: the active model where it has learnt, blended per category with the taxonomy's
keywords where it has seen few examples (cold start: with no model at all the keywords serve
alone, so a new site is useful on day one). Messages in English are not read by the Chinese
model: an English keyword table (the Latin keywords of the taxonomy and the words of its English
names) suggests, or the desk routes them by hand.

Lead departments: the department model where one is active, else the routing rule applied to
the best category suggestion (the department of the category's kind in the message's region).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from yiwang.classifier.actions import Proposal, Ranked, do_record_suggestions
from yiwang.classifier.engine import KeywordClassifier, TextClassifier, combine, loads
from yiwang.classifier.engine.types import (
    ABSTAIN_EMPTY,
    ABSTAIN_LOW_CONFIDENCE,
    ABSTAIN_NO_ALLOWED_LABEL,
    ABSTAIN_NOT_CHINESE,
    Label,
    Prediction,
)
from yiwang.classifier.engine.types import Suggestion as Suggested
from yiwang.classifier.models import ModelVersion, Suggestion, Target
from yiwang.classifier.registry import ActiveModels
from yiwang.classifier.training import category_paths
from yiwang.intake.models import Message, MessageState
from yiwang.orgs.models import Department
from yiwang.taxonomy.models import Category
from yiwang.taxonomy.routing import Router

SHOWN = 3
EXPLAINED_WORDS = 6
FULL_TRUST_AT = 50  # examples of a category after which the model alone speaks for it

# Where a suggestion came from, or why there is none: stored on the suggestion, shown to clerks.
FROM_MODEL = "model"
FROM_KEYWORDS = "keywords"
FROM_ENGLISH_KEYWORDS = "english_keywords"
FROM_ROUTING = "routing"
NO_MATCH = "no_match"
SOURCES = {
    FROM_MODEL: _("Suggested by the trained model."),
    FROM_KEYWORDS: _("Suggested from the taxonomy's keywords (too few examples to learn from)."),
    FROM_ENGLISH_KEYWORDS: _("Suggested from the English keyword table."),
    FROM_ROUTING: _("Suggested by the routing rule from the best category suggestion."),
    NO_MATCH: _("No keyword of the taxonomy occurs in this message."),
    ABSTAIN_EMPTY: _("There is no text to read."),
    ABSTAIN_NOT_CHINESE: _(
        "The message is not in Chinese and no English keyword matched: classify it by hand."
    ),
    ABSTAIN_LOW_CONFIDENCE: _("The machine is not sure enough to suggest anything."),
    ABSTAIN_NO_ALLOWED_LABEL: _("The model knows none of the categories now in use."),
}

active_models: ActiveModels[TextClassifier] = ActiveModels(load=loads)

_LATIN = re.compile(r"[A-Za-z]")
_READABLE = re.compile(r"[^\W_]+(?:[ -][^\W_]+)*")
_ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z-]{3,}")
_NOT_KEYWORDS = frozenset(
    {
        "about", "affairs", "and", "issues", "matters", "services", "service", "public",
        "management", "their", "from", "with", "into", "over", "under", "within", "without",
        "other", "general",
    }
)  # fmt: skip


@dataclass(frozen=True)
class KeywordTables:
    chinese: KeywordClassifier
    english: KeywordClassifier


_tables_cache: dict[tuple[object, ...], KeywordTables] = {}


def keyword_tables(paths: Mapping[int, Label]) -> KeywordTables:
    """The taxonomy's keywords (Chinese) and an English table from its Latin keywords and the
    content words of the English names that name few categories.

    Built once per content of the taxonomy (its paths, keywords and English names) and
    process: an import's batches reuse the tables, an edited keyword builds them anew."""
    rows = list(
        Category.objects.filter(pk__in=list(paths))
        .order_by("pk")
        .values_list("pk", "keywords", "name_en")
    )
    stamp = tuple((pk, paths[pk], tuple(keywords), name) for pk, keywords, name in rows)
    tables = _tables_cache.get(stamp)
    if tables is None:
        tables = _build_tables(paths, rows)
        _tables_cache.clear()  # only the latest taxonomy is kept
        _tables_cache[stamp] = tables
    return tables


def _build_tables(
    paths: Mapping[int, Label], rows: list[tuple[int, list[str], str]]
) -> KeywordTables:
    name_words = {pk: {w.lower() for w in _ENGLISH_WORD.findall(name)} for pk, _k, name in rows}
    spread = Counter(word for words in name_words.values() for word in words)
    chinese: dict[Label, list[str]] = {}
    english: dict[Label, list[str]] = {}
    for pk, keywords, _name in rows:
        latin = [k for k in keywords if _LATIN.search(k)]
        chinese[paths[pk]] = [k for k in keywords if k not in latin]
        distinctive = {w for w in name_words[pk] if spread[w] <= 3 and w not in _NOT_KEYWORDS}
        english[paths[pk]] = latin + sorted(distinctive)
    return KeywordTables(
        KeywordClassifier({k: v for k, v in chinese.items() if v}),
        KeywordClassifier({k: v for k, v in english.items() if v}),
    )


def _is_english(message: Message) -> bool:
    return message.language.lower().startswith("en")


def _label_counts(version: ModelVersion | None) -> dict[Label, int]:
    """Examples per label the model learnt from: how far it is trusted over the keywords."""
    counts = version.training.get("label_counts", {}) if version is not None else {}
    return {tuple(key.split("/")): int(n) for key, n in counts.items()}


def _known(label: Label, counts: Mapping[Label, int]) -> int:
    """Examples the model saw of ``label`` or, for a leaf it never saw, of its nearest
    ancestor it learnt (a model of major categories speaks for the leaves under them)."""
    for size in range(len(label), 0, -1):
        if label[:size] in counts:
            return counts[label[:size]]
    return 0


def _refine(
    suggested: Sequence[Suggested], keywords: Sequence[Suggested], leaves: set[Label]
) -> list[Suggested]:
    """A model that learnt only major categories (say, from a board labelled at that level)
    is narrowed down by the keywords of the leaves under its choice:
    P(leaf) = P(major) × the leaf's share of the keyword evidence under that major."""
    refined: list[Suggested] = []
    for suggestion in suggested:
        if suggestion.label in leaves:
            refined.append(suggestion)
            continue
        size = len(suggestion.label)
        under = [k for k in keywords if k.label[:size] == suggestion.label and k.label in leaves]
        total = sum(k.probability for k in under)
        if not under or total <= 0:
            refined.append(suggestion)
            continue
        refined.extend(
            Suggested(
                k.label, suggestion.probability * k.probability / total, suggestion.words + k.words
            )
            for k in under
        )
    return sorted(refined, key=lambda s: -s.probability)


def _readable(words: Iterable[str]) -> tuple[str, ...]:
    """The words a clerk can read as reasons: no fragments with punctuation, no single
    characters, each once."""
    kept = dict.fromkeys(w for w in words if len(w) > 1 and _READABLE.fullmatch(w))
    return tuple(kept)[:EXPLAINED_WORDS]


def _ranked(suggested: Iterable[Suggested], ids: Mapping[Label, int]) -> list[Ranked]:
    return [
        Ranked(ids[s.label], round(float(s.probability), 4), _readable(s.words))
        for s in suggested
        if s.label in ids
    ][:SHOWN]


def _predict(
    model: TextClassifier | None, messages: Sequence[Message], ids: Mapping[Label, int]
) -> dict[int, Prediction]:
    """The model's predictions for the Chinese messages, in one batch, by message id."""
    chinese = [m for m in messages if not _is_english(m)]
    if model is None or not chinese:
        return {}
    items = [(m.title, m.content) for m in chinese]
    found = model.predict(items, top=SHOWN, allowed=set(ids), explain=EXPLAINED_WORDS)
    return {m.pk: p for m, p in zip(chinese, found, strict=True)}


def _suggest_categories(messages: Sequence[Message]) -> dict[int, Suggestion]:
    paths = category_paths()
    ids = {path: pk for pk, path in paths.items()}
    tables = keyword_tables(paths)
    version, model = active_models.get(Target.CATEGORY)
    predictions = _predict(model, messages, ids)
    counts = _label_counts(version)
    leaves = set(
        Category.objects.filter(pk__in=list(paths), is_leaf=True).values_list("pk", flat=True)
    )
    leaf_paths = {paths[pk] for pk in leaves}
    proposals = []
    for message in messages:
        prediction = predictions.get(message.pk)
        source, suggested = _choose(message, prediction, tables, counts, leaf_paths)
        proposals.append(
            Proposal(
                message.pk,
                Target.CATEGORY,
                _ranked(suggested, ids),
                abstained=not suggested,
                model_version=version if source == FROM_MODEL else None,
                reason=source,
            )
        )
    recorded = do_record_suggestions(proposals)
    return {suggestion.message_id: suggestion for suggestion in recorded}


def _choose(
    message: Message,
    prediction: Prediction | None,
    tables: KeywordTables,
    counts: Mapping[Label, int],
    leaves: set[Label],
) -> tuple[str, list[Suggested]]:
    """Where the suggestion of one message comes from, and what it is."""
    if _is_english(message) or (prediction and prediction.reason == ABSTAIN_NOT_CHINESE):
        english = tables.english.predict(message.title, message.content, top=SHOWN)
        return (FROM_ENGLISH_KEYWORDS, english) if english else (ABSTAIN_NOT_CHINESE, [])
    keywords = tables.chinese.predict(message.title, message.content, top=len(leaves))
    if prediction is None:
        return (FROM_KEYWORDS, keywords[:SHOWN]) if keywords else (NO_MATCH, [])
    if prediction.abstained and prediction.reason != ABSTAIN_NO_ALLOWED_LABEL:
        return prediction.reason or ABSTAIN_LOW_CONFIDENCE, []
    refined = _refine(prediction.suggestions, keywords, leaves)
    trusted = {s.label: _known(s.label, counts) for s in [*refined, *keywords]}
    blended = combine(refined, keywords, trusted, full_trust_at=FULL_TRUST_AT, top=SHOWN)
    if not blended:
        return prediction.reason or NO_MATCH, []
    model_labels = {s.label for s in refined}
    return (FROM_MODEL if blended[0].label in model_labels else FROM_KEYWORDS), blended


def _suggest_departments(messages: Sequence[Message], categories: Mapping[int, Suggestion]) -> None:
    version, model = active_models.get(Target.DEPARTMENT)
    codes = dict(Department.objects.filter(is_active=True).values_list("short_code", "pk"))
    ids: dict[Label, int] = {(code,): pk for code, pk in codes.items() if code}
    predictions = _predict(model, messages, ids)
    router = _Router()
    proposals = []
    for message in messages:
        prediction = predictions.get(message.pk)
        if prediction is not None and prediction.suggestions:
            ranked = _ranked(prediction.suggestions, ids)
            proposals.append(
                Proposal(
                    message.pk, Target.DEPARTMENT, ranked, model_version=version, reason=FROM_MODEL
                )
            )
            continue
        routed = router.routed(message, categories.get(message.pk))
        reason = FROM_ROUTING if routed else (prediction.reason if prediction else NO_MATCH)
        proposals.append(
            Proposal(
                message.pk,
                Target.DEPARTMENT,
                routed,
                abstained=not routed,
                reason=reason or NO_MATCH,
            )
        )
    do_record_suggestions(proposals)


class _Router:
    """The routing rule for a batch, from memory (``Router``); categories read once each."""

    def __init__(self) -> None:
        self._rule = Router()
        self._categories: dict[int, Category | None] = {}

    def routed(self, message: Message, category_suggestion: Suggestion | None) -> list[Ranked]:
        if category_suggestion is None or not category_suggestion.ranked or not message.region_id:
            return []
        best = category_suggestion.ranked[0]
        if best["id"] not in self._categories:
            self._categories[best["id"]] = (
                Category.objects.select_related("parent").filter(pk=best["id"]).first()
            )
        category = self._categories[best["id"]]
        department = self._rule.lead(category, message.region_id) if category else None
        return [Ranked(department.pk, float(best["probability"]))] if department else []


def do_suggest(message_ids: Sequence[int], *, again: bool = False) -> int:
    """Suggest a category and a lead department for each new message of ``message_ids``.

    Idempotent: a message that already has its suggestions is left alone unless ``again``
    (after a new model is activated, say). Returns how many messages got suggestions.
    """
    new = Message.objects.filter(pk__in=message_ids, state=MessageState.NEW)
    if not again:
        new = new.exclude(suggestions__target=Target.CATEGORY)
    messages = list(new.order_by("pk"))
    if not messages:
        return 0
    categories = _suggest_categories(messages)
    _suggest_departments(messages, categories)
    return len(messages)


def source_text(suggestion: Suggestion | None) -> str:
    """Where a suggestion came from, or why there is none, in the reader's language."""
    if suggestion is None:
        return ""
    return str(SOURCES.get(suggestion.reason, ""))
