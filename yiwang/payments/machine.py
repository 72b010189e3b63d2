"""The moves a payment may make, and nothing else (``payments.md``, states).

A finished payment never moves again: a late or repeated notification cannot take a paid
payment back to failed, nor a failed one forward to paid (that money is refunded instead).
"""

from __future__ import annotations

from yiwang.payments.models import FINISHED_STATES, PaymentState

_ENDINGS = FINISHED_STATES
EDGES: dict[str, frozenset[str]] = {
    # Created: the service asked; nobody has opened the payment page yet.
    PaymentState.CREATED: frozenset({PaymentState.STARTED, *_ENDINGS}),
    # Started: the payer is on our page. A provider's answer may overtake our own record of
    # having handed the charge over (its notification before our commit), hence the endings.
    PaymentState.STARTED: frozenset({PaymentState.SUBMITTED, *_ENDINGS}),
    PaymentState.SUBMITTED: frozenset(_ENDINGS),
}


class IllegalTransition(Exception):
    def __init__(self, current: str, wanted: str) -> None:
        super().__init__(f"a payment cannot move from {current} to {wanted}")
        self.current = current
        self.wanted = wanted


def can_move(current: str, wanted: str) -> bool:
    return wanted in EDGES.get(current, frozenset())


def check_move(current: str, wanted: str) -> None:
    if not can_move(current, wanted):
        raise IllegalTransition(current, wanted)
