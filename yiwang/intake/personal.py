"""Personal data at rest: encryption with the site's key ring and keyed hashes for look-ups."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings

from yiwang.lib.crypto import KeyRing, keyed_hash

if TYPE_CHECKING:
    from yiwang.intake.models import Message

PERSONAL_FIELDS = ("mobile", "email", "id_number")


@cache
def _key_ring(spec: str) -> KeyRing:
    return KeyRing.from_spec(spec)


def key_ring_current() -> KeyRing:
    """The ring for the configured keys (re-read when settings change, as in tests)."""
    return _key_ring(settings.YIWANG_PII_KEYS)


def _context(field: str) -> str:
    return f"intake.message.{field}"


def seal(field: str, value: str) -> str:
    """Encrypt one personal field of a message ('' stays '')."""
    return seal_as(_context(field), value)


def unseal(field: str, token: str) -> str:
    return unseal_as(_context(field), token)


def seal_as(context: str, value: str) -> str:
    """Encrypt a personal value bound to ``context`` (where it is stored; '' stays '')."""
    if not value:
        return ""
    return key_ring_current().encrypt(value, context=context)


def unseal_as(context: str, token: str) -> str:
    if not token:
        return ""
    return key_ring_current().decrypt(token, context=context)


def lookup_hash(purpose: str, value: str) -> str:
    """A keyed hash for exact look-ups (rate limits, duplicates) without storing the value."""
    if not value:
        return ""
    return keyed_hash(settings.YIWANG_HASH_KEY.encode(), value, purpose=purpose)


def resealed_fields(message: Message) -> dict[str, str]:
    """The encrypted columns of ``message`` not under the current key, re-encrypted."""
    ring = key_ring_current()
    updates = {}
    for field in PERSONAL_FIELDS:
        column = f"{field}_encrypted"
        token = getattr(message, column)
        if token and ring.needs_rotation(token):
            updates[column] = seal(field, unseal(field, token))
    return updates
