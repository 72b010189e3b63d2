"""The fines app as an owner of payments: the platform tells it when one finishes."""

from __future__ import annotations

from yiwang.fines.actions import OWNER, do_record_payment
from yiwang.payments.services import PaymentView

__all__ = ["OWNER", "on_payment_finished"]


def on_payment_finished(view: PaymentView) -> None:
    do_record_payment(view)
