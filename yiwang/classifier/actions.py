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


@dataclass(frozen=True)
class Proposal:
    """What a suggester proposes for one message and target, before it is kept."""

    message_id: int
    target: Target
    ranked: Sequence[Ranked]
    abstained: bool = False
    model_version: ModelVersion | None = None
    reason: str = ""


def _valid_ids(target: Target, ids: set[int]) -> set[int]:
    """Only categories of the active taxonomy (or active departments) are ever suggested."""
    if not ids:
        return set()
    if target == Target.CATEGORY:
        active = Category.objects.filter(pk__in=ids, version__is_active=True)
        return set(active.values_list("pk", flat=True))
    departments = Department.objects.filter(pk__in=ids, is_active=True)
    return set(departments.values_list("pk", flat=True))


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
    proposal = Proposal(message_id, target, ranked, abstained, model_version, reason)
    return do_record_suggestions([proposal])[0]


def do_record_suggestions(proposals: Sequence[Proposal]) -> list[Suggestion]:
    """Keep many suggestions in a few statements (a batch after an import); apply each one a
    supervisor's rule allows."""
    valid = {
        target: _valid_ids(
            target, {r.id for p in proposals if p.target == target for r in p.ranked}
        )
        for target in Target
    }
    now = timezone.now()
    suggestions = []
    for proposal in proposals:
        kept = [] if proposal.abstained else proposal.ranked
        kept = [r for r in kept if r.id in valid[proposal.target]][:SHOWN]
        ranked = [{"id": r.id, "probability": r.probability, "words": list(r.words)} for r in kept]
        suggestions.append(
            Suggestion(
                message_id=proposal.message_id,
                target=proposal.target,
                model_version=proposal.model_version,
                ranked=ranked,
                abstained=not kept,
                reason=proposal.reason,
                created_at=now,
            )
        )
    Suggestion.objects.bulk_create(suggestions)
    if AutoApplyRule.objects.exists():
        for suggestion in suggestions:
            if suggestion.target == Target.CATEGORY and suggestion.ranked:
                best = suggestion.ranked[0]
                _apply_if_confident(suggestion, Ranked(best["id"], best["probability"]))
    return suggestions


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
