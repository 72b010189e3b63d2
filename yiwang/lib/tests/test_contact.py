from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.lib.contact import (
    InvalidContact,
    id_number_check_char,
    mask_email,
    mask_id_number,
    mask_mobile,
    mask_name,
    normalize_email,
    normalize_id_number,
    normalize_mobile,
)
from yiwang.lib.tests import strategies

TODAY = date(2025, 6, 1)

mobiles = strategies.mobiles
id_numbers = strategies.id_numbers(born_by=TODAY)


# --- mobile -------------------------------------------------------------------------------


def test_it_accepts_a_bare_mobile() -> None:
    assert normalize_mobile("13812345678") == "13812345678"


@pytest.mark.parametrize(
    "raw",
    [
        "+8613812345678",
        "008613812345678",
        "8613812345678",
        "+86 138 1234 5678",
        "138-1234-5678",
        " 138 1234 5678 ",
        "１３８１２３４５６７８",
        "＋８６　１３８－１２３４－５６７８",
    ],
)
def test_it_accepts_a_mobile_with_prefix_separators_or_full_width_digits(raw: str) -> None:
    assert normalize_mobile(raw) == "13812345678"


@pytest.mark.parametrize(
    "raw",
    [
        "1381234567",
        "138123456789",
        "12812345678",
        "23812345678",
        "+8513812345678",
        "010-12345678",
        "1381234567a",
        "",
        "+86",
        "138.1234.5678",
        "١٣٨١٢٣٤٥٦٧٨",
    ],
)
def test_it_rejects_anything_that_is_not_a_mainland_mobile(raw: str) -> None:
    with pytest.raises(InvalidContact) as caught:
        normalize_mobile(raw)
    assert caught.value.code == "invalid_mobile"
    assert caught.value.message


def test_it_rejects_a_mobile_with_ten_digits() -> None:
    with pytest.raises(InvalidContact):
        normalize_mobile("1381234567")


@settings(database=None)
@given(mobiles)
def test_normalizing_a_mobile_is_idempotent(mobile: str) -> None:
    once = normalize_mobile(mobile)
    assert normalize_mobile(once) == once == mobile


@settings(database=None)
@given(mobiles, st.sampled_from(["", "+86", "0086", "86", "+86 "]), st.sampled_from(["", " ", "-"]))
def test_every_way_of_writing_a_mobile_gives_the_same_digits(
    mobile: str, prefix: str, separator: str
) -> None:
    written = prefix + separator.join([mobile[:3], mobile[3:7], mobile[7:]])
    assert normalize_mobile(written) == mobile


# --- e-mail -------------------------------------------------------------------------------


def test_it_lower_cases_the_domain_but_keeps_the_local_part() -> None:
    assert normalize_email("  Zhang.San@Example.COM ") == "Zhang.San@example.com"


def test_it_accepts_full_width_at_signs_typed_with_an_ime() -> None:
    assert normalize_email("zhangsan＠qq.com") == "zhangsan@qq.com"


def test_it_accepts_an_internationalised_domain() -> None:
    assert normalize_email("xinfang@例子.中国") == "xinfang@例子.中国"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "zhangsan",
        "zhangsan@",
        "@example.com",
        "zhang@san@example.com",
        "zhang san@example.com",
        "zhangsan@example",
        "zhangsan@example..com",
        "zhangsan@-example.com",
        "zhangsan@example.com.",
        ".zhangsan@example.com",
        "zhang..san@example.com",
        "zhang\x00san@example.com",
        "zhang\u200bsan@example.com",
        "zhang<san>@example.com",
        "zhangsan@1.2.3.4",
        "a" * 65 + "@example.com",
        "a@" + "b" * 64 + ".com",
        "a@" + ("b" * 60 + ".") * 5 + "com",
    ],
)
def test_it_rejects_a_malformed_email(raw: str) -> None:
    with pytest.raises(InvalidContact) as caught:
        normalize_email(raw)
    assert caught.value.code == "invalid_email"


def test_it_accepts_an_address_of_exactly_254_characters() -> None:
    address = "a@" + ("b" * 62 + ".") * 3 + "b" * 60 + ".cn"
    assert len(address) == 254
    assert normalize_email(address) == address


def test_it_accepts_a_local_part_of_exactly_64_characters() -> None:
    address = "a" * 64 + "@example.com"
    assert normalize_email(address) == address


# --- resident ID number ---------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["11010519491231002X", "360426199101010071", "440524188001010014"])
def test_it_accepts_valid_id_numbers(raw: str) -> None:
    assert normalize_id_number(raw, today=TODAY) == raw


