"""Every write of the payment platform (``README.md``). Callers go through ``services``.

Locks: a payment's row is locked (``select_for_update``) for every change of its state, so a
notification, a query, the expiry sweep and the payer cannot interleave their checks and
writes. No lock is held while a provider is called over the network.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from yiwang.payments.ids import new_external_id
from yiwang.payments.machine import can_move
from yiwang.payments.models import (
    EventSource,
    FailureCode,
    IdempotencyKey,
    NotificationOutcome,
    Payment,
    PaymentEvent,
    PaymentState,
    ProviderNotification,
    Refund,
    RefundState,
)
from yiwang.payments.providers.base import (
    Ack,
    ChargeRequest,
    InvalidNotification,
    ProviderEvent,
    ProviderRefused,
    ProviderStatus,
    ProviderUnavailable,
    QueryResult,
    RefundResult,
)
from yiwang.payments.providers.registry import get_provider
from yiwang.payments.webhooks.actions import do_queue_event

log = logging.getLogger(__name__)

IDEMPOTENCY_HOURS = 24


@dataclass(frozen=True)
class NewPayment:
    amount: int
    reference: str
    description: str
    return_url: str
    metadata: dict[str, Any] = field(default_factory=dict)
    language: str = "zh-hans"

    def digest(self) -> str:
        """A fingerprint of the request, to tell a repeat from a different body."""
        body = json.dumps(self.__dict__, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(body.encode()).hexdigest()


class IdempotencyConflict(Exception):
    """The key was used within 24 hours for a different request."""


def do_create_payment(
    owner: str, request: NewPayment, idempotency_key: str | None = None
) -> tuple[Payment, bool]:
    """A new payment, or the one this key already made (then ``False``)."""
    if idempotency_key is None:
        with transaction.atomic():
            return _create(owner, request), True
    try:
        with transaction.atomic():
            existing = _keyed(owner, idempotency_key, request)
            if existing is not None:
                return existing, False
            payment = _create(owner, request)
            IdempotencyKey.objects.create(
                owner=owner,
                key=idempotency_key,
                body_hash=request.digest(),
                payment=payment,
                created_at=payment.created_at,
            )
            return payment, True
    except IntegrityError:
        # The same key at the same moment: the other request made the payment; answer as a
        # repeat would (or refuse a different body).
        with transaction.atomic():
            existing = _keyed(owner, idempotency_key, request)
        if existing is None:
            raise
        return existing, False


def _keyed(owner: str, key: str, request: NewPayment) -> Payment | None:
    row = (
        IdempotencyKey.objects.select_for_update()
        .select_related("payment")
        .filter(owner=owner, key=key)
        .first()
    )
    if row is None:
        return None
    if row.created_at < timezone.now() - dt.timedelta(hours=IDEMPOTENCY_HOURS):
        row.delete()  # an old key may be used again for a new payment
        return None
    if row.body_hash != request.digest():
        raise IdempotencyConflict
    return row.payment


def _create(owner: str, request: NewPayment) -> Payment:
    now = timezone.now()
    payment = Payment.objects.create(
        external_id=new_external_id(),
        owner=owner,
        amount=request.amount,
        reference=request.reference,
        description=request.description,
        return_url=request.return_url,
        metadata=request.metadata,
        language=request.language,
        state=PaymentState.CREATED,
        created_at=now,
        updated_at=now,
        expires_at=now + dt.timedelta(minutes=settings.YIWANG_PAYMENT_EXPIRY_MINUTES),
    )
    PaymentEvent.objects.create(
        payment=payment, state=payment.state, source=EventSource.SERVICE, at=now
    )
    return payment


# --- Moving a payment -----------------------------------------------------------------------


def _locked(payment_id: int) -> Payment:
    # Every state change reads the row under this lock: see the module's docstring.
    return Payment.objects.select_for_update().get(pk=payment_id)


def _move(
    payment: Payment,
    state: str,
    source: str,
    *,
    failure_code: str = "",
    detail: dict[str, Any] | None = None,
) -> bool:
    """Move a locked payment along an allowed edge; False (and nothing written) otherwise."""
    if payment.state == state or not can_move(payment.state, state):
        return False
    now = timezone.now()
    payment.state = state
    payment.failure_code = failure_code
    payment.updated_at = now
    if payment.finished:
        payment.finished_at = now
    payment.save(update_fields=["state", "failure_code", "updated_at", "finished_at"])
    PaymentEvent.objects.create(
        payment=payment, state=state, source=source, at=now, detail=detail or {}
    )
    if payment.finished:
        _after_finish(payment)
    return True


def _after_finish(payment: Payment) -> None:
    from yiwang.payments.listeners import announce

    payment_id = payment.pk
    transaction.on_commit(lambda: announce(payment_id))


def do_open(payment_id: int) -> Payment:
    """The payer opened the payment page."""
    with transaction.atomic():
        payment = _locked(payment_id)
        if payment.state == PaymentState.CREATED and not _expire_if_due(payment):
            _move(payment, PaymentState.STARTED, EventSource.PAYER)
        return payment


class ChargeFailed(Exception):
    """The provider could not take the charge now (``retry``) or at all."""

    def __init__(self, retry: bool) -> None:
        super().__init__("the provider did not take the charge")
        self.retry = retry


def do_submit(payment_id: int, provider_name: str) -> Payment:
    """Hand the charge to the chosen provider; the payer goes on to ``provider_url``."""
    provider = get_provider(provider_name)
    with transaction.atomic():
        payment = _locked(payment_id)
        if payment.state != PaymentState.STARTED or _expire_if_due(payment):
            return payment
        payment.provider = provider_name
        payment.save(update_fields=["provider"])
    request = ChargeRequest(
        trade_no=payment.external_id,
        amount=payment.amount,
        description=payment.description,
        return_url=absolute_url("payments:returned", payment.external_id),
        notify_url=absolute_url("payments:notify", provider_name),
        expires_at=payment.expires_at,
    )
    try:
        charge = provider.create_charge(request)
    except ProviderUnavailable as exc:
        log.warning("provider %s unavailable for %s: %s", provider_name, payment.external_id, exc)
        raise ChargeFailed(retry=True) from exc
    except ProviderRefused as exc:
        _fail_charge(payment.pk, exc)
        raise ChargeFailed(retry=False) from exc
    with transaction.atomic():
        payment = _locked(payment_id)
        payment.provider_url, payment.provider_id = charge.next_url, charge.provider_id
        payment.save(update_fields=["provider_url", "provider_id"])
        # Only from started: the provider's notification may have overtaken us (then the
        # payment is already finished and stays so).
        _move(payment, PaymentState.SUBMITTED, EventSource.PAYER)
        return payment


def absolute_url(name: str, argument: str) -> str:
    """The site's public address of a named URL (providers and payers come from outside)."""
    return str(settings.YIWANG_SITE_URL) + reverse(name, args=[argument])


