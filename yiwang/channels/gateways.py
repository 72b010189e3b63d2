"""The messaging-gateway channel: signed deliveries become messages; answers go back.

A gateway posts JSON signed with its shared secret (``lib/signatures.py``). Checks run from
the cheapest to the dearest, and nothing is written until all have passed: the gateway is
known and active, the headers are there, the timestamp within five minutes, the body small
enough, the signature right, the JSON well formed, the fields valid. The event id is stored
with the message in one transaction under a unique constraint, so a replay (inside or outside
the timestamp window) never creates a second message. Decision 0023.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.channels.models import Gateway, GatewayEvent
from yiwang.intake.actions import SubmissionContext, SubmissionResult, do_submit_message
from yiwang.intake.models import Channel, Message
from yiwang.intake.personal import key_ring_current
from yiwang.intake.validation import IMPORT_CONTENT_LIMIT, SubmissionInput, validate_submission
from yiwang.lib.contact import InvalidContact, normalize_mobile

SECRET_CONTEXT = "channels.gateway.secret"  # noqa: S105 (an encryption context)
SENDER_CONTEXT = "channels.gateway.sender"
DERIVED_TITLE = 30


def gateway_secret(gateway: Gateway) -> str:
    return key_ring_current().decrypt(gateway.secret_encrypted, context=SECRET_CONTEXT)


def do_reseal_gateway_data(batch: int = 500) -> tuple[int, int]:
    """Gateways' secrets and senders' addresses not under the current key, re-encrypted
    (``rotate_pii_keys``). Returns (secrets, senders) re-encrypted; safe to run again."""
    ring = key_ring_current()
    done = []
    for model, column, context in (
        (Gateway, "secret_encrypted", SECRET_CONTEXT),
        (GatewayEvent, "sender_encrypted", SENDER_CONTEXT),
    ):
        changed = 0
        rows = model.objects.only(column).order_by("pk").values_list("pk", column)
        for pk, token in rows.iterator(chunk_size=batch):
            if token and ring.needs_rotation(token):
                sealed = ring.encrypt(ring.decrypt(token, context=context), context=context)
                model.objects.filter(pk=pk).update(**{column: sealed})
                changed += 1
        done.append(changed)
    return done[0], done[1]


def do_create_gateway(
    name: str, *, default_region: str, label: str = "", default_nature: str = "other"
) -> tuple[Gateway, str]:
    """A new gateway and its secret; the secret is shown once, then only kept encrypted."""
    secret = secrets.token_urlsafe(32)
    gateway = Gateway.objects.create(
        name=name,
        label=label,
        key_id=secrets.token_hex(8),
        secret_encrypted=key_ring_current().encrypt(secret, context=SECRET_CONTEXT),
        default_region=default_region,
        default_nature=default_nature,
    )
    return gateway, secret


@dataclass(frozen=True)
class Delivery:
    """The fields of a gateway's JSON body, after its schema checked their types."""

    event_id: str
    sender: str
    text: str
    received_at: dt.datetime
    title: str = ""
    region: str = ""
    nature: str = ""


class ReplayedEvent(Exception):
    def __init__(self, message: Message | None) -> None:
        super().__init__("event already received")
        self.message = message


def first_message_of(gateway: Gateway, event_id: str) -> Message | None:
    event = GatewayEvent.objects.filter(gateway=gateway, event_id=event_id).first()
    return event.message if event else None


def delivery_input(gateway: Gateway, delivery: Delivery) -> SubmissionInput:
    """What the citizen sent, as a submission; a sender that is a mobile number is its contact."""
    text = delivery.text.strip()
    return SubmissionInput(
        title=delivery.title or (text.splitlines()[0][:DERIVED_TITLE] if text else ""),
        content=text,
        nature=delivery.nature or gateway.default_nature,
        region=delivery.region or gateway.default_region,
        mobile=_mobile_or_empty(delivery.sender),
    )


def _mobile_or_empty(sender: str) -> str:
    try:
        return normalize_mobile(sender)
    except InvalidContact:
        return ""  # an openid or another gateway's address: kept on the event only


def do_receive_delivery(gateway: Gateway, delivery: Delivery) -> SubmissionResult:
    """Store the delivery's message and its event once; ``ReplayedEvent`` for a second time.

    Raises ``InvalidInput`` (from validation) before anything is written.
    """
    clean = validate_submission(
        delivery_input(gateway, delivery), content_limit=IMPORT_CONTENT_LIMIT
    )
    if GatewayEvent.objects.filter(gateway=gateway, event_id=delivery.event_id).exists():
        raise ReplayedEvent(first_message_of(gateway, delivery.event_id))
    context = SubmissionContext(
        channel=Channel.GATEWAY,
        submission_token=f"gateway:{gateway.name}:{delivery.event_id}",
        source=gateway.name,
        external_id=delivery.event_id,
        submitted_at=min(delivery.received_at, timezone.now()),
    )
    try:
        with transaction.atomic():
            result = do_submit_message(clean, context)
            if not result.created and result.query_code is not None:
                raise ReplayedEvent(result.message)  # this event's own token: a racing replay
            # New, or the same words from the same phone within a day: the event is recorded
            # either way, so that replaying it is refused too.
            _record_event(gateway, delivery, result.message)
    except IntegrityError as exc:  # another process stored this event id first
        raise ReplayedEvent(first_message_of(gateway, delivery.event_id)) from exc
    return result


def _record_event(gateway: Gateway, delivery: Delivery, message: Message) -> None:
    GatewayEvent.objects.create(
        gateway=gateway,
        event_id=delivery.event_id,
        message=message,
        sender_encrypted=key_ring_current().encrypt(delivery.sender, context=SENDER_CONTEXT),
        received_at=delivery.received_at,
    )


def reply_address(message: Message) -> tuple[str, str] | None:
    """The gateway and the sender to answer a message that came through one, else None."""
    events = GatewayEvent.objects.filter(message=message).select_related("gateway")
    event = events.order_by("received_at", "pk").first()
    if event is None:
        return None
    sender = key_ring_current().decrypt(event.sender_encrypted, context=SENDER_CONTEXT)
    return event.gateway.name, sender
