"""The engine's vocabulary, shared by the Django side and the engine (no Django imports here).

A label is a path of category (or department) codes from the root of a taxonomy of any depth,
e.g. ``("C07", "C07-03")``; the engine never needs to know what the codes mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Label = tuple[str, ...]

# Why the engine did not make a suggestion (machine codes; the desk words them for people).
ABSTAIN_EMPTY = "empty"  # nothing left to read after normalisation
ABSTAIN_NOT_CHINESE = "not_chinese"  # e.g. the English channel: routed by hand or keyword table
ABSTAIN_LOW_CONFIDENCE = "low_confidence"  # the best suggestion is below ``min_confidence``
ABSTAIN_NO_ALLOWED_LABEL = "no_allowed_label"  # no label the model knows is still allowed


@dataclass(frozen=True)
class Example:
    """One training row: what the citizen wrote and the human decision."""

    title: str
    text: str
    label: Label


@dataclass(frozen=True)
class Suggestion:
    """One ranked suggestion: a label, a calibrated probability and the words behind it."""

    label: Label
    probability: float
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Prediction:
    """Up to ``top`` suggestions, best first, or an abstention with its reason."""

    suggestions: tuple[Suggestion, ...] = ()
    abstained: bool = False
    reason: str | None = None
    extra: dict[str, object] = field(default_factory=dict)
