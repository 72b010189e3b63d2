"""The learning loop: train a candidate on the desk's decisions and imports, evaluate it on a
held-out slice, and put it in use only if it is not worse than the model in use.

The held-out slice is chosen by a hash of each example's text, not at random, so an example
that once served to evaluate never becomes training data of a later version: every version is
compared on messages none of them has seen. See docs/decisions/0019-learning-loop.md.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from yiwang.classifier.engine import ModelFileError, TextClassifier, TrainingError, dumps, loads
from yiwang.classifier.engine.types import Example, Label
from yiwang.classifier.evaluation import evaluate, not_worse
from yiwang.classifier.models import ModelVersion, Target
from yiwang.classifier.registry import (
    ArtefactCorrupt,
    active_version,
    do_activate,
    do_store_version,
    read_artefact,
)
from yiwang.classifier.suggest import FULL_TRUST_AT
from yiwang.classifier.training import (
    category_examples,
    category_paths,
    department_examples,
    example_count,
)
from yiwang.orgs.models import Department

HELD_OUT_SHARE = 5  # one example in five, by hash, is never trained on
MIN_EXAMPLES = 30  # below this, keywords serve better than any model


@dataclass(frozen=True)
class Outcome:
    """What one training round did, for the command, the task log and the page."""

    target: Target
    examples: int
    version: ModelVersion | None = None
    activated: bool = False
    why: str = ""


def known_labels(target: Target) -> set[Label]:
    if target == Target.CATEGORY:
        return set(category_paths().values())
    codes = Department.objects.filter(is_active=True).values_list("short_code", flat=True)
    return {(code,) for code in codes if code}


def examples_for(target: Target) -> Iterator[Example]:
    return category_examples() if target == Target.CATEGORY else department_examples()


def held_out(example: Example) -> bool:
    digest = hashlib.sha256(f"{example.title}\n{example.text}".encode()).digest()
    return digest[0] % HELD_OUT_SHARE == 0


def split(examples: Sequence[Example]) -> tuple[list[Example], list[Example]]:
    train = [e for e in examples if not held_out(e)]
    test = [e for e in examples if held_out(e)]
    return train, test


def label_key(label: Label) -> str:
    return "/".join(label)


def measure(model: TextClassifier, test: Sequence[Example]) -> dict[str, Any]:
    """The evaluation page's figures of ``model`` on ``test`` (best suggestion per message)."""
    predictions = model.predict([(e.title, e.text) for e in test], top=1)
    guesses = [
        (label_key(p.suggestions[0].label), p.suggestions[0].probability) if p.suggestions else None
        for p in predictions
    ]
    return evaluate([label_key(e.label) for e in test], guesses)


def _active_model(target: Target) -> tuple[ModelVersion | None, TextClassifier | None]:
    version = active_version(target)
    if version is None:
        return None, None
    try:
        return version, loads(read_artefact(version), sha256=version.sha256)
    except (ArtefactCorrupt, ModelFileError):
        return version, None  # a damaged active model never blocks its replacement


def do_retrain(target: Target, *, activate: bool = True) -> Outcome:
    """Train a candidate of ``target``, keep it as a new version, and activate it if it is not
    worse than the active one on the same held-out slice."""
    examples = list(examples_for(target))
    train, test = split(examples)
    labels = {e.label for e in train}
    if len(train) < MIN_EXAMPLES or len(labels) < 2 or not test:
        why = f"{len(train)} training examples in {len(labels)} labels: not enough to learn from"
        return Outcome(target, len(examples), why=why)
    started = time.monotonic()
    try:
        model = TextClassifier.train(train)
    except TrainingError as exc:
        return Outcome(target, len(examples), why=str(exc))
    seconds = time.monotonic() - started
    metrics = measure(model, test)
    active, active_model = _active_model(target)
    baseline = measure(active_model, test) if active_model is not None else None
    training = _description(train, test, seconds, baseline)
    version = do_store_version(target, dumps(model), metrics, training)
    if not activate:
        return Outcome(target, len(examples), version, why="kept, not activated (as asked)")
    if not not_worse(metrics, baseline):
        why = f"macro-F1 {metrics['macro_f1']:.4f} is below the active model's"
        return Outcome(target, len(examples), version, why=why)
    do_activate(None, version)
    return Outcome(target, len(examples), version, activated=True, why=_compared(metrics, active))


def _compared(metrics: dict[str, Any], active: ModelVersion | None) -> str:
    mine = f"macro-F1 {metrics['macro_f1']:.4f}"
    return mine if active is None else f"{mine}, not worse than {active} on the same slice"


def _description(
    train: Sequence[Example], test: Sequence[Example], seconds: float, baseline: Any
) -> dict[str, Any]:
    counts = Counter(label_key(e.label) for e in train)
    return {
        "examples": len(train) + len(test),
        "trained_on": len(train),
        "held_out": len(test),
        "label_counts": dict(sorted(counts.items())),
        "train_seconds": round(seconds, 2),
        "trained_at": timezone.now().isoformat(),
        "active_model_on_same_slice": baseline["macro_f1"] if baseline else None,
    }


def do_import_version(target: Target, data: bytes) -> ModelVersion:
    """Keep a model trained elsewhere as a new version (not active): it must load, and its
    labels must name categories (or departments) this site knows, or it is refused."""
    model = loads(data)  # raises ModelFileError for anything that is not one of our models
    if not known_labels(target).intersection(model.labels):
        raise ModelFileError("the model names none of this site's categories or departments")
    training = {**model.training, "imported": True}
    # Without its own counts, an imported model is trusted over the keywords for every label.
    training.setdefault("label_counts", {label_key(label): FULL_TRUST_AT for label in model.labels})
    return do_store_version(target, data, dict(model.metrics), training)


def due_for_retraining(target: Target) -> bool:
    """Enough new decisions since the latest version (kept or not) was trained."""
    latest = ModelVersion.objects.filter(target=target).order_by("-number").first()
    seen = int(latest.training.get("examples", 0)) if latest else 0
    now = example_count(target)
    every: int = settings.YIWANG_CLASSIFIER_RETRAIN_AFTER
    return now >= MIN_EXAMPLES and now - seen >= (every if latest else MIN_EXAMPLES)
