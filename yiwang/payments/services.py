"""The payment platform's public functions: the HTTP API calls these, and so does every other
app of yiwang (fines now, applications' fees later). Nothing outside this app touches its
tables; callers get plain data (``PaymentView``) and ``PaymentError``s with an HTTP status and
a machine-readable code.

An ``owner`` is who asks: ``"client:<id>"`` for an API client, or an app's name (``"fines"``).
Each owner sees only its own payments.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from yiwang.payments import actions
from yiwang.payments.ids import is_external_id
from yiwang.payments.models import (
    FINISHED_STATES,
    FailureCode,
    Payment,
    PaymentEvent,
    PaymentState,
    Refund,
)
from yiwang.payments.providers.base import ProviderUnavailable

MAX_AMOUNT = 100_000_000  # ¥1,000,000 in 分
MAX_TEXT = 255
MAX_URL = 2000
MAX_METADATA_KEYS = 15
MAX_METADATA_KEY = 30
MAX_METADATA_VALUE = 100
MAX_PAGE_SIZE = 500
LANGUAGES = ("zh-hans", "en")
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9-]{1,255}")


class PaymentError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


@dataclass(frozen=True)
class PaymentView:
    payment_id: str
    owner: str
    amount: int
    reference: str
    description: str
    return_url: str
    metadata: dict[str, Any]
    language: str
    state: str
    finished: bool
    failure_code: str
    failure_message: str
    provider: str
    provider_id: str
    created_date: dt.datetime
    expires_at: dt.datetime
    next_url: str  # our payment page, for the payer (until the payment is finished)
    refund_amount_available: int
    refund_amount_submitted: int

    def to_json(self) -> dict[str, Any]:
        state: dict[str, Any] = {"status": self.state, "finished": self.finished}
        if self.failure_code:
            state |= {"code": self.failure_code, "message": self.failure_message}
        return {
            "payment_id": self.payment_id,
            "amount": self.amount,
            "reference": self.reference,
            "description": self.description,
            "return_url": self.return_url,
            "metadata": self.metadata,
            "language": self.language,
            "state": state,
            "payment_provider": self.provider or None,
            "provider_id": self.provider_id or None,
            "created_date": self.created_date.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "refund_summary": {
                "status": _refund_status(self),
                "amount_available": self.refund_amount_available,
                "amount_submitted": self.refund_amount_submitted,
            },
            "_links": {"next_url": {"href": self.next_url} if not self.finished else None},
        }


def _refund_status(view: PaymentView) -> str:
    if view.state != PaymentState.SUCCESS:
        return "pending" if not view.finished else "unavailable"
    return "available" if view.refund_amount_available else "full"


def _failure_message(code: str) -> str:
    return str(FailureCode(code).label) if code else ""


def view_of(payment: Payment) -> PaymentView:
    return PaymentView(
        payment_id=payment.external_id,
        owner=payment.owner,
        amount=payment.amount,
        reference=payment.reference,
        description=payment.description,
        return_url=payment.return_url,
        metadata=payment.metadata,
        language=payment.language,
        state=payment.state,
        finished=payment.finished,
        failure_code=payment.failure_code,
        failure_message=_failure_message(payment.failure_code),
        provider=payment.provider,
        provider_id=payment.provider_id,
        created_date=payment.created_at,
        expires_at=payment.expires_at,
        next_url=actions.absolute_url("payments:pay", payment.external_id),
        refund_amount_available=actions.available_to_refund(payment),
        refund_amount_submitted=payment.refunded,
    )


# --- Creating -----------------------------------------------------------------------------------


def create_payment(
    owner: str, fields: dict[str, Any], idempotency_key: str | None = None
) -> tuple[PaymentView, bool]:
    """A new payment from the request's fields (checked here), or the one an earlier request
    with the same ``idempotency_key`` made (then ``False``)."""
    if idempotency_key is not None and not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        raise PaymentError(
            422,
            "idempotency_key_invalid",
            _("The Idempotency-Key must be 1 to 255 letters, digits or hyphens."),
        )
    request = check_new_payment(fields)
    try:
        payment, created = actions.do_create_payment(owner, request, idempotency_key)
    except actions.IdempotencyConflict as exc:
        message = _("This Idempotency-Key was used in the last 24 hours for a different payment.")
        raise PaymentError(409, "idempotency_conflict", message) from exc
    return view_of(payment), created


def check_new_payment(fields: dict[str, Any]) -> actions.NewPayment:
    errors: list[dict[str, str]] = []

    def fail(field: str, code: str, message: str) -> None:
        errors.append({"field": field, "code": code, "message": message})

    unknown = sorted(set(fields) - {*actions.NewPayment.__dataclass_fields__})
    for name in unknown:
        fail(name, "unknown_field", _("This field is not part of a payment."))
    amount = fields.get("amount")
    if type(amount) is not int or not 1 <= amount <= MAX_AMOUNT:
        message = _("The amount must be a whole number of fen from 1 to %(max)s.")
        fail("amount", "invalid", message % {"max": MAX_AMOUNT})
    for name in ("reference", "description"):
        _check_text(fields.get(name), name, fail)
    if not _is_web_url(fields.get("return_url")):
        message = _("The return URL must be an http or https address of at most 2000 characters.")
        fail("return_url", "invalid", message)
    metadata = fields.get("metadata", {})
    _check_metadata(metadata, fail)
    language = fields.get("language", "zh-hans")
    if language not in LANGUAGES:
        fail("language", "invalid", _("The language must be zh-hans or en."))
    if errors:
        raise PaymentError(
            400, "invalid_input", _("Some fields are missing or wrong."), errors=errors
        )
    return actions.NewPayment(
        amount=amount,  # type: ignore[arg-type]
        reference=str(fields["reference"]).strip(),
        description=str(fields["description"]).strip(),
        return_url=str(fields["return_url"]),
        metadata=dict(metadata),
        language=str(language),
    )


def _check_text(value: Any, name: str, fail: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        fail(name, "missing", _("This field is required."))
    elif len(value) > MAX_TEXT or "\x00" in value:
        fail(name, "invalid", _("At most 255 characters, without NUL characters."))


def _is_web_url(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > MAX_URL or any(c.isspace() for c in value):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _check_metadata(metadata: Any, fail: Any) -> None:
    if not isinstance(metadata, dict):
        fail("metadata", "invalid", _("Metadata must be an object."))
        return
    if len(metadata) > MAX_METADATA_KEYS:
        fail("metadata", "too_many_keys", _("Metadata may hold at most 15 keys."))
    for key, value in metadata.items():
        if not 1 <= len(key) <= MAX_METADATA_KEY:
            fail("metadata", "invalid_key", _("Metadata keys are 1 to 30 characters."))
        elif isinstance(value, str) and len(value) > MAX_METADATA_VALUE:
            fail(f"metadata.{key}", "too_long", _("Metadata values are at most 100 characters."))
        elif value is not None and not isinstance(value, str | int | float | bool):
            message = _("Metadata values are text, numbers or true/false.")
            fail(f"metadata.{key}", "invalid", message)


# --- Reading ------------------------------------------------------------------------------------


def _own(owner: str, payment_id: str) -> Payment:
    payment = None
    if is_external_id(payment_id):
        payment = Payment.objects.filter(owner=owner, external_id=payment_id).first()
    if payment is None:
        raise PaymentError(404, "not_found", _("There is no such payment."))
    return payment


def get_payment(owner: str, payment_id: str) -> PaymentView:
    """The payment as it stands now: read from the record every change goes through."""
    return view_of(_own(owner, payment_id))


@dataclass(frozen=True)
class EventView:
    state: str
    source: str
    at: dt.datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "state": {"status": self.state, "finished": self.state in FINISHED_STATES},
            "source": self.source,
            "updated": self.at.isoformat(),
        }


def payment_events(owner: str, payment_id: str) -> list[EventView]:
    payment = _own(owner, payment_id)
    events = PaymentEvent.objects.filter(payment=payment).order_by("at", "pk")
    return [EventView(e.state, e.source, e.at) for e in events]


@dataclass(frozen=True)
class SearchPage:
    total: int
    page: int
    pages: int
    results: list[PaymentView]


def search_payments(
    owner: str,
    *,
    reference: str | None = None,
    state: str | None = None,
    from_date: dt.datetime | None = None,
    to_date: dt.datetime | None = None,
    page: int = 1,
    display_size: int = MAX_PAGE_SIZE,
) -> SearchPage:
    """The owner's payments, newest first, a page at a time."""
    if state is not None and state not in PaymentState.values:
        raise PaymentError(400, "invalid_input", _("Unknown state: %(state)s.") % {"state": state})
    if not 1 <= display_size <= MAX_PAGE_SIZE or page < 1:
        raise PaymentError(400, "invalid_input", _("Pages start at 1; a page holds 1 to 500."))
    rows: QuerySet[Payment] = Payment.objects.filter(owner=owner)
    if reference:
        rows = rows.filter(reference=reference)
    if state:
        rows = rows.filter(state=state)
    if from_date:
        rows = rows.filter(created_at__gte=from_date)
    if to_date:
        rows = rows.filter(created_at__lt=to_date)
    total = rows.count()
    pages = max(1, math.ceil(total / display_size))
    chosen = rows.order_by("-created_at", "-pk")[(page - 1) * display_size : page * display_size]
    return SearchPage(total, page, pages, [view_of(p) for p in chosen])


