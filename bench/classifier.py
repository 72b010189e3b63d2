#!/usr/bin/env python
"""Classifier benchmark: yiwang's engine against the plain baseline on labelled messages.

    .venv/bin/python bench/classifier.py --train TRAIN.csv [--test TEST.csv] [--folds 5]

The CSV files have the columns title, text, label. With --test the engine is trained on TRAIN
and predicts TEST; without it, a stratified 5-fold cross-validation on TRAIN (seed 0) gives the
mean of each figure. Prediction is timed in this one process on one thread (the numerical
libraries are pinned before numpy loads), all test messages in one batch, normalisation and
tokenisation included; ``model_mb`` is the size of the saved model file.

The baseline, in the same run and on the same splits: ``title + "。" + text``,
``TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)`` and
``LinearSVC(C=0.5)``.

The machine goes to stderr with the logs; the last line on stdout is one JSON object:
macro_f1, accuracy, messages_per_second, train_seconds, model_mb, baseline_macro_f1,
baseline_messages_per_second (and a few extra keys).
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections.abc import Sequence
from pathlib import Path

from engine_eval import log, machine, mean_figures, run_engine  # first: one thread

from yiwang.classifier.engine import Config, Example


def read(path: Path) -> list[Example]:
    with path.open(encoding="utf-8", newline="") as file:
        return [
            Example(row["title"] or "", row["text"] or "", (row["label"].strip(),))
            for row in csv.DictReader(file)
        ]


def baseline(train: Sequence[Example], test: Sequence[Example]) -> dict[str, float]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.svm import LinearSVC

    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    svm = LinearSVC(C=0.5)
    svm.fit(
        vectorizer.fit_transform([f"{e.title}。{e.text}" for e in train]),
        [e.label[0] for e in train],
    )
    started, cpu = time.perf_counter(), time.process_time()
    predicted = svm.predict(vectorizer.transform([f"{e.title}。{e.text}" for e in test]))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    truth = [e.label[0] for e in test]
    return {
        "baseline_macro_f1": float(f1_score(truth, predicted, average="macro")),
        "baseline_accuracy": float(accuracy_score(truth, predicted)),
        "baseline_messages_per_second": len(test) / seconds,
        "baseline_messages_per_cpu_second": len(test) / cpu,
    }


def both(train: list[Example], test: list[Example], config: Config) -> dict[str, float]:
    return run_engine(train, test, config).figures() | baseline(train, test)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", type=Path, required=True)
    parser.add_argument("--test", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    log(f"machine: {machine()}")
    train = read(args.train)
    config = Config()
    log(f"{len(train)} training messages; engine config {config}")
    if args.test:
        test = read(args.test)
        log(f"{len(test)} test messages")
        figures = both(train, test, config)
    else:
        figures = mean_figures(train, args.folds, args.seed, lambda tr, te: both(tr, te, config))
        figures["folds"] = args.folds
    log(json.dumps(figures, indent=1))
    print(json.dumps({key: round(value, 4) for key, value in figures.items()}))


if __name__ == "__main__":
    main()
