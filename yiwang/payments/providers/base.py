"""The one interface every payment provider adapter implements (``payments.md``, providers).

The payments core speaks only these types: it never sees a provider's field names, signature
scheme or status words. An adapter turns our charge into the provider's request, a provider's
notification into a ``ProviderEvent`` (after verifying it), and answers the provider the way it
expects. Adapters hold no database state: the core decides what an event means for a payment,
under a row lock, and checks the amount against its own record.

Calls to the provider's gateway go through a ``Transport`` so tests can stand a fake gateway
in its place; a transport that cannot reach the provider raises ``ProviderUnavailable``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable


class ProviderStatus(StrEnum):
    """A charge's state as the provider tells it, in our words."""

    PENDING = "pending"  # created or waiting for the payer (Alipay WAIT_BUYER_PAY, NOTPAY)
    SUCCESS = "success"  # paid (TRADE_SUCCESS, TRADE_FINISHED, SUCCESS)
    DECLINED = "declined"  # the payer's payment was refused (PAYERROR)
    CLOSED = "closed"  # closed unpaid: cancelled or timed out (TRADE_CLOSED, CLOSED, REVOKED)
    NOT_FOUND = "not_found"  # the provider has no such charge (it never reached them)


@dataclass(frozen=True)
class ChargeRequest:
    trade_no: str  # our trade number (Alipay out_trade_no, WeChat out_trade_no), 26 characters
    amount: int  # in 分 (fen), > 0
    description: str  # the subject shown to the payer
    return_url: str  # where the provider sends the payer back (our page, not the service's)
    notify_url: str  # where the provider posts its notifications (our endpoint)
    expires_at: dt.datetime  # aware; the provider should close the charge by then


@dataclass(frozen=True)
class Charge:
    next_url: str  # where to send the payer to pay (a page URL, or a QR code's content)
    provider_id: str = ""  # the provider's id for the charge, when it gives one at creation


@dataclass(frozen=True)
class ProviderEvent:
    """A verified notification, normalised."""

    notification_id: str  # stable across the provider's re-sends of the same notification
    trade_no: str
    status: ProviderStatus
    amount: int | None  # in 分, as the provider states it (None when it states none)
    provider_id: str = ""  # the provider's transaction id
    paid_at: dt.datetime | None = None
    raw: Mapping[str, object] = field(default_factory=dict)  # the parsed fields, for the record


@dataclass(frozen=True)
class QueryResult:
    trade_no: str
    status: ProviderStatus
    amount: int | None = None
    provider_id: str = ""
    paid_at: dt.datetime | None = None


@dataclass(frozen=True)
class RefundResult:
    accepted: bool  # the provider took the refund (it may still complete later)
    provider_refund_id: str = ""
    error: str = ""  # the provider's reason when not accepted


@dataclass(frozen=True)
class StatementRow:
    """One line of a provider's daily statement (对账单)."""

    trade_no: str
    provider_id: str
    amount: int  # in 分; a refund line's amount is positive, its kind says it is a refund
    kind: str = "payment"  # "payment" or "refund"
    at: dt.datetime | None = None


class InvalidNotification(Exception):
    """A notification that must not be applied: a bad signature, a body that does not parse,
    another merchant's. ``code`` is machine-readable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered with a server error: try again later."""


class ProviderRefused(Exception):
    """The provider answered, and said no (a business error): ``code`` is its reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes


# (method, url, headers, body) -> response; raises ProviderUnavailable when unreachable.
Transport = Callable[[str, str, Mapping[str, str], bytes], HttpResponse]


@dataclass(frozen=True)
class Ack:
    """What to answer the provider's notification request."""

    status: int
    body: bytes
    content_type: str = "text/plain"


@runtime_checkable
class QueriesMany(Protocol):
    """A provider that answers for many trades in one call (the simulator; a gateway with a
    batch query). Reconciliation asks such a provider a chunk's trades at once, any other
    one trade at a time."""

    def query_many(self, trade_nos: Sequence[str]) -> dict[str, QueryResult]:
        """An answer for every trade number asked (``NOT_FOUND`` for one it never saw).
        Raises ``ProviderUnavailable`` as ``query`` does."""
        ...


class Provider(Protocol):
    name: str

    def create_charge(self, request: ChargeRequest) -> Charge: ...

    def verify_and_parse_notification(
        self, headers: Mapping[str, str], body: bytes
    ) -> ProviderEvent: ...

    def ack(self, ok: bool) -> Ack: ...

    def query(self, trade_no: str) -> QueryResult: ...

    def refund(self, trade_no: str, refund_no: str, amount: int, total: int) -> RefundResult: ...

    def cancel(self, trade_no: str) -> None: ...

    def fetch_statement(self, day: dt.date) -> Iterable[StatementRow]: ...
