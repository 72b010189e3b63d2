"""The service catalogue's data model after GB/T 39046: codes, hierarchy, limits, constraints."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation
from stdnum.cn import uscc

from yiwang.catalogue.codes import (
    AUDIENCE_CODES,
    FORM_CODES,
    ItemType,
    Node,
    TimeUnit,
    basic_code_problem,
    credit_code_problem,
)
from yiwang.catalogue.models import Implementation, ServiceItem
from yiwang.catalogue.validation import implementation_problems, item_problems
from yiwang.orgs.models import Department, Region

W, C, M, NOW = TimeUnit.WORKING_DAYS, TimeUnit.CALENDAR_DAYS, TimeUnit.MONTHS, TimeUnit.IMMEDIATE
CREDIT_CODE = "113300000024821570"  # GB 32100: 8 digits, 9 characters, check character


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_the_example_credit_code_is_valid() -> None:
    assert uscc.is_valid(CREDIT_CODE)
    assert credit_code_problem(CREDIT_CODE) is None


@pytest.mark.parametrize(
    ("code", "item_type", "problem"),
    [
        ("XK00001000", ItemType.LICENSING, None),
        ("GG00123001", ItemType.PUBLIC_SERVICE, None),
        ("XK0000100", ItemType.LICENSING, "2 capital letters and 8 digits"),
        ("xk00001000", ItemType.LICENSING, "2 capital letters and 8 digits"),
        ("CF00001000", ItemType.LICENSING, "starts with XK"),
    ],
)
def test_a_basic_code_is_two_letters_of_its_type_and_eight_digits(
    code: str, item_type: str, problem: str | None
) -> None:
    found = basic_code_problem(code, item_type)
    assert (found is None) if problem is None else (problem in (found or ""))


@pytest.mark.parametrize("code", ["11330000002482157X", "1133000000248215", "", "A" * 18])
def test_a_credit_code_with_a_wrong_check_character_or_length_is_refused(code: str) -> None:
    assert credit_code_problem(code) is not None


@pytest.mark.parametrize(
    ("node", "parent", "problem"),
    [
        (Node.MAIN, None, None),
        (Node.MAIN, Node.MAIN, "no parent"),
        (Node.SUB, Node.MAIN, None),
        (Node.SUB, None, "main item"),
        (Node.BUSINESS, Node.SUB, None),
        (Node.BUSINESS, Node.MAIN, None),
        (Node.BUSINESS, Node.BUSINESS, "main item or a sub-item"),
    ],
)
def test_the_hierarchy_is_main_then_sub_then_business(
    node: str, parent: str | None, problem: str | None
) -> None:
    problems = item_problems("XK00001000", ItemType.LICENSING, node, parent, "")
    assert problems.get("parent") == problem or (problem and problem in problems["parent"])


def test_only_a_business_item_has_a_kind_of_business() -> None:
    assert "business_kind" in item_problems("XK00001000", "01", Node.MAIN, None, "renewal")
    assert item_problems("XK00001001", "01", Node.BUSINESS, Node.SUB, "renewal") == {}


@pytest.mark.parametrize(
    ("statutory", "promised", "field"),
    [
        ((20, W), (10, W), None),
        ((20, W), (28, C), None),  # 20 working days are four weeks
        ((20, W), (30, C), "promised_limit"),
        ((3, M), (60, W), None),
        ((10, W), (11, W), "promised_limit"),
        ((0, NOW), (0, NOW), None),
        ((20, W), (0, NOW), None),
        ((5, NOW), (0, NOW), "statutory_limit"),
        ((0, W), (0, NOW), "statutory_limit"),
        ((5000, C), (10, W), "statutory_limit"),
        ((20, "weeks"), (10, W), "statutory_limit"),
    ],
)
def test_time_limits_have_a_unit_a_sane_size_and_the_promise_is_not_longer_than_the_law(
    statutory: tuple[int, str], promised: tuple[int, str], field: str | None
) -> None:
    problems = implementation_problems("330000XK0000100001", CREDIT_CODE, statutory, promised)
    assert list(problems) == ([field] if field else [])


def test_an_implementation_code_is_ten_to_twenty_four_capitals_or_digits() -> None:
    assert "code" in implementation_problems("short", CREDIT_CODE, (1, W), (1, W))
    assert "code" in implementation_problems("3300-XK0000100001", CREDIT_CODE, (1, W), (1, W))
    assert implementation_problems("330000XK0000100001", CREDIT_CODE, (1, W), (1, W)) == {}


def test_the_a4_and_a5_codes_map_to_distinct_bits() -> None:
    for table in (AUDIENCE_CODES, FORM_CODES):
        bits = list(table.values())
        assert len(set(bits)) == len(bits)
        assert all(bit & (bit - 1) == 0 for bit in bits)


@pytest.mark.django_db
def test_the_database_refuses_a_main_item_with_a_parent_and_a_sub_item_without_one() -> None:
    main = ServiceItem.objects.create(
        basic_code="XK00001000", name_zh="食品经营许可", item_type="01", node=Node.MAIN
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceItem.objects.create(
            basic_code="XK00001001", name_zh="子项", item_type="01", node=Node.MAIN, parent=main
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceItem.objects.create(
            basic_code="XK00001002", name_zh="子项", item_type="01", node=Node.SUB
        )


@pytest.mark.django_db
def test_one_item_is_implemented_once_per_body_and_region_and_serves_someone(
    regions: dict[str, Region], departments: dict[str, Department]
) -> None:
    item = ServiceItem.objects.create(
        basic_code="GG00001000", name_zh="社会保障卡申领", item_type="20", node=Node.MAIN
    )
    region = regions["xihu"]
    fields = {
        "item": item,
        "body": departments["housing"],
        "body_credit_code": CREDIT_CODE,
        "region": region,
        "level": "4",
        "statutory_limit": 20,
        "statutory_unit": W,
        "promised_limit": 5,
        "promised_unit": W,
        "audiences": AUDIENCE_CODES["1"],
        "handling_forms": FORM_CODES["1"] | FORM_CODES["2"],
    }
    first = Implementation.objects.create(code="330106GG0000100001", **fields)
    assert first.has_english_guide is False
    with pytest.raises(IntegrityError), transaction.atomic():
        Implementation.objects.create(code="330106GG0000100002", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Implementation.objects.create(
            code="330106GG0000100003",
            **{**fields, "body": departments["transport"], "audiences": 0},
        )
