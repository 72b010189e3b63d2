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
