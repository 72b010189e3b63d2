"""Signed webhooks: HMAC-SHA256 over "timestamp.body", as Stripe and GitHub sign theirs.

The timestamp is inside the signed text, so an old request cannot be re-sent with a new
timestamp; the receiver refuses timestamps too far from its clock and remembers event ids
for replays inside that window.
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The value of the ``X-Yiwang-Signature`` header for this timestamp and body."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return PREFIX + digest.hexdigest()


def signature_matches(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), signature.strip())


def body_signature(secret: str, body: bytes) -> str:
    """Lower-case hex HMAC-SHA256 of the body alone, as GOV.UK Pay signs its webhooks (and
    the payment simulator its notifications): the receiver checks it, then the event's id."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def timestamp_is_fresh(timestamp: str, now: float, tolerance: float) -> bool:
    """A whole number of seconds since 1970 within ``tolerance`` of ``now``."""
    if not timestamp.isdigit() or len(timestamp) > 12:
        return False
    return abs(now - int(timestamp)) <= tolerance
