"""The learner: NB-SVM (one vs rest) and temperature scaling fitted on cross-validated scores.

NB-SVM (Wang & Manning 2012, "Baselines and Bigrams"): for each label, every feature is scaled
by its log-count ratio r = log(p / |p|₁) − log(q / |q|₁), where p and q are the smoothed
document counts of the feature in the label's examples and in the others; a linear SVM is
trained on the scaled features. Because the scaling is per feature, the label's score is still
linear in the unscaled features (weights w ⊙ r), so prediction costs one sparse × dense product.

Each feature block (column group) gets an NB-SVM of its own. Calibration and combination: the
out-of-fold scores of a stratified k-fold run are turned into probabilities by a softmax of
Σ_b a_b × scores_b + bias, one scale a_b per block (with one block, a = 1 / temperature, Guo et
al. 2017) and one bias per label, chosen to minimise the log loss (a stacked ensemble that is
itself linear). The blocks' columns are disjoint, so the final model is one weight matrix
(block b's weights × a_b / Σa) with one softmax scale Σa; the biases are folded into the
intercepts. The same out-of-fold scores give the metrics recorded with the model.
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


def fit_combination(scores: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One scale per model and per-label biases for ``softmax(Σ_b scale_b × scores_b + bias)``.

    ``scores`` is models × examples × labels (out-of-fold); the scales and biases minimise the
    log loss. With one model this is temperature scaling with biases; with several it is also
    the weight of each model in the combination (a stacked ensemble of linear models that is
    itself linear).
    """
    models, _, labels = scores.shape
    rows = np.arange(len(codes))

    def loss(params: np.ndarray) -> float:
        z = np.tensordot(np.exp(params[:models]), scores, axes=1) + params[models:]
        z = z - z.max(axis=1, keepdims=True)
        log_p = z[rows, codes] - np.log(np.exp(z).sum(axis=1))
        return float(-np.mean(log_p))

    start = np.zeros(models + labels)
    start[:models] = np.log(DEFAULT_SCALE / models)
    bounds = [(-8.0, 6.0)] * models + [(-10.0, 10.0)] * labels
    found = minimize(loss, start, method="L-BFGS-B", bounds=bounds)
    bias = found.x[models:] - found.x[models:].mean()
    return np.exp(found.x[:models]), bias


def combined(
    parts: list[Linear], groups: tuple[tuple[int, int], ...], weights: np.ndarray, width: int
) -> Linear:
    """One linear model from models of disjoint column ranges, weighted (Σ weights_b × model_b)."""
    labels = len(parts[0].intercept)
    coef = np.zeros((labels, width), dtype=np.float32)
    intercept = np.zeros(labels)
    for (start, end), part, weight in zip(groups, parts, weights, strict=True):
        coef[:, start:end] = part.coef * weight
        intercept += part.intercept * weight
    return Linear(coef, intercept)


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
    groups: tuple[tuple[int, int], ...]  # column ranges, each with an NB-SVM of its own


def fit_with_out_of_fold(
    matrix: sp.csr_matrix, codes: np.ndarray, labels: int, settings: Settings
) -> tuple[list[Linear], np.ndarray | None]:
    """One model per column group on all examples and, with folds, their out-of-fold scores.

    The scores are groups × examples × labels. The fits (every group on all examples and on
    every fold's training part) are independent: they run on ``jobs`` threads (liblinear
    releases the GIL), the largest groups first.
    """
    splits: list[tuple[np.ndarray, np.ndarray]] = []
    if settings.folds:
        splitter = StratifiedKFold(settings.folds, shuffle=True, random_state=settings.seed)
        splits = list(splitter.split(np.zeros(len(codes)), codes))
    everything = (np.arange(len(codes)), np.zeros(0, dtype=int))
    parts = [matrix[:, start:end].tocsr() for start, end in settings.groups]
    order = sorted(range(len(parts)), key=lambda group: -parts[group].nnz)
    jobs = [(group, split) for group in order for split in [everything, *splits]]

    def one(job: tuple[int, tuple[np.ndarray, np.ndarray]]) -> Linear:
        group, (train, _) = job
        return fit_nbsvm(
            parts[group][train], codes[train], labels, settings.c, settings.alpha, settings.seed
        )

    with ThreadPoolExecutor(max(1, settings.jobs)) as pool:
        fitted = dict(zip(((g, id(s)) for g, s in jobs), pool.map(one, jobs), strict=True))
    models = [fitted[(group, id(everything))] for group in range(len(parts))]
    if not splits:
        return models, None
    scores = np.zeros((len(parts), len(codes), labels))
    for group, part in enumerate(parts):
        for split in splits:
            test = split[1]
            scores[group, test] = fitted[(group, id(split))].scores(part[test])
    return models, scores


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
