"""Sending webhooks: signed (HMAC-SHA256 of the body, lower-case hex, header ``Pay-Signature``),
at least once, maybe out of order, retried after 60 s, 5 min, 1 h, 1 day and 2 days, then
given up (``README.md``)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import ApiClient
from yiwang.intake.personal import seal_as, unseal_as
from yiwang.lib.signatures import body_signature
from yiwang.payments.ids import new_external_id
from yiwang.payments.providers.base import ProviderUnavailable, Transport
from yiwang.payments.providers.http import urllib_transport
from yiwang.payments.webhooks.models import (
    EVENT_TYPES,
    DeliveryState,
    WebhookMessage,
    WebhookSubscription,
)

log = logging.getLogger(__name__)

RETRY_AFTER = (
    dt.timedelta(seconds=60),
    dt.timedelta(minutes=5),
    dt.timedelta(hours=1),
    dt.timedelta(days=1),
    dt.timedelta(days=2),
)
SECRET_CONTEXT = "payments.webhook.secret"  # noqa: S105 (the encryption context's name)
SIGNATURE_HEADER = "Pay-Signature"
TIMEOUT_SECONDS = 5.0
_transport: Transport = urllib_transport(TIMEOUT_SECONDS, max_bytes=64 * 1024)


class BadSubscription(ValueError):
    pass


def do_subscribe(
    client: ApiClient, callback_url: str, event_types: list[str] | None = None
) -> tuple[WebhookSubscription, str]:
    """A new subscription and its signing secret, shown this once."""
    parts = urlsplit(callback_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(callback_url) > 2000:
        raise BadSubscription("The callback URL must be an http or https address.")
    chosen = sorted(set(event_types or EVENT_TYPES))
    if not chosen or set(chosen) - set(EVENT_TYPES):
        raise BadSubscription(f"Event types are {', '.join(EVENT_TYPES)}.")
    secret = "whsec_" + secrets.token_urlsafe(32)
    subscription = WebhookSubscription.objects.create(
        client=client,
        callback_url=callback_url,
        secret_encrypted=seal_as(SECRET_CONTEXT, secret),
        event_types=chosen,
    )
    return subscription, secret


def do_queue_event(client_id: int, event_type: str, resource: dict[str, Any]) -> int:
    """One message per active subscription of the client that wants the event; each is sent
    after the caller's transaction commits."""
    subscriptions = WebhookSubscription.objects.filter(client_id=client_id, active=True)
    queued = 0
    for subscription in subscriptions:
        if event_type not in subscription.event_types:
            continue
        message_id = _message(subscription, event_type, resource).pk
        transaction.on_commit(partial(_enqueue, message_id))
        queued += 1
    return queued


def _message(
    subscription: WebhookSubscription, event_type: str, resource: dict[str, Any]
) -> WebhookMessage:
    now = timezone.now()
    event_id = new_external_id()
    body = {
        "webhook_message_id": event_id,
        "created_date": now.isoformat(),
        "resource_id": resource["payment_id"],
        "resource_type": "payment",
        "event_type": event_type,
        "resource": resource,
    }
    return WebhookMessage.objects.create(
        subscription=subscription,
        event_id=event_id,
        event_type=event_type,
        resource_id=resource["payment_id"],
        body=json.dumps(body, ensure_ascii=False, sort_keys=True),
        state=DeliveryState.PENDING,
        next_attempt_at=now,
        created_at=now,
    )


def _enqueue(message_id: int, at: dt.datetime | None = None) -> None:
    from yiwang.payments.tasks import deliver_webhook

    if at is None:
        deliver_webhook.enqueue(message_id)
    elif deliver_webhook.get_backend().supports_defer:
        deliver_webhook.using(run_after=at).enqueue(message_id)
    # else: a backend that cannot wait (the immediate one): the minutely sweep sends it.


def do_deliver(message_id: int) -> bool:
    """Send the message once if it is due; schedule the next attempt or give up."""
    with transaction.atomic():
        # Locked while sending: the retry sweep and a late task cannot send it twice at once.
        message = (
            WebhookMessage.objects.select_for_update(skip_locked=True)
            .select_related("subscription")
            .filter(pk=message_id, state=DeliveryState.PENDING)
            .first()
        )
        if message is None or (message.next_attempt_at or timezone.now()) > timezone.now():
            return False
        status, error = _send(message)
        return _record(message, status, error)


def _send(message: WebhookMessage) -> tuple[int | None, str]:
    body = message.body.encode()
    secret = unseal_as(SECRET_CONTEXT, message.subscription.secret_encrypted)
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: body_signature(secret, body),
        "User-Agent": "yiwang-pay-webhooks/1",
    }
    try:
        answer = _transport("POST", message.subscription.callback_url, headers, body)
    except ProviderUnavailable as exc:
        return None, str(exc)[:255]
    return answer.status, ""


def _record(message: WebhookMessage, status: int | None, error: str) -> bool:
    now = timezone.now()
    message.attempts += 1
    message.last_status, message.last_error = status, error
    delivered = status is not None and 200 <= status < 300
    if delivered:
        message.state, message.delivered_at, message.next_attempt_at = (
            DeliveryState.DELIVERED,
            now,
            None,
        )
    elif message.attempts > len(RETRY_AFTER):
        message.state, message.next_attempt_at = DeliveryState.FAILED, None
        log.warning("webhook %s given up after %s attempts", message.event_id, message.attempts)
    else:
        message.next_attempt_at = now + RETRY_AFTER[message.attempts - 1]
        at = message.next_attempt_at
        transaction.on_commit(lambda: _enqueue(message.pk, at))
    message.save()
    return delivered


def do_retry_due(limit: int = 500) -> int:
    """The sweep: send every pending message whose time has come (a lost task, a restart)."""
    due = WebhookMessage.objects.filter(
        state=DeliveryState.PENDING, next_attempt_at__lte=timezone.now()
    ).order_by("next_attempt_at")
    return sum(do_deliver(pk) for pk in due.values_list("pk", flat=True)[:limit])
