"""How good a model is on held-out messages: what the evaluation page shows and what decides
whether a retrained model may replace the active one. Pure Python (no Django).

``evaluate`` takes, per message, the true label and the model's best label with its
probability (or None where it abstained) and returns a JSON-able dict:

- ``macro_f1``, ``accuracy`` (over the messages it did not abstain on, and ``coverage``);
- ``per_label``: precision, recall, F1 and support of each label;
- ``labels`` and ``confusion`` (rows: true label, columns: predicted label);
- ``curve``: for thresholds 0.50 … 0.99, the share of messages with a suggestion at least that
  sure (coverage) and how many of those are right (precision) — what a supervisor picks an
  automatic-application threshold from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from typing import Any

THRESHOLDS = [round(0.5 + i * 0.01, 2) for i in range(50)]


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def evaluate(
    truth: Sequence[Hashable], predicted: Sequence[tuple[Hashable, float] | None]
) -> dict[str, Any]:
    if len(truth) != len(predicted) or not truth:
        raise ValueError("one prediction per message, and at least one message")
    labels = sorted({str(t) for t in truth} | {str(p[0]) for p in predicted if p}, key=str)
    index = {label: i for i, label in enumerate(labels)}
    confusion = [[0] * len(labels) for _ in labels]
    answered = [(str(t), (str(p[0]), p[1])) for t, p in zip(truth, predicted, strict=True) if p]
    for true, (guess, _probability) in answered:
        confusion[index[true]][index[guess]] += 1
    per_label = {}
    for label, i in index.items():
        hits = confusion[i][i]
        predicted_as = sum(row[i] for row in confusion)
        actual = sum(confusion[i])
        precision = hits / predicted_as if predicted_as else 0.0
        recall = hits / actual if actual else 0.0
        support = sum(1 for t in truth if str(t) == label)
        per_label[label] = {
            "precision": precision,
            "recall": recall,
            "f1": _f1(precision, recall),
            "support": support,
        }
    supported = [v["f1"] for v in per_label.values() if v["support"]]
    right = sum(1 for true, (guess, _p) in answered if true == guess)
    return {
        "messages": len(truth),
        "coverage": len(answered) / len(truth),
        "accuracy": right / len(answered) if answered else 0.0,
        "macro_f1": sum(supported) / len(supported) if supported else 0.0,
        "per_label": per_label,
        "labels": labels,
        "confusion": confusion,
        "curve": coverage_precision(len(truth), answered),
    }


def coverage_precision(
    total: int, answered: Sequence[tuple[str, tuple[str, float]]]
) -> list[dict[str, float]]:
    points = []
    for threshold in THRESHOLDS:
        sure = [(t, g) for t, (g, p) in answered if p >= threshold]
        right = sum(1 for t, g in sure if t == g)
        points.append(
            {
                "threshold": threshold,
                "coverage": len(sure) / total if total else 0.0,
                "precision": right / len(sure) if sure else 1.0,
            }
        )
    return points


def not_worse(candidate: dict[str, Any], active: dict[str, Any] | None, slack: float = 0.0) -> bool:
    """A retrained model replaces the active one only if its macro-F1 is not lower."""
    if active is None or "macro_f1" not in active:
        return True
    return float(candidate["macro_f1"]) + slack >= float(active["macro_f1"])


def most_confused(metrics: dict[str, Any], count: int = 5) -> list[tuple[str, str, int]]:
    """The true→predicted pairs most often wrong, for the evaluation page."""
    labels, confusion = metrics["labels"], metrics["confusion"]
    pairs: Counter[tuple[str, str]] = Counter()
    for i, row in enumerate(confusion):
        for j, n in enumerate(row):
            if i != j and n:
                pairs[(labels[i], labels[j])] = n
    return [(a, b, n) for (a, b), n in pairs.most_common(count)]
