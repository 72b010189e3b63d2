"""The built-in payment simulator: a provider for development, tests and the benchmark.

It behaves like a real provider seen from the outside: it keeps its own books
(``SimulatedCharge``), shows the payer a page to pay or cancel, sends signed notifications
(HMAC-SHA256 of the body under ``YIWANG_SIMULATOR_KEY``, header ``X-Simulator-Signature``)
after ``YIWANG_SIMULATOR_DELAY_SECONDS``, answers queries, refunds and cancellations, and
writes a T+1 statement. The outcome is chosen by the amount (``OUTCOMES``), so every fault
the payments core must survive can be produced on purpose.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from yiwang.lib.signatures import body_signature
from yiwang.payments.models import SimulatedCharge
from yiwang.payments.providers.base import (
    Ack,
    Charge,
    ChargeRequest,
    InvalidNotification,
    ProviderEvent,
    ProviderRefused,
    ProviderStatus,
    ProviderUnavailable,
    QueryResult,
    RefundResult,
    StatementRow,
)

SIGNATURE_HEADER = "X-Simulator-Signature"
MAX_BODY = 4096


@dataclass(frozen=True)
class Behaviour:
    """What the simulated provider does with a charge of a given amount."""

    pays: bool = True  # the payer's payment goes through (else it is declined)
    notifies: bool = True  # a notification is sent at all
    copies: int = 1  # the same notification this many times
    late_pending: bool = False  # a "pending" notification after the final one (out of order)
    tampered_first: bool = False  # the first notification carries a bad signature
    refuses_charge: bool = False  # the provider refuses to create the charge (an error)
    unavailable: bool = False  # the provider cannot be reached when the charge is created
    waits: bool = False  # the payer never pays: the charge stays pending until it expires


# The magic amounts, in 分 (¥100.01 to ¥100.08); every other amount is paid normally.
OUTCOMES: dict[int, Behaviour] = {
    10001: Behaviour(pays=False),
    10002: Behaviour(waits=True),
    10003: Behaviour(refuses_charge=True),
    10004: Behaviour(unavailable=True),
    10005: Behaviour(copies=8),
    10006: Behaviour(late_pending=True),
    10007: Behaviour(tampered_first=True),
    10008: Behaviour(notifies=False),
}


def behaviour(amount: int) -> Behaviour:
    return OUTCOMES.get(amount, Behaviour())


def sign(body: bytes) -> str:
    return body_signature(settings.YIWANG_SIMULATOR_KEY, body)


class SimulatorProvider:
    name = "simulator"

    def create_charge(self, request: ChargeRequest) -> Charge:
        conduct = behaviour(request.amount)
        if conduct.unavailable:
            raise ProviderUnavailable("the simulator is down for this amount (10004)")
        if conduct.refuses_charge:
            raise ProviderRefused("SIM_REFUSED", "the simulator refuses this amount (10003)")
        charge, _created = SimulatedCharge.objects.get_or_create(
            trade_no=request.trade_no,
            defaults={
                "provider_id": "SIM" + secrets.token_hex(12).upper(),
                "amount": request.amount,
                "status": ProviderStatus.PENDING,
                "notify_url": request.notify_url,
                "return_url": request.return_url,
                "created_at": timezone.now(),
            },
        )
        if settings.YIWANG_SIMULATOR_AUTOPAY:
            transaction.on_commit(lambda: pay(charge.trade_no))
        next_url = reverse("payments:simulator", args=[charge.trade_no])
        return Charge(next_url=next_url, provider_id=charge.provider_id)

    def verify_and_parse_notification(
        self, headers: Mapping[str, str], body: bytes
    ) -> ProviderEvent:
        if len(body) > MAX_BODY:
            raise InvalidNotification("malformed", "The notification is too large.")
        given = headers.get(SIGNATURE_HEADER, "")
        if not hmac.compare_digest(given.encode(), sign(body).encode()):
            raise InvalidNotification("bad_signature", "The signature does not match the body.")
        try:
            data = json.loads(body)
            return ProviderEvent(
                notification_id=str(data["id"]),
                trade_no=str(data["trade_no"]),
                status=ProviderStatus(data["status"]),
                amount=int(data["amount"]),
                provider_id=str(data["provider_id"]),
                paid_at=dt.datetime.fromisoformat(data["paid_at"]) if data["paid_at"] else None,
                raw=data,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidNotification("malformed", "The notification does not parse.") from exc

    def ack(self, ok: bool) -> Ack:
        return Ack(200, b"OK") if ok else Ack(400, b"FAIL")

    def query(self, trade_no: str) -> QueryResult:
        return self.query_many([trade_no])[trade_no]

    def query_many(self, trade_nos: Sequence[str]) -> dict[str, QueryResult]:
        columns = ("trade_no", "status", "amount", "provider_id", "paid_at")
        books = SimulatedCharge.objects.filter(trade_no__in=trade_nos).values_list(*columns)
        answers = {t: QueryResult(t, ProviderStatus.NOT_FOUND) for t in trade_nos}
        for trade_no, status, amount, provider_id, paid_at in books:
            answers[trade_no] = QueryResult(
                trade_no, ProviderStatus(status), amount, provider_id, paid_at
            )
        return answers

    def refund(self, trade_no: str, refund_no: str, amount: int, total: int) -> RefundResult:
        # One conditional UPDATE: two refunds at once can never take more than was paid.
        taken = SimulatedCharge.objects.filter(
            trade_no=trade_no, status=ProviderStatus.SUCCESS, refunded__lte=F("amount") - amount
        ).update(refunded=F("refunded") + amount)
        if taken:
            return RefundResult(True, provider_refund_id="SIMR" + secrets.token_hex(10).upper())
        charge = SimulatedCharge.objects.filter(trade_no=trade_no).first()
        if charge is None or charge.status != ProviderStatus.SUCCESS:
            return RefundResult(False, error="TRADE_NOT_PAID")
        return RefundResult(False, error="REFUND_AMOUNT_EXCEEDED")

    def cancel(self, trade_no: str) -> None:
        SimulatedCharge.objects.filter(trade_no=trade_no, status=ProviderStatus.PENDING).update(
            status=ProviderStatus.CLOSED
        )

    def fetch_statement(self, day: dt.date) -> Iterable[StatementRow]:
        """The day's paid charges (T+1), as plain rows in the books' order: a million of them
        stream in chunks. Like a bill file, without times: reconciliation matches on trade
        number, kind and amount (reading a million times would cost more than the match)."""
        paid = SimulatedCharge.objects.filter(status=ProviderStatus.SUCCESS, paid_at__date=day)
        columns = ("trade_no", "provider_id", "amount")
        for trade_no, provider_id, amount in paid.values_list(*columns).iterator(chunk_size=20_000):
            yield StatementRow(trade_no, provider_id, amount)


def pay(trade_no: str) -> None:
    """The payer pays (or is declined): the simulator's books change and its notifications go
    out, after the configured delay."""
    _settle(trade_no, paid=True)


def abandon(trade_no: str) -> None:
    """The payer cancels on the simulator's page: the charge closes."""
    _settle(trade_no, paid=False)


