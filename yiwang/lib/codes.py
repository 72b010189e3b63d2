"""Tracking numbers and query codes printed on a citizen's receipt.

The tracking number (``YW20170104000123``) is public and says which message it is. The query
code is the secret that proves the holder may read the reply. Only an HMAC digest of the code is
stored, so a database leak does not let anyone read replies.
"""

import hashlib
import hmac
import re
import secrets
from datetime import date

from yiwang.lib.text import to_halfwidth

QUERY_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
QUERY_CODE_LENGTH = 13
QUERY_CODE_BITS = 65
SEQUENCE_DIGITS = 6
MIN_KEY_BYTES = 16

_PREFIX = re.compile(r"[A-Z]{1,8}")
_TRACKING = re.compile(r"([A-Z]{1,8})([0-9]{8})([0-9]{6,})")
_QUERY_CODE_SEPARATORS = re.compile(r"[\s\-_]")
_QUERY_CODE_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def format_tracking_number(prefix: str, day: date, sequence: int) -> str:
    """Build ``PREFIX + YYYYMMDD + sequence`` with the sequence zero-padded to 6 digits.

    Busy days may go past 999999; the number simply grows a digit, which parsing accepts.
    """
    if not _PREFIX.fullmatch(prefix):
        raise ValueError("The prefix must be 1-8 upper-case ASCII letters.")
    if sequence < 0:
        raise ValueError("The sequence must not be negative.")
    return f"{prefix}{day.year:04d}{day.month:02d}{day.day:02d}{sequence:0{SEQUENCE_DIGITS}d}"


def normalize_tracking_number(raw: str) -> str:
    """Upper-case the number and drop whitespace and full-width forms typed from a receipt."""
    return re.sub(r"\s", "", to_halfwidth(raw)).upper()


def parse_tracking_number(raw: str) -> tuple[str, date, int] | None:
    """Split a tracking number into prefix, day and sequence; None when it is malformed.

    Non-canonical spellings (a sequence longer than 6 digits with a leading zero) are refused
    so that every message has exactly one tracking number string.
    """
    match = _TRACKING.fullmatch(normalize_tracking_number(raw))
    if match is None:
        return None
    prefix, day_digits, sequence_digits = match.groups()
    if len(sequence_digits) > SEQUENCE_DIGITS and sequence_digits.startswith("0"):
        return None
    try:
        day = date(int(day_digits[:4]), int(day_digits[4:6]), int(day_digits[6:]))
    except ValueError:
        return None
    return prefix, day, int(sequence_digits)


def new_submission_token() -> str:
    """Return a fresh URL-safe random token (32 bytes) from which the query code is derived."""
    return secrets.token_urlsafe(32)


def submission_token_or_new(value: str) -> str:
    """A form's submission token as posted, or a new one when it is missing or malformed."""
    if 20 <= len(value) <= 128 and value.isascii() and value.isprintable():
        return value
    return new_submission_token()


def derive_query_code(key: bytes, submission_token: str) -> str:
    """Derive the 13-character query code (65 bits) from the submission token.

    Deriving instead of storing means a receipt page reloaded with the same token shows the same
    code, while only its digest is kept in the database.
    """
    _check_key(key)
    message = f"query-code\x00{submission_token}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    bits = int.from_bytes(digest[:9], "big") >> (72 - QUERY_CODE_BITS)
    return _encode_base32(bits, QUERY_CODE_LENGTH)


def _encode_base32(value: int, length: int) -> str:
    """Encode ``value`` as ``length`` alphabet characters, most significant first."""
    chars = [QUERY_CODE_ALPHABET[(value >> (5 * shift)) & 0x1F] for shift in range(length)]
    return "".join(reversed(chars))


def normalize_query_code(raw: str) -> str:
    """Turn what a citizen typed into the canonical code.

    Case, spaces and dashes do not matter, and the look-alike letters O, I and L are read as the
    digits 0 and 1, as Crockford base32 intends, so misreading the receipt does not lock anyone
    out. Characters outside the alphabet are kept, so the code simply does not match.
    """
    compact = _QUERY_CODE_SEPARATORS.sub("", to_halfwidth(raw)).upper()
    return compact.translate(_QUERY_CODE_LOOKALIKES)


def looks_like_query_code(raw: str) -> bool:
    """Tell whether the input can be a query code at all, to give a precise form error."""
    code = normalize_query_code(raw)
    return len(code) == QUERY_CODE_LENGTH and all(char in QUERY_CODE_ALPHABET for char in code)


def format_query_code(code: str) -> str:
    """Group a code as XXXX-XXXX-XXXXX so it is easier to read out and copy by hand."""
    canonical = normalize_query_code(code)
    if len(canonical) != QUERY_CODE_LENGTH:
        raise ValueError(f"A query code has {QUERY_CODE_LENGTH} characters.")
    return f"{canonical[:4]}-{canonical[4:8]}-{canonical[8:]}"


def query_code_digest(key: bytes, tracking_number: str, code: str) -> str:
    """HMAC-SHA256 hex of ``tracking + NUL + code``: the only form of the code that is stored.

    Tying the digest to the tracking number stops a code from one message being tried against
    digests of others.
    """
    _check_key(key)
    tracking = normalize_tracking_number(tracking_number)
    message = f"{tracking}\x00{normalize_query_code(code)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def query_code_matches(key: bytes, tracking_number: str, code: str, digest: str) -> bool:
    """Compare in constant time so response timing does not leak how much of a guess was right."""
    expected = query_code_digest(key, tracking_number, code)
    return hmac.compare_digest(expected.encode(), digest.encode())


def _check_key(key: bytes) -> None:
    """Refuse short keys: the HMAC is only as strong as its key."""
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"The HMAC key must be at least {MIN_KEY_BYTES} bytes.")