def _fail_charge(payment_id: int, exc: ProviderRefused) -> None:
    with transaction.atomic():
        payment = _locked(payment_id)
        detail = {"provider_code": exc.code, "provider_message": exc.message[:200]}
        _move(
            payment,
            PaymentState.ERROR,
            EventSource.PAYER,
            failure_code=FailureCode.PROVIDER_ERROR,
            detail=detail,
        )


def do_abandon(payment_id: int) -> Payment:
    """The payer cancelled on our page (GOV.UK: failed, P0030)."""
    with transaction.atomic():
        payment = _locked(payment_id)
        if payment.state in (PaymentState.CREATED, PaymentState.STARTED):
            _move(
                payment,
                PaymentState.FAILED,
                EventSource.PAYER,
                failure_code=FailureCode.CANCELLED_BY_USER,
            )
        return payment


def _expire_if_due(payment: Payment) -> bool:
    if payment.finished or payment.expires_at > timezone.now():
        return False
    return _move(payment, PaymentState.FAILED, EventSource.EXPIRY, failure_code=FailureCode.EXPIRED)


# --- What the provider says -------------------------------------------------------------------


def _apply_status(
    payment: Payment, status: str, amount: int | None, source: str, detail: dict[str, Any]
) -> str:
    """Apply the provider's word on a locked payment; returns the notification outcome."""
    if status == ProviderStatus.SUCCESS and amount != payment.amount:
        log.error("provider amount %s differs from %s's %s", amount, payment, payment.amount)
        return NotificationOutcome.REFUSED
    if status == ProviderStatus.SUCCESS:
        moved = _move(payment, PaymentState.SUCCESS, source, detail=detail)
        if not moved and payment.state != PaymentState.SUCCESS:
            # Paid at the provider, finished otherwise here (expired or cancelled first):
            # the money goes back (reconciliation records it too).
            log.error("provider success for finished payment %s (%s)", payment, payment.state)
            return NotificationOutcome.REFUSED
        return NotificationOutcome.APPLIED if moved else NotificationOutcome.NO_CHANGE
    if status == ProviderStatus.DECLINED:
        code = FailureCode.REJECTED
        moved = _move(payment, PaymentState.FAILED, source, failure_code=code, detail=detail)
    elif status == ProviderStatus.CLOSED:
        moved = _closed(payment, source, detail)
    elif status == ProviderStatus.PENDING:
        moved = _move(payment, PaymentState.SUBMITTED, source, detail=detail)
    else:  # NOT_FOUND: the charge never reached the provider; expiry will end it
        moved = False
    return NotificationOutcome.APPLIED if moved else NotificationOutcome.NO_CHANGE


