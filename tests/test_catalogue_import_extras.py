"""Importing a service catalogue: themes of items, FAQ of implementations, English names of
materials (issue 7, part 2). The rows and helpers are those of test_catalogue_import."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from stdnum.cn import uscc

from tests.test_catalogue_import import _csv, _errors, _json_object, _row
from yiwang.catalogue.imports import import_catalogue
from yiwang.catalogue.models import Implementation, Material, Question, ServiceItem, ServiceTheme
from yiwang.catalogue.search import Filters, search_services
from yiwang.orgs.models import Department

CREDIT_CODE = "11330106002497654" + uscc.calc_check_digit("11330106002497654")
FAQ = "多久能办好？|5个工作日。；可以代办吗？|可以，需带委托书。"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def themes(departments: dict[str, Department]) -> dict[str, ServiceTheme]:
    return {
        code: ServiceTheme.objects.create(code=code, audience="person", name_zh=name)
        for code, name in (("P-HUKOU", "户籍办理"), ("P-SOCIAL", "社会保障"))
    }


def _rows(**overrides: str) -> list[dict[str, str]]:
    """One item implemented in Xihu district and in Hangzhou city."""
    where = {"实施编码": "QR000010003301000001", "实施主体": "杭建", "区划代码": "330100"}
    return [
        _row(统一社会信用代码=CREDIT_CODE, **overrides),
        _row(统一社会信用代码=CREDIT_CODE, **{**where, **overrides}),
    ]


def _json(tmp_path: Path, objects: list[dict[str, Any]]) -> Path:
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")
    return path


def _item_themes() -> set[str]:
    return set(ServiceItem.objects.get().themes.values_list("code", flat=True))


def _listed(related: str) -> list[tuple[str, str]]:
    """The questions (question, answer) or materials (names) of the Xihu implementation."""
    fields = {"questions": ("question", "answer"), "materials": ("name_zh", "name_en")}
    implementation = Implementation.objects.get(code="QR000010003301060001")
    return list(getattr(implementation, related).values_list(*fields[related]))


def _found_by_theme(code: str) -> int:
    return search_services("", filters=Filters(theme=code)).total


# Themes


def test_it_gives_the_item_the_themes_its_rows_name(
    tmp_path: Path, themes: dict[str, ServiceTheme]
) -> None:
    result = import_catalogue(_csv(tmp_path, _rows(主题分类="P-SOCIAL，P-HUKOU")))
    assert result.error_count == 0
    assert _item_themes() == {"P-HUKOU", "P-SOCIAL"}


def test_themes_set_by_the_import_are_what_search_filters_and_finds_by(
    tmp_path: Path, themes: dict[str, ServiceTheme]
) -> None:
    import_catalogue(_csv(tmp_path, _rows(主题分类="P-HUKOU")))
    assert (_found_by_theme("P-HUKOU"), _found_by_theme("P-SOCIAL")) == (2, 0)
    assert search_services("户籍办理").total == 2  # the theme's name is in the item's document
    result = import_catalogue(_csv(tmp_path, _rows(主题分类="P-SOCIAL")))
    assert (result.items_updated, result.updated, result.unchanged) == (1, 0, 2)
    assert (_found_by_theme("P-HUKOU"), _found_by_theme("P-SOCIAL")) == (0, 2)
    assert search_services("户籍办理").total == 0


def test_json_gives_themes_as_a_list_of_codes(
    tmp_path: Path, themes: dict[str, ServiceTheme]
) -> None:
    obj = _json_object(CREDIT_CODE, themes=["P-HUKOU", "P-SOCIAL"])
    assert import_catalogue(_json(tmp_path, [obj])).error_count == 0
    assert _item_themes() == {"P-HUKOU", "P-SOCIAL"}


def test_an_unknown_theme_code_is_reported_by_its_code_and_nothing_is_written(
    tmp_path: Path, themes: dict[str, ServiceTheme]
) -> None:
    result = import_catalogue(_csv(tmp_path, _rows(主题分类="P-HUKOU、P-NOPE")))
    assert _errors(result) == [(2, "主题分类")]
    assert "P-NOPE" in result.errors[0].message
    assert ServiceItem.objects.count() == 0


def test_with_valid_rows_an_item_with_an_unknown_theme_is_not_written(
    tmp_path: Path, themes: dict[str, ServiceTheme]
) -> None:
    result = import_catalogue(_csv(tmp_path, _rows(主题分类="P-NOPE")), valid_rows=True)
    assert _errors(result) == [(2, "主题分类")]
    assert ServiceItem.objects.count() == Implementation.objects.count() == 0


def test_every_row_of_one_item_names_the_same_themes(
    tmp_path: Path, themes: dict[str, ServiceTheme]
) -> None:
    first, second = _rows(主题分类="P-HUKOU,P-SOCIAL")
    same_in_another_order = import_catalogue(
        _csv(tmp_path, [first, {**second, "主题分类": "P-SOCIAL;P-HUKOU"}]), dry_run=True
    )
    assert same_in_another_order.error_count == 0
    result = import_catalogue(_csv(tmp_path, [first, {**second, "主题分类": "P-HUKOU"}]))
    assert _errors(result) == [(3, "主题分类")]
    assert "Row 2" in result.errors[0].message


def test_a_file_without_the_themes_column_keeps_the_stored_themes_and_an_empty_cell_clears(
    tmp_path: Path, themes: dict[str, ServiceTheme]
) -> None:
    import_catalogue(_csv(tmp_path, _rows(主题分类="P-HUKOU")))
    result = import_catalogue(_csv(tmp_path, _rows()))
    assert (result.items_updated, result.unchanged) == (0, 2)
    assert _item_themes() == {"P-HUKOU"}
    result = import_catalogue(_csv(tmp_path, _rows(主题分类="")))
    assert result.items_updated == 1
    assert _item_themes() == set()


def test_a_dry_run_counts_a_change_of_themes_and_writes_nothing(
    tmp_path: Path, themes: dict[str, ServiceTheme]
) -> None:
    import_catalogue(_csv(tmp_path, _rows(主题分类="P-HUKOU")))
    result = import_catalogue(_csv(tmp_path, _rows(主题分类="P-SOCIAL")), dry_run=True)
    assert (result.items_updated, result.written) == (1, False)
    assert _item_themes() == {"P-HUKOU"}


# FAQ


def test_it_imports_the_faq_of_a_csv_cell_in_order(
    tmp_path: Path, departments: dict[str, Department]
) -> None:
    result = import_catalogue(_csv(tmp_path, _rows(常见问题=FAQ.replace("；", "\n"))))
    assert result.error_count == 0
    assert _listed("questions") == [
        ("多久能办好？", "5个工作日。"),
        ("可以代办吗？", "可以，需带委托书。"),
    ]
    assert Question.objects.count() == 4


def test_json_gives_the_faq_as_a_list_of_questions_and_answers(
    tmp_path: Path, departments: dict[str, Department]
) -> None:
    faq = [{"question": "多久能办好？", "answer": "5个工作日。"}]
    obj = _json_object(CREDIT_CODE, code="QR000010003301060001", faq=faq)
    assert import_catalogue(_json(tmp_path, [obj])).error_count == 0
    assert _listed("questions") == [("多久能办好？", "5个工作日。")]


def test_the_longest_question_and_answer_and_thirty_questions_are_accepted(
    tmp_path: Path, departments: dict[str, Department]
) -> None:
    longest = "问" * 500 + "|" + "答" * 4000
    faq = "；".join([longest, *(f"问题{n}？|回答{n}。" for n in range(29))])
    assert import_catalogue(_csv(tmp_path, _rows(常见问题=faq))).error_count == 0
    assert len(_listed("questions")) == 30


@pytest.mark.parametrize(
    ("faq", "words"),
    [
        ("多久能办好？", "Question 1: give the question and the answer, separated by |"),
        ("多久能办好？|5个工作日。；|没有问题", "Question 2: give the question and the answer"),
        ("问|答|多", "Question 1: give the question and the answer"),
        ("问" * 501 + "|答", "Question 1: a question has at most 500 characters"),
        ("问|" + "答" * 4001, "an answer 4000"),
        ("；".join(f"问题{n}？|回答{n}。" for n in range(31)), "At most 30 questions."),
    ],
)
def test_a_bad_faq_is_reported_with_its_row_and_column(
    tmp_path: Path, departments: dict[str, Department], faq: str, words: str
) -> None:
    first, second = _rows(常见问题="")
    result = import_catalogue(_csv(tmp_path, [first, {**second, "常见问题": faq}]))
    assert _errors(result) == [(3, "常见问题")]
    assert words in result.errors[0].message
    assert Implementation.objects.count() == 0


def test_a_bad_json_faq_names_the_object_and_key(
    tmp_path: Path, departments: dict[str, Department]
) -> None:
    obj = _json_object(CREDIT_CODE, faq=[{"question": "多久能办好？"}, "问|答"])
    result = import_catalogue(_json(tmp_path, [obj]))
    assert _errors(result) == [(0, "faq"), (0, "faq")]
    assert [p.message.split(":")[0] for p in result.errors] == ["Question 1", "Question 2"]


def test_a_changed_faq_replaces_the_questions_and_a_file_without_it_keeps_them(
    tmp_path: Path, departments: dict[str, Department]
) -> None:
    import_catalogue(_csv(tmp_path, _rows(常见问题=FAQ)))
    result = import_catalogue(_csv(tmp_path, _rows(常见问题="多久能办好？|3个工作日。")))
    assert (result.updated, result.unchanged) == (2, 0)
    assert _listed("questions") == [("多久能办好？", "3个工作日。")]
    result = import_catalogue(_csv(tmp_path, _rows()))
    assert (result.updated, result.unchanged) == (0, 2)
    assert _listed("questions") == [("多久能办好？", "3个工作日。")]


# English names of materials


def test_a_materials_sixth_field_is_its_english_name(
    tmp_path: Path, departments: dict[str, Department]
) -> None:
    materials = "居民户口簿|公安机关|1|1|是|Household register；近期免冠照片"
    import_catalogue(_csv(tmp_path, _rows(申请材料=materials)))
    assert _listed("materials") == [("居民户口簿", "Household register"), ("近期免冠照片", "")]


def test_a_changed_english_name_of_a_material_is_a_change(
    tmp_path: Path, departments: dict[str, Department]
) -> None:
    import_catalogue(
        _csv(tmp_path, _rows(申请材料="居民户口簿|公安机关|1|1|是|Household register"))
    )
    result = import_catalogue(_csv(tmp_path, _rows(申请材料="居民户口簿|公安机关|1|1|是|Hukou")))
    assert (result.updated, result.unchanged) == (2, 0)
    assert _listed("materials") == [("居民户口簿", "Hukou")]


@pytest.mark.parametrize(
    ("materials", "words"),
    [
        ("户口簿|公安|1|1|是|Hukou|多", "use at most 6 fields"),
        ("户口簿|公安|1|1|是|" + "H" * 301, "an English name has at most 300 characters"),
    ],
)
def test_a_bad_english_name_of_a_material_is_reported(
    tmp_path: Path, departments: dict[str, Department], materials: str, words: str
) -> None:
    result = import_catalogue(_csv(tmp_path, _rows(申请材料=materials)))
    assert _errors(result) == [(2, "申请材料"), (3, "申请材料")]
    assert words in result.errors[0].message


def test_a_json_english_name_too_long_is_reported_rather_than_cut(
    tmp_path: Path, departments: dict[str, Department]
) -> None:
    obj = _json_object(CREDIT_CODE, materials=[{"name_zh": "户口簿", "name_en": "H" * 301}])
    result = import_catalogue(_json(tmp_path, [obj]))
    assert _errors(result) == [(0, "materials")]


# All three together


def test_importing_the_same_file_again_writes_nothing(
    tmp_path: Path, themes: dict[str, ServiceTheme]
) -> None:
    rows = _rows(主题分类="P-HUKOU,P-SOCIAL", 常见问题=FAQ,
                 申请材料="居民户口簿|公安机关|1|1|是|Household register")  # fmt: skip
    path = _csv(tmp_path, rows)
    import_catalogue(path)
    kept = (list(Material.objects.values_list("pk", flat=True)),
            list(Question.objects.values_list("pk", flat=True)))  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        result = import_catalogue(path)
    assert (result.items_created, result.items_updated, result.created, result.updated) == (
        0, 0, 0, 0
    )  # fmt: skip
    assert result.unchanged == 2
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    assert kept == (list(Material.objects.values_list("pk", flat=True)),
                    list(Question.objects.values_list("pk", flat=True)))  # fmt: skip
