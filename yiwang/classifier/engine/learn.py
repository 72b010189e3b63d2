"""The learner: NB-SVM (one vs rest) and temperature scaling fitted on cross-validated scores.

NB-SVM (Wang & Manning 2012, "Baselines and Bigrams"): for each label, every feature is scaled
by its log-count ratio r = log(p / |p|₁) − log(q / |q|₁), where p and q are the smoothed
document counts of the feature in the label's examples and in the others; a linear SVM is
trained on the scaled features. Because the scaling is per feature, the label's score is still
linear in the unscaled features (weights w ⊙ r), so prediction costs one sparse × dense product.

Calibration: the out-of-fold scores of a stratified k-fold run are turned into probabilities
by a softmax with one scale a (a = 1 / temperature, Guo et al. 2017) and one bias per label,
chosen to minimise the log loss. The biases are folded into the final model's intercepts
(intercept + bias / a), so the model file stores one scale. The same out-of-fold scores give
the metrics recorded with the model.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

DEFAULT_SCALE = 4.0  # used when there are too few examples per label to cross-validate


@dataclass(frozen=True)
class Linear:
    """Per-label weights (labels × features) and intercepts."""

    coef: np.ndarray  # float32
    intercept: np.ndarray  # float64

    def scores(self, matrix: sp.csr_matrix) -> np.ndarray:
        scores: np.ndarray = np.asarray(matrix @ self.coef.T) + self.intercept
        return scores


def fit_nbsvm(
    matrix: sp.csr_matrix, codes: np.ndarray, labels: int, c: float, alpha: float, seed: int
) -> Linear:
    presence = matrix.copy()
    presence.data = np.ones_like(presence.data)
    onehot = sp.csr_matrix(
        (np.ones(len(codes)), (codes, np.arange(len(codes)))), shape=(labels, len(codes))
    )
    inside = np.asarray((onehot @ presence).todense())
    total = inside.sum(axis=0)
    coef = np.zeros((labels, matrix.shape[1]), dtype=np.float32)
    intercept = np.zeros(labels)
    for label in range(labels):
        p = alpha + inside[label]
        q = alpha + total - inside[label]
        ratio = np.log(p / p.sum()) - np.log(q / q.sum())
        scaled = matrix.copy()
        scaled.data = scaled.data * ratio[scaled.indices]
        svm = LinearSVC(C=c, random_state=seed).fit(scaled, codes == label)
        coef[label] = svm.coef_.ravel() * ratio
        intercept[label] = svm.intercept_[0]
    return Linear(coef, intercept)


def softmax(scores: np.ndarray, scale: float, bias: np.ndarray | None = None) -> np.ndarray:
    z = scores * scale if bias is None else scores * scale + bias
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    probabilities: np.ndarray = z / z.sum(axis=1, keepdims=True)
    return probabilities


def fit_calibration(scores: np.ndarray, codes: np.ndarray) -> tuple[float, np.ndarray]:
    """The softmax scale (1 / temperature) and per-label biases that minimise the log loss.

    ``softmax(scale × scores + bias)``: the scale is temperature scaling (Guo et al. 2017); the
    biases correct each label's prior, as in vector scaling without per-label slopes. The
    biases are centred (softmax ignores a shift of all of them).
    """
    labels = scores.shape[1]
    rows = np.arange(len(codes))

    def loss(params: np.ndarray) -> float:
        z = scores * np.exp(params[0]) + params[1:]
        z = z - z.max(axis=1, keepdims=True)
        log_p = z[rows, codes] - np.log(np.exp(z).sum(axis=1))
        return float(-np.mean(log_p))

    start = np.zeros(labels + 1)
    start[0] = np.log(DEFAULT_SCALE)
    found = minimize(
        loss, start, method="L-BFGS-B", bounds=[(-3.0, 6.0)] + [(-10.0, 10.0)] * labels
    )
    bias = found.x[1:] - found.x[1:].mean()
    return float(np.exp(found.x[0])), bias


def folds(codes: np.ndarray, wanted: int, seed: int) -> int:
    """How many folds the smallest label allows (0: too few to cross-validate)."""
    smallest = int(np.bincount(codes).min())
    count = min(wanted, smallest)
    return count if count >= 2 else 0


@dataclass(frozen=True)
class Settings:
    folds: int  # 0: no out-of-fold scores
    c: float
    alpha: float
    seed: int
    jobs: int


def fit_with_out_of_fold(
    matrix: sp.csr_matrix, codes: np.ndarray, labels: int, settings: Settings
) -> tuple[Linear, np.ndarray | None]:
    """The model on all examples and, with folds, every example's out-of-fold scores.

    The fold models and the final one are independent fits: they run on ``jobs`` threads
    (liblinear releases the GIL).
    """
    splits: list[tuple[np.ndarray, np.ndarray]] = []
    if settings.folds:
        splitter = StratifiedKFold(settings.folds, shuffle=True, random_state=settings.seed)
        splits = list(splitter.split(np.zeros(len(codes)), codes))
    everything = (np.arange(len(codes)), np.zeros(0, dtype=int))

    def one(split: tuple[np.ndarray, np.ndarray]) -> Linear:
        train = split[0]
        return fit_nbsvm(
            matrix[train], codes[train], labels, settings.c, settings.alpha, settings.seed
        )

    with ThreadPoolExecutor(max(1, settings.jobs)) as pool:
        models = list(pool.map(one, [everything, *splits]))
    if not splits:
        return models[0], None
    scores = np.zeros((len(codes), labels))
    for (_, test), model in zip(splits, models[1:], strict=True):
        scores[test] = model.scores(matrix[test])
    return models[0], scores


def metrics(
    probabilities: np.ndarray, codes: np.ndarray, count: int, scale: float
) -> dict[str, float]:
    predicted = probabilities.argmax(axis=1)
    top = np.argsort(-probabilities, axis=1)[:, :3]
    truth = probabilities[np.arange(len(codes)), codes]
    return {
        "folds": float(count),
        "macro_f1": float(f1_score(codes, predicted, average="macro")),
        "accuracy": float(accuracy_score(codes, predicted)),
        "top3_accuracy": float(np.mean((top == codes[:, None]).any(axis=1))),
        "log_loss": float(-np.mean(np.log(np.maximum(truth, 1e-12)))),
        "scale": scale,
    }
