"""Labelled historical messages are imported to train on: all or nothing, never twice."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from yiwang.accounts.actions import do_create_staff
from yiwang.classifier.imports import Columns, import_examples
from yiwang.classifier.models import Target, TrainingExample
from yiwang.lib.tables import Table, read_table
from yiwang.orgs.models import Department
from yiwang.taxonomy.models import Category

pytestmark = pytest.mark.django_db
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "tipdm2020"


def table_of(text: str, name: str = "labelled.csv") -> Table:
    return read_table(text.encode("utf-8"), name)


def test_labels_name_a_category_by_code_path_or_unique_name(
    taxonomy: dict[str, Category],
) -> None:
    csv = (
        "title,text,label\n"
        "电梯坏了,小区电梯坏了两个月,01.01\n"
        ",公交车不准点,交通/公交\n"
        "出租车拒载,司机拒载,出租车\n"
        "住房问题,房子漏水,住房\n"
    )
    report = import_examples(table_of(csv), Target.CATEGORY, Columns(), "labelled.csv")
    assert report.ok, report.errors
    assert report.created == 4
    labelled = dict(TrainingExample.objects.values_list("text", "category__code"))
    assert labelled == {
        "小区电梯坏了两个月": "01.01",
        "公交车不准点": "04.01",
        "司机拒载": "04.02",
        "房子漏水": "01",  # a major category: the engine learns label paths of any depth
    }


def test_one_bad_row_imports_nothing_and_says_where(taxonomy: dict[str, Category]) -> None:
    csv = (
        "title,text,label\n"
        "好的,正常的留言,01.01\n"
        "没有标签,有内容,\n"
        "未知,有内容,不存在的类别\n"
        ",,01.01\n"
        f"{'长' * 201},内容,01.01\n"
    )
    report = import_examples(table_of(csv), Target.CATEGORY, Columns(), "bad.csv")
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "label"),
        (4, "label"),
        (5, "text"),
        (6, "title"),
    ]
    assert not TrainingExample.objects.exists()


def test_importing_the_same_file_twice_adds_nothing_and_repeats_count_once(
    taxonomy: dict[str, Category],
) -> None:
    csv = "title,text,label\n电梯,电梯坏了,01.01\n电梯,电梯坏了,01.01\n公交,公交晚点,04.01\n"
    first = import_examples(table_of(csv), Target.CATEGORY, Columns(), "a.csv")
    again = import_examples(table_of(csv), Target.CATEGORY, Columns(), "a.csv")
    assert (first.created, first.skipped) == (2, 1)
    assert (again.created, again.skipped) == (0, 3)
    assert TrainingExample.objects.count() == 2


def test_columns_are_mapped_and_the_title_column_may_be_absent(
    taxonomy: dict[str, Category],
) -> None:
    csv = "留言详情,一级分类\n路灯不亮,交通\n"
    columns = Columns(text="留言详情", label="一级分类", title="留言主题")
    report = import_examples(table_of(csv), Target.CATEGORY, columns, "mapped.csv")
    assert report.ok
    assert TrainingExample.objects.get().title == ""


def test_a_missing_column_is_reported_for_the_file(taxonomy: dict[str, Category]) -> None:
    report = import_examples(table_of("title,body\n标题,内容\n"), Target.CATEGORY, Columns(), "x")
    assert [(e.row, e.column) for e in report.errors] == [(0, "text"), (0, "label")]


def test_a_name_used_twice_in_the_tree_must_be_given_by_path(
    taxonomy: dict[str, Category],
) -> None:
    Category.objects.create(
        version=taxonomy["housing"].version,
        code="04.03",
        name_zh="房屋维修",
        parent=taxonomy["transport"],
        depth=2,
    )
    report = import_examples(
        table_of("text,label\n车站屋顶漏雨,房屋维修\n"), Target.CATEGORY, Columns(), "x"
    )
    assert "Several categories" in report.errors[0].message or "多个" in report.errors[0].message
    assert not TrainingExample.objects.exists()


def test_department_labels_name_a_department(departments: dict[str, Department]) -> None:
    csv = "text,label\n电梯坏了,杭建\n公交晚点,杭州市交通运输局\n问题,不存在的局\n"
    report = import_examples(table_of(csv), Target.DEPARTMENT, Columns(), "d.csv")
    assert [(e.row, e.column) for e in report.errors] == [(4, "label")]
    report = import_examples(table_of(csv.rsplit("问题", 1)[0]), Target.DEPARTMENT, Columns(), "d")
    assert report.created == 2
    assert set(TrainingExample.objects.values_list("department__short_code", flat=True)) == {
        "杭建",
        "杭交",
    }


def test_hostile_text_is_stored_as_text(taxonomy: dict[str, Category]) -> None:
    hostile = "<script>alert(1)</script>'; DROP TABLE x; --😀"
    csv = f'text,label\n"{hostile}",01.01\n'
    assert import_examples(table_of(csv), Target.CATEGORY, Columns(), "h.csv").ok
    assert TrainingExample.objects.get().text == hostile


def test_the_command_imports_a_file_and_refuses_a_bad_one(
    taxonomy: dict[str, Category], tmp_path: Path
) -> None:
    good = tmp_path / "good.csv"
    good.write_text("title,text,label\n电梯,电梯坏了,01.01\n", encoding="utf-8")
    out = io.StringIO()
    call_command("classifier", "import", str(good), stdout=out)
    assert "1 examples imported" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text("title,text,label\n电梯,电梯坏了,99\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("classifier", "import", str(bad), stderr=io.StringIO())
    with pytest.raises(CommandError):
        call_command("classifier", "import", str(tmp_path / "missing.csv"))


@pytest.mark.realdata
def test_the_real_tipdm_messages_import_under_the_tipdm_taxonomy() -> None:
    if not (SHARED / "messages_labelled.csv").exists():
        pytest.skip("../shared/data/tipdm2020 is not here")
    call_command(
        "import_taxonomy",
        str(SHARED / "taxonomy_3level.csv"),
        "--name",
        "tipdm",
        "--activate",
        stdout=io.StringIO(),
    )
    out = io.StringIO()
    call_command("classifier", "import", str(SHARED / "messages_labelled.csv"), stdout=out)
    assert TrainingExample.objects.count() > 6000
    assert (
        TrainingExample.objects.filter(category__depth=1).count() == TrainingExample.objects.count()
    )


def test_a_taxonomy_maintainer_imports_through_the_admin_page(
    taxonomy: dict[str, Category], signed_in: Any, clerk: Any
) -> None:
    maintainer = do_create_staff("maintainer", "a-long-password-2026", roles=["administrator"])
    page = signed_in(maintainer)
    upload = SimpleUploadedFile("history.csv", "正文,类别\n电梯坏了,01.01\n".encode())
    response = page.post(
        "/admin/classifier/trainingexample/import/",
        {
            "target": "category",
            "file": upload,
            "text_column": "正文",
            "label_column": "类别",
            "title_column": "标题",
        },
    )
    assert response.status_code == 302
    assert TrainingExample.objects.get().imported_by == maintainer
    bad = SimpleUploadedFile("bad.csv", "正文,类别\n电梯坏了,99\n".encode())
    response = page.post(
        "/admin/classifier/trainingexample/import/",
        {
            "target": "category",
            "file": bad,
            "text_column": "正文",
            "label_column": "类别",
            "title_column": "标题",
        },
    )
    assert response.status_code == 200
    assert TrainingExample.objects.count() == 1
    assert signed_in(clerk).get("/admin/classifier/trainingexample/import/").status_code in {
        302,
        403,
    }
