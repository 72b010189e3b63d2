"""The catalogue's read side: one implementation with everything its guide page shows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.functional import Promise

from yiwang.catalogue.codes import Audience, HandlingForm
from yiwang.catalogue.models import Implementation, Material, Question


def guide(code: str) -> Implementation | None:
    """The active implementation with this code, its item, body, region, materials and FAQ
    (four queries, whatever the number of materials)."""
    return (
        Implementation.objects.filter(code=code.strip().upper(), is_active=True)
        .select_related("item", "item__parent", "body", "region")
        .prefetch_related(
            Prefetch("materials", Material.objects.order_by("position")),
            Prefetch("questions", Question.objects.order_by("position")),
        )
        .first()
    )


@dataclass(frozen=True)
class Bits:
    """The labels of the bits set in a mask (audiences A.4, handling forms A.5)."""

    labels: tuple[Promise, ...]


def audiences(implementation: Implementation) -> Bits:
    return Bits(tuple(a.label for a in Audience if implementation.audiences & a.value))


def handling_forms(implementation: Implementation) -> Bits:
    return Bits(tuple(f.label for f in HandlingForm if implementation.handling_forms & f.value))
