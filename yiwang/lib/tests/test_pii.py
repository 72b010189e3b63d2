"""The personal-information finder and masker (yiwang/lib/pii.py)."""

import itertools
from datetime import date

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from stdnum import luhn

from yiwang.lib import pii
from yiwang.lib.tests import strategies
from yiwang.lib.text import to_halfwidth as _halfwidth

id_numbers = strategies.id_numbers(born_by=date(2025, 12, 31))
mobiles = strategies.mobiles
any_text = st.text(max_size=60)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(text[span.start : span.end], span.kind) for span in pii.find(text)]


# --- What is found ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    ["11010519491231002X", "360426199101010071", "440524188001010014", "11010519491231002x"],
)
def test_it_finds_valid_id_numbers_whatever_their_region_code(number: str) -> None:
    assert kinds(f"身份证号：{number}，") == [(number, "id_number")]


def test_it_finds_an_id_number_with_a_bad_check_digit_because_a_typo_is_still_someones() -> None:
    assert kinds("身份证110105194912310021") == [("110105194912310021", "id_number")]


def test_it_finds_an_old_fifteen_digit_id_number() -> None:
    assert kinds("旧证号330106800101123。") == [("330106800101123", "id_number")]


@pytest.mark.parametrize(
    "written",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "0086-13812345678",
        "(+86)13812345678",
        "１３８１２３４５６７８",
        "138　1234　5678",
    ],
)
def test_it_finds_a_mobile_in_every_common_writing(written: str) -> None:
    assert kinds(f"电话{written}，谢谢") == [(written, "mobile")]


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        ("0571-87654321", "0571-****4321"),
        ("(010)62345678", "010-****5678"),
        ("（0734）7237198", "0734-***7198"),
        ("0734—7237198", "0734-***7198"),
        ("0731 8888 6666", "0731-****6666"),
    ],
)
def test_it_finds_landlines_with_an_area_code_and_keeps_the_area(written: str, masked: str) -> None:
    assert kinds(f"座机{written}。") == [(written, "landline")]
    assert pii.mask(f"座机{written}。") == f"座机{masked}。"


def test_it_finds_a_local_landline_only_where_it_is_introduced_as_a_phone() -> None:
    assert kinds("联系电话：8251931。") == [("8251931", "landline")]
    assert kinds("共计8251931元。") == []


def test_it_finds_bank_cards_by_the_luhn_check_or_by_their_introduction() -> None:
    card = "622202123456789012" + luhn.calc_check_digit("622202123456789012")
    assert kinds(f"转到{card}") == [(card, "bank_card")]
    assert kinds("卡号：6217 0000 1234 5678 901") == [("6217 0000 1234 5678 901", "bank_card")]
    assert kinds("订单2019031512345678") == []  # not Luhn-valid, not introduced


@pytest.mark.parametrize("plate", ["浙A12345", "浙AD12345", "粤B12345D", "湘A·D12345", "京 AF1234"])
def test_it_finds_licence_plates_including_new_energy_ones(plate: str) -> None:
    text = f"车辆{plate}违停"
    assert [kind for _, kind in kinds(text)] == ["plate"]
    assert pii.mask(text) == f"车辆{plate[0]}******违停"


def test_it_finds_e_mail_qq_and_wechat_ids_introduced_as_such() -> None:
    text = "邮箱zhang.san@example.com，QQ号：12345678，微信号：zhang_san88。"
    assert kinds(text) == [
        ("zhang.san@example.com", "email"),
        ("12345678", "qq"),
        ("zhang_san88", "wechat"),
    ]
    assert pii.mask(text) == "邮箱***，QQ号：***，微信号：***。"


def test_a_wechat_official_account_is_not_a_personal_id() -> None:
    assert kinds("请关注微信公众号了解详情") == []


@pytest.mark.parametrize(
    ("text", "name", "masked"),
    [
        ("您好，我叫王小明，家住", "王小明", "您好，我叫王某某，家住"),
        ("本人李建国，现年60岁", "李建国", "本人李某某，现年60岁"),
        ("姓名：欧阳娜娜，电话", "欧阳娜娜", "姓名：欧阳某某，电话"),
        ("感谢张三先生的帮助", "张三", "感谢张先生的帮助"),
        ("请李女士来电", "李", "请李女士来电"),
        ("社区的王建同志说", "王建", "社区的王同志说"),
    ],
)
def test_it_finds_names_where_a_person_is_introduced_or_addressed(
    text: str, name: str, masked: str
) -> None:
    assert kinds(text) == [(name, "name")]
    assert pii.mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "将其写入业主公约。",
        "当事人相信医院",
        "高二年级全体老师一致",
        "各位老师好",
        "向家长和老师反映",
    ],
)
def test_words_after_an_introduction_or_before_a_title_are_not_names(text: str) -> None:
    assert [kind for _, kind in kinds(text) if kind == "name"] == []


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我住在阳光小区3栋2单元501室，", "我住在***，"),
        ("家住文三路18号，", "家住文三路***，"),
        ("地址：幸福路18号院5号楼1202。", "地址：幸福路***。"),
        ("张家村3组45号", "***"),
    ],
)
def test_it_cuts_addresses_at_the_street(text: str, masked: str) -> None:
    assert [kind for _, kind in kinds(text)] == ["address"]
    assert pii.mask(text) == masked


