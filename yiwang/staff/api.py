"""The staff API: the same scoping as the pages, for a signed-in user or an API key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.security import APIKeyHeader, SessionAuth

from yiwang.accounts.access import client_scope, message_scope
from yiwang.accounts.apikeys import authenticate_key
from yiwang.accounts.models import ApiClient, User
from yiwang.apierrors import ApiError
from yiwang.casework.machine import Action, IllegalMove, allowed_actions
from yiwang.intake.models import Message
from yiwang.staff.moves import HANDLERS
from yiwang.staff.queries import PAGE_SIZE, MessageFilter, search_messages, staff_summary


class BearerKey(APIKeyHeader):
    param_name = "Authorization"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiClient | None:
        scheme, _sep, raw = (key or "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return authenticate_key(raw)


router = Router(tags=["staff"], auth=[SessionAuth(), BearerKey()])


class MessageSummaryOut(Schema):
    tracking_number: str
    title: str
    state: str
    nature: str
    channel: str
    region: str
    lead_department: str | None
    category: str | None
    submitted_at: datetime


class MessageDetailOut(MessageSummaryOut):
    content: str


class MessagePageOut(Schema):
    count: int
    page: int
    results: list[MessageSummaryOut]


class ListQuery(Schema):
    q: str = ""
    state: str = ""
    region: str = ""
    channel: str = ""
    page: int = 1


def _scope(request: HttpRequest) -> Q:
    principal = request.auth  # type: ignore[attr-defined]
    if isinstance(principal, User):
        scope = message_scope(principal)
    elif isinstance(principal, ApiClient):
        scope = client_scope(principal)
    else:
        scope = None
    if scope is None:
        raise ApiError(403, "forbidden", _("You may not read messages."))
    return scope


@router.get("/messages", response=MessagePageOut, summary="Messages in the caller's scope")
def list_messages(request: HttpRequest, query: Query[ListQuery]) -> dict[str, Any]:
    filters = MessageFilter(
        q=query.q, state=query.state, region=query.region, channel=query.channel
    )
    messages = search_messages(_scope(request), filters)
    page = max(1, min(query.page, 10_000))
    rows = messages[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return {
        "count": messages.count(),
        "page": page,
        "results": [staff_summary(m) for m in rows],
    }


@router.get("/messages/{tracking_number}", response=MessageDetailOut, summary="One message")
def get_message(request: HttpRequest, tracking_number: str) -> dict[str, Any]:
    message = (
        Message.objects.filter(_scope(request), tracking_number=tracking_number)
        .select_related("region", "lead_department", "category")
        .first()
    )
    if message is None:  # not found and not allowed look the same: no probing
        raise ApiError(404, "not_found", _("No such message in your scope."))
    return {**staff_summary(message), "content": message.content}


class MoveIn(Schema):
    action: str
    expected_state: str | None = None
    category: int | None = None
    lead_department: int | None = None
    co_departments: list[int] = []
    note: str = ""
    reason: str = ""
    text: str = ""
    days: int | None = None
    decision: str = ""
    into: str = ""


class MoveOut(Schema):
    tracking_number: str
    state: str
    allowed_actions: list[str]


def _as_form(body: MoveIn) -> QueryDict:
    form = QueryDict(mutable=True)
    for name, value in body.dict(exclude={"action", "expected_state", "co_departments"}).items():
        if value is not None:
            form[name] = str(value)
    form.setlist("co_departments", [str(d) for d in body.co_departments])
    return form


@router.post(
    "/messages/{tracking_number}/moves",
    response=MoveOut,
    summary="Move a message (triage, forward, accept, reply …)",
)
def move_message(request: HttpRequest, tracking_number: str, body: MoveIn) -> dict[str, Any]:
    person = request.auth  # type: ignore[attr-defined]
    if not isinstance(person, User):
        raise ApiError(403, "person_required", _("Only a signed-in person can move a message."))
    message = Message.objects.filter(_scope(request), tracking_number=tracking_number).first()
    if message is None:
        raise ApiError(404, "not_found", _("No such message in your scope."))
    if body.action not in Action.__members__.values():
        raise ApiError(400, "unknown_action", _("There is no such action."))
    try:
        handler = HANDLERS[Action(body.action)]
        moved = handler(person, message, _as_form(body), body.expected_state)
    except IllegalMove as exc:
        status = 400 if exc.code == "invalid" else 409
        raise ApiError(status, exc.code, exc.message) from exc
    except PermissionDenied as exc:
        raise ApiError(403, "forbidden", _("You may not make this move.")) from exc
    return {
        "tracking_number": moved.tracking_number,
        "state": moved.state,
        "allowed_actions": [a.value for a in allowed_actions(person, moved)],
    }
