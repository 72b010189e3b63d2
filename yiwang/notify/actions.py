"""Every write of notifications: queue an e-mail or text message, deliver it, retry it.

Queueing writes an outbox row and its delivery task in the caller's transaction, so a message
is queued exactly when the change it reports is committed. Delivery locks the row and marks it
sent after the send: a worker that dies in between sends it again after the sweep (at least
once), and two workers never both send it (the lock).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.intake.models import Channel as MessageChannel
from yiwang.intake.models import Message
from yiwang.intake.personal import unseal
from yiwang.notify.models import Channel, Notice, OutboxItem
from yiwang.notify.sms import gateway_backend, sms_backend
from yiwang.queue import enqueue_with_transaction

log = logging.getLogger(__name__)
RETRY_AFTER = dt.timedelta(minutes=5)
RETRY_BATCH = 500


def _queue(item: OutboxItem) -> bool:
    """Save and enqueue ``item``; False when an item with its key was queued before."""
    from yiwang.notify.tasks import deliver

    item.created_at = timezone.now()
    try:
        with transaction.atomic():
            item.save()
            enqueue_with_transaction(deliver, item.pk)
    except IntegrityError:
        return False
    return True


def queue_email_to_staff(user: User, key: str, subject: str, body: str) -> bool:
    """E-mail a staff member, once per ``key``; nothing when they have no address."""
    if not user.email:
        return False
    item = OutboxItem(channel=Channel.EMAIL, key=key, to_user=user, subject=subject, body=body)
    return _queue(item)


def queue_to_citizen(
    message: Message, key: str, subject: str, body: str, sms: str, gateway_text: str = ""
) -> int:
    """E-mail and text the citizen of ``message`` where they gave an address; the count queued.

    A message that came through a messaging gateway is answered there (``gateway_text``)
    instead of by text message: the sender's number or account is where they wrote from.
    """
    queued = 0
    by_gateway = message.channel == MessageChannel.GATEWAY and bool(gateway_text)
    if by_gateway:
        reply = OutboxItem(
            channel=Channel.GATEWAY, key=f"{key}:gateway", to_citizen_of=message, body=gateway_text
        )
        queued += _queue(reply)
    if message.email_encrypted:
        email = OutboxItem(
            channel=Channel.EMAIL,
            key=f"{key}:email",
            to_citizen_of=message,
            subject=subject,
            body=body,
        )
        queued += _queue(email)
    if message.mobile_encrypted and not by_gateway:
        text = OutboxItem(channel=Channel.SMS, key=f"{key}:sms", to_citizen_of=message, body=sms)
        queued += _queue(text)
    return queued


def _address(item: OutboxItem) -> str:
    if item.to_user is not None:
        return item.to_user.email
    assert item.to_citizen_of is not None
    if item.channel == Channel.GATEWAY:
        return _gateway_address(item.to_citizen_of)[1]
    field = "email" if item.channel == Channel.EMAIL else "mobile"
    return unseal(field, getattr(item.to_citizen_of, f"{field}_encrypted"))


def _gateway_address(message: Message) -> tuple[str, str]:
    from yiwang.channels.gateways import reply_address

    return reply_address(message) or ("", "")


def _send(item: OutboxItem, address: str) -> None:
    if item.channel == Channel.EMAIL:
        send_mail(item.subject, item.body, None, [address])
    elif item.channel == Channel.GATEWAY:
        assert item.to_citizen_of is not None
        gateway, _sender = _gateway_address(item.to_citizen_of)
        gateway_backend().send(gateway, address, item.body)
    else:
        sms_backend().send(address, item.body)


def do_deliver(item_id: int) -> bool:
    """Send one outbox item unless it was sent already; True when this call sent it."""
    with transaction.atomic():
        # Locked: a re-queued task and the original, run by two workers, would both send it.
        item = (
            OutboxItem.objects.select_for_update(of=("self",))
            .select_related("to_user", "to_citizen_of")
            .filter(pk=item_id, sent_at__isnull=True)
            .first()
        )
        if item is None or item.attempts >= settings.YIWANG_OUTBOX_ATTEMPTS:
            return False
        item.attempts += 1
        address = _address(item)
        try:
            if not address:
                raise ValueError("the recipient has no address any more")
            _send(item, address)
        except Exception as exc:  # any failure of a backend: record it and retry later
            log.warning("outbox item %s failed: %s", item.pk, exc)
            item.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            item.save(update_fields=["attempts", "last_error"])
            return False
        item.sent_at = timezone.now()
        item.last_error = ""
        item.save(update_fields=["attempts", "last_error", "sent_at"])
    return True


def do_retry_undelivered(now: dt.datetime | None = None) -> int:
    """Queue again what has not been sent a while after it was queued (failed sends)."""
    from yiwang.notify.tasks import deliver

    now = now or timezone.now()
    stale = OutboxItem.objects.filter(
        sent_at__isnull=True,
        attempts__lt=settings.YIWANG_OUTBOX_ATTEMPTS,
        created_at__lte=now - RETRY_AFTER,
    ).values_list("pk", flat=True)[:RETRY_BATCH]
    ids = list(stale)
    for item_id in ids:
        deliver.enqueue(item_id)
    return len(ids)


def do_mark_notices_read(user_id: int | None) -> int:
    """Mark every unread notice of one person read; how many were."""
    unread = Notice.objects.filter(recipient_id=user_id, read_at__isnull=True)
    return unread.update(read_at=timezone.now())
