"""The gateway webhook: POST /api/v1/gateways/<name>/messages, signed (decision 0023)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import ValidationError as PydanticValidationError

from yiwang.apierrors import ApiError, invalid_input_error, json_object, wrong_types_error
from yiwang.channels.gateways import (
    Delivery,
    ReplayedEvent,
    do_receive_delivery,
    gateway_secret,
)
from yiwang.channels.models import Gateway
from yiwang.intake.validation import IMPORT_CONTENT_LIMIT, InvalidInput
from yiwang.lib.codes import format_query_code
from yiwang.lib.signatures import signature_matches, timestamp_is_fresh

router = Router(tags=["gateways"])
MAX_BODY = 64 * 1024
CLOCK_SKEW_SECONDS = 300


class DeliveryIn(Schema):
    event_id: str = Field(min_length=1, max_length=64)
    sender: str = Field(alias="from", min_length=1, max_length=128)
    text: str = Field(min_length=1, max_length=IMPORT_CONTENT_LIMIT)
    received_at: datetime
    title: str = Field("", max_length=200)
    region: str = Field("", max_length=12)
    nature: str = Field("", max_length=16)


class DeliveredOut(Schema):
    tracking_number: str
    query_code: str | None
    duplicate: bool


def _gateway(name: str) -> Gateway:
    gateway = Gateway.objects.filter(name=name, is_active=True).first()
    if gateway is None:
        raise ApiError(404, "unknown_gateway", _("There is no active gateway with this name."))
    return gateway


def _check_signature(request: HttpRequest, gateway: Gateway) -> bytes:
    """The raw body, once the headers, the clock, the size and the signature are right."""
    timestamp = request.headers.get("X-Yiwang-Timestamp", "")
    signature = request.headers.get("X-Yiwang-Signature", "")
    if not timestamp or not signature:
        raise ApiError(
            401,
            "missing_signature",
            _("Send the X-Yiwang-Timestamp and X-Yiwang-Signature headers."),
        )
    if not timestamp_is_fresh(timestamp, time.time(), CLOCK_SKEW_SECONDS):
        raise ApiError(
            401,
            "stale_timestamp",
            _("The timestamp is more than five minutes from our clock; check the gateway's."),
        )
    if int(request.headers.get("Content-Length") or 0) > MAX_BODY:
        raise ApiError(413, "body_too_large", _("The body is larger than 64 KB."))
    body = request.body
    if len(body) > MAX_BODY:
        raise ApiError(413, "body_too_large", _("The body is larger than 64 KB."))
    if not signature_matches(gateway_secret(gateway), timestamp, body, signature):
        raise ApiError(401, "bad_signature", _("The signature does not match the body."))
    return body


def _delivery(body: bytes) -> Delivery:
    try:
        parsed = DeliveryIn.model_validate(json_object(body))
    except PydanticValidationError as exc:
        raise wrong_types_error(exc) from exc
    received_at = parsed.received_at
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    return Delivery(
        event_id=parsed.event_id.strip(),
        sender=parsed.sender.strip(),
        text=parsed.text,
        received_at=received_at,
        title=parsed.title.strip(),
        region=parsed.region.strip(),
        nature=parsed.nature.strip(),
    )


@router.post(
    "/gateways/{name}/messages",
    response={201: DeliveredOut, 200: DeliveredOut},
    summary="A message from a messaging gateway (signed webhook)",
    description=(
        "Signed with the gateway's secret: `X-Yiwang-Timestamp` (seconds since 1970) and "
        '`X-Yiwang-Signature: sha256=<hex HMAC-SHA256 of "timestamp.body">`. Timestamps more '
        "than five minutes off are refused; an `event_id` already received answers 409 with "
        "the first message's tracking number; the same words from the same phone within 24 "
        "hours answer 200 with the first message (`duplicate`). See docs/api.md."
    ),
)
def receive_from_gateway(request: HttpRequest, name: str) -> Status[dict[str, Any]]:
    gateway = _gateway(name)
    delivery = _delivery(_check_signature(request, gateway))
    try:
        result = do_receive_delivery(gateway, delivery)
    except InvalidInput as exc:
        raise invalid_input_error(exc) from exc
    except ReplayedEvent as exc:
        number = exc.message.tracking_number if exc.message else None
        raise ApiError(
            409, "replayed_event", _("This event was received before."), tracking_number=number
        ) from exc
    code = format_query_code(result.query_code) if result.query_code else None
    body = {
        "tracking_number": result.message.tracking_number,
        "query_code": code,
        "duplicate": not result.created,
    }
    return Status(201 if result.created else 200, body)
