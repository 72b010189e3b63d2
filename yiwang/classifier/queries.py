"""What the desk shows of the machine's suggestions for one message."""

from __future__ import annotations

from dataclasses import dataclass, field

from yiwang.classifier.models import Suggestion, Target
from yiwang.classifier.suggest import source_text
from yiwang.intake.models import Message, MessageState
from yiwang.orgs.models import Department
from yiwang.taxonomy.models import Category


@dataclass(frozen=True)
class Shown:
    """One suggestion as the desk shows it; only a leaf can be accepted with one key."""

    category: Category
    probability: float
    words: list[str]
    key: int | None  # the key that accepts it (1, 2, 3), None for a category above leaf level


@dataclass(frozen=True)
class DeskSuggestions:
    categories: list[Shown] = field(default_factory=list)
    departments: list[tuple[Department, float]] = field(default_factory=list)
    note: str = ""  # where the suggestions came from, or why there are none


def latest_suggestion(message: Message, target: Target = Target.CATEGORY) -> Suggestion | None:
    return message.suggestions.filter(target=target).order_by("-created_at", "-id").first()


def desk_suggestions(message: Message) -> DeskSuggestions:
    """The latest suggestions of a new message, naming only categories still in use."""
    if message.state != MessageState.NEW:
        return DeskSuggestions()
    suggestion = latest_suggestion(message)
    if suggestion is None:
        return DeskSuggestions()
    return DeskSuggestions(
        _categories(suggestion),
        department_suggestions(message),
        source_text(suggestion),
    )


def _categories(suggestion: Suggestion) -> list[Shown]:
    ids = [entry["id"] for entry in suggestion.ranked]
    found = Category.objects.filter(pk__in=ids, version__is_active=True).select_related("parent")
    by_id = {c.pk: c for c in found}
    shown: list[Shown] = []
    for entry in suggestion.ranked:
        category = by_id.get(entry["id"])
        if category is None:
            continue
        keys = sum(1 for s in shown if s.key is not None)
        key = keys + 1 if category.is_leaf else None
        shown.append(Shown(category, float(entry["probability"]), list(entry["words"]), key))
    return shown


def department_suggestions(message: Message) -> list[tuple[Department, float]]:
    suggestion = latest_suggestion(message, Target.DEPARTMENT)
    if suggestion is None or suggestion.abstained:
        return []
    ids = [entry["id"] for entry in suggestion.ranked]
    by_id = Department.objects.filter(pk__in=ids, is_active=True).in_bulk()
    return [
        (by_id[e["id"]], float(e["probability"])) for e in suggestion.ranked if e["id"] in by_id
    ]
