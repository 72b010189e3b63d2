"""What the desk shows: the earlier messages about the same matter, with their state."""

from __future__ import annotations

from django.db.models import Q

from yiwang.dedupe.models import Duplicate
from yiwang.intake.models import Message


def duplicates_of(message: Message, scope: Q | None) -> list[Duplicate]:
    """The near-duplicates found for ``message`` that the reader may see, most alike first."""
    if scope is None:
        return []
    visible = Message.objects.filter(scope).values("pk")
    found = Duplicate.objects.filter(message=message, earlier__in=visible)
    ordered = found.select_related("earlier").order_by("-same_citizen", "-resemblance", "-pk")
    return list(ordered[:10])
