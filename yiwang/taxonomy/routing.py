"""Routing: the lead department of a message from its category and region.

The lead is the active department of the category's kind in the message's region, else in
the nearest region above it. When no region up the tree has one, the desk decides (None).
"""

from __future__ import annotations

from yiwang.orgs.models import Department, Region
from yiwang.taxonomy.models import Category


def route_lead_department(category: Category, region: Region) -> Department | None:
    kind = category.responsible_kind()
    if not kind:
        return None
    for candidate in region.ancestors_and_self():
        department = (
            Department.objects.filter(kind=kind, region=candidate, is_active=True)
            .order_by("id")
            .first()
        )
        if department is not None:
            return department
    return None


class Router:
    """``route_lead_department`` for a batch of messages (suggestions after an import): the
    departments and the region tree are read once, then every answer comes from memory.
    Same rule, same answers."""

    def __init__(self) -> None:
        self._parents = dict(Region.objects.values_list("pk", "parent_id"))
        self._departments: dict[tuple[str, int], Department] = {}
        for department in Department.objects.filter(is_active=True).order_by("-id"):
            self._departments[(department.kind, department.region_id)] = department  # lowest id
        self._kinds: dict[int, str] = {}

    def _kind(self, category: Category) -> str:
        if category.pk not in self._kinds:
            self._kinds[category.pk] = category.responsible_kind()
        return self._kinds[category.pk]

    def lead(self, category: Category, region_id: int) -> Department | None:
        kind = self._kind(category)
        if not kind:
            return None
        node: int | None = region_id
        for _level in range(8):  # as Region.ancestors_and_self
            if node is None:
                break
            found = self._departments.get((kind, node))
            if found is not None:
                return found
            node = self._parents.get(node)
        return None
