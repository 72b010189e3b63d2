"""Every write of the search index. Callers index in the transaction that writes the object."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from yiwang.lib.batches import batched
from yiwang.search.models import CorpusStatistic, Document, TermStatistic
from yiwang.search.tokens import document_tokens

BATCH_SIZE = 2000
STATISTICS_BATCH = 10_000
TITLE_CHARS = 200


@dataclass(frozen=True)
class Source:
    """One object to index: its kind ("message", later "service", "disclosure"), id and text."""

    kind: str
    object_id: int
    title: str
    body: str
    # Kinds searched by pinyin and initials (the service catalogue) index the title's pinyin.
    pinyin: bool = False


def _document(source: Source) -> Document:
    tokens = document_tokens(source.title, source.body, pinyin=source.pinyin)
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


def do_index(kind: str, object_id: int, title: str, body: str, *, pinyin: bool = False) -> None:
    """Add or replace one document (one statement; call it inside the writer's transaction)."""
    _upsert([_document(Source(kind, object_id, title, body, pinyin))])


def do_index_many(sources: Iterable[Source], batch_size: int = BATCH_SIZE) -> int:
    """Add or replace many documents, one transaction and one insert per batch."""
    done = 0
    for batch in batched(sources, batch_size):
        with transaction.atomic():
            _upsert([_document(source) for source in batch])
        done += len(batch)
    return done


def do_remove(kind: str, object_id: int) -> None:
    Document.objects.filter(kind=kind, object_id=object_id).delete()


def do_remove_missing(kind: str, existing: QuerySet[Any]) -> int:
    """Drop the documents of ``kind`` whose object is no longer in ``existing``.

    ``NOT EXISTS``, not ``NOT IN``: PostgreSQL runs the latter as a subplan per row, which
    took minutes at a million messages; the anti-join takes seconds.
    """
    still_there = Exists(existing.filter(pk=OuterRef("object_id")))
    removed, _ = Document.objects.filter(kind=kind).exclude(still_there).delete()
    return removed


def do_refresh_statistics(kind: str, chunk_size: int = BATCH_SIZE) -> int:
    """Count, for every term, the documents of ``kind`` holding it; what ranking reads.

    Counting from the index at query time cost seconds per term at a million documents; the
    counts change slowly, so a periodic job (and ``reindex``) refreshes them. Both databases
    count the same stored tokens here, so both rank alike. Returns the number of documents.
    """
    frequencies: Counter[str] = Counter()
    documents = 0
    rows = Document.objects.filter(kind=kind).values_list("tokens", flat=True)
    for tokens in rows.iterator(chunk_size=chunk_size):
        frequencies.update(set(tokens.split()))
        documents += 1
    with transaction.atomic():
        TermStatistic.objects.filter(kind=kind).delete()
        for batch in batched(frequencies.items(), STATISTICS_BATCH):
            TermStatistic.objects.bulk_create(
                TermStatistic(kind=kind, term=term[:64], documents=n) for term, n in batch
            )
        CorpusStatistic.objects.update_or_create(
            kind=kind, defaults={"documents": documents, "refreshed_at": timezone.now()}
        )
    return documents
