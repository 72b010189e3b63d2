"""Compact, tamper-evident references to a service hall, printed as QR codes on posters.

A reference reads ``<hall>-<generation>[-<campaign>].<signature>``: the numbers in base 36
and the signature the first 12 bytes (96 bits) of HMAC-SHA256 over a purpose label and the
payload, in unpadded URL-safe base64 — 25 to 40 characters, so the QR code stays small and
easy to scan. It hides nothing (the hall id is not a secret); it only cannot be changed or
made up without the key. See docs/decisions/0021-hall-qr-codes.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

PURPOSE = b"yiwang.channels.hall-reference:"
SIGNATURE_BYTES = 12
MAX_LENGTH = 64
_NUMBER = r"[0-9a-z]{1,10}"
_SHAPE = re.compile(rf"({_NUMBER})-({_NUMBER})(?:-({_NUMBER}))?\.([A-Za-z0-9_-]{{16}})")
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


class Malformed(ValueError):
    """Not shaped like a reference at all (garbage, too long, wrong characters)."""


class BadSignature(ValueError):
    """Shaped like a reference, but the signature does not match: altered or made up."""


@dataclass(frozen=True)
class Reference:
    hall_id: int
    generation: int
    campaign_id: int | None = None


def _base36(number: int) -> str:
    if number <= 0:
        raise ValueError("Ids and generations are positive.")
    digits = ""
    while number:
        number, rest = divmod(number, 36)
        digits = _DIGITS[rest] + digits
    return digits


def _signature(key: bytes, payload: str) -> str:
    digest = hmac.new(key, PURPOSE + payload.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:SIGNATURE_BYTES]).decode("ascii").rstrip("=")


def sign(key: bytes, reference: Reference) -> str:
    parts = [reference.hall_id, reference.generation]
    if reference.campaign_id is not None:
        parts.append(reference.campaign_id)
    payload = "-".join(_base36(part) for part in parts)
    return f"{payload}.{_signature(key, payload)}"


def claimed_hall_id(token: str) -> int | None:
    """The hall id a token claims, unverified (for the log of rejected references)."""
    match = _SHAPE.fullmatch(token) if len(token) <= MAX_LENGTH else None
    return int(match.group(1), 36) if match else None


def verify(keys: list[bytes], token: str) -> Reference:
    """The reference a token carries, if one of ``keys`` signed it (the first signs new ones)."""
    match = _SHAPE.fullmatch(token) if len(token) <= MAX_LENGTH else None
    if match is None:
        raise Malformed(token[:MAX_LENGTH])
    hall, generation, campaign, signature = match.groups()
    payload = token.rsplit(".", 1)[0]
    if not any(hmac.compare_digest(_signature(key, payload), signature) for key in keys):
        raise BadSignature(payload)
    try:
        return Reference(
            hall_id=int(hall, 36),
            generation=int(generation, 36),
            campaign_id=int(campaign, 36) if campaign else None,
        )
    except ValueError as exc:  # pragma: no cover - the pattern admits only base-36 digits
        raise Malformed(payload) from exc
