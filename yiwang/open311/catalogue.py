"""The services of GeoReport v2: one per leaf category of the active taxonomy.

``service_code`` is the category's code, ``group`` its major (depth 1) category. No category
defines extra attributes yet, so every ``metadata`` is false and every definition is empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import translation

from yiwang.taxonomy.models import Category


@dataclass(frozen=True)
class Service:
    code: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    keywords: tuple[str, ...]
    group_zh: str
    group_en: str

    def name(self) -> str:
        return in_language(self.name_zh, self.name_en)

    def group(self) -> str:
        return in_language(self.group_zh, self.group_en)

    def description(self) -> str:
        return in_language(self.description_zh, self.description_en)


def in_language(chinese: str, english: str) -> str:
    """The English text when the caller asked for English and there is one."""
    wants_english = (translation.get_language() or "").startswith("en")
    return english if wants_english and english else chinese


def _major(category: Category, by_id: dict[int, Category]) -> Category:
    node = category
    while node.parent_id is not None and node.depth > 1 and node.parent_id in by_id:
        node = by_id[node.parent_id]
    return node


def active_services() -> dict[str, Service]:
    """Every service of the active taxonomy by code, in the taxonomy's order (one query)."""
    categories = list(Category.objects.filter(version__is_active=True))
    by_id = {category.pk: category for category in categories}
    services: dict[str, Service] = {}
    for category in categories:
        if not category.is_leaf:
            continue
        major = _major(category, by_id)
        services[category.code] = Service(
            code=category.code,
            name_zh=category.name_zh,
            name_en=category.name_en,
            description_zh=category.description_zh,
            description_en=category.description_en,
            keywords=tuple(str(word) for word in category.keywords or ()),
            group_zh=major.name_zh,
            group_en=major.name_en,
        )
    return services


def service_fields(service: Service) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "service_name": service.name(),
        "description": service.description(),
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join(service.keywords),
        "group": service.group(),
    }


def definition_fields(service: Service) -> dict[str, Any]:
    return {"service_code": service.code, "attributes": []}
