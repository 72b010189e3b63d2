"""The catalogue's read side: one implementation with everything its guide page shows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils.functional import Promise

from yiwang.catalogue.codes import Audience, HandlingForm
from yiwang.catalogue.models import Implementation, Material, Question, ServiceItem
from yiwang.catalogue.synonyms import SYNONYMS


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


def item_documents(
    items: QuerySet[ServiceItem] | Iterable[ServiceItem],
) -> list[tuple[int, str, str]]:
    """What the search index holds of each item: (pk, Chinese name, the rest).

    The rest is the English name, the themes and the everyday names of the phrases in the
    Chinese name (社会保障卡 → 社保卡, ``synonyms.py``), so pinyin and initials of the everyday
    name find it too (``shebaoka``, ``sbk``). Implementations share their item's name, so the
    index holds items, not implementations (catalogue/search.md).
    """
    if isinstance(items, QuerySet):
        items = items.prefetch_related("themes")
    return [
        (
            item.pk,
            item.name_zh,
            " ".join(
                [
                    item.name_en,
                    *(f"{t.name_zh} {t.name_en}" for t in item.themes.all()),
                    *aliases(item.name_zh),
                ]
            ),
        )
        for item in items
    ]


def aliases(name: str) -> list[str]:
    """The other names of every phrase of the synonym table found in ``name``."""
    found = [other for phrase, others in SYNONYMS.items() if phrase in name for other in others]
    return list(dict.fromkeys(found))


def listed(ids: list[int]) -> list[Implementation]:
    """Implementations for a result list, in the order of ``ids`` (one query)."""
    # No default ordering: it joins items and regions only to sort what ``ids`` orders anyway.
    rows = Implementation.objects.select_related("item", "body", "region").order_by()
    found = rows.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]