def test_it_accepts_a_lower_case_x_as_check_character() -> None:
    assert normalize_id_number("11010519491231002x", today=TODAY) == "11010519491231002X"


def test_it_accepts_full_width_characters_and_spaces_in_an_id_number() -> None:
    raw = "１１０１０５ １９４９１２３１ ００２ｘ"
    assert normalize_id_number(raw, today=TODAY) == "11010519491231002X"


def test_it_accepts_a_retired_region_code() -> None:
    retired = strategies.id_number("110103", date(1980, 5, 17), 12)
    assert normalize_id_number(retired, today=TODAY) == retired


def test_it_rejects_an_id_number_with_a_wrong_check_character() -> None:
    with pytest.raises(InvalidContact) as caught:
        normalize_id_number("110105194912310021", today=TODAY)
    assert caught.value.code == "invalid_id_number"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "11010519491231002",
        "11010519491231002X1",
        "1101051949123100X2",
        "110105194913310020",
        strategies.id_number("110105", date(1990, 1, 1), 1)[:-1] + "A",
    ],
)
def test_it_rejects_an_id_number_of_the_wrong_shape(raw: str) -> None:
    with pytest.raises(InvalidContact):
        normalize_id_number(raw, today=TODAY)


def test_it_rejects_an_impossible_birth_date_even_with_a_right_check_character() -> None:
    first_17 = "11010519490230002"
    with pytest.raises(InvalidContact):
        normalize_id_number(first_17 + id_number_check_char(first_17), today=TODAY)


def test_it_rejects_a_birth_date_after_today() -> None:
    tomorrow = strategies.id_number("110105", date(2025, 6, 2), 1)
    with pytest.raises(InvalidContact):
        normalize_id_number(tomorrow, today=TODAY)


def test_it_accepts_a_birth_date_of_today() -> None:
    born_today = strategies.id_number("110105", TODAY, 1)
    assert normalize_id_number(born_today, today=TODAY) == born_today


def test_it_uses_the_current_date_when_today_is_not_given() -> None:
    assert normalize_id_number("360426199101010071") == "360426199101010071"


@settings(database=None)
@given(id_numbers)
def test_every_well_formed_id_number_is_accepted(id_number: str) -> None:
    assert normalize_id_number(id_number, today=TODAY) == id_number


@settings(database=None)
@given(id_numbers, st.sampled_from("0123456789X"))
def test_every_other_check_character_is_rejected(id_number: str, check: str) -> None:
    if check == id_number[-1]:
        return
    with pytest.raises(InvalidContact):
        normalize_id_number(id_number[:-1] + check, today=TODAY)


def test_it_refuses_to_compute_a_check_character_from_the_wrong_number_of_digits() -> None:
    with pytest.raises(ValueError, match="17 digits"):
        id_number_check_char("1234")


# --- masking ------------------------------------------------------------------------------


def test_it_masks_the_middle_four_digits_of_a_mobile() -> None:
    assert mask_mobile("13812345678") == "138****5678"


def test_it_masks_a_malformed_mobile_completely() -> None:
    assert mask_mobile("+8613812345678") == "****"


@settings(database=None)
@given(mobiles)
def test_a_masked_mobile_never_reveals_the_middle_digits(mobile: str) -> None:
    masked = mask_mobile(mobile)
    assert masked[3:7] == "****"
    assert masked == mobile[:3] + "****" + mobile[7:]


def test_it_masks_an_email_down_to_first_character_and_domain() -> None:
    assert mask_email("zhangsan@example.com") == "z***@example.com"


def test_it_masks_a_malformed_email_completely() -> None:
    assert mask_email("zhangsan") == "***"


def test_it_keeps_only_the_first_two_and_last_three_characters_of_an_id_number() -> None:
    assert mask_id_number("350102199001011123") == "35*************123"


@settings(database=None)
@given(id_numbers)
def test_a_masked_id_number_never_reveals_the_birth_date(id_number: str) -> None:
    masked = mask_id_number(id_number)
    assert len(masked) == len(id_number)
    assert masked[2:15] == "*" * 13


def test_it_masks_a_short_id_value_completely() -> None:
    assert mask_id_number("12345") == "*****"


def test_it_keeps_the_family_name_and_hides_the_given_name() -> None:
    assert mask_name("张三") == "张**"


def test_it_hides_the_length_of_a_long_name() -> None:
    assert mask_name("欧阳娜娜") == "欧**"


def test_it_masks_an_empty_name_to_nothing() -> None:
    assert mask_name("  ") == ""
