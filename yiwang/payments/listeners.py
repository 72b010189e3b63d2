"""Who hears that a payment finished: the app that owns it, in this process.

An app registers a handler for its owner name in its ``AppConfig.ready`` (``listen``). The
handler receives the payment as ``services.PaymentView`` (never the model), after the payment's
transaction commits, from a background task: at least once, so it must be idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from yiwang.payments.services import PaymentView

Handler = Callable[["PaymentView"], None]
_HANDLERS: dict[str, Handler] = {}


def listen(owner: str, handler: Handler) -> None:
    _HANDLERS[owner] = handler


def handler_for(owner: str) -> Handler | None:
    return _HANDLERS.get(owner)


def announce(payment_id: int) -> None:
    """Enqueue the news of a finished payment (call after commit)."""
    from yiwang.payments.tasks import announce_payment

    announce_payment.enqueue(payment_id)
