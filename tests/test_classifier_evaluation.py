"""The evaluation figures follow their definitions (checked by hand on a small case)."""

from __future__ import annotations

import pytest

from yiwang.classifier.evaluation import evaluate, most_confused, not_worse


def test_macro_f1_precision_recall_and_the_confusion_matrix() -> None:
    truth = ["A", "A", "A", "B", "B", "C"]
    predicted = [("A", 0.9), ("A", 0.8), ("B", 0.6), ("B", 0.95), ("A", 0.55), None]
    metrics = evaluate(truth, predicted)
    assert metrics["labels"] == ["A", "B", "C"]
    assert metrics["confusion"] == [[2, 1, 0], [1, 1, 0], [0, 0, 0]]
    a, b, c = (metrics["per_label"][x] for x in "ABC")
    assert (a["precision"], a["recall"]) == (2 / 3, 2 / 3)
    assert (b["precision"], b["recall"]) == (0.5, 0.5)
    assert (c["recall"], c["support"]) == (0.0, 1)
    assert metrics["macro_f1"] == pytest.approx((2 / 3 + 0.5 + 0.0) / 3)
    assert metrics["coverage"] == pytest.approx(5 / 6)
    assert metrics["accuracy"] == pytest.approx(3 / 5)


def test_the_coverage_precision_curve_narrows_as_the_threshold_rises() -> None:
    truth = ["A", "A", "B", "B"]
    predicted = [("A", 0.99), ("A", 0.7), ("A", 0.6), ("B", 0.52)]
    curve = {p["threshold"]: p for p in evaluate(truth, predicted)["curve"]}
    assert curve[0.5] == {"threshold": 0.5, "coverage": 1.0, "precision": 0.75}
    assert curve[0.65] == {"threshold": 0.65, "coverage": 0.5, "precision": 1.0}
    assert curve[0.99]["coverage"] == 0.25


def test_a_candidate_replaces_the_active_model_only_if_not_worse() -> None:
    assert not_worse({"macro_f1": 0.91}, {"macro_f1": 0.91})
    assert not not_worse({"macro_f1": 0.90}, {"macro_f1": 0.91})
    assert not_worse({"macro_f1": 0.5}, None)


def test_the_most_confused_pairs_come_first() -> None:
    metrics = evaluate(["A", "A", "A", "B"], [("B", 0.6), ("B", 0.6), ("A", 0.9), ("A", 0.7)])
    assert most_confused(metrics) == [("A", "B", 2), ("B", "A", 1)]


@pytest.mark.parametrize(("truth", "predicted"), [([], []), (["A"], []), (["A"], [None, None])])
def test_mismatched_or_empty_inputs_are_refused(truth: list[str], predicted: list[None]) -> None:
    with pytest.raises(ValueError, match="one prediction per message"):
        evaluate(truth, predicted)