# --- Cancelling and refunds ---------------------------------------------------------------------


def cancel_payment(owner: str, payment_id: str) -> None:
    payment = _own(owner, payment_id)
    try:
        actions.do_cancel(payment.pk)
    except actions.CannotCancel as exc:
        message = _("The payment has finished and cannot be cancelled.")
        raise PaymentError(400, "cancel_failed", message) from exc
    except ProviderUnavailable as exc:
        message = _("The payment provider cannot be reached; please try again later.")
        raise PaymentError(503, "provider_unavailable", message) from exc


@dataclass(frozen=True)
class RefundView:
    refund_id: str
    payment_id: str
    amount: int
    status: str
    created_date: dt.datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "refund_id": self.refund_id,
            "payment_id": self.payment_id,
            "amount": self.amount,
            "status": self.status,
            "created_date": self.created_date.isoformat(),
        }


def _refund_view(refund: Refund, payment_id: str) -> RefundView:
    return RefundView(
        refund.external_id, payment_id, refund.amount, refund.state, refund.created_at
    )


def create_refund(
    owner: str, payment_id: str, amount: Any, refund_amount_available: Any = None
) -> RefundView:
    payment = _own(owner, payment_id)
    if type(amount) is not int or amount < 1:
        message = _("The amount must be a whole number of fen, at least 1.")
        raise PaymentError(400, "invalid_input", message, errors=[{"field": "amount"}])
    if refund_amount_available is not None and type(refund_amount_available) is not int:
        message = _("refund_amount_available must be a whole number of fen.")
        raise PaymentError(400, "invalid_input", message)
    try:
        refund = actions.do_refund(payment.pk, amount, refund_amount_available)
    except actions.RefundRefused as exc:
        raise _refund_error(exc) from exc
    return _refund_view(refund, payment_id)


def _refund_error(exc: actions.RefundRefused) -> PaymentError:
    extra = {"refund_amount_available": exc.available}
    if exc.code == "amount_available_mismatch":
        message = _("The amount available for refund has changed; get the payment again.")
        return PaymentError(412, "refund_amount_available_mismatch", message, **extra)
    if exc.code == "too_much":
        message = _("The refund is more than the amount available for refund.")
        return PaymentError(400, "refund_amount_too_high", message, **extra)
    message = _("This payment cannot be refunded (it is not paid or fully refunded).")
    return PaymentError(400, "refund_not_available", message, **extra)


def list_refunds(owner: str, payment_id: str) -> list[RefundView]:
    payment = _own(owner, payment_id)
    return [_refund_view(r, payment_id) for r in payment.refunds.order_by("created_at", "pk")]


def get_refund(owner: str, payment_id: str, refund_id: str) -> RefundView:
    payment = _own(owner, payment_id)
    refund = None
    if is_external_id(refund_id):
        refund = payment.refunds.filter(external_id=refund_id).first()
    if refund is None:
        raise PaymentError(404, "not_found", _("There is no such refund."))
    return _refund_view(refund, payment_id)
