"""What the engine learns from: the desk's own decisions and imported historical messages.

The label is the human decision: a message counts once a person (not the machine) filed it,
under a category of the active taxonomy; labels are paths of category codes from the root,
so the engine works with a taxonomy of any depth and suggestions map back to categories of
the active version only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from yiwang.classifier.models import Target, TrainingExample
from yiwang.intake.models import Message, MessageEvent
from yiwang.taxonomy.models import Category, TaxonomyVersion

Label = tuple[str, ...]


@dataclass(frozen=True)
class Example:
    title: str
    text: str
    label: Label


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


def category_examples(batch: int = 2000) -> Iterator[Example]:
    """Imported examples, then messages a person filed, under the active taxonomy."""
    paths = category_paths()
    imported = TrainingExample.objects.filter(target=Target.CATEGORY, category__in=list(paths))
    for title, text, category in imported.values_list("title", "text", "category_id").iterator(
        chunk_size=batch
    ):
        yield Example(title, text, paths[category])
    filed_by_a_person = MessageEvent.objects.filter(
        message=OuterRef("pk"), action="triage", actor__isnull=False
    )
    decided = Message.objects.filter(Exists(filed_by_a_person), category_id__in=list(paths))
    for title, text, category in decided.values_list("title", "content", "category_id").iterator(
        chunk_size=batch
    ):
        yield Example(title, text, paths[category])


def department_examples(batch: int = 2000) -> Iterator[Example]:
    """Imported examples, then messages a person forwarded: the lead department's code."""
    imported = TrainingExample.objects.filter(target=Target.DEPARTMENT).values_list(
        "title", "text", "department__short_code"
    )
    for title, text, code in imported.iterator(chunk_size=batch):
        yield Example(title, text, (code,))
    forwarded_by_a_person = MessageEvent.objects.filter(
        message=OuterRef("pk"), action="forward", actor__isnull=False
    )
    decided = Message.objects.filter(Exists(forwarded_by_a_person), lead_department__isnull=False)
    rows = decided.values_list("title", "content", "lead_department__short_code")
    for title, text, code in rows.iterator(chunk_size=batch):
        yield Example(title, text, (code,))