def _settle(trade_no: str, *, paid: bool) -> None:
    from yiwang.payments.tasks import send_simulated_notifications

    with transaction.atomic():
        charge = SimulatedCharge.objects.select_for_update().filter(trade_no=trade_no).first()
        if charge is None or charge.status != ProviderStatus.PENDING:
            return
        conduct = behaviour(charge.amount)
        if paid and conduct.waits:
            return
        if not paid:
            charge.status = ProviderStatus.CLOSED
        elif conduct.pays:
            charge.status, charge.paid_at = ProviderStatus.SUCCESS, timezone.now()
        else:
            charge.status = ProviderStatus.DECLINED
        charge.save(update_fields=["status", "paid_at"])
        if conduct.notifies:
            delay = settings.YIWANG_SIMULATOR_DELAY_SECONDS
            task = send_simulated_notifications
            if delay and task.get_backend().supports_defer:
                task = task.using(run_after=timezone.now() + dt.timedelta(seconds=delay))
            transaction.on_commit(lambda: task.enqueue(charge.pk))


def notifications(charge: SimulatedCharge) -> list[tuple[dict[str, str], bytes]]:
    """The notification requests (headers, body) the simulator sends for a settled charge."""
    conduct = behaviour(charge.amount)
    final = _body(charge, charge.status)
    sent = [final] * conduct.copies
    if conduct.late_pending:
        sent.append(_body(charge, ProviderStatus.PENDING))
    requests = [({SIGNATURE_HEADER: sign(body)}, body) for body in sent]
    if conduct.tampered_first:
        requests.insert(0, ({SIGNATURE_HEADER: sign(final + b" ")}, final))
    return requests


def _body(charge: SimulatedCharge, status: str) -> bytes:
    event = {
        # Stable across re-sends of the same news, as a real provider's notify_id is.
        "id": f"{charge.provider_id}-{status}",
        "trade_no": charge.trade_no,
        "provider_id": charge.provider_id,
        "status": status,
        "amount": charge.amount,
        "paid_at": charge.paid_at.isoformat() if charge.paid_at else None,
    }
    return json.dumps(event, sort_keys=True).encode()


def do_send_notifications(charge_id: int) -> int:
    """Send a settled charge's notifications to the payments core, as the provider would POST
    them to the notification URL (in this process: the same function the endpoint calls)."""
    from yiwang.payments.actions import do_receive_notification

    charge = SimulatedCharge.objects.filter(pk=charge_id).first()
    if charge is None:
        return 0
    for headers, body in notifications(charge):
        do_receive_notification("simulator", headers, body)
    return 1
