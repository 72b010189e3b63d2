"""The payment platform's HTTP API under /api/v1/payments (GOV.UK Pay's semantics).

``Authorization: Bearer <key>`` of an API client with the scope ``payments``; a client sees
only its own payments. Every endpoint calls ``services``, as the other apps of yiwang do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from yiwang.accounts.apikeys import authenticate_key
from yiwang.accounts.models import ApiClient
from yiwang.apierrors import ApiError, json_object
from yiwang.intake.limits import RateLimited, check_client_rate
from yiwang.payments import services
from yiwang.payments.services import PaymentError

router = Router(tags=["payments"])
SCOPE = "payments"
MAX_BODY = 16 * 1024


def _client(request: HttpRequest) -> ApiClient:
    scheme, _sep, key = request.headers.get("Authorization", "").partition(" ")
    client = authenticate_key(key) if scheme.lower() == "bearer" else None
    if client is None:
        raise ApiError(401, "invalid_api_key", _("The API key is missing, unknown or revoked."))
    if SCOPE not in client.scopes:
        raise ApiError(403, "missing_scope", _("This API key may not use the payments API."))
    try:
        check_client_rate(request, client.pk, client.rate_limit_per_minute)
    except RateLimited as exc:
        message = _("Too many requests; please try again later.")
        raise ApiError(429, "rate_limited", message, scope=exc.scope) from exc
    return client


def owner_of(client: ApiClient) -> str:
    return f"client:{client.pk}"


def _owner(request: HttpRequest) -> str:
    return owner_of(_client(request))


def _body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_BODY:
        raise ApiError(413, "too_large", _("The request body is larger than 16 KB."))
    return json_object(request.body)


def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return function(*args, **kwargs)
    except PaymentError as exc:
        raise ApiError(exc.status, exc.code, exc.message, **exc.extra) from exc


@router.post("/payments", response={200: dict[str, Any], 201: dict[str, Any]})
def create_payment(request: HttpRequest) -> Status[dict[str, Any]]:
    """Create a payment. With ``Idempotency-Key``, the same key and body within 24 hours give
    the original payment back (200); a different body with that key is refused (409)."""
    owner = _owner(request)
    key = request.headers.get("Idempotency-Key")
    view, created = _call(services.create_payment, owner, _body(request), key)
    return Status(201 if created else 200, view.to_json())


@router.get("/payments", response=dict[str, Any])
def search_payments(request: HttpRequest) -> dict[str, Any]:
    """The client's payments, newest first: ``reference``, ``state``, ``from_date``,
    ``to_date`` (ISO 8601), ``page`` and ``display_size`` (1–500)."""
    owner = _owner(request)
    params = request.GET
    found = _call(
        services.search_payments,
        owner,
        reference=params.get("reference") or None,
        state=params.get("state") or None,
        from_date=_when(params.get("from_date"), "from_date"),
        to_date=_when(params.get("to_date"), "to_date"),
        page=_number(params.get("page"), "page", 1),
        display_size=_number(params.get("display_size"), "display_size", 500),
    )
    return {
        "total": found.total,
        "count": len(found.results),
        "page": found.page,
        "pages": found.pages,
        "results": [view.to_json() for view in found.results],
    }


def _when(value: str | None, name: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        message = _("%(name)s must be an ISO 8601 time with a time zone.") % {"name": name}
        raise ApiError(400, "invalid_input", message)
    return parsed


def _number(value: str | None, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        message = _("%(name)s must be a positive whole number.") % {"name": name}
        raise ApiError(400, "invalid_input", message)
    return int(value)


@router.get("/payments/{payment_id}", response=dict[str, Any])
def get_payment(request: HttpRequest, payment_id: str) -> dict[str, Any]:
    """The payment as it stands now (strongly consistent: this decides the outcome)."""
    view = _call(services.get_payment, _owner(request), payment_id)
    result: dict[str, Any] = view.to_json()
    return result


@router.get("/payments/{payment_id}/events", response=dict[str, Any])
def payment_events(request: HttpRequest, payment_id: str) -> dict[str, Any]:
    events = _call(services.payment_events, _owner(request), payment_id)
    return {"payment_id": payment_id, "events": [event.to_json() for event in events]}


@router.post("/payments/{payment_id}/cancel", response={204: None})
def cancel_payment(request: HttpRequest, payment_id: str) -> HttpResponse:
    _call(services.cancel_payment, _owner(request), payment_id)
    return HttpResponse(status=204)


@router.post("/payments/{payment_id}/refunds", response={202: dict[str, Any]})
def create_refund(request: HttpRequest, payment_id: str) -> Status[dict[str, Any]]:
    """Refund part or all of a paid payment. Send the ``refund_amount_available`` you last
    saw: if it has changed meanwhile the refund is refused (412)."""
    owner = _owner(request)
    body = _body(request)
    refund = _call(
        services.create_refund,
        owner,
        payment_id,
        body.get("amount"),
        body.get("refund_amount_available"),
    )
    return Status(202, refund.to_json())


@router.get("/payments/{payment_id}/refunds", response=dict[str, Any])
def list_refunds(request: HttpRequest, payment_id: str) -> dict[str, Any]:
    refunds = _call(services.list_refunds, _owner(request), payment_id)
    return {"payment_id": payment_id, "refunds": [r.to_json() for r in refunds]}


@router.get("/payments/{payment_id}/refunds/{refund_id}", response=dict[str, Any])
def get_refund(request: HttpRequest, payment_id: str, refund_id: str) -> dict[str, Any]:
    refund = _call(services.get_refund, _owner(request), payment_id, refund_id)
    result: dict[str, Any] = refund.to_json()
    return result
