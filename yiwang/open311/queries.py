"""The read side of Open311: requests and their public updates, with nothing personal.

The description is returned only once the message is published on the public board, and then
in its published form (masked, or the editors' anonymised summary). Never returned: the
citizen's name, phone and e-mail, ``device_id`` and ``account_id``, and the attributes. The
address is cut at street level, coordinates are rounded to about 100 m, and ``address_id`` is
returned only when it is a region code.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from yiwang.casework.machine import Action, event_label
from yiwang.intake.models import EventKind, MessageEvent, MessageState
from yiwang.intake.queries import public_state
from yiwang.open311.catalogue import Service, in_language
from yiwang.open311.filters import LIMIT, RequestFilter, Window
from yiwang.open311.models import Open311Request
from yiwang.publishing.editorial import published_text

S = MessageState
CLOSED_STATES = frozenset({S.CLOSED, S.NOT_ACCEPTED, S.ANSWERED, S.MERGED})
COORDINATE_DIGITS = 3  # about 110 m of latitude: the street, not the door
_CHINESE_STREET = re.compile(r"^.*?(?:大道|大街|路|街(?!道)|巷|弄|胡同)")
_ENGLISH_STREET = re.compile(
    r"^\s*\d+[A-Za-z]?\s+(.*?\b(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Boulevard|Blvd|Way|"
    r"Drive|Dr)\b\.?)",
    re.IGNORECASE,
)
# The extended status of each public move (update-history extension).
UPDATE_STATUSES: dict[str, str] = {
    Action.TRIAGE: "IN_PROGRESS",
    Action.FORWARD: "INTERNAL_REFERRAL",
    Action.ACCEPT: "IN_PROGRESS",
    Action.APPROVE_REPLY: "FIXED",
    Action.ANSWER: "FIXED",
    Action.CLOSE: "CLOSED",
    Action.NOT_ACCEPT: "NO_FURTHER_ACTION",
    Action.MERGE: "DUPLICATE",
    Action.REOPEN: "REOPEN",
    Action.REHANDLE: "IN_PROGRESS",
}


def open_or_closed(state: str) -> str:
    return "closed" if state in CLOSED_STATES else "open"


def street_level(address: str) -> str:
    """The address up to its street (路, 街, 巷 …; "12 Main St" → "Main St"), else nothing:
    house numbers, buildings and rooms identify a home."""
    for pattern in (_CHINESE_STREET, _ENGLISH_STREET):
        match = pattern.match(address.strip())
        if match:
            return match.group(match.lastindex or 0).strip()
    return ""


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, COORDINATE_DIGITS)


def _end_of_day(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def _service(request: Open311Request, services: dict[str, Service]) -> tuple[str, str]:
    """The category the desk filed the message under, else the one the client asked for."""
    category = request.message.category
    if category is not None:
        return category.code, in_language(category.name_zh, category.name_en)
    service = services.get(request.service_code)
    return request.service_code, service.name() if service else ""


def request_fields(request: Open311Request, services: dict[str, Service]) -> dict[str, Any]:
    message = request.message
    state = public_state(message)
    code, name = _service(request, services)
    department = message.lead_department
    agency = in_language(department.name_zh, department.name_en) if department else ""
    description = published_text(message)
    return {
        "service_request_id": message.tracking_number,
        "status": open_or_closed(state),
        "status_notes": str(MessageState(state).label),
        "service_name": name,
        "service_code": code,
        **({"description": description} if description is not None else {}),
        "agency_responsible": agency,
        "service_notice": "",
        "requested_datetime": message.submitted_at,
        "updated_datetime": getattr(request, "updated_at", None) or message.submitted_at,
        "expected_datetime": _end_of_day(message.deadline),
        "address": street_level(request.address_string),
        "address_id": request.address_id if request.address_id == message.region.code else "",
        "zipcode": "",
        "lat": _rounded(request.lat),
        "long": _rounded(request.long),
        "media_url": request.media_url,
    }


def _requests() -> QuerySet[Open311Request]:
    last_public = MessageEvent.objects.filter(message=OuterRef("message_id"), is_public=True)
    return Open311Request.objects.select_related(
        "message__category", "message__lead_department", "message__region", "message__publication"
    ).annotate(updated_at=Subquery(last_public.order_by("-at", "-id").values("at")[:1]))


def find_request(tracking_number: str) -> Open311Request | None:
    return _requests().filter(message__tracking_number=tracking_number.strip().upper()).first()


def find_requests(chosen: RequestFilter) -> list[Open311Request]:
    """The newest requests matching the filter, at most ``LIMIT`` (one page)."""
    rows = _requests().order_by("-message__submitted_at", "-message_id")
    if chosen.ids:
        numbers = [number.upper() for number in chosen.ids]
        return list(rows.filter(message__tracking_number__in=numbers)[:LIMIT])
    assert chosen.window is not None
    rows = rows.filter(message__submitted_at__range=(chosen.window.start, chosen.window.end))
    if chosen.codes:
        rows = rows.filter(
            Q(message__category__code__in=chosen.codes)
            | Q(message__category__isnull=True, service_code__in=chosen.codes)
        )
    if len(chosen.statuses) == 1:
        closed = Q(message__state__in=CLOSED_STATES)
        rows = rows.filter(closed if chosen.statuses[0] == "closed" else ~closed)
    first = (chosen.page - 1) * chosen.page_size
    return list(rows[first : first + chosen.page_size])


def update_fields(event: MessageEvent) -> dict[str, Any]:
    status = "OPEN" if event.kind == EventKind.SUBMITTED else UPDATE_STATUSES.get(event.action)
    return {
        "update_id": str(event.pk),
        "service_request_id": event.message.tracking_number,
        "status": status or "IN_PROGRESS",
        "updated_datetime": event.at,
        "description": event_label(str(event.get_kind_display()), event.action),
        "media_url": "",
    }


def find_updates(window: Window) -> list[MessageEvent]:
    """Public moves of Open311 requests in the window, oldest first, at most ``LIMIT``."""
    return list(
        MessageEvent.objects.filter(
            message__open311__isnull=False,
            is_public=True,
            kind__in=(EventKind.SUBMITTED, EventKind.CASE_ACTION),
            at__range=(window.start, window.end),
        )
        .select_related("message")
        .order_by("at", "id")[:LIMIT]
    )


def find_by_token(token: str) -> Open311Request | None:
    return Open311Request.objects.select_related("message").filter(token=token.strip()).first()
