import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiwang.payments.providers.money import MAX_FEN, fen_from_yuan, yuan_from_fen

CANONICAL_YUAN = re.compile(r"(0|[1-9][0-9]{0,14})(\.[0-9]{1,2})?")


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("12.34", 1234),
        ("12.3", 1230),
        ("12", 1200),
        ("0.01", 1),
        ("0", 0),
        ("0.00", 0),
        ("100.00", 10000),
        ("999999999999999.99", MAX_FEN),
    ],
)
def test_a_yuan_amount_becomes_fen(text: str, fen: int) -> None:
    assert fen_from_yuan(text) == fen


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        " 12.34",
        "12.34 ",
        "12.34\n",
        "-1.00",
        "+1.00",
        "12.345",
        "12.",
        ".5",
        "1e3",
        "1E-2",
        "NaN",
        "nan",
        "inf",
        "Infinity",
        "12,34",
        "1,234.00",
        "012.34",
        "00",
        "１２.３４",  # full-width digits
        "١٢.٣٤",  # Arabic-Indic digits
        "1_000",
        "0x10",
        "1" * 16,
        "1" * 100,
    ],
)
def test_anything_but_plain_yuan_text_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a yuan amount"):
        fen_from_yuan(text)


@pytest.mark.parametrize(
    ("fen", "text"), [(1234, "12.34"), (1, "0.01"), (10000, "100.00"), (0, "0.00"), (10, "0.10")]
)
def test_fen_become_yuan_text_with_two_decimals(fen: int, text: str) -> None:
    assert yuan_from_fen(fen) == text


@pytest.mark.parametrize("fen", [-1, MAX_FEN + 1])
def test_fen_out_of_range_are_refused(fen: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        yuan_from_fen(fen)


@pytest.mark.parametrize("fen", [True, 12.34, Decimal("12.34"), "1234"])
def test_only_an_int_is_an_amount_in_fen(fen: object) -> None:
    with pytest.raises(TypeError):
        yuan_from_fen(fen)  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=MAX_FEN))
def test_fen_survive_a_round_trip_through_yuan(fen: int) -> None:
    assert fen_from_yuan(yuan_from_fen(fen)) == fen


@given(st.from_regex(CANONICAL_YUAN, fullmatch=True))
def test_yuan_text_survives_a_round_trip_through_fen_as_the_same_decimal(text: str) -> None:
    assert Decimal(yuan_from_fen(fen_from_yuan(text))) == Decimal(text)


@given(st.text(max_size=20))
def test_any_text_is_either_plain_yuan_or_refused(text: str) -> None:
    try:
        fen = fen_from_yuan(text)
    except ValueError:
        assert CANONICAL_YUAN.fullmatch(text) is None
    else:
        assert CANONICAL_YUAN.fullmatch(text) is not None
        assert fen == int(Decimal(text) * 100)
