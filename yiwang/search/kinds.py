"""The kinds of documents the index holds, and where ``reindex`` reads each one from."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from yiwang.catalogue.models import ServiceItem
from yiwang.catalogue.queries import item_documents
from yiwang.disclosure.actions import search_text
from yiwang.disclosure.models import Information, InfoState
from yiwang.intake.models import Message
from yiwang.publishing.models import Publication, PublicationState, search_body
from yiwang.search.actions import BATCH_SIZE, Source

MESSAGE = "message"
PUBLICATION = "publication"  # the public board: masked title, text and reply, published only
SERVICE = "service"  # the items of the service catalogue, with pinyin (catalogue/search.md)
DISCLOSURE = "disclosure"  # published government information (disclosure/README.md)


@dataclass(frozen=True)
class Kind:
    name: str
    objects: Callable[[], QuerySet[Any]]  # every object that should have a document
    read: Callable[[int, int], list[tuple[int, str, str]]]  # (after id, count) → id, title, body
    pinyin: bool = False

    def sources(self, batch_size: int = BATCH_SIZE) -> Iterator[Source]:
        """Every object in id order, read in batches (keyset pagination, constant memory)."""
        last = 0
        while rows := self.read(last, batch_size):
            for object_id, title, body in rows:
                yield Source(self.name, object_id, title, body, self.pinyin)
            last = rows[-1][0]


def _messages() -> QuerySet[Any]:
    return Message.objects.order_by()


def _read_messages(after: int, count: int) -> list[tuple[int, str, str]]:
    rows = Message.objects.filter(pk__gt=after).order_by("pk")
    return list(rows.values_list("pk", "title", "content")[:count])


def _publications() -> QuerySet[Any]:
    return Publication.objects.filter(state=PublicationState.PUBLISHED).order_by()


def _read_publications(after: int, count: int) -> list[tuple[int, str, str]]:
    rows = _publications().filter(pk__gt=after).order_by("pk")
    return [
        (pk, title, search_body(text, reply))
        for pk, title, text, reply in rows.values_list("pk", "title", "text", "reply")[:count]
    ]


def _items() -> QuerySet[Any]:
    return ServiceItem.objects.order_by()


def _read_items(after: int, count: int) -> list[tuple[int, str, str]]:
    return item_documents(ServiceItem.objects.filter(pk__gt=after).order_by("pk")[:count])


def _information() -> QuerySet[Any]:
    return Information.objects.filter(state=InfoState.PUBLISHED).order_by()


def _read_information(after: int, count: int) -> list[tuple[int, str, str]]:
    rows = _information().filter(pk__gt=after).order_by("pk").select_related(None)[:count]
    return [(info.pk, info.title, search_text(info)) for info in rows]


KINDS = {
    MESSAGE: Kind(MESSAGE, _messages, _read_messages),
    PUBLICATION: Kind(PUBLICATION, _publications, _read_publications),
    SERVICE: Kind(SERVICE, _items, _read_items, pinyin=True),
    DISCLOSURE: Kind(DISCLOSURE, _information, _read_information),
}
