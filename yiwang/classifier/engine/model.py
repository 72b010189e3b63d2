"""TextClassifier: train on examples, predict ranked labels with calibrated probabilities."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import scipy.sparse as sp

from . import learn
from .text import han_shares, normalize, normalize_many
from .types import (
    ABSTAIN_EMPTY,
    ABSTAIN_LOW_CONFIDENCE,
    ABSTAIN_NO_ALLOWED_LABEL,
    ABSTAIN_NOT_CHINESE,
    Example,
    Label,
    Prediction,
    Suggestion,
)
from .vectorizer import BlockSpec, Vectorizer, readable, trimmed

MIN_HAN_SHARE = 0.3
_EXPLAIN_CANDIDATES = 64  # heaviest features of a row read for its explanation


class TrainingError(ValueError):
    """The examples cannot train a model (the message says why)."""


@dataclass(frozen=True)
class Config:
    """Hyper-parameters; the defaults are the ones chosen by 5-fold CV (see the README)."""

    text_char_ngrams: tuple[int, int] = (1, 3)
    title_char_ngrams: tuple[int, int] = (1, 3)
    word_bigrams: bool = True
    title_weight: float = 0.7  # length of the title blocks' vectors; text blocks have 1.0
    word_weight: float = 1.0
    min_df: int = 2  # a feature must occur in this many training examples
    text_chars: int = 1000  # features read the text up to here (see the README)
    title_in_text: bool = True  # the text blocks read the title too (before the text)
    c: float = 1.0  # the SVM's C
    nb_alpha: float = 1.0  # smoothing of the NB log-count ratios
    separate_blocks: bool = True  # an NB-SVM per feature block, combined by the calibration
    calibration_folds: int = 3  # 0: no calibration (softmax scale DEFAULT_SCALE), no metrics
    seed: int = 0
    jobs: int = 2  # threads for the calibration folds (liblinear releases the GIL)

    def blocks(self) -> tuple[BlockSpec, ...]:
        words = (1, 2) if self.word_bigrams else (1, 1)
        title, text = self.title_weight, 1.0
        return (
            BlockSpec("text", "char", self.text_char_ngrams, text, self.min_df),
            BlockSpec("title", "char", self.title_char_ngrams, title, self.min_df),
            BlockSpec("text", "word", words, text * self.word_weight, self.min_df),
            BlockSpec("title", "word", words, title * self.word_weight, self.min_df),
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Config:
        """A config from ``as_dict`` output; unknown keys or wrong types raise ``ValueError``."""
        known = {item.name: item for item in fields(cls)}
        unknown = set(values) - set(known)
        if unknown:
            raise ValueError(f"unknown config keys: {sorted(unknown)}")
        default = cls()
        clean: dict[str, Any] = {}
        for name, value in values.items():
            expected = getattr(default, name)
            if isinstance(expected, tuple):
                value = tuple(value) if isinstance(value, list) else value
                if not (isinstance(value, tuple) and len(value) == 2):
                    raise ValueError(f"config {name} must be a pair of integers")
                value = (int(value[0]), int(value[1]))
            elif type(expected) is float and type(value) in (int, float):
                value = float(value)
            elif type(value) is not type(expected):
                raise ValueError(f"config {name} must be a {type(expected).__name__}")
            clean[name] = value
        return cls(**clean)


@dataclass(frozen=True)
class Fitted:
    """Everything a trained model holds (what the artefact stores)."""

    labels: tuple[Label, ...]
    vectorizer: Vectorizer
    linear: learn.Linear
    scale: float  # softmax scale: 1 / temperature
    config: Config
    metrics: dict[str, Any]
    training: dict[str, Any]


class TextClassifier:
    """A trained classifier. Build one with ``TextClassifier.train`` or ``load``."""

    def __init__(self, fitted: Fitted) -> None:
        self._fitted = fitted
        self._coef_t = np.ascontiguousarray(fitted.linear.coef.T)
        # Feature column → index of its readable token in ``_tokens`` (-1: no clerk could
        # read it; -2: not looked at yet), filled as explanations need them.
        self._token_of = np.full(fitted.linear.coef.shape[1], -2, dtype=np.int64)
        self._is_word = np.zeros(fitted.linear.coef.shape[1], dtype=bool)
        self._tokens: list[str] = []
        self._token_index: dict[str, int] = {}
        self._token_lock = threading.Lock()  # web workers explain in threads

    @property
    def fitted(self) -> Fitted:
        return self._fitted

    @property
    def labels(self) -> tuple[Label, ...]:
        return self._fitted.labels

    @property
    def metrics(self) -> dict[str, Any]:
        return dict(self._fitted.metrics)

    @property
    def training(self) -> dict[str, Any]:
        return dict(self._fitted.training)

    @classmethod
    def train(cls, examples: Sequence[Example], config: Config | None = None) -> TextClassifier:
        config = config or Config()
        started = time.perf_counter()
        titles, texts, labels = _usable(examples)
        known = tuple(sorted(set(labels)))
        codes = np.array([known.index(label) for label in labels])
        vectorizer, matrix = Vectorizer.fit(
            config.blocks(), titles, texts, config.text_chars, config.title_in_text
        )
        if vectorizer.width == 0:
            raise TrainingError("the examples share no words or characters to learn from")
        offsets = vectorizer.offsets.tolist()  # empty blocks get no model
        if config.separate_blocks:
            groups = tuple((a, b) for a, b in itertools.pairwise(offsets) if b > a)
        else:
            groups = ((0, vectorizer.width),)
        linear, scale, metrics = _fit_and_calibrate(matrix, codes, len(known), groups, config)
        training = {
            "examples": len(labels),
            "skipped_empty": len(examples) - len(labels),
            "labels": [[list(label), count] for label, count in sorted(Counter(labels).items())],
            "features": vectorizer.width,
            "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - started, 2),
            "config": config.as_dict(),
        }
        return cls(Fitted(known, vectorizer, linear, scale, config, metrics, training))

    def predict(
        self,
        items: Sequence[tuple[str, str]],
        top: int = 3,
        allowed: Collection[Label] | None = None,
        min_confidence: float | None = None,
        explain: int = 0,
    ) -> list[Prediction]:
        """Ranked suggestions for every (title, text), or an abstention with its reason."""
        titles, texts = _normalized(items)
        allowed_columns = self._allowed_columns(allowed)
        reasons = _reasons_to_abstain(titles, texts)
        if allowed_columns is not None and not len(allowed_columns):
            reasons = [reason or ABSTAIN_NO_ALLOWED_LABEL for reason in reasons]
        live = [index for index, reason in enumerate(reasons) if reason is None]
        matrix = self._fitted.vectorizer.transform(
            [titles[index] for index in live], [texts[index] for index in live]
        )
        ranked = self._ranked(matrix, allowed_columns, (top, min_confidence, explain))
        results = [Prediction(abstained=True, reason=reason) for reason in reasons]
        for index, prediction in zip(live, ranked, strict=True):
            results[index] = prediction
        return results

    def explain(self, title: str, text: str, label: Label, n: int = 8) -> tuple[str, ...]:
        """The words of this text that weighed most for ``label`` (empty for unknown labels)."""
        if label not in self.labels:
            return ()
        matrix = self._fitted.vectorizer.transform([normalize(title)], [normalize(text)])
        return self._words(matrix, 0, self.labels.index(label), n)

    def probabilities(self, items: Sequence[tuple[str, str]]) -> np.ndarray:
        """Calibrated probabilities (items × labels) without abstentions, e.g. for evaluation."""
        titles, texts = _normalized(items)
        return self._probabilities(self._fitted.vectorizer.transform(titles, texts))

    def _probabilities(self, matrix: sp.csr_matrix) -> np.ndarray:
        scores = np.asarray(matrix @ self._coef_t) + self._fitted.linear.intercept
        return learn.softmax(scores, self._fitted.scale)

    def _allowed_columns(self, allowed: Collection[Label] | None) -> np.ndarray | None:
        if allowed is None:
            return None
        wanted = {tuple(label) for label in allowed}
        return np.array([i for i, label in enumerate(self.labels) if label in wanted], dtype=int)

    def _ranked(
        self,
        matrix: sp.csr_matrix,
        allowed_columns: np.ndarray | None,
        options: tuple[int, float | None, int],
    ) -> list[Prediction]:
        """The predictions of every row of ``matrix`` (ranking done for all rows at once)."""
        top, min_confidence, explain = options
        everything = self._probabilities(matrix)
        columns = np.arange(len(self.labels)) if allowed_columns is None else allowed_columns
        kept = everything[:, columns]
        order = np.argsort(-kept, axis=1, kind="stable")[:, : max(top, 0)]
        best_columns = columns[order].tolist()
        best = np.take_along_axis(kept, order, axis=1).tolist()
        predictions = []
        for row, (label_columns, probabilities) in enumerate(zip(best_columns, best, strict=True)):
            first = probabilities[0] if probabilities else 0.0
            if min_confidence is not None and first < min_confidence:
                extra: dict[str, object] = {"best": first}
                predictions.append(
                    Prediction(abstained=True, reason=ABSTAIN_LOW_CONFIDENCE, extra=extra)
                )
                continue
            suggestions = tuple(
                Suggestion(
                    self.labels[column],
                    probability,
                    self._words(matrix, row, column, explain) if explain > 0 else (),
                )
                for column, probability in zip(label_columns, probabilities, strict=True)
            )
            predictions.append(Prediction(suggestions=suggestions))
        return predictions

    def _words(self, matrix: sp.csr_matrix, row: int, label: int, n: int) -> tuple[str, ...]:
        """The readable tokens that weigh most for ``label`` in ``row``: each token's weight
        summed over the feature blocks it occurs in, of the kind (word or characters) of its
        heaviest occurrence."""
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        columns, values = matrix.indices[start:end], matrix.data[start:end]
        weight = values * self._coef_t[columns, label]
        if len(weight) > _EXPLAIN_CANDIDATES:
            heaviest = np.argpartition(-weight, _EXPLAIN_CANDIDATES - 1)[:_EXPLAIN_CANDIDATES]
        else:
            heaviest = np.arange(len(weight))
        order = heaviest[np.argsort(-weight[heaviest], kind="stable")]
        order = order[weight[order] > 0]
        chosen = columns[order]
        self._look_up_tokens(chosen[self._token_of[chosen] == -2])
        tokens = self._token_of[chosen]
        readable_ones = tokens >= 0
        tokens, chosen, kept = (
            tokens[readable_ones],
            chosen[readable_ones],
            weight[order][readable_ones],
        )
        if not len(tokens):
            return ()
        unique, first, inverse = np.unique(tokens, return_index=True, return_inverse=True)
        sums = np.bincount(inverse, weights=kept)
        words = self._is_word[chosen[first]].tolist()
        tokens_found, weights = unique.tolist(), sums.tolist()
        by_first = np.argsort(first).tolist()  # heaviest occurrence first, as ties rank
        scored: dict[str, list[float | str]] = {
            self._tokens[tokens_found[i]]: [weights[i], "word" if words[i] else "char"]
            for i in by_first
        }
        return _prefer_words(scored, n)

    def _look_up_tokens(self, columns: np.ndarray) -> None:
        if not len(columns):
            return
        with self._token_lock:
            for column in set(columns.tolist()):
                self._look_up_token(column)

    def _look_up_token(self, column: int) -> None:
        kind, token = self._fitted.vectorizer.token(column)
        token = trimmed(token)
        if not readable(token) or (kind == "char" and len(token) < 2):
            self._token_of[column] = -1
            return
        if token not in self._token_index:
            self._token_index[token] = len(self._tokens)
            self._tokens.append(token)
        self._token_of[column] = self._token_index[token]
        self._is_word[column] = kind == "word"


def _prefer_words(scored: dict[str, list[float | str]], n: int) -> tuple[str, ...]:
    """Word tokens first (by weight), then character n-grams that are not part of a chosen word."""
    ranked = sorted(scored, key=lambda token: -float(scored[token][0]))
    chosen = [token for token in ranked if scored[token][1] == "word"][:n]
    for token in ranked:
        if len(chosen) >= n:
            break
        if scored[token][1] == "char" and not any(token in word for word in chosen):
            chosen.append(token)
    return tuple(chosen)


def _normalized(items: Sequence[tuple[str, str]]) -> tuple[list[str], list[str]]:
    titles = normalize_many([title for title, _ in items])
    return titles, normalize_many([text for _, text in items])


def _reasons_to_abstain(titles: list[str], texts: list[str]) -> list[str | None]:
    both = [f"{title} {text}" for title, text in zip(titles, texts, strict=True)]
    reasons: list[str | None] = []
    for title, text, share in zip(titles, texts, han_shares(both).tolist(), strict=True):
        if not (title or text):
            reasons.append(ABSTAIN_EMPTY)
        else:
            reasons.append(ABSTAIN_NOT_CHINESE if share < MIN_HAN_SHARE else None)
    return reasons


def _usable(examples: Sequence[Example]) -> tuple[list[str], list[str], list[Label]]:
    for number, example in enumerate(examples):
        label = example.label
        if not (isinstance(label, tuple) and label and all(isinstance(p, str) for p in label)):
            raise TrainingError(f"example {number}: a label must be a non-empty tuple of codes")
    normal_titles, normal_texts = _normalized([(e.title, e.text) for e in examples])
    titles, texts, labels = [], [], []
    for title, text, example in zip(normal_titles, normal_texts, examples, strict=True):
        if title or text:
            titles.append(title)
            texts.append(text)
            labels.append(example.label)
    if not labels:
        raise TrainingError("no example has any text left after normalisation")
    if len(set(labels)) < 2:
        raise TrainingError(
            f"training needs at least 2 distinct labels; the examples have {len(set(labels))}"
        )
    return titles, texts, labels


def _fit_and_calibrate(
    matrix: sp.csr_matrix,
    codes: np.ndarray,
    labels: int,
    groups: tuple[tuple[int, int], ...],
    config: Config,
) -> tuple[learn.Linear, float, dict[str, Any]]:
    """The combined linear model (its weights sum to 1) and its softmax scale, with metrics.

    Each column group gets an NB-SVM; their out-of-fold scores fit one scale per group and
    per-label biases (``learn.fit_combination``). The final model is the groups' models
    weighted by their scales over the scales' sum, with the biases folded into its
    intercepts; the softmax scale is that sum. Without folds the groups weigh the same and the
    scale is ``DEFAULT_SCALE``.
    """
    count = learn.folds(codes, config.calibration_folds, config.seed)
    settings = learn.Settings(count, config.c, config.nb_alpha, config.seed, config.jobs, groups)
    models, scores = learn.fit_with_out_of_fold(matrix, codes, labels, settings)
    if scores is None:
        equal = np.full(len(groups), 1.0 / len(groups))
        return learn.combined(models, groups, equal, matrix.shape[1]), learn.DEFAULT_SCALE, {}
    scales, bias = learn.fit_combination(scores, codes)
    scale = float(scales.sum())
    linear = learn.combined(models, groups, scales / scale, matrix.shape[1])
    calibrated = learn.Linear(linear.coef, linear.intercept + bias / scale)
    probabilities = learn.softmax(np.tensordot(scales, scores, axes=1), 1.0, bias)
    found: dict[str, Any] = dict(learn.metrics(probabilities, codes, count, scale))
    if len(groups) > 1:
        found["weights"] = [round(float(weight), 4) for weight in scales / scale]
    return calibrated, scale, found
