"""Every write of the search index. Callers index in the transaction that writes the object."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from yiwang.search.models import Document
from yiwang.search.tokens import document_tokens

BATCH_SIZE = 2000
TITLE_CHARS = 200


@dataclass(frozen=True)
class Source:
    """One object to index: its kind ("message", later "service", "disclosure"), id and text."""

    kind: str
    object_id: int
    title: str
    body: str


def _document(source: Source) -> Document:
    tokens = document_tokens(source.title, source.body)
    return Document(
        kind=source.kind,
        object_id=source.object_id,
        title=source.title[:TITLE_CHARS],
        tokens=" ".join(tokens),
        length=len(tokens),
    )


def _upsert(documents: list[Document]) -> None:
    Document.objects.bulk_create(
        documents,
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["title", "tokens", "length"],
    )


def do_index(kind: str, object_id: int, title: str, body: str) -> None:
    """Add or replace one document (one statement; call it inside the writer's transaction)."""
    _upsert([_document(Source(kind, object_id, title, body))])


def do_index_many(sources: Iterable[Source], batch_size: int = BATCH_SIZE) -> int:
    """Add or replace many documents, one transaction and one insert per batch."""
    done = 0
    for batch in _batches(iter(sources), batch_size):
        with transaction.atomic():
            _upsert([_document(source) for source in batch])
        done += len(batch)
    return done


def do_remove(kind: str, object_id: int) -> None:
    Document.objects.filter(kind=kind, object_id=object_id).delete()


def _batches(sources: Iterator[Source], size: int) -> Iterator[list[Source]]:
    while batch := list(islice(sources, size)):
        yield batch


def do_remove_missing(kind: str, existing_ids: QuerySet[Any, int]) -> int:
    """Drop the documents of ``kind`` whose object is no longer among ``existing_ids``."""
    removed, _ = Document.objects.filter(kind=kind).exclude(object_id__in=existing_ids).delete()
    return removed
