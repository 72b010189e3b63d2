import base64
import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.lib.crypto import (
    DecryptionError,
    KeyRing,
    generate_key_spec,
    keyed_hash,
)

KEY_1 = bytes(range(32))
KEY_2 = bytes(range(32, 64))
CONTEXT = "message.mobile:42"


def _b64(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode()


def _ring() -> KeyRing:
    return KeyRing([("k2", KEY_2), ("k1", KEY_1)])


# --- key ring construction ----------------------------------------------------------------


def test_it_uses_the_first_key_of_the_spec_as_the_current_key() -> None:
    ring = KeyRing.from_spec(f"k2:{_b64(KEY_2)}, k1:{_b64(KEY_1)}")
    assert ring.current_key_id == "k2"
    assert ring.key_ids == ("k2", "k1")


def test_it_accepts_keys_without_base64_padding_in_the_spec() -> None:
    ring = KeyRing.from_spec(f"k1:{_b64(KEY_1).rstrip('=')}")
    assert ring.key_ids == ("k1",)


def test_a_generated_key_spec_parses_into_a_working_key_ring() -> None:
    spec = generate_key_spec("k3")
    ring = KeyRing.from_spec(spec)
    assert spec.startswith("k3:")
    assert ring.decrypt(ring.encrypt("x", context=CONTEXT), context=CONTEXT) == "x"


def test_two_generated_keys_differ() -> None:
    assert generate_key_spec("k1") != generate_key_spec("k1")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "comma-separated"),
        ("k1:" + _b64(KEY_1) + ",", "comma-separated"),
        (_b64(KEY_1), "id:key"),
        ("k1:" + _b64(KEY_1) + ",k1:" + _b64(KEY_2), "more than once"),
        ("k1:" + _b64(KEY_1[:16]), "32 bytes, got 16"),
        ("k1:not base64!", "base64"),
        ("k.1:" + _b64(KEY_1), "Key id"),
        (":" + _b64(KEY_1), "Key id"),
    ],
)
def test_it_rejects_a_malformed_key_spec_with_a_clear_message(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        KeyRing.from_spec(spec)


def test_an_error_about_a_key_never_contains_the_key() -> None:
    short = _b64(KEY_1[:16])
    with pytest.raises(ValueError, match="16") as caught:
        KeyRing.from_spec(f"k1:{short}")
    assert short not in str(caught.value)


def test_it_rejects_an_empty_key_ring() -> None:
    with pytest.raises(ValueError, match="at least one key"):
        KeyRing([])


def test_the_repr_of_a_key_ring_shows_ids_but_no_key_material() -> None:
    text = repr(_ring())
    assert "k2" in text
    assert _b64(KEY_2)[:10] not in text
    assert repr(KEY_2) not in text


# --- encryption ---------------------------------------------------------------------------


def test_a_token_names_the_format_version_and_the_key() -> None:
    token = _ring().encrypt("13812345678", context=CONTEXT)
    assert token.startswith("v1.k2.")
    assert "=" not in token


def test_encrypting_the_same_text_twice_gives_different_tokens() -> None:
    ring = _ring()
    assert ring.encrypt("13812345678", context=CONTEXT) != ring.encrypt(
        "13812345678", context=CONTEXT
    )


@settings(database=None)
@given(st.text(), st.text(min_size=1))
def test_decrypt_returns_what_was_encrypted(plaintext: str, context: str) -> None:
    ring = _ring()
    assert ring.decrypt(ring.encrypt(plaintext, context=context), context=context) == plaintext


def test_a_token_moved_to_another_row_does_not_decrypt() -> None:
    ring = _ring()
    token = ring.encrypt("13812345678", context="message.mobile:42")
    with pytest.raises(DecryptionError):
        ring.decrypt(token, context="message.mobile:43")


def test_a_tampered_token_does_not_decrypt() -> None:
    ring = _ring()
    token = ring.encrypt("13812345678", context=CONTEXT)
    version, key_id, payload = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    raw[-1] ^= 1
    tampered = f"{version}.{key_id}.{base64.urlsafe_b64encode(bytes(raw)).decode()}"
    with pytest.raises(DecryptionError):
        ring.decrypt(tampered, context=CONTEXT)


def test_a_token_of_a_key_no_longer_in_the_ring_does_not_decrypt() -> None:
    token = KeyRing([("k0", bytes(32))]).encrypt("x", context=CONTEXT)
    with pytest.raises(DecryptionError):
        _ring().decrypt(token, context=CONTEXT)


def test_a_token_relabelled_with_another_key_id_does_not_decrypt() -> None:
    ring = _ring()
    token = ring.encrypt("x", context=CONTEXT).replace("v1.k2.", "v1.k1.")
    with pytest.raises(DecryptionError):
        ring.decrypt(token, context=CONTEXT)


@pytest.mark.parametrize(
    "token",
    ["", "13812345678", "v1.k2", "v2.k2.AAAA", "v1..AAAA", "v1.k2.AAAA", "v1.k2.!!!!", "v1.k2.A.B"],
)
def test_a_malformed_token_raises_decryption_error(token: str) -> None:
    with pytest.raises(DecryptionError):
        _ring().decrypt(token, context=CONTEXT)


def test_it_refuses_an_empty_context() -> None:
    with pytest.raises(ValueError, match="context"):
        _ring().encrypt("x", context="")


# --- rotation -----------------------------------------------------------------------------


def test_an_old_key_still_decrypts_after_a_new_key_becomes_current() -> None:
    old_token = KeyRing([("k1", KEY_1)]).encrypt("张三", context=CONTEXT)
    assert _ring().decrypt(old_token, context=CONTEXT) == "张三"


def test_a_token_under_an_old_key_needs_rotation() -> None:
    old_token = KeyRing([("k1", KEY_1)]).encrypt("张三", context=CONTEXT)
    assert _ring().needs_rotation(old_token)


def test_a_token_under_the_current_key_needs_no_rotation() -> None:
    ring = _ring()
    assert not ring.needs_rotation(ring.encrypt("张三", context=CONTEXT))


def test_a_malformed_token_is_reported_as_needing_rotation() -> None:
    assert _ring().needs_rotation("plain text")


def test_reencrypting_moves_a_token_to_the_current_key() -> None:
    ring = _ring()
    old_token = KeyRing([("k1", KEY_1)]).encrypt("张三", context=CONTEXT)
    new_token = ring.reencrypt(old_token, context=CONTEXT)
    assert not ring.needs_rotation(new_token)
    assert ring.decrypt(new_token, context=CONTEXT) == "张三"


# --- keyed hash ---------------------------------------------------------------------------


def test_the_keyed_hash_is_stable_for_the_same_input() -> None:
    first = keyed_hash(KEY_1, "13812345678", purpose="mobile")
    assert first == keyed_hash(KEY_1, "13812345678", purpose="mobile")
    assert len(first) == 64


def test_the_keyed_hash_depends_on_key_value_and_purpose() -> None:
    base = keyed_hash(KEY_1, "13812345678", purpose="mobile")
    assert base != keyed_hash(KEY_2, "13812345678", purpose="mobile")
    assert base != keyed_hash(KEY_1, "13812345679", purpose="mobile")
    assert base != keyed_hash(KEY_1, "13812345678", purpose="rate-limit")


def test_the_keyed_hash_matches_hmac_sha256_of_purpose_nul_value() -> None:
    expected = hmac.new(KEY_1, b"mobile\x0013812345678", hashlib.sha256).hexdigest()
    assert keyed_hash(KEY_1, "13812345678", purpose="mobile") == expected


@pytest.mark.parametrize("purpose", ["", "mo\x00bile"])
def test_the_keyed_hash_refuses_an_ambiguous_purpose(purpose: str) -> None:
    with pytest.raises(ValueError, match="purpose"):
        keyed_hash(KEY_1, "x", purpose=purpose)


def test_the_keyed_hash_refuses_a_short_key() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        keyed_hash(b"short", "x", purpose="mobile")