# --- What is left alone -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "根据国办发〔2019〕12号文件",
        "《中华人民共和国个人信息保护法》第二十五条、第25条",
        "2019年3月12号拨打12345热线",
        "2019-03-15 10:30",
        "金额1500元，合计12,345.67元",
        "请拨打12315或110，或400-800-1234",
        "浙江省杭州市西湖区文三路",
        "地铁3号线",
        "房屋3室2厅，小区有3栋楼，两户人家",
        "第3号公告",
    ],
)
def test_it_leaves_dates_amounts_document_numbers_statutes_hotlines_and_places(text: str) -> None:
    assert pii.find(text) == []
    assert pii.mask(text) == text


# --- Masking formats ----------------------------------------------------------------------------


def test_it_masks_the_way_publishing_bodies_do() -> None:
    text = "我叫王小明，身份证号35012319800101123X，手机+86 138 1234 5678。"
    assert pii.mask(text) == "我叫王某某，身份证号35*************23X，手机138****5678。"


def test_spans_come_in_order_without_overlaps() -> None:
    text = "abc11010519491231002X@example.com 张三先生 13812345678"
    spans = pii.find(text)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
    assert spans[0].kind == "id_number"  # the more sensitive kind wins an overlap


def test_empty_text_has_nothing_to_find() -> None:
    assert pii.find("") == []
    assert pii.mask("") == ""


# --- Properties ---------------------------------------------------------------------------------


def _in_a_code(text: str, at: int) -> bool:
    def ascii_digit(char: str) -> bool:
        return char.isascii() and char.isdigit()

    left = at
    while left > 0 and ascii_digit(text[left - 1]):
        left -= 1
    right = at
    while right < len(text) and ascii_digit(text[right]):
        right += 1
    ends = text[left - 1 : left] + text[right : right + 1]
    letters = any(char.isascii() and char.isalpha() for char in ends)
    return (left < at and right > at) or ((left < at or right > at) and letters)


@settings(max_examples=400)
@given(any_text, st.one_of(id_numbers, mobiles), st.integers(0, 60))
@example("5", "13812345678", 1)  # written against other digits
@example("0", "11010519491231002X", 1)
@example("abcX", "11010519491231002X", 4)
@example("00", "11010519491231002X", 1)
def test_a_valid_id_number_or_mobile_inserted_anywhere_never_survives_masking(
    text: str, number: str, at: int
) -> None:
    """Anywhere — but a mobile written against other digits that also touch a Latin letter
    or continue on its other side is part of a longer number or a code (5138123456789,
    SF0138123456780)."""
    at = min(at, len(text))
    assume(len(number) == 18 or not _in_a_code(_halfwidth(text), at))
    masked = pii.mask(text[:at] + number + text[at:])
    assert number not in masked
    assert number.upper() not in masked.upper()


@settings(max_examples=400)
@given(
    st.lists(
        st.one_of(
            any_text,
            id_numbers,
            mobiles,
            st.sampled_from(
                SAMPLES := [
                    "我叫王小明",
                    "张三先生",
                    "阳光小区3栋2单元501室",
                    "0571-87654321",
                    "浙AD12345",
                    "QQ号：12345678",
                    "a@b.cn",
                    "6222021234567890123",
                    "+86",
                    "电话：",
                    "卡号",
                    "X",
                    "0",
                ]
            ),
        ),
        max_size=8,
    )
)
def test_masking_is_idempotent(parts: list[str]) -> None:
    masked = pii.mask("".join(parts))
    assert pii.mask(masked) == masked


@settings(max_examples=300)
@given(st.lists(st.one_of(any_text, id_numbers, mobiles, st.sampled_from(SAMPLES)), max_size=8))
def test_offsets_always_match_the_text(parts: list[str]) -> None:
    text = "".join(parts)
    spans = pii.find(text)
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        assert span.kind in pii.KINDS
    assert spans == sorted(spans)
