"""Background work of the payment platform. Each task body is one call to an idempotent action."""

from __future__ import annotations

from django_tasks import task

from yiwang.payments import actions
from yiwang.payments.providers import simulator
from yiwang.payments.webhooks import actions as webhooks


@task()
def send_simulated_notifications(charge_id: int) -> int:
    return simulator.do_send_notifications(charge_id)


@task()
def announce_payment(payment_id: int) -> bool:
    return actions.do_announce(payment_id)


@task()
def expire_payments(slot: str) -> int:
    return actions.do_expire_due()


@task()
def resolve_silent_payments(slot: str) -> int:
    return actions.do_resolve_silent()


@task()
def deliver_webhook(message_id: int) -> bool:
    return webhooks.do_deliver(message_id)


@task()
def retry_webhooks(slot: str) -> int:
    return webhooks.do_retry_due()
