"""Staff writes available before the casework workflow: internal notes and data reveals."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.access import check_can_act, check_can_view_personal_data
from yiwang.accounts.actions import do_record_personal_data_access
from yiwang.accounts.models import User
from yiwang.intake.models import EventKind, Message, MessageEvent
from yiwang.staff.queries import unmasked_contact

NOTE_LIMIT = 2_000


class InvalidNote(ValueError):
    pass


def check_note(user: User, message: Message, text: str) -> str:
    check_can_act(user, message)
    text = text.strip()
    if not text or len(text) > NOTE_LIMIT:
        raise InvalidNote("A note must have 1 to 2,000 characters.")
    return text


def do_add_note(user: User, message: Message, text: str) -> MessageEvent:
    text = check_note(user, message, text)
    with transaction.atomic():
        return MessageEvent.objects.create(
            message=message, at=timezone.now(), actor=user, kind=EventKind.NOTE, note=text
        )


def do_reveal_contact(
    user: User, message: Message, reason: str, ip_address: str | None
) -> dict[str, str]:
    """Unmasked contact data, after checking the permission and recording the look."""
    check_can_view_personal_data(user, message)
    contact = unmasked_contact(message)
    fields = [name for name, value in contact.items() if value]
    do_record_personal_data_access(user, message, fields, reason, ip_address)
    return contact
