"""RSA2 (SHA256withRSA, PKCS#1 v1.5, base64) keys and signatures, as Alipay and WeChat Pay
use them. Keys come as PEM, or as the bare base64 Alipay's console shows."""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

MIN_BITS = 2048


def _key_bytes(text: str) -> tuple[bytes, bool]:
    """(key bytes, is PEM)."""
    if "-----BEGIN" in text:
        return text.encode("ascii"), True
    return base64.b64decode("".join(text.split()), validate=True), False


def load_private_key(text: str, whose: str) -> rsa.RSAPrivateKey:
    data, pem = _key_bytes(text)
    load = serialization.load_pem_private_key if pem else serialization.load_der_private_key
    key = load(data, password=None)
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < MIN_BITS:
        raise ValueError(f"{whose} must be an RSA key of at least {MIN_BITS} bits (RSA2)")
    return key


def load_public_key(text: str, whose: str) -> rsa.RSAPublicKey:
    data, pem = _key_bytes(text)
    load = serialization.load_pem_public_key if pem else serialization.load_der_public_key
    key = load(data)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError(f"{whose} must be an RSA key")
    return key


def sign(key: rsa.RSAPrivateKey, content: bytes) -> str:
    return base64.b64encode(key.sign(content, padding.PKCS1v15(), hashes.SHA256())).decode()


def verifies(key: rsa.RSAPublicKey, content: bytes, signature: str) -> bool:
    try:
        decoded = base64.b64decode(signature, validate=True)
        key.verify(decoded, content, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
