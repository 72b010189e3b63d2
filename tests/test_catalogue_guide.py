"""The service guide (办事指南) of one implementation, in Chinese and (partly) in English."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from yiwang.catalogue.models import Implementation

pytestmark = pytest.mark.django_db
CODE = "330106GG0000100001"

Make = Callable[..., Implementation]


@pytest.fixture
def make(make_implementation: Make) -> Make:
    return make_implementation


def test_the_guide_shows_limits_materials_place_and_questions(client: Client, make: Make) -> None:
    make()
    page = client.get(f"/services/{CODE}/")
    assert page.status_code == 200
    html = page.content.decode()
    for shown in ("社会保障卡申领", "材料0", "材料1", "西湖区政务服务中心一楼", "多久能拿到卡？"):
        assert shown in html
    assert "https://example.gov.cn/apply" in html
    assert html.count("<h1>") == 1


def test_a_code_is_found_whatever_its_case_and_unknown_or_inactive_codes_are_not(
    client: Client, make: Make
) -> None:
    make(is_active=False)
    assert client.get(f"/services/{CODE}/").status_code == 404
    Implementation.objects.update(is_active=True)
    assert client.get(f"/services/{CODE.lower()}/").status_code == 200
    for code in ("NOPE", "X" * 1000, "'; DROP TABLE x; --", "%00"):
        assert client.get(f"/services/{code}/").status_code == 404


def test_the_english_page_says_when_the_guide_is_only_partly_english(
    client: Client, make: Make
) -> None:
    implementation = make()
    assert 'id="partial-english"' in client.get(f"/en/services/{CODE}/").content.decode()
    implementation.item.name_en = "Applying for a social security card"
    implementation.item.save()
    Implementation.objects.update(
        conditions_en="Insured in the city.", procedure_en="Apply, get the card."
    )
    english = client.get(f"/en/services/{CODE}/").content.decode()
    assert 'id="partial-english"' not in english
    assert "Applying for a social security card" in english
    assert 'id="partial-english"' not in client.get(f"/services/{CODE}/").content.decode()


@pytest.mark.parametrize("materials", [1, 12])
def test_the_guide_costs_the_same_queries_whatever_the_number_of_materials(
    client: Client, make: Make, materials: int, django_assert_num_queries: Any
) -> None:
    make(materials=materials)
    with django_assert_num_queries(3):
        assert client.get(f"/services/{CODE}/").status_code == 200