def _closed(payment: Payment, source: str, detail: dict[str, Any]) -> bool:
    """Closed unpaid at the provider: expired once past our expiry, else the payer gave up."""
    expired = payment.expires_at <= timezone.now()
    code = FailureCode.EXPIRED if expired else FailureCode.CANCELLED_BY_USER
    return _move(payment, PaymentState.FAILED, source, failure_code=code, detail=detail)


def do_receive_notification(provider_name: str, headers: dict[str, str], body: bytes) -> Ack:
    """Verify a provider's notification and apply it at most once; the answer it expects."""
    provider = get_provider(provider_name)
    try:
        event = provider.verify_and_parse_notification(headers, body)
    except InvalidNotification as exc:
        log.warning("refused a %s notification: %s (%s)", provider_name, exc.code, exc.message)
        return provider.ack(False)
    try:
        outcome = _record_notification(provider_name, event)
    except IntegrityError:
        outcome = NotificationOutcome.UNMATCHED  # a twin of an unmatched one, at once
    return provider.ack(outcome != NotificationOutcome.UNMATCHED)


def _record_notification(provider_name: str, event: ProviderEvent) -> str:
    with transaction.atomic():
        # The payment's lock first: twin notifications then queue here, and the second finds
        # the first's row.
        payment = (
            Payment.objects.select_for_update()
            .filter(external_id=event.trade_no, provider=provider_name)
            .first()
        )
        seen = ProviderNotification.objects.filter(
            provider=provider_name, notification_id=event.notification_id
        ).first()
        if seen is not None and (seen.outcome != NotificationOutcome.UNMATCHED or payment is None):
            seen.times_received += 1
            seen.save(update_fields=["times_received"])
            return str(seen.outcome)
        outcome: str = NotificationOutcome.UNMATCHED
        if payment is not None:
            detail = {"notification_id": event.notification_id, "provider_id": event.provider_id}
            outcome = _apply_status(
                payment, event.status, event.amount, EventSource.NOTIFICATION, detail
            )
        _save_notification(provider_name, event, payment, outcome, seen)
        return outcome


