"""The generated catalogue: exact sizes, valid codes, one item in many regions, few queries."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from stdnum.cn import uscc

from yiwang.catalogue.codes import IMPLEMENTATION_CODE, Node, basic_code_problem
from yiwang.catalogue.generator import CatalogueNotEmpty, generate_catalogue, item_specs
from yiwang.catalogue.models import Implementation, Material, ServiceItem, ServiceTheme
from yiwang.catalogue.validation import implementation_problems, item_problems
from yiwang.demo.loader import load_reference_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def province(db: None) -> None:
    load_reference_data()


def _snapshot() -> list[tuple[object, ...]]:
    return list(
        Implementation.objects.order_by("code").values_list(
            "code", "item__basic_code", "body__short_code", "region__code", "promised_limit",
            "handling_forms", "phone", "place",
        )
    )  # fmt: skip


def test_it_writes_by_hand_at_least_150_real_items_with_english_for_about_half() -> None:
    mains = [spec for spec in item_specs() if spec.node == Node.MAIN]
    assert len(mains) >= 150
    assert 0.35 < sum(bool(spec.name_en) for spec in mains) / len(mains) < 0.65
    assert {"居民身份证申领", "住房公积金提取", "结婚登记", "食品经营许可"} <= {
        spec.name_zh for spec in mains
    }


def test_it_makes_exactly_the_number_of_implementations_asked(province: None) -> None:
    result = generate_catalogue(500, seed=1)
    assert Implementation.objects.count() == result.implementations == 500
    assert Material.objects.count() == result.materials > 500
    assert ServiceTheme.objects.filter(audience="person").exists()
    assert ServiceTheme.objects.filter(audience="entity").exists()


def test_the_same_seed_makes_the_same_catalogue(province: None) -> None:
    generate_catalogue(300, seed=7)
    first = _snapshot()
    Material.objects.all().delete()
    Implementation.objects.all().delete()
    ServiceItem.objects.filter(node=Node.BUSINESS).delete()
    ServiceItem.objects.filter(node=Node.SUB).delete()
    ServiceItem.objects.all().delete()
    generate_catalogue(300, seed=7)
    assert _snapshot() == first


def test_every_code_is_valid_and_unique(province: None) -> None:
    generate_catalogue(1200, seed=3)
    for item in ServiceItem.objects.select_related("parent"):
        parent_node = item.parent.node if item.parent else None
        assert (
            item_problems(
                item.basic_code, item.item_type, item.node, parent_node, item.business_kind
            )
            == {}
        ), item
    codes = list(Implementation.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    for implementation in Implementation.objects.all():
        assert IMPLEMENTATION_CODE.fullmatch(implementation.code)
        assert uscc.is_valid(implementation.body_credit_code)
        assert (
            implementation_problems(
                implementation.code,
                implementation.body_credit_code,
                (implementation.statutory_limit, implementation.statutory_unit),
                (implementation.promised_limit, implementation.promised_unit),
            )
            == {}
        )


def test_one_item_is_implemented_in_many_regions_with_the_same_basic_code(province: None) -> None:
    generate_catalogue(400, seed=3)
    regions_per_item = Counter(
        Implementation.objects.values_list("item__basic_code", "region__code").distinct()
        .values_list("item__basic_code", flat=True)
    )  # fmt: skip
    assert max(regions_per_item.values()) >= 10
    item = ServiceItem.objects.get(name_zh="居民身份证申领")
    assert basic_code_problem(item.basic_code, item.item_type) is None
    assert item.implementations.values("region").distinct().count() >= 10


def test_main_items_have_sub_items_and_business_items(province: None) -> None:
    generate_catalogue(10, seed=3)
    food = ServiceItem.objects.get(name_zh="食品经营许可")
    kinds = set(food.children.values_list("business_kind", flat=True))
    assert kinds == {"new", "change", "renewal", "cancellation"}
    assert ServiceItem.objects.filter(node=Node.SUB, parent__node=Node.MAIN).exists()


def test_past_the_departments_it_uses_convenience_centres_of_the_counties(
    province: None,
) -> None:
    specs = len(item_specs())
    generate_catalogue(specs * 18 + 50, seed=3)
    centres = Implementation.objects.filter(level="5")
    assert centres.count() == 50
    assert set(centres.values_list("region__level", flat=True)) == {"county"}


def test_it_refuses_to_generate_into_a_catalogue_that_has_items(province: None) -> None:
    generate_catalogue(5)
    with pytest.raises(CatalogueNotEmpty):
        generate_catalogue(5)


def test_the_number_of_queries_grows_with_batches_not_rows(province: None) -> None:
    with CaptureQueriesContext(connection) as small:
        generate_catalogue(200, seed=1)
    Material.objects.all().delete()
    Implementation.objects.all().delete()
    for node in (Node.BUSINESS, Node.SUB, Node.MAIN):
        ServiceItem.objects.filter(node=node).delete()
    with CaptureQueriesContext(connection) as large:
        generate_catalogue(2000, seed=1)
    # SQLite caps the rows of one INSERT (999 parameters in Django 5.2): about one query per
    # 25 rows there, a handful in all on PostgreSQL; never one a row.
    assert len(large) - len(small) < (2000 - 200) / 10


def test_the_command_prints_what_it_made(
    province: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("generate_catalogue", "--implementations", "40", "--seed", "5")
    assert "40 implementations" in capsys.readouterr().out
