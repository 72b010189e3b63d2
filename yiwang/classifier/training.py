"""What the engine learns from: the desk's own decisions and imported historical messages.

The label is the human decision: a message counts once a person (not the machine) filed it,
under a category of the active taxonomy; labels are paths of category codes from the root,
so the engine works with a taxonomy of any depth and suggestions map back to categories of
the active version only.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Exists, OuterRef, QuerySet

from yiwang.classifier.engine.types import Example, Label
from yiwang.classifier.models import Target, TrainingExample
from yiwang.intake.models import Message, MessageEvent
from yiwang.taxonomy.models import Category, TaxonomyVersion


def category_paths() -> dict[int, Label]:
    """Every category of the active taxonomy → its path of codes from the root."""
    version = TaxonomyVersion.objects.filter(is_active=True).first()
    rows = Category.objects.filter(version=version).values_list("pk", "code", "parent_id")
    parents = {pk: (code, parent) for pk, code, parent in rows}
    paths: dict[int, Label] = {}
    for pk in parents:
        path: list[str] = []
        node: int | None = pk
        while node is not None:
            code, node = parents[node]
            path.append(code)
        paths[pk] = tuple(reversed(path))
    return paths


def categories_by_path() -> dict[Label, int]:
    return {path: pk for pk, path in category_paths().items()}


def _imported_categories(paths: dict[int, Label]) -> QuerySet[TrainingExample]:
    return TrainingExample.objects.filter(target=Target.CATEGORY, category__in=list(paths))


def _filed_by_a_person(paths: dict[int, Label]) -> QuerySet[Message]:
    filed = MessageEvent.objects.filter(
        message=OuterRef("pk"), action="triage", actor__isnull=False
    )
    return Message.objects.filter(Exists(filed), category_id__in=list(paths))


def _imported_departments() -> QuerySet[TrainingExample]:
    return TrainingExample.objects.filter(target=Target.DEPARTMENT)


def _forwarded_by_a_person() -> QuerySet[Message]:
    forwarded = MessageEvent.objects.filter(
        message=OuterRef("pk"), action="forward", actor__isnull=False
    )
    return Message.objects.filter(Exists(forwarded), lead_department__isnull=False)


def category_examples(batch: int = 2000) -> Iterator[Example]:
    """Imported examples, then messages a person filed, under the active taxonomy."""
    paths = category_paths()
    imported = _imported_categories(paths).values_list("title", "text", "category_id")
    for title, text, category in imported.iterator(chunk_size=batch):
        yield Example(title, text, paths[category])
    decided = _filed_by_a_person(paths).values_list("title", "content", "category_id")
    for title, text, category in decided.iterator(chunk_size=batch):
        yield Example(title, text, paths[category])


def department_examples(batch: int = 2000) -> Iterator[Example]:
    """Imported examples, then messages a person forwarded: the lead department's code."""
    imported = _imported_departments().values_list("title", "text", "department__short_code")
    for title, text, code in imported.iterator(chunk_size=batch):
        yield Example(title, text, (code,))
    decided = _forwarded_by_a_person().values_list(
        "title", "content", "lead_department__short_code"
    )
    for title, text, code in decided.iterator(chunk_size=batch):
        yield Example(title, text, (code,))


def example_count(target: Target) -> int:
    """How many examples ``target`` would train on now, without reading them."""
    if target == Target.CATEGORY:
        paths = category_paths()
        return _imported_categories(paths).count() + _filed_by_a_person(paths).count()
    return _imported_departments().count() + _forwarded_by_a_person().count()
