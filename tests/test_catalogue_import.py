"""Importing a service catalogue from CSV, XLSX and JSON: checks with row and column, modes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from yiwang.catalogue.imports import ImportResult, import_catalogue
from yiwang.catalogue.models import Implementation, Material, ServiceItem
from yiwang.orgs.models import Department, Region


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _row(**overrides: str) -> dict[str, str]:
    row = {
        "事项名称": "居民身份证申领",
        "基本编码": "QR00001000",
        "事项类型": "07",
        "层级节点": "主项",
        "上级基本编码": "",
        "实施编码": "QR000010003301060001",
        "实施主体": "西湖建",
        "统一社会信用代码": "11330106002497654K",
        "区划代码": "330106",
        "行使层级": "4",
        "法定办结时限": "60",
        "法定办结时限单位": "工作日",
        "承诺办结时限": "20",
        "承诺办结时限单位": "工作日",
        "服务对象": "1",
        "办理形式": "1,2",
        "是否网办": "是",
        "网办地址": "https://zwfw.example.gov.cn/item/1",
        "受理条件": "年满十六周岁的中国公民",
        "申请材料": "居民户口簿|公安机关|1|1|是；近期免冠照片|申请人|2|0|是",
    }
    row.update(overrides)
    return row


def _other_row(**overrides: str) -> dict[str, str]:
    """The same item in Hangzhou city, by its housing bureau."""
    where = {"实施编码": "QR000010003301000001", "实施主体": "杭建", "区划代码": "330100"}
    return _row(**{**where, **overrides})


def _csv(tmp_path: Path, rows: list[dict[str, str]], encoding: str = "utf-8-sig") -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "catalogue.csv"
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def _errors(result: ImportResult) -> list[tuple[int, str]]:
    return [(p.row, p.column) for p in result.errors]


@pytest.fixture
def credit_code() -> str:
    from stdnum.cn import uscc

    first17 = "11330106002497654"
    return first17 + uscc.calc_check_digit(first17)


@pytest.fixture
def catalogue_csv(tmp_path: Path, departments: dict[str, Department], credit_code: str) -> Path:
    return _csv(
        tmp_path,
        [
            _row(统一社会信用代码=credit_code),
            _row(统一社会信用代码=credit_code, 实施编码="QR000010003301000001", 实施主体="杭建",
                 区划代码="330100", 行使层级="3"),
            _row(统一社会信用代码=credit_code, 事项名称="居民身份证申领（首次申领）",
                 基本编码="QR00001001", 层级节点="子项", 上级基本编码="QR00001000",
                 实施编码="QR000010013301060001"),
        ],
    )  # fmt: skip


def test_it_imports_items_and_implementations_from_a_csv_file(catalogue_csv: Path) -> None:
    result = import_catalogue(catalogue_csv)
    assert result.error_count == 0
    assert result.written
    assert (result.items_created, result.created) == (2, 3)
    sub = ServiceItem.objects.get(basic_code="QR00001001")
    assert sub.parent is not None
    assert sub.parent.basic_code == "QR00001000"
    implementation = Implementation.objects.get(code="QR000010003301060001")
    assert implementation.statutory_unit == "working_days"
    assert implementation.handling_forms == 3
    assert implementation.online
    assert list(implementation.materials.values_list("name_zh", "originals", "copies")) == [
        ("居民户口簿", 1, 1),
        ("近期免冠照片", 2, 0),
    ]


def test_it_reads_a_csv_file_saved_as_gbk(
    tmp_path: Path, departments: dict[str, Department], credit_code: str
) -> None:
    path = _csv(tmp_path, [_row(统一社会信用代码=credit_code)], encoding="gbk")
    assert import_catalogue(path).created == 1


def test_it_reads_an_xlsx_workbook_and_a_named_sheet(
    tmp_path: Path, departments: dict[str, Department], credit_code: str
) -> None:
    row = _row(统一社会信用代码=credit_code)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "实施清单"
    sheet.append(list(row))
    sheet.append([int(v) if k == "法定办结时限" else v for k, v in row.items()])
    path = tmp_path / "catalogue.xlsx"
    book.save(path)
    assert import_catalogue(path, sheet="实施清单").created == 1


def test_it_reports_a_sheet_the_workbook_does_not_have(tmp_path: Path, db: None) -> None:
    book = Workbook()
    path = tmp_path / "catalogue.xlsx"
    book.save(path)
    result = import_catalogue(path, sheet="事项")
    assert "事项" in result.errors[0].message
    assert not result.written


def test_it_imports_json_with_materials_as_objects(
    tmp_path: Path, departments: dict[str, Department], credit_code: str
) -> None:
    objects = [_json_object(credit_code)]
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")
    result = import_catalogue(path)
    assert result.error_count == 0
    implementation = Implementation.objects.get()
    assert implementation.audiences == 1 | 2
    assert implementation.materials.get().name_en == "Household register"


def _json_object(credit_code: str, **overrides: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "name_zh": "营业执照设立登记", "basic_code": "XK00001000", "item_type": "01",
        "node": "main", "code": "XK000010003301060001", "body": "西湖建",
        "body_credit_code": credit_code, "region": "330106", "level": 4,
        "statutory_limit": 15, "statutory_unit": "working_days", "promised_limit": 1,
        "promised_unit": "working_days", "audiences": ["1", "2"], "handling_forms": [1],
        "online": True,
        "materials": [{"name_zh": "居民户口簿", "name_en": "Household register", "originals": 1}],
    }  # fmt: skip
    obj.update(overrides)
    return obj


def test_a_json_error_names_the_object_index_and_key(
    tmp_path: Path, departments: dict[str, Department], credit_code: str
) -> None:
    objects = [
        _json_object(credit_code),
        _json_object(credit_code, code="XK000010003301000001", region="999999"),
        _json_object(credit_code, code="X1", materials=[{"name_zh": "表", "copies": "many"}]),
    ]
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")
    result = import_catalogue(path)
    assert _errors(result) == [(1, "region"), (2, "code"), (2, "materials")]
    assert str(result.errors[0]).startswith("object 1, key region")
    assert Implementation.objects.count() == 0


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("基本编码", "QR0001000"),  # a bad basic code
        ("基本编码", "XK00001000"),  # letters of another type
        ("统一社会信用代码", "91330106MA2H2QX060"),  # a bad check character
        ("事项类型", "33"),  # an unknown enumeration
        ("层级节点", "大项"),
        ("服务对象", "1,7"),
        ("法定办结时限单位", "周"),
        ("是否网办", "也许"),
        ("承诺办结时限", "90"),  # promised above the statutory limit
        ("上级基本编码", "QR00009000"),  # an unknown parent
        ("实施主体", "不存在"),  # an unknown department
        ("区划代码", "110000"),  # an unknown region
        ("事项名称", "长" * 10_000),  # a 10,000-character field
        ("受理条件", "长" * 10_000),
        ("申请材料", "户口簿|公安|一份"),
    ],
)
def test_it_reports_bad_input_with_its_row_and_column(
    tmp_path: Path, departments: dict[str, Department], credit_code: str, column: str, value: str
) -> None:
    rows = [_row(统一社会信用代码=credit_code, 实施编码="QR000010003301000001", 实施主体="杭建",
                 区划代码="330100")]  # fmt: skip
    bad = _row(**{"统一社会信用代码": credit_code, column: value})
    if column == "上级基本编码":
        bad.update(基本编码="QR00001001", 层级节点="子项", 事项名称="子项")
    rows.append(bad)
    result = import_catalogue(_csv(tmp_path, rows))
    assert (3, column) in _errors(result), result.errors
    assert all(problem.message for problem in result.errors)
    assert Implementation.objects.count() == 0


def test_a_duplicated_implementation_code_is_reported_on_its_second_row(
    tmp_path: Path, departments: dict[str, Department], credit_code: str
) -> None:
    rows = [_row(统一社会信用代码=credit_code), _row(统一社会信用代码=credit_code, 实施主体="杭建")]
    result = import_catalogue(_csv(tmp_path, rows))
    assert _errors(result) == [(3, "实施编码")]
    assert "row 2" in result.errors[0].message


def test_a_missing_required_column_rejects_the_file(
    tmp_path: Path, departments: dict[str, Department]
) -> None:
    row = _row()
    del row["实施编码"]
    result = import_catalogue(_csv(tmp_path, [row]))
    assert _errors(result) == [(1, "code")]
    assert "实施编码" in result.errors[0].message


def test_an_unknown_column_is_reported_rather_than_ignored(
    tmp_path: Path, departments: dict[str, Department]
) -> None:
    result = import_catalogue(_csv(tmp_path, [_row(备注="x")]))
    assert _errors(result) == [(1, "备注")]


def test_an_empty_file_is_reported(tmp_path: Path, db: None) -> None:
    for name in ("empty.csv", "empty.json"):
        path = tmp_path / name
        path.write_bytes(b"")
        result = import_catalogue(path)
        assert result.errors
        assert "empty" in result.errors[0].message


def test_by_default_one_bad_row_saves_nothing(
    tmp_path: Path, departments: dict[str, Department], credit_code: str
) -> None:
    rows = [_row(统一社会信用代码=credit_code), _other_row(统一社会信用代码="bad")]
    result = import_catalogue(_csv(tmp_path, rows))
    assert _errors(result) == [(3, "统一社会信用代码")]
    assert not result.written
    assert ServiceItem.objects.count() == Implementation.objects.count() == 0


def test_with_valid_rows_it_keeps_the_valid_rows_and_reports_the_others(
    tmp_path: Path, departments: dict[str, Department], credit_code: str
) -> None:
    rows = [_row(统一社会信用代码=credit_code), _other_row(统一社会信用代码="bad")]
    result = import_catalogue(_csv(tmp_path, rows), valid_rows=True)
    assert _errors(result) == [(3, "统一社会信用代码")]
    assert list(Implementation.objects.values_list("code", flat=True)) == ["QR000010003301060001"]


def test_a_dry_run_checks_and_counts_but_writes_nothing(catalogue_csv: Path) -> None:
    result = import_catalogue(catalogue_csv, dry_run=True)
    assert (result.items_created, result.created, result.written) == (2, 3, False)
    assert ServiceItem.objects.count() == Implementation.objects.count() == 0


def test_importing_the_same_file_again_changes_nothing(catalogue_csv: Path) -> None:
    import_catalogue(catalogue_csv)
    materials = list(Material.objects.values_list("pk", flat=True))
    result = import_catalogue(catalogue_csv)
    assert (result.items_created, result.items_updated, result.created, result.updated) == (
        0, 0, 0, 0
    )  # fmt: skip
    assert result.unchanged == 3
    assert list(Material.objects.values_list("pk", flat=True)) == materials


def test_a_changed_row_updates_the_implementation_found_by_its_code(
    tmp_path: Path, departments: dict[str, Department], credit_code: str
) -> None:
    import_catalogue(_csv(tmp_path, [_row(统一社会信用代码=credit_code)]))
    changed = _row(统一社会信用代码=credit_code, 承诺办结时限="10", 事项名称="居民身份证申领（新）",
                   申请材料="居民户口簿|公安机关|1|0|否")  # fmt: skip
    result = import_catalogue(_csv(tmp_path, [changed]))
    assert (result.items_updated, result.updated) == (1, 1)
    implementation = Implementation.objects.get()
    assert implementation.promised_limit == 10
    assert implementation.item.name_zh == "居民身份证申领（新）"
    assert list(implementation.materials.values_list("name_zh", "copies", "required")) == [
        ("居民户口簿", 0, False)
    ]


def test_the_command_prints_a_summary_and_the_errors(
    catalogue_csv: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, credit_code: str
) -> None:
    call_command("import_catalogue", str(catalogue_csv), "--dry-run")
    assert "3 new" in capsys.readouterr().out
    bad = _csv(tmp_path, [_row(区划代码="000000", 统一社会信用代码=credit_code)])
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(bad))
    assert "区划代码" in capsys.readouterr().err


def test_regions_fixture_is_enough_for_a_region_check(regions: dict[str, Region]) -> None:
    assert Region.objects.filter(code="330106").exists()
