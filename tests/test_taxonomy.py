"""The category tree: the shipped default, importing new versions, and routing to departments."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import translation

from yiwang.demo.loader import DEFAULT_TAXONOMY_NAME, load_default_taxonomy
from yiwang.intake.actions import SubmissionResult
from yiwang.lib.tables import ImportReport, Table, read_table
from yiwang.orgs.kinds import DepartmentKind
from yiwang.orgs.models import Department, Region
from yiwang.taxonomy.imports import do_activate_version, import_taxonomy, import_themes
from yiwang.taxonomy.models import Category, TaxonomyVersion, Theme
from yiwang.taxonomy.routing import route_lead_department

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "yiwang" / "taxonomy" / "data"
TIPDM_TAXONOMY = Path("/work/shared/data/tipdm2020/taxonomy_3level.csv")
CODED_HEADER = "code,parent_code,name_zh,name_en,description_zh,description_en,keywords,dept_kind"
LEVEL_HEADER = "一级分类,二级分类,三级分类"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def csv_table(header: str, *lines: str) -> Table:
    return read_table("\n".join([header, *lines]).encode(), "taxonomy.csv")


def errors_at(report: ImportReport) -> set[tuple[int, str]]:
    return {(error.row, error.column) for error in report.errors}


def codes(version: TaxonomyVersion) -> list[str]:
    return list(version.categories.order_by("sort_order").values_list("code", flat=True))


# --- the shipped default taxonomy and themes ---------------------------------------------------


@pytest.fixture
def default_version(db: None) -> TaxonomyVersion:
    return load_default_taxonomy()


def test_the_default_taxonomy_has_40_majors_and_223_minors(
    default_version: TaxonomyVersion,
) -> None:
    categories = default_version.categories
    assert default_version.name == DEFAULT_TAXONOMY_NAME
    assert default_version.is_active
    assert categories.filter(depth=1, parent=None).count() == 40
    assert categories.filter(depth=2).count() == 223
    assert categories.count() == 263


def test_every_default_minor_is_a_leaf_and_every_major_has_minors(
    default_version: TaxonomyVersion,
) -> None:
    minors = default_version.categories.filter(depth=2)
    assert not minors.filter(is_leaf=False).exists()
    assert not minors.filter(children__isnull=False).exists()
    for major in default_version.categories.filter(depth=1):
        assert not major.is_leaf
        assert major.children.exists(), major.code
        assert all(child.code.startswith(major.code + ".") for child in major.children.all())


def test_every_default_category_is_described_in_chinese_and_english(
    default_version: TaxonomyVersion,
) -> None:
    for category in default_version.categories.all():
        texts = (category.name_zh, category.name_en, category.description_zh)
        assert all((*texts, category.description_en)), category.code
        assert category.keywords
        assert all(isinstance(k, str) and k for k in category.keywords)
        assert category.responsible_kind() in DepartmentKind.values, category.code


def test_loading_the_default_taxonomy_twice_keeps_one_version(
    default_version: TaxonomyVersion,
) -> None:
    assert load_default_taxonomy() == default_version
    assert TaxonomyVersion.objects.count() == 1


def test_the_shipped_themes_are_the_fifteen_of_the_campaign() -> None:
    path = DATA / "themes.csv"
    report = import_themes(read_table(path.read_bytes(), path.name))
    assert (report.errors, report.created) == ([], 15)
    names = set(Theme.objects.values_list("name_zh", flat=True))
    assert {"办事少跑腿", "老有所养", "病有所医", "加强政府自身建设"} <= names
    assert not Theme.objects.filter(name_en="").exists()
    again = import_themes(read_table(path.read_bytes(), path.name))
    assert (again.created, again.updated, Theme.objects.count()) == (0, 15, 15)


def test_a_theme_file_with_a_bad_row_saves_no_theme() -> None:
    header = "code,name_zh,name_en,description_zh,description_en,sort_order"
    report = import_themes(csv_table(header, "t01,甲,A,,,1", "t02,乙,,,,x"))
    assert errors_at(report) == {(3, "name_en"), (3, "sort_order")}
    assert Theme.objects.count() == 0


# --- importing versions ------------------------------------------------------------------------


def test_the_level_layout_gets_codes_in_order_of_appearance_and_leaves_marked() -> None:
    table = csv_table(
        LEVEL_HEADER,
        "城乡建设,安全生产,事故处理",
        "城乡建设,安全生产,安全隐患",
        "城乡建设,市政管理,园林绿化",
        "交通运输,公交,",
        "交通运输,出租车,拒载",
    )
    version, report = import_taxonomy(table, name="levels")
    assert version is not None
    assert report.ok
    found = {c.code: c for c in version.categories.all()}
    assert codes(version) == [
        "01",
        "01.01",
        "01.01.01",
        "01.01.02",
        "01.02",
        "01.02.01",
        "02",
        "02.01",
        "02.02",
        "02.02.01",
    ]
    assert [found[c].name_zh for c in ("01", "01.01", "01.01.02", "02.01")] == [
        "城乡建设",
        "安全生产",
        "安全隐患",
        "公交",
    ]
    leaves = {code for code, category in found.items() if category.is_leaf}
    assert leaves == {"01.01.01", "01.01.02", "01.02.01", "02.01", "02.02.01"}
    assert found["01.01.02"].parent == found["01.01"]
    assert found["01.01.02"].depth == 3
    assert report.created == 10


def test_the_level_layout_accepts_english_column_names() -> None:
    version, report = import_taxonomy(csv_table("level1,level2", "住房,维修"), name="en")
    assert version is not None
    assert report.ok
    assert codes(version) == ["01", "01.01"]


def test_a_level_layout_row_with_a_gap_is_refused() -> None:
    table = csv_table(LEVEL_HEADER, "城乡建设,安全生产,事故处理", "城乡建设,,园林绿化")
    version, report = import_taxonomy(table, name="gap")
    assert version is None
    assert errors_at(report) == {(3, "二级分类")}
    assert not TaxonomyVersion.objects.exists()


def test_the_coded_layout_keeps_codes_keywords_and_kinds() -> None:
    table = csv_table(
        CODED_HEADER,
        "07,,医疗卫生,Health,医院,Hospitals,医院|看病,health",
        "07.03,07,医保,Medical insurance,报销,Reimbursement, 医保 | 报销 ,",
    )
    version, report = import_taxonomy(table, name="coded", source="test.csv")
    assert version is not None
    assert report.ok
    insurance = version.categories.get(code="07.03")
    assert insurance.keywords == ["医保", "报销"]
    assert insurance.dept_kind == ""
    assert insurance.responsible_kind() == "health"
    assert version.source == "test.csv"
    assert not version.is_active


@pytest.mark.parametrize(
    ("lines", "where"),
    [
        pytest.param(["01,,住房,,,,,housing", "01,,又住房,,,,,housing"], (3, "code"), id="dup"),
        pytest.param(
            ["01.01,01,维修,,,,,", "01,,住房,,,,,housing"], (2, "parent_code"), id="order"
        ),
        pytest.param(["01,,住房,,,,,estate_agents"], (2, "dept_kind"), id="unknown-kind"),
        pytest.param(["1,,住房,,,,,housing"], (2, "code"), id="one-digit"),
        pytest.param(["01-01,,住房,,,,,housing"], (2, "code"), id="dash"),
        pytest.param(["A1,,住房,,,,,housing"], (2, "code"), id="letter"),
        pytest.param(["01,,,,,,,housing"], (2, "name_zh"), id="no-name"),
        pytest.param(["01,,住房,,,,,", "02.01,01,维修,,,,,"], (3, "parent_code"), id="mismatch"),
        pytest.param(["01.01,,维修,,,,,"], (2, "parent_code"), id="dotted-root"),
    ],
)
def test_a_bad_coded_file_is_reported_and_creates_no_version(
    lines: list[str], where: tuple[int, str]
) -> None:
    version, report = import_taxonomy(csv_table(CODED_HEADER, *lines), name="bad")
    assert version is None
    assert where in errors_at(report)
    assert all(error.message for error in report.errors)
    assert not TaxonomyVersion.objects.exists()
    assert not Category.objects.exists()


@pytest.mark.parametrize(
    "header", ["code,name_zh", "name_zh,name_en", "分类,名称", "parent_code,name_zh"]
)
def test_a_file_without_the_needed_columns_creates_no_version(header: str) -> None:
    version, report = import_taxonomy(csv_table(header, "01,住房"), name="bad")
    assert version is None
    assert errors_at(report) == {(0, "header")}
    assert not TaxonomyVersion.objects.exists()


def test_a_file_with_a_header_only_creates_no_version() -> None:
    version, report = import_taxonomy(csv_table(CODED_HEADER), name="empty")
    assert version is None
    assert "no categories" in report.errors[0].message
    assert not TaxonomyVersion.objects.exists()


def test_a_version_name_can_be_used_only_once(default_version: TaxonomyVersion) -> None:
    table = csv_table(CODED_HEADER, "01,,住房,,,,,housing")
    version, report = import_taxonomy(table, name=DEFAULT_TAXONOMY_NAME)
    assert version is None
    assert errors_at(report) == {(0, "name")}
    assert TaxonomyVersion.objects.count() == 1
    assert default_version.categories.count() == 263


def test_a_new_version_leaves_the_categories_of_filed_messages_alone(
    taxonomy: dict[str, Category], submit: Callable[..., SubmissionResult]
) -> None:
    message = submit().message
    message.category = taxonomy["repairs"]
    message.save(update_fields=["category"])
    old_version = taxonomy["repairs"].version
    table = csv_table(CODED_HEADER, "01,,住房保障,,,,,housing", "01.01,01,物业,,,,,housing")
    new_version, report = import_taxonomy(table, name="B", activate=True)
    assert new_version is not None
    assert report.ok
    message.refresh_from_db()
    assert message.category == taxonomy["repairs"]
    assert message.category is not None
    assert message.category.version == old_version
    assert message.category.name_zh == "房屋维修"
    assert old_version.categories.count() == 5
    assert list(TaxonomyVersion.objects.filter(is_active=True)) == [new_version]


def test_activating_a_version_deactivates_the_one_before(
    default_version: TaxonomyVersion,
) -> None:
    other, _report = import_taxonomy(csv_table(CODED_HEADER, "01,,住房,,,,,housing"), name="B")
    assert other is not None
    assert not other.is_active
    do_activate_version(other)
    assert other.is_active
    assert list(TaxonomyVersion.objects.filter(is_active=True)) == [other]
    do_activate_version(default_version)
    assert list(TaxonomyVersion.objects.filter(is_active=True)) == [default_version]


def test_the_database_refuses_a_second_active_version(default_version: TaxonomyVersion) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        TaxonomyVersion.objects.create(name="rogue", is_active=True)


def test_the_import_command_creates_and_activates_a_version(tmp_path: Path) -> None:
    path = tmp_path / "levels.csv"
    path.write_text(LEVEL_HEADER + "\n城乡建设,安全生产,事故处理\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_taxonomy", str(path), "--name", "cmd", "--activate", stdout=out)
    assert "version cmd: 3 categories" in out.getvalue()
    assert TaxonomyVersion.objects.get(is_active=True).name == "cmd"


def test_the_import_command_fails_on_a_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(CODED_HEADER + "\n01.01,01,维修,,,,,\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="No version was created"):
        call_command("import_taxonomy", str(path), "--name", "bad", stderr=err)
    assert "row 2, column parent_code" in err.getvalue()
    with pytest.raises(CommandError, match=r"nowhere\.csv"):
        call_command("import_taxonomy", str(tmp_path / "nowhere.csv"), "--name", "x")
    assert not TaxonomyVersion.objects.exists()


@pytest.mark.realdata
@pytest.mark.skipif(
    not TIPDM_TAXONOMY.exists(), reason=f"the TipDM 2020 taxonomy is not at {TIPDM_TAXONOMY}"
)
def test_the_real_three_level_taxonomy_imports_as_a_new_version(
    default_version: TaxonomyVersion,
) -> None:
    table = read_table(TIPDM_TAXONOMY.read_bytes(), TIPDM_TAXONOMY.name)
    version, report = import_taxonomy(table, name="tipdm2020", source=TIPDM_TAXONOMY.name)
    assert version is not None, report.errors
    categories = version.categories
    assert categories.filter(depth=1).count() == 15
    assert categories.filter(depth=2).count() == 118
    assert categories.filter(depth=3).count() == 517
    assert categories.count() == report.created == 650
    assert not categories.filter(depth=3, is_leaf=False).exists()
    assert not categories.filter(depth__lt=3, is_leaf=True).exists()
    assert "城乡建设" in set(categories.filter(depth=1).values_list("name_zh", flat=True))
    assert not version.is_active
    assert default_version.categories.count() == 263
    assert TaxonomyVersion.objects.count() == 2


# --- routing -----------------------------------------------------------------------------------


@pytest.fixture
def category(db: None) -> Callable[[str], Category]:
    """A major category of the given kind in a version of its own."""
    version = TaxonomyVersion.objects.create(name="routing")

    def make(kind: str) -> Category:
        code = f"{version.categories.count() + 1:02d}"
        return Category.objects.create(
            version=version, code=code, name_zh=kind, dept_kind=kind, depth=1
        )

    return make


def test_a_message_goes_to_the_department_of_its_kind_in_its_own_district(
    taxonomy: dict[str, Category],
    regions: dict[str, Region],
    departments: dict[str, Department],
) -> None:
    lead = route_lead_department(taxonomy["housing"], regions["xihu"])
    assert lead == departments["xihu_housing"]


def test_without_one_in_the_district_it_goes_to_the_citys(
    taxonomy: dict[str, Category],
    regions: dict[str, Region],
    departments: dict[str, Department],
) -> None:
    assert route_lead_department(taxonomy["housing"], regions["binjiang"]) == departments["housing"]
    assert route_lead_department(taxonomy["buses"], regions["xihu"]) == departments["transport"]


def test_without_one_in_the_city_it_goes_to_the_provinces(
    taxonomy: dict[str, Category],
    regions: dict[str, Region],
    departments: dict[str, Department],
    category: Callable[[str], Category],
) -> None:
    office = category(DepartmentKind.GENERAL_OFFICE)
    assert route_lead_department(office, regions["xihu"]) == departments["office"]
    Department.objects.filter(pk=departments["transport"].pk).update(is_active=False)
    lead = route_lead_department(taxonomy["taxis"], regions["binjiang"])
    assert lead == departments["province_transport"]


def test_a_minor_category_without_a_kind_uses_its_majors(
    taxonomy: dict[str, Category],
    regions: dict[str, Region],
    departments: dict[str, Department],
) -> None:
    assert taxonomy["repairs"].dept_kind == ""
    lead = route_lead_department(taxonomy["repairs"], regions["xihu"])
    assert lead == departments["xihu_housing"]


def test_with_no_department_of_the_kind_anywhere_the_desk_decides(
    regions: dict[str, Region],
    departments: dict[str, Department],
    category: Callable[[str], Category],
) -> None:
    assert route_lead_department(category(DepartmentKind.EDUCATION), regions["xihu"]) is None
    assert route_lead_department(category(""), regions["xihu"]) is None


def test_inactive_departments_are_skipped(
    taxonomy: dict[str, Category],
    regions: dict[str, Region],
    departments: dict[str, Department],
) -> None:
    Department.objects.filter(pk=departments["xihu_housing"].pk).update(is_active=False)
    assert route_lead_department(taxonomy["repairs"], regions["xihu"]) == departments["housing"]
    Department.objects.filter(kind="housing").update(is_active=False)
    assert route_lead_department(taxonomy["repairs"], regions["xihu"]) is None


def test_a_message_in_the_province_itself_goes_to_the_province(
    taxonomy: dict[str, Category],
    regions: dict[str, Region],
    departments: dict[str, Department],
) -> None:
    lead = route_lead_department(taxonomy["buses"], regions["province"])
    assert lead == departments["province_transport"]
    assert route_lead_department(taxonomy["housing"], regions["province"]) is None
