import hashlib
import hmac
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.lib.codes import (
    QUERY_CODE_ALPHABET,
    derive_query_code,
    format_query_code,
    format_tracking_number,
    looks_like_query_code,
    new_submission_token,
    normalize_query_code,
    normalize_tracking_number,
    parse_tracking_number,
    query_code_digest,
    query_code_matches,
)

KEY = b"k" * 32
OTHER_KEY = b"o" * 32

# --- tracking numbers ---------------------------------------------------------------------


def test_it_formats_a_tracking_number_with_a_six_digit_sequence() -> None:
    assert format_tracking_number("YW", date(2017, 1, 4), 123) == "YW20170104000123"


def test_it_lets_the_sequence_grow_past_six_digits() -> None:
    assert format_tracking_number("YW", date(2017, 1, 4), 1234567) == "YW201701041234567"


@pytest.mark.parametrize("prefix", ["", "yw", "Y1", "ABCDEFGHI", "网"])
def test_it_refuses_a_prefix_that_is_not_upper_case_letters(prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        format_tracking_number(prefix, date(2017, 1, 4), 1)


def test_it_refuses_a_negative_sequence() -> None:
    with pytest.raises(ValueError, match="sequence"):
        format_tracking_number("YW", date(2017, 1, 4), -1)


def test_it_parses_a_tracking_number() -> None:
    assert parse_tracking_number("YW20170104000123") == ("YW", date(2017, 1, 4), 123)


def test_it_parses_a_tracking_number_typed_in_lower_case_with_spaces() -> None:
    assert parse_tracking_number("  yw 20170104 000123\n") == ("YW", date(2017, 1, 4), 123)


def test_it_parses_a_tracking_number_typed_in_full_width() -> None:
    assert parse_tracking_number("ＹＷ２０１７０１０４０００１２３") == (
        "YW",
        date(2017, 1, 4),
        123,
    )


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "YW",
        "20170104000123",
        "YW2017010400012",
        "YW20170230000123",
        "YW20171304000123",
        "YW-20170104-000123",
        "YW20170104000123X",
        "YW2017010400000123",
    ],
)
def test_it_returns_none_for_a_malformed_tracking_number(raw: str) -> None:
    assert parse_tracking_number(raw) is None


@settings(database=None)
@given(
    st.from_regex(r"[A-Z]{1,8}", fullmatch=True),
    st.dates(min_value=date(1000, 1, 1)),
    st.integers(min_value=0, max_value=10**9),
)
def test_parsing_a_formatted_tracking_number_gives_back_its_parts(
    prefix: str, day: date, sequence: int
) -> None:
    assert parse_tracking_number(format_tracking_number(prefix, day, sequence)) == (
        prefix,
        day,
        sequence,
    )


def test_it_normalizes_a_tracking_number_for_lookups() -> None:
    assert normalize_tracking_number(" yw2017 0104000123 ") == "YW20170104000123"


# --- query codes --------------------------------------------------------------------------


def test_the_alphabet_is_crockford_base32_without_ambiguous_letters() -> None:
    assert len(QUERY_CODE_ALPHABET) == len(set(QUERY_CODE_ALPHABET)) == 32
    assert not set("ILOU") & set(QUERY_CODE_ALPHABET)


def test_a_submission_token_is_url_safe_and_long() -> None:
    token = new_submission_token()
    assert len(token) >= 43
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert token != new_submission_token()


def test_a_query_code_is_thirteen_alphabet_characters() -> None:
    code = derive_query_code(KEY, new_submission_token())
    assert len(code) == 13
    assert set(code) <= set(QUERY_CODE_ALPHABET)


def test_the_same_token_and_key_always_derive_the_same_code() -> None:
    assert derive_query_code(KEY, "token") == derive_query_code(KEY, "token")


def test_another_key_or_token_derives_another_code() -> None:
    code = derive_query_code(KEY, "token")
    assert code != derive_query_code(OTHER_KEY, "token")
    assert code != derive_query_code(KEY, "token2")


def test_the_code_encodes_the_first_65_bits_of_the_hmac() -> None:
    digest = hmac.new(KEY, b"query-code\x00token", hashlib.sha256).digest()
    bits = bin(int.from_bytes(digest, "big"))[2:].zfill(256)[:65]
    expected = "".join(QUERY_CODE_ALPHABET[int(bits[i : i + 5], 2)] for i in range(0, 65, 5))
    assert derive_query_code(KEY, "token") == expected


def test_it_refuses_a_short_key() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        derive_query_code(b"short", "token")


def test_it_normalizes_case_spaces_dashes_and_look_alike_letters() -> None:
    assert normalize_query_code(" abcd-efgh o1il2 ") == "ABCDEFGH01112"


def test_it_groups_a_code_for_display() -> None:
    assert format_query_code("ABCDEFGH01234") == "ABCD-EFGH-01234"


def test_it_refuses_to_format_a_code_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="13"):
        format_query_code("ABC")


@settings(database=None)
@given(st.text(alphabet=QUERY_CODE_ALPHABET, min_size=13, max_size=13))
def test_a_displayed_code_normalizes_back_to_itself(code: str) -> None:
    assert normalize_query_code(format_query_code(code)) == code
    assert normalize_query_code(format_query_code(code).lower()) == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("abcd-efgh-01234", True),
        ("ABCD EFGH OI234", True),
        ("ABCD-EFGH-0123", False),
        ("ABCD-EFGH-0123U", False),
    ],
)
def test_it_tells_whether_input_can_be_a_query_code(raw: str, expected: bool) -> None:
    assert looks_like_query_code(raw) is expected


def test_a_code_matches_the_digest_stored_for_it() -> None:
    code = derive_query_code(KEY, "token")
    digest = query_code_digest(KEY, "YW20170104000123", code)
    assert query_code_matches(KEY, "YW20170104000123", code, digest)


def test_a_code_typed_sloppily_still_matches() -> None:
    code = derive_query_code(KEY, "token")
    digest = query_code_digest(KEY, "YW20170104000123", code)
    typed = format_query_code(code).lower().replace("0", "o").replace("1", "l")
    assert query_code_matches(KEY, " yw20170104000123 ", typed, digest)


def test_a_code_does_not_match_the_digest_of_another_message() -> None:
    code = derive_query_code(KEY, "token")
    digest = query_code_digest(KEY, "YW20170104000123", code)
    assert not query_code_matches(KEY, "YW20170104000124", code, digest)


def test_a_wrong_code_does_not_match() -> None:
    digest = query_code_digest(KEY, "YW20170104000123", derive_query_code(KEY, "token"))
    assert not query_code_matches(KEY, "YW20170104000123", "ABCDEFGH01234", digest)


def test_a_garbage_digest_does_not_match_and_does_not_crash() -> None:
    code = derive_query_code(KEY, "token")
    assert not query_code_matches(KEY, "YW20170104000123", code, "不是摘要")


def test_the_digest_is_hmac_sha256_of_tracking_nul_code() -> None:
    expected = hmac.new(KEY, b"YW20170104000123\x00ABCDEFGH01234", hashlib.sha256).hexdigest()
    assert query_code_digest(KEY, "YW20170104000123", "abcd-efgh-o1234") == expected
