#!/usr/bin/env python
"""Department benchmark: the classification engine as a suggester of the answering agency.

    .venv/bin/python bench/departments.py [--letters ../shared/data/shangluo-mailbox/letters.csv]
        [--folds 5] [--min-letters 10]

Each letter of the Shangluo mayor's mailbox (columns mail_id, title, query, query_date, reply,
reply_date, reply_agency, url) is one example: its title and its query as the text, labelled
with the agency that replied, ``(reply_agency.strip(),)``. Agencies with fewer than
--min-letters letters share the label ``("other",)``. The engine (default config) is trained
and evaluated with stratified 5-fold cross-validation (seed 0); the figures are the means over
the folds. ``baseline_accuracy_majority`` is the accuracy of always naming the most common
agency of the training folds.

The machine goes to stderr with the logs; the last line on stdout is one JSON object:
letters, agencies, macro_f1, accuracy, top3_accuracy, baseline_accuracy_majority.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter
from pathlib import Path

from engine_eval import ROOT, log, machine, mean_figures, run_engine  # first: one thread

from yiwang.classifier.engine import Config, Example

LETTERS = ROOT.parent / "shared" / "data" / "shangluo-mailbox" / "letters.csv"
OTHER = ("other",)


def read(path: Path, min_letters: int) -> list[Example]:
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    counts = Counter(row["reply_agency"].strip() for row in rows)
    return [
        Example(
            row["title"] or "",
            row["query"] or "",
            (agency,) if counts[agency] >= min_letters else OTHER,
        )
        for row in rows
        for agency in [row["reply_agency"].strip()]
    ]


def figures(train: list[Example], test: list[Example], config: Config) -> dict[str, float]:
    run = run_engine(train, test, config).figures()
    majority = Counter(example.label for example in train).most_common(1)[0][0]
    hits = sum(example.label == majority for example in test)
    keep = ("macro_f1", "accuracy", "top3_accuracy")
    return {key: run[key] for key in keep} | {"baseline_accuracy_majority": hits / len(test)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=Path, default=LETTERS)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-letters", type=int, default=10)
    args = parser.parse_args()
    log(f"machine: {machine()}")
    examples = read(args.letters, args.min_letters)
    agencies = len({example.label for example in examples})
    log(f"{len(examples)} letters, {agencies} labels (agencies with ≥ {args.min_letters} + other)")
    config = Config()
    means = mean_figures(
        examples, args.folds, args.seed, lambda train, test: figures(train, test, config)
    )
    result = {"letters": len(examples), "agencies": agencies} | {
        key: round(value, 4) for key, value in means.items()
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
