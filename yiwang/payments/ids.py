"""The platform's public ids: payments, refunds, webhook messages (26 random lower-case
letters and digits, 134 bits; a payment's id is also its trade number at the provider)."""

from __future__ import annotations

import secrets

ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
ID_LENGTH = 26


def new_external_id() -> str:
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


def is_external_id(text: str) -> bool:
    """Whether ``text`` could be one of these ids (checked before any query: a NUL or a
    300-character id never reaches the database)."""
    return len(text) == ID_LENGTH and all(c in ID_ALPHABET for c in text)
