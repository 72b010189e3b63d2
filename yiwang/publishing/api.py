"""The public board as a read-only API: published messages, masked, without signing in."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from yiwang.apierrors import ApiError
from yiwang.publishing.queries import (
    FILTERS,
    BoardEntry,
    BoardFilter,
    Named,
    NotOnBoard,
    TakenDown,
    board_publications,
    entries,
    public_entry,
    unmatched_filters,
)

router = Router(tags=["public board"])

LIMIT_MAX = 100
OFFSET_MAX = 1_000_000  # far past any board; keeps the database's integers safe


class NamedOut(Schema):
    code: str
    name: str


class PublicMessageOut(Schema):
    id: int
    title: str
    text: str
    reply: str
    published_at: datetime
    submitted_on: date
    replied_on: date | None
    region: NamedOut | None
    theme: NamedOut | None
    category: NamedOut | None
    department: str | None
    response_working_days: int | None
    rating: int | None = Field(description="1 very satisfied … 5 very unsatisfied; null: none")


class PublicPageOut(Schema):
    count: int
    limit: int
    offset: int
    unknown_filters: list[str] = Field(
        description="Filters whose value matches no published message (when nothing is found)"
    )
    results: list[PublicMessageOut]


class PublicQuery(Schema):
    q: str = Field("", description="Words to look for (Chinese or other)")
    theme: str = Field("", description="A theme code")
    category: str = Field("", description="A category code; a major category includes its minors")
    region: str = Field("", description="A GB/T 2260 code; a region includes the ones under it")
    department: str = Field("", description="A department's short code")
    limit: int = Field(20, ge=1, le=LIMIT_MAX)
    offset: int = Field(0, ge=0, le=OFFSET_MAX)


def _named(value: Named | None) -> dict[str, str] | None:
    return {"code": value.code, "name": value.name} if value else None


def _out(entry: BoardEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "title": entry.title,
        "text": entry.text,
        "reply": entry.reply,
        "published_at": entry.published_at,
        "submitted_on": entry.submitted_on,
        "replied_on": entry.replied_on,
        "region": _named(entry.region),
        "theme": _named(entry.theme),
        "category": _named(entry.category),
        "department": entry.department.name if entry.department else None,
        "response_working_days": entry.response_working_days,
        "rating": entry.rating,
    }


@router.get("/messages", response=PublicPageOut, summary="Published messages, newest first")
def list_published(request: HttpRequest, query: Query[PublicQuery]) -> dict[str, Any]:
    filters = BoardFilter.from_params({name: getattr(query, name) for name in ("q", *FILTERS)})
    rows = board_publications(filters)
    count = rows.count()
    found = entries(rows[query.offset : query.offset + query.limit])
    return {
        "count": count,
        "limit": query.limit,
        "offset": query.offset,
        "unknown_filters": [] if count else unmatched_filters(filters),
        "results": [_out(entry) for entry in found],
    }


@router.get("/messages/{message_id}", response=PublicMessageOut, summary="One published message")
def get_published(request: HttpRequest, message_id: int) -> dict[str, Any]:
    try:
        found = public_entry(message_id)
    except TakenDown as exc:
        raise ApiError(410, "gone", _("This message has been taken off the public board.")) from exc
    except NotOnBoard as exc:
        raise ApiError(404, "not_found", _("There is no such published message.")) from exc
    return _out(found)
