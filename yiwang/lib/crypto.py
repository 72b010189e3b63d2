"""Encryption of personal data at rest, and keyed hashes for lookups without the value.

Tokens look like ``v1.<key_id>.<urlsafe-b64(nonce + ciphertext)>``. The key id in the token lets
old keys keep decrypting after a new one becomes current, so keys can be rotated row by row.
The caller's ``context`` (for example ``"message.mobile:123"``) is bound as associated data, so
a ciphertext copied into another column or row does not decrypt.
"""

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
FORMAT_VERSION = "v1"
MIN_HMAC_KEY_BYTES = 16

_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_URLSAFE_B64 = re.compile(r"[A-Za-z0-9_-]*={0,2}")


class DecryptionError(Exception):
    """A token that cannot be decrypted: tampered, wrong context, unknown key or malformed."""


class KeyRing:
    """The AES-256 keys in use: the first encrypts, all of them decrypt.

    ``repr`` shows key ids only, so a key ring that ends up in a log or traceback leaks nothing.
    """

    def __init__(self, keys: Iterable[tuple[str, bytes]]) -> None:
        self._keys: dict[str, bytes] = {}
        for key_id, key in keys:
            self._add(key_id, key)
        if not self._keys:
            raise ValueError("A key ring needs at least one key.")
        self.current_key_id = next(iter(self._keys))

    def _add(self, key_id: str, key: bytes) -> None:
        """Register one key after checking what would otherwise fail later, at decrypt time."""
        _check_key_id(key_id)
        if key_id in self._keys:
            raise ValueError(f"Key id {key_id!r} appears more than once in the key ring.")
        if len(key) != KEY_BYTES:
            raise ValueError(f"Key {key_id!r} must be {KEY_BYTES} bytes, got {len(key)}.")
        self._keys[key_id] = bytes(key)

    def __repr__(self) -> str:
        return f"KeyRing(key_ids={list(self._keys)!r})"

    @property
    def key_ids(self) -> tuple[str, ...]:
        """The ids in priority order, for diagnostics and rotation reports."""
        return tuple(self._keys)

    @classmethod
    def from_spec(cls, spec: str) -> "KeyRing":
        """Build a key ring from settings text like ``"k2:<b64>,k1:<b64>"`` (current first).

        A single environment variable is easy to manage in deployment; the error messages name
        the faulty entry by position and id but never echo key material.
        """
        entries = [entry.strip() for entry in spec.split(",")]
        if not spec.strip() or any(not entry for entry in entries):
            raise ValueError("Key spec must be a comma-separated list of id:key entries.")
        return cls(_parse_spec_entry(position, entry) for position, entry in enumerate(entries, 1))

    def encrypt(self, plaintext: str, *, context: str) -> str:
        """Encrypt with the current key and a fresh random nonce, binding ``context``."""
        nonce = os.urandom(NONCE_BYTES)
        aead = AESGCM(self._keys[self.current_key_id])
        sealed = aead.encrypt(nonce, plaintext.encode("utf-8"), _associated_data(context))
        return f"{FORMAT_VERSION}.{self.current_key_id}.{_b64encode(nonce + sealed)}"

    def decrypt(self, token: str, *, context: str) -> str:
        """Return the plaintext, or raise DecryptionError whatever went wrong.

        One exception type keeps callers simple and does not tell an attacker which check failed.
        """
        key_id, payload = _split_token(token)
        key = self._keys.get(key_id)
        if key is None or len(payload) < NONCE_BYTES + TAG_BYTES:
            raise DecryptionError("Token cannot be decrypted.")
        nonce, sealed = payload[:NONCE_BYTES], payload[NONCE_BYTES:]
        try:
            plain = AESGCM(key).decrypt(nonce, sealed, _associated_data(context))
            return plain.decode("utf-8")
        except (InvalidTag, UnicodeDecodeError) as error:
            raise DecryptionError("Token cannot be decrypted.") from error

    def needs_rotation(self, token: str) -> bool:
        """Tell whether a stored token should be re-encrypted with the current key.

        Malformed tokens also answer True: they are not under the current key, and the rotation
        job's decrypt step is where they get reported.
        """
        try:
            key_id, _payload = _split_token(token)
        except DecryptionError:
            return True
        return key_id != self.current_key_id

    def reencrypt(self, token: str, *, context: str) -> str:
        """Decrypt with whichever key made the token and encrypt again with the current key."""
        return self.encrypt(self.decrypt(token, context=context), context=context)


def _check_key_id(key_id: str) -> None:
    """Key ids end up inside tokens separated by dots, so keep them short and dot-free."""
    if not _KEY_ID.fullmatch(key_id):
        raise ValueError(
            f"Key id {key_id!r} must be 1-32 characters of letters, digits, '-' or '_'."
        )


def _parse_spec_entry(position: int, entry: str) -> tuple[str, bytes]:
    """Parse one ``id:urlsafe-b64`` entry of a key spec."""
    key_id, separator, encoded = entry.partition(":")
    key_id = key_id.strip()
    if not separator:
        raise ValueError(f"Key spec entry {position} must look like id:key (no ':' found).")
    _check_key_id(key_id)
    try:
        key = _b64decode(encoded.strip())
    except ValueError:
        raise ValueError(f"Key {key_id!r} is not valid URL-safe base64.") from None
    return key_id, key


def _associated_data(context: str) -> bytes:
    """Encode the context; an empty one is refused because it would bind nothing."""
    if not context:
        raise ValueError("An encryption context is required (e.g. 'message.mobile:123').")
    return context.encode("utf-8")


def _split_token(token: str) -> tuple[str, bytes]:
    """Split a token into key id and decoded payload, raising DecryptionError if malformed."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != FORMAT_VERSION or not parts[1]:
        raise DecryptionError("Token is malformed.")
    try:
        return parts[1], _b64decode(parts[2])
    except ValueError:
        raise DecryptionError("Token is malformed.") from None


def _b64encode(data: bytes) -> str:
    """URL-safe base64 without padding: tokens stay short and need no escaping anywhere."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    """Strict URL-safe base64 decoding that accepts missing padding.

    The standard decoder silently skips foreign characters; a strict check stops a mangled
    token or key from decoding to something else.
    """
    if not _URLSAFE_B64.fullmatch(text):
        raise ValueError("Not URL-safe base64.")
    unpadded = text.rstrip("=")
    try:
        return base64.urlsafe_b64decode(unpadded + "=" * (-len(unpadded) % 4))
    except binascii.Error as error:
        raise ValueError("Not URL-safe base64.") from error


def generate_key_spec(key_id: str) -> str:
    """Return a new ``id:key`` entry with 32 random bytes, ready to prepend to the key spec."""
    _check_key_id(key_id)
    key = base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")
    return f"{key_id}:{key}"


def keyed_hash(key: bytes, value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of ``purpose + NUL + value`` as hex, for exact lookups without the value.

    Rate limits and duplicate checks need "same mobile as before?" but not the mobile itself. A
    plain hash of an 11-digit number is reversed by brute force in seconds; a keyed one is not.
    The purpose separates uses, so a hash leaked from one table matches nothing in another.
    """
    if len(key) < MIN_HMAC_KEY_BYTES:
        raise ValueError(f"The HMAC key must be at least {MIN_HMAC_KEY_BYTES} bytes.")
    if not purpose or "\x00" in purpose:
        raise ValueError("The purpose must be non-empty and contain no NUL character.")
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