def _save_notification(
    provider_name: str,
    event: ProviderEvent,
    payment: Payment | None,
    outcome: str,
    seen: ProviderNotification | None,
) -> None:
    if seen is not None:  # unmatched before, matched now
        seen.payment, seen.outcome = payment, outcome
        seen.times_received += 1
        seen.save(update_fields=["payment", "outcome", "times_received"])
        return
    ProviderNotification.objects.create(
        provider=provider_name,
        notification_id=event.notification_id,
        trade_no=event.trade_no[:64],
        payment=payment,
        status=event.status,
        amount=event.amount,
        provider_id=event.provider_id[:64],
        outcome=outcome,
        received_at=timezone.now(),
    )


def do_resolve(payment_id: int, source: str = EventSource.QUERY) -> Payment:
    """Ask the provider how an unfinished payment stands and apply the answer (the return
    page, the sweep for silent providers, reconciliation). Raises ``ProviderUnavailable``."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.finished or not payment.provider:
        return payment
    answer = get_provider(payment.provider).query(payment.external_id)
    return _apply_answer(payment_id, answer, source)


def _apply_answer(payment_id: int, answer: QueryResult, source: str) -> Payment:
    with transaction.atomic():
        payment = _locked(payment_id)
        detail = {"provider_status": str(answer.status), "provider_id": answer.provider_id}
        _apply_status(payment, answer.status, answer.amount, source, detail)
        return payment


def do_expire(payment_id: int) -> Payment:
    """Expire an unfinished payment past its time: ask the provider first (it may have been
    paid after all), close the charge there so it cannot be paid later, then mark it failed
    (P0020). Raises ``ProviderUnavailable``: the next sweep tries again."""
    payment = do_resolve(payment_id, EventSource.EXPIRY)
    if payment.finished or payment.expires_at > timezone.now():
        return payment
    if payment.provider:
        get_provider(payment.provider).cancel(payment.external_id)
    with transaction.atomic():
        payment = _locked(payment_id)
        _expire_if_due(payment)
        return payment


def do_expire_due(limit: int = 500) -> int:
    """The sweep: expire every unfinished payment past its time (oldest first)."""
    due = Payment.objects.filter(
        state__in=[PaymentState.CREATED, PaymentState.STARTED, PaymentState.SUBMITTED],
        expires_at__lte=timezone.now(),
    ).order_by("expires_at")
    expired = 0
    for payment_id in due.values_list("pk", flat=True)[:limit]:
        try:
            expired += do_expire(payment_id).finished
        except ProviderUnavailable as exc:
            log.warning("could not expire payment %s yet: %s", payment_id, exc)
    return expired


SILENT_AFTER = dt.timedelta(minutes=10)


def do_resolve_silent(limit: int = 500) -> int:
    """Ask the provider about payments handed over long ago that no notification finished
    (a provider that never notifies, or our process stopped before recording its answer)."""
    now = timezone.now()
    silent = Payment.objects.filter(
        state__in=[PaymentState.STARTED, PaymentState.SUBMITTED],
        updated_at__lte=now - SILENT_AFTER,
        expires_at__gt=now,
    ).exclude(provider="")
    resolved = 0
    for payment_id in silent.order_by("updated_at").values_list("pk", flat=True)[:limit]:
        try:
            resolved += do_resolve(payment_id).finished
        except ProviderUnavailable as exc:
            log.warning("could not ask about payment %s: %s", payment_id, exc)
    return resolved


def do_announce(payment_id: int) -> bool:
    """Tell the payment's owner that it finished (its handler is idempotent)."""
    from yiwang.payments.listeners import handler_for
    from yiwang.payments.services import view_of

    payment = Payment.objects.get(pk=payment_id)
    view = view_of(payment)
    client_id = _client_id(payment.owner)
    if client_id is not None:
        with transaction.atomic():
            do_queue_event(client_id, EVENT_OF_STATE[payment.state], view.to_json())
        return True
    handler = handler_for(payment.owner)
    if handler is not None:
        handler(view)
    return handler is not None


EVENT_OF_STATE: dict[str, str] = {
    PaymentState.SUCCESS: "payment_succeeded",
    PaymentState.FAILED: "payment_failed",
    PaymentState.CANCELLED: "payment_cancelled",
    PaymentState.ERROR: "payment_error",
}


