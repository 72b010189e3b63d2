"""What bench/classifier.py and bench/departments.py share: one thread, the machine, the CV loop.

Import this module before numpy: it pins the numerical libraries to one thread, so that the
prediction figures are those of one process on one core.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from yiwang.classifier.engine import Config, Example, Label

ROOT = Path(__file__).resolve().parent.parent
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def pin_one_thread() -> None:
    """One thread for numpy and scipy's BLAS; must run before numpy is first imported."""
    if "numpy" in sys.modules:
        raise RuntimeError("numpy was imported before the thread settings")
    for variable in THREAD_VARIABLES:
        os.environ[variable] = "1"
    sys.path.insert(0, str(ROOT))


pin_one_thread()


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    names = [
        line.split(":", 1)[1].strip()
        for line in (cpuinfo.read_text().splitlines() if cpuinfo.exists() else [])
        if line.startswith("model name")
    ]
    return (
        f"{names[0] if names else platform.processor()}, {os.cpu_count()} cores, "
        f"{platform.machine()}, Python {platform.python_version()}, one thread"
    )


@dataclass
class Run:
    """The engine's figures on one train/test split."""

    truth: list[Label]
    top: list[list[Label]]  # up to 3 labels per test item, best first ([] = abstained)
    predict_seconds: float
    predict_cpu_seconds: float  # this process's CPU time: the figure other load cannot skew
    train_seconds: float
    train_cpu_seconds: float  # both training threads together
    model_bytes: int

    def figures(self) -> dict[str, float]:
        import numpy as np
        from sklearn.metrics import accuracy_score, f1_score

        best = [labels[0] if labels else ("",) for labels in self.top]
        return {
            "macro_f1": float(f1_score(self.truth, best, average="macro")),
            "accuracy": float(accuracy_score(self.truth, best)),
            "top3_accuracy": float(
                np.mean(
                    [truth in labels for truth, labels in zip(self.truth, self.top, strict=True)]
                )
            ),
            "messages_per_second": len(self.truth) / self.predict_seconds,
            "messages_per_cpu_second": len(self.truth) / self.predict_cpu_seconds,
            "train_seconds": self.train_seconds,
            "train_cpu_seconds": self.train_cpu_seconds,
            "model_mb": self.model_bytes / 1e6,
        }

    def pairs(self) -> list[tuple[Label, list[Label]]]:
        return list(zip(self.truth, self.top, strict=True))


def run_engine(train: Sequence[Example], test: Sequence[Example], config: Config) -> Run:
    from yiwang.classifier.engine import TextClassifier, dumps

    started, train_cpu = time.perf_counter(), time.process_time()
    model = TextClassifier.train(train, config)
    train_cpu = time.process_time() - train_cpu
    items = [(example.title, example.text) for example in test]
    trained, cpu = time.perf_counter(), time.process_time()
    predictions = model.predict(items, top=3)
    predicted, cpu = time.perf_counter(), time.process_time() - cpu
    return Run(
        truth=[example.label for example in test],
        top=[[suggestion.label for suggestion in p.suggestions] for p in predictions],
        predict_seconds=predicted - trained,
        predict_cpu_seconds=cpu,
        train_seconds=trained - started,
        train_cpu_seconds=train_cpu,
        model_bytes=len(dumps(model)),
    )


def folds(examples: Sequence[Example], count: int, seed: int) -> list[tuple[list[int], list[int]]]:
    """Stratified folds (train indexes, test indexes) with a fixed seed."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    labels = ["/".join(example.label) for example in examples]
    splitter = StratifiedKFold(count, shuffle=True, random_state=seed)
    return [
        (train.tolist(), test.tolist())
        for train, test in splitter.split(np.zeros(len(labels)), labels)
    ]


def mean_figures(
    examples: Sequence[Example],
    count: int,
    seed: int,
    one: Callable[[list[Example], list[Example]], dict[str, float]],
) -> dict[str, float]:
    """The mean of ``one(train, test)``'s figures over stratified folds."""
    import numpy as np

    results = []
    for number, (train, test) in enumerate(folds(examples, count, seed), start=1):
        figures = one([examples[i] for i in train], [examples[i] for i in test])
        log(f"fold {number}/{count}: " + ", ".join(f"{k} {v:.4g}" for k, v in figures.items()))
        results.append(figures)
    return {key: float(np.mean([figures[key] for figures in results])) for key in results[0]}
