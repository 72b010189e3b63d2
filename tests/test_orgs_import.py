"""Importing regions, departments and service halls: all or nothing, upsert by code."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from yiwang.accounts.models import User
from yiwang.lib.tables import ImportReport, RowError, Table, UnreadableTable, read_table
from yiwang.orgs.imports import import_departments, import_halls, import_regions
from yiwang.orgs.kinds import DepartmentKind
from yiwang.orgs.models import Department, Region, ServiceHall

from .conftest import PASSWORD, _staff

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "yiwang" / "orgs" / "data"
REGION_HEADER = "code,name_zh,name_en,parent_code,level"
DEPARTMENT_HEADER = "short_code,name_zh,name_en,kind,region_code,parent_short_code"
HALL_HEADER = "code,name_zh,name_en,region_code,address_zh,address_en"
REGIONS = [
    "330000,浙江省,Zhejiang,,province",
    "330100,杭州市,Hangzhou,330000,city",
    "330106,西湖区,Xihu,330100,county",
]
DEPARTMENTS = [
    "浙政办,浙江省人民政府办公厅,General Office,general_office,330000,",
    "杭政办,杭州市人民政府办公厅,Hangzhou General Office,general_office,330100,浙政办",
    "杭建,杭州市住房保障和房产管理局,Hangzhou Housing,housing,330100,杭政办",
]
HALLS = ["H33010001,杭州市民中心,Citizen Center,330100,杭州市解放东路18号,18 Jiefang Road"]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def csv_table(header: str, *lines: str) -> Table:
    return read_table("\n".join([header, *lines]).encode(), "upload.csv")


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def errors_at(report: ImportReport) -> set[tuple[int, str]]:
    return {(error.row, error.column) for error in report.errors}


def load_regions() -> None:
    assert import_regions(csv_table(REGION_HEADER, *REGIONS)).ok


def counts() -> tuple[int, int, int]:
    return Region.objects.count(), Department.objects.count(), ServiceHall.objects.count()


# --- the happy paths ---------------------------------------------------------------------------


def test_it_imports_regions_from_csv_with_their_parents() -> None:
    report = import_regions(csv_table(REGION_HEADER, *REGIONS))
    assert (report.ok, report.created, report.updated) == (True, 3, 0)
    xihu = Region.objects.get(code="330106")
    assert xihu.name_en == "Xihu"
    assert xihu.level == "county"
    assert [r.code for r in xihu.ancestors_and_self()] == ["330106", "330100", "330000"]


def test_it_imports_regions_from_an_xlsx_workbook() -> None:
    rows: list[Sequence[object]] = [
        REGION_HEADER.split(","),
        ["330000", "浙江省", "Zhejiang", None, "province"],
        [330100, "杭州市", "Hangzhou", 330000, "city"],  # codes typed as numbers in Excel
    ]
    report = import_regions(read_table(xlsx_bytes(rows), "regions.XLSX"))
    assert (report.ok, report.created) == (True, 2)
    assert Region.objects.get(code="330100").parent == Region.objects.get(code="330000")


def test_it_imports_departments_and_halls_from_xlsx() -> None:
    load_regions()
    departments = [DEPARTMENT_HEADER.split(","), *[line.split(",") for line in DEPARTMENTS]]
    report = import_departments(read_table(xlsx_bytes(departments), "departments.xlsx"))
    assert (report.ok, report.created) == (True, 3)
    housing = Department.objects.get(short_code="杭建")
    assert housing.kind == DepartmentKind.HOUSING
    assert housing.region.code == "330100"
    assert housing.parent is not None
    assert housing.parent.short_code == "杭政办"
    halls = [HALL_HEADER.split(","), *[line.split(",") for line in HALLS]]
    report = import_halls(read_table(xlsx_bytes(halls), "halls.xlsx"))
    assert (report.ok, report.created) == (True, 1)
    assert ServiceHall.objects.get(code="H33010001").address_en == "18 Jiefang Road"


def test_importing_the_same_files_twice_updates_and_creates_nothing() -> None:
    load_regions()
    assert import_departments(csv_table(DEPARTMENT_HEADER, *DEPARTMENTS)).created == 3
    assert import_halls(csv_table(HALL_HEADER, *HALLS)).created == 1
    before = counts()
    regions = import_regions(csv_table(REGION_HEADER, *REGIONS))
    departments = import_departments(csv_table(DEPARTMENT_HEADER, *DEPARTMENTS))
    halls = import_halls(csv_table(HALL_HEADER, *HALLS))
    assert [(r.created, r.updated) for r in (regions, departments, halls)] == [
        (0, 3),
        (0, 3),
        (0, 1),
    ]
    assert counts() == before


def test_a_second_import_updates_a_changed_name_in_place() -> None:
    load_regions()
    pk = Region.objects.get(code="330106").pk
    report = import_regions(csv_table(REGION_HEADER, "330106,西湖区,West Lake,330100,county"))
    assert (report.created, report.updated) == (0, 1)
    assert Region.objects.get(pk=pk).name_en == "West Lake"


def test_children_may_come_before_their_parents_in_the_file() -> None:
    report = import_regions(csv_table(REGION_HEADER, *reversed(REGIONS)))
    assert (report.ok, report.created) == (True, 3)
    assert Region.objects.get(code="330106").parent == Region.objects.get(code="330100")
    report = import_departments(csv_table(DEPARTMENT_HEADER, *reversed(DEPARTMENTS)))
    assert (report.ok, report.created) == (True, 3)
    city_office = Department.objects.get(short_code="杭政办")
    assert city_office.parent == Department.objects.get(short_code="浙政办")


def test_a_parent_may_already_be_in_the_database() -> None:
    load_regions()
    report = import_regions(csv_table(REGION_HEADER, "330108,滨江区,Binjiang,330100,county"))
    assert report.ok
    assert Region.objects.get(code="330108").parent == Region.objects.get(code="330100")


def test_a_utf8_csv_with_a_byte_order_mark_and_blank_lines_is_read() -> None:
    data = ("\ufeff" + "\n".join([REGION_HEADER, REGIONS[0], "", ",,,,", REGIONS[1]])).encode()
    table = read_table(data, "regions.csv")
    assert table.header[0] == "code"
    assert [row.number for row in table.rows] == [2, 5]
    assert import_regions(table).created == 2


# --- bad input: a clear error at row and column, and nothing saved -----------------------------

BAD_REGION_ROWS = [
    pytest.param("3301,杭州市,,330000,city", "code", id="five-digit-code"),
    pytest.param("033010,杭州市,,330000,city", "code", id="leading-zero-code"),
    pytest.param("330100,杭州市,,330000,town", "level", id="unknown-level"),
    pytest.param("330100,杭州市,,990000,city", "parent_code", id="unknown-parent"),
    pytest.param("330100," + "杭" * 65 + ",,330000,city", "name_zh", id="name-too-long"),
    pytest.param("330100,,,330000,city", "name_zh", id="empty-name"),
    pytest.param("330100,杭州市,,330000,", "level", id="empty-level"),
]


@pytest.mark.parametrize(("bad_line", "column"), BAD_REGION_ROWS)
def test_a_bad_region_row_is_reported_by_row_and_column_and_nothing_is_saved(
    bad_line: str, column: str
) -> None:
    report = import_regions(csv_table(REGION_HEADER, REGIONS[0], bad_line, REGIONS[2]))
    assert not report.ok
    assert (3, column) in errors_at(report)
    assert all(error.message for error in report.errors)
    assert Region.objects.count() == 0


def test_an_error_message_names_the_row_and_column_for_a_spreadsheet_user() -> None:
    report = import_regions(csv_table(REGION_HEADER, "3301,杭州市,,,city"))
    assert [str(error) for error in report.errors] == [
        "row 2, column code: A region code has six digits."
    ]


def test_every_bad_row_is_reported_not_only_the_first() -> None:
    report = import_regions(
        csv_table(REGION_HEADER, "1,甲,,,province", REGIONS[0], "330100,乙,,,village")
    )
    assert errors_at(report) == {(2, "code"), (4, "level")}


BAD_DEPARTMENT_ROWS = [
    pytest.param("杭建,杭州市住建局,,housing_and_more,330100,浙政办", "kind", id="unknown-kind"),
    pytest.param("杭建,杭州市住建局,,housing,339999,浙政办", "region_code", id="unknown-region"),
    pytest.param("杭建,杭州市住建局,,housing,330100,苏政办", "parent_short_code", id="no-parent"),
    pytest.param("杭建" * 9 + ",杭州市住建局,,housing,330100,", "short_code", id="long-code"),
    pytest.param("杭建," + "局" * 129 + ",,housing,330100,", "name_zh", id="long-name"),
    pytest.param("杭建,杭州市住建局,,,330100,", "kind", id="empty-kind"),
    pytest.param("杭建,杭州市住建局,,housing,,", "region_code", id="empty-region"),
]


@pytest.mark.parametrize(("bad_line", "column"), BAD_DEPARTMENT_ROWS)
def test_a_bad_department_row_is_reported_and_no_department_is_saved(
    bad_line: str, column: str
) -> None:
    load_regions()
    report = import_departments(csv_table(DEPARTMENT_HEADER, DEPARTMENTS[0], bad_line))
    assert (3, column) in errors_at(report)
    assert Department.objects.count() == 0


@pytest.mark.parametrize(
    ("bad_line", "column"),
    [
        pytest.param("H1,大厅,,339999,某地址,", "region_code", id="unknown-region"),
        pytest.param("H1,大厅,,330100,,", "address_zh", id="empty-address"),
        pytest.param("H" * 17 + ",大厅,,330100,某地址,", "code", id="long-code"),
    ],
)
def test_a_bad_hall_row_is_reported_and_no_hall_is_saved(bad_line: str, column: str) -> None:
    load_regions()
    report = import_halls(csv_table(HALL_HEADER, HALLS[0], bad_line))
    assert (3, column) in errors_at(report)
    assert ServiceHall.objects.count() == 0


def test_a_missing_column_is_reported_for_the_file_and_nothing_is_saved() -> None:
    report = import_regions(csv_table("code,name_zh,name_en,parent_code", "330000,浙江省,,"))
    assert report.errors == [RowError(0, "level", "The column level is missing.")]
    assert str(report.errors[0]) == "file: The column level is missing."
    assert Region.objects.count() == 0


def test_a_bad_row_leaves_existing_rows_untouched() -> None:
    load_regions()
    report = import_regions(
        csv_table(REGION_HEADER, "330106,改名区,Renamed,330100,county", "33010,坏,,,city")
    )
    assert not report.ok
    assert Region.objects.get(code="330106").name_zh == "西湖区"


def test_a_row_that_is_its_own_ancestor_is_rejected() -> None:
    report = import_regions(
        csv_table(
            REGION_HEADER,
            "330100,杭州市,,330100,city",
            "330200,宁波市,,330300,city",
            "330300,温州市,,330200,city",
        )
    )
    assert errors_at(report) == {(2, "parent_code"), (3, "parent_code"), (4, "parent_code")}
    load_regions()
    report = import_departments(
        csv_table(DEPARTMENT_HEADER, "杭政办,杭州市政府办,,general_office,330100,杭政办")
    )
    assert errors_at(report) == {(2, "parent_short_code")}
    assert Department.objects.count() == 0


def test_a_code_given_twice_in_one_file_is_rejected() -> None:
    report = import_regions(
        csv_table(REGION_HEADER, REGIONS[0], "330100,杭州市,,330000,city", "330100,宁波市,,,city")
    )
    assert (4, "code") in errors_at(report)
    assert Region.objects.count() == 0


def test_a_file_that_is_not_utf8_is_refused_with_a_clear_message() -> None:
    data = "\n".join([REGION_HEADER, "330000,浙江省,,,province"]).encode("gbk")
    with pytest.raises(UnreadableTable, match="not UTF-8"):
        read_table(data, "regions.csv")


def test_a_damaged_workbook_is_refused_with_a_clear_message() -> None:
    damaged = xlsx_bytes([REGION_HEADER.split(",")])[:200]
    with pytest.raises(UnreadableTable, match=r"not a readable \.xlsx"):
        read_table(damaged, "regions.xlsx")


@pytest.mark.parametrize("filename", ["empty.csv", "empty.xlsx"])
def test_an_empty_file_is_refused(filename: str) -> None:
    data = xlsx_bytes([]) if filename.endswith(".xlsx") else b""
    with pytest.raises(UnreadableTable, match="empty"):
        read_table(data, filename)


def test_a_header_naming_a_column_twice_is_refused() -> None:
    with pytest.raises(UnreadableTable, match="twice"):
        read_table(b"code,name_zh,code,level\n330000,a,b,province\n", "regions.csv")


def test_blank_columns_at_the_end_of_a_sheet_are_ignored() -> None:
    rows: list[Sequence[object]] = [
        [*REGION_HEADER.split(","), None, None],
        ["330000", "浙江省", "Zhejiang", None, "province", None, "note"],
    ]
    report = import_regions(read_table(xlsx_bytes(rows), "regions.xlsx"))
    assert (report.ok, report.created) == (True, 1)
    table = read_table(f"{REGION_HEADER},,\n330000,浙江省,,,province,,\n".encode(), "r.csv")
    assert table.header == REGION_HEADER.split(",")


# --- the shipped demo data ---------------------------------------------------------------------


def load_shipped() -> list[ImportReport]:
    return [
        importer(read_table(path.read_bytes(), path.name))
        for importer, path in (
            (import_regions, DATA / "demo_regions.csv"),
            (import_departments, DATA / "demo_departments.csv"),
            (import_halls, DATA / "demo_halls.csv"),
        )
    ]


def test_the_shipped_demo_files_import_cleanly() -> None:
    reports = load_shipped()
    assert [r.errors for r in reports] == [[], [], []]
    assert Region.objects.count() == 18
    assert Region.objects.filter(level="city").count() == 4
    assert ServiceHall.objects.count() >= 20
    assert [r.updated for r in load_shipped()] == [r.created for r in reports]


def test_the_shipped_departments_have_one_root_and_an_office_in_every_city() -> None:
    load_shipped()
    roots = Department.objects.filter(parent=None)
    assert [d.short_code for d in roots] == ["浙政办"]
    for city in Region.objects.filter(level="city"):
        offices = Department.objects.filter(region=city, kind=DepartmentKind.GENERAL_OFFICE)
        assert offices.count() == 1, city.name_zh
    kinds = set(Department.objects.values_list("kind", flat=True))
    assert kinds <= set(DepartmentKind.values)


# --- the admin import page ---------------------------------------------------------------------

IMPORT_URL = "/admin/orgs/region/import/"  # Chinese, the default language
EN_IMPORT_URL = "/en/admin/orgs/region/import/"  # the English page, whose words we check


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser("root", "root@example.com", PASSWORD)


@pytest.fixture
def administrator(db: None) -> User:
    return _staff("administrator", ["administrator"], None)


def test_the_import_page_has_its_admin_url_name() -> None:
    assert reverse("admin:orgs_import") == EN_IMPORT_URL
    with translation.override("zh-hans"):
        assert reverse("admin:orgs_import") == IMPORT_URL


@pytest.mark.parametrize("who", ["superuser", "administrator"])
def test_an_administrator_imports_a_file_through_the_admin(
    who: str, request: pytest.FixtureRequest, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(request.getfixturevalue(who))
    assert client.get(IMPORT_URL).status_code == 200
    data = "\n".join([REGION_HEADER, *REGIONS]).encode()
    response = client.post(
        EN_IMPORT_URL,
        {"what": "regions", "file": SimpleUploadedFile("regions.csv", data)},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain == [(EN_IMPORT_URL, 302)]
    assert "Imported: 3 new, 0 updated." in response.content.decode()
    assert Region.objects.count() == 3


def test_the_admin_page_lists_the_row_errors_and_saves_nothing(
    administrator: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(administrator)
    data = "\n".join([REGION_HEADER, REGIONS[0], "3301,杭州市,,330000,city"]).encode()
    response = client.post(
        EN_IMPORT_URL, {"what": "regions", "file": SimpleUploadedFile("regions.csv", data)}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "Row 3, column code" in page
    assert "A region code has six digits." in page
    assert Region.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("regions.csv", "code,level\n".encode("utf-16"), "not UTF-8"),
        ("regions.xlsx", b"PK\x03\x04 not really a zip", "not a readable .xlsx"),
        ("regions.txt", b"code\n", "Upload a .csv or .xlsx file."),
    ],
)
def test_the_admin_page_explains_an_unreadable_file(
    administrator: User, signed_in: Callable[[User], Client], name: str, data: bytes, says: str
) -> None:
    client = signed_in(administrator)
    response = client.post(
        EN_IMPORT_URL, {"what": "regions", "file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 200
    assert says in response.content.decode()
    assert Region.objects.count() == 0


def test_staff_without_the_organisation_permission_get_403(
    regions: dict[str, Region], signed_in: Callable[[User], Client]
) -> None:
    editor = _staff("staff_editor", ["editor"], None)
    User.objects.filter(pk=editor.pk).update(is_staff=True)
    editor.refresh_from_db()
    client = signed_in(editor)
    assert client.get(IMPORT_URL).status_code == 403
    data = "\n".join([REGION_HEADER, "330109,萧山区,,330100,county"]).encode()
    response = client.post(
        IMPORT_URL, {"what": "regions", "file": SimpleUploadedFile("r.csv", data)}
    )
    assert response.status_code == 403
    assert not Region.objects.filter(code="330109").exists()


def test_a_desk_clerk_is_sent_to_the_admin_login_and_imports_nothing(
    clerk: User, signed_in: Callable[[User], Client]
) -> None:
    """Clerks are not admin staff, so the admin site answers as Django's admin does for them:
    its login page ("authenticated, but not authorised"), not the import form."""
    client = signed_in(clerk)
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    data = "\n".join([REGION_HEADER, "330109,萧山区,,330100,county"]).encode()
    posted = client.post(IMPORT_URL, {"what": "regions", "file": SimpleUploadedFile("r.csv", data)})
    assert posted.status_code == 302
    assert not Region.objects.filter(code="330109").exists()


# --- the management command --------------------------------------------------------------------


def test_the_command_imports_the_shipped_files() -> None:
    out = io.StringIO()
    call_command(
        "import_orgs",
        "--regions",
        str(DATA / "demo_regions.csv"),
        "--departments",
        str(DATA / "demo_departments.csv"),
        stdout=out,
    )
    assert "regions: 18 new, 0 updated" in out.getvalue()
    assert Department.objects.filter(parent=None).count() == 1


def test_the_command_fails_on_a_file_with_bad_rows_and_saves_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "regions.csv"
    bad.write_text("\n".join([REGION_HEADER, REGIONS[0], "3301,杭州市,,330000,city"]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was saved"):
        call_command("import_orgs", "--regions", str(bad), stderr=err, stdout=io.StringIO())
    assert "row 3, column code" in err.getvalue()
    assert Region.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "data"),
    [("regions.csv", "code\n浙江".encode("gbk")), ("regions.xlsx", b"junk"), ("e.csv", b"")],
)
def test_the_command_fails_on_an_unreadable_file(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CommandError, match=name):
        call_command("import_orgs", "--regions", str(path))


def test_the_command_fails_on_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("import_orgs", "--halls", str(tmp_path / "nowhere.csv"))