def _client_id(owner: str) -> int | None:
    """The API client's id of an owner ``client:<id>``; None for an app of yiwang."""
    prefix, _sep, number = owner.partition(":")
    return int(number) if prefix == "client" and number.isdigit() else None


# --- Cancelling and refunding -------------------------------------------------------------------


class CannotCancel(Exception):
    pass


def do_cancel(payment_id: int) -> Payment:
    """The service cancels an unfinished payment (GOV.UK: cancelled, P0040). A charge handed
    to a provider is closed there first, so it cannot be paid later; a payment the provider
    has paid meanwhile is recorded as paid and the cancellation refused."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.finished:
        raise CannotCancel
    if payment.provider:
        payment = do_resolve(payment_id)
        if payment.finished:
            raise CannotCancel
        get_provider(payment.provider).cancel(payment.external_id)
    with transaction.atomic():
        payment = _locked(payment_id)
        code = FailureCode.CANCELLED_BY_SERVICE
        if not _move(payment, PaymentState.CANCELLED, EventSource.SERVICE, failure_code=code):
            raise CannotCancel
        return payment


class RefundRefused(Exception):
    def __init__(self, code: str, available: int) -> None:
        super().__init__(code)
        self.code = code  # "not_available", "amount_available_mismatch", "too_much"
        self.available = available


def available_to_refund(payment: Payment) -> int:
    return payment.amount - payment.refunded if payment.state == PaymentState.SUCCESS else 0


def do_refund(payment_id: int, amount: int, expected_available: int | None) -> Refund:
    """Refund part or all of a paid payment. ``expected_available`` is the caller's
    ``refund_amount_available`` (optimistic concurrency: a stale one is refused)."""
    with transaction.atomic():
        payment = _locked(payment_id)  # two refunds at once cannot both pass the check
        available = available_to_refund(payment)
        if payment.state != PaymentState.SUCCESS:
            raise RefundRefused("not_available", available)
        if expected_available is not None and expected_available != available:
            raise RefundRefused("amount_available_mismatch", available)
        if available == 0:
            raise RefundRefused("not_available", available)
        if amount > available:
            raise RefundRefused("too_much", available)
        payment.refunded += amount
        payment.save(update_fields=["refunded"])
        refund = Refund.objects.create(
            external_id=new_external_id(),
            payment=payment,
            amount=amount,
            state=RefundState.SUBMITTED,
            created_at=timezone.now(),
        )
    return _send_refund(refund)


def _send_refund(refund: Refund) -> Refund:
    payment = refund.payment
    provider = get_provider(payment.provider)
    try:
        result = provider.refund(
            payment.external_id, refund.external_id, refund.amount, payment.amount
        )
    except ProviderUnavailable:
        return refund  # stays submitted; the refund sweep sends it again (same refund number)
    except ProviderRefused as exc:
        result = RefundResult(False, error=exc.code)
    with transaction.atomic():
        payment = _locked(payment.pk)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.state != RefundState.SUBMITTED:
            return refund
        refund.finished_at = timezone.now()
        if result.accepted:
            refund.state, refund.provider_refund_id = RefundState.SUCCESS, result.provider_refund_id
            _announce_refund(payment, refund)
        else:
            refund.state, refund.error = RefundState.ERROR, result.error[:255]
            payment.refunded -= refund.amount  # the money was not returned: available again
            payment.save(update_fields=["refunded"])
        refund.save(update_fields=["state", "provider_refund_id", "error", "finished_at"])
        return refund


def _announce_refund(payment: Payment, refund: Refund) -> None:
    client_id = _client_id(payment.owner)
    if client_id is not None:
        from yiwang.payments.services import view_of

        resource = view_of(payment).to_json()
        resource["refund"] = {"refund_id": refund.external_id, "amount": refund.amount}
        do_queue_event(client_id, "refund_succeeded", resource)
