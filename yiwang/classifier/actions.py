"""Every write of the classifier's Django side: record a suggestion, apply it when a
supervisor's rule allows, and set those rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.casework.actions import do_machine_triage
from yiwang.casework.machine import IllegalMove
from yiwang.classifier.models import AutoApplyRule, ModelVersion, Suggestion, Target
from yiwang.orgs.models import Department
from yiwang.taxonomy.models import Category

SHOWN = 3  # suggestions kept and shown per message


@dataclass(frozen=True)
class Ranked:
    """One suggestion of a suggester: a category (or department) id, how sure, and why."""

    id: int
    probability: float
    words: tuple[str, ...] = ()


def _still_valid(target: Target, ranked: Sequence[Ranked]) -> list[Ranked]:
    """Only categories of the active taxonomy (or active departments) are ever suggested."""
    ids = [r.id for r in ranked]
    if target == Target.CATEGORY:
        valid = set(
            Category.objects.filter(pk__in=ids, version__is_active=True).values_list(
                "pk", flat=True
            )
        )
    else:
        valid = set(
            Department.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True)
        )
    return [r for r in ranked if r.id in valid][:SHOWN]


def do_record_suggestion(
    message_id: int,
    target: Target,
    ranked: Sequence[Ranked],
    *,
    abstained: bool = False,
    model_version: ModelVersion | None = None,
    reason: str = "",
) -> Suggestion:
    """Keep what the machine suggested; apply it if a supervisor's rule says so."""
    kept = [] if abstained else _still_valid(target, ranked)
    suggestion = Suggestion.objects.create(
        message_id=message_id,
        target=target,
        model_version=model_version,
        ranked=[{"id": r.id, "probability": r.probability, "words": list(r.words)} for r in kept],
        abstained=abstained or not kept,
        reason=reason,
        created_at=timezone.now(),
    )
    if target == Target.CATEGORY and kept:
        _apply_if_confident(suggestion, kept[0])
    return suggestion


def _apply_if_confident(suggestion: Suggestion, best: Ranked) -> None:
    category = Category.objects.select_related("parent").get(pk=best.id)
    major = category if category.parent is None else _major(category)
    rule = AutoApplyRule.objects.filter(category=major).first()
    if rule is None or best.probability < rule.threshold or not category.is_leaf:
        return
    note = _("Applied by the machine: %(category)s, %(confidence)d%% sure.") % {
        "category": category,
        "confidence": round(best.probability * 100),
    }
    try:
        do_machine_triage(suggestion.message_id, category.pk, note)
    except IllegalMove:
        return  # a clerk got there first: the human decision stands
    Suggestion.objects.filter(pk=suggestion.pk).update(auto_applied_at=timezone.now())


def _major(category: Category) -> Category:
    node = category
    while node.parent is not None:
        node = node.parent
    return node


def do_set_auto_apply(user: User, category_id: int, threshold: float | None) -> None:
    """A supervisor sets (or, with None, removes) the threshold of a major category."""
    if not user.has_perm("accounts.supervise_messages"):
        raise PermissionDenied
    category = Category.objects.filter(
        pk=category_id, parent__isnull=True, version__is_active=True
    ).first()
    if category is None:
        raise IllegalMove("invalid", _("Choose a major category of the active taxonomy."))
    if threshold is None:
        AutoApplyRule.objects.filter(category=category).delete()
        return
    if not 0.5 <= threshold <= 1.0:
        raise IllegalMove("invalid", _("The threshold must lie between 0.50 and 1.00."))
    with transaction.atomic():
        AutoApplyRule.objects.update_or_create(
            category=category,
            defaults={"threshold": threshold, "set_by": user, "set_at": timezone.now()},
        )
