"""The desk supervisor imports and activates taxonomy versions in the admin."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yiwang.accounts.models import User
from yiwang.lib.tables import read_table
from yiwang.taxonomy.imports import import_themes
from yiwang.taxonomy.models import Category, TaxonomyVersion, Theme

URL = "/admin/taxonomy/taxonomyversion/import/"
pytestmark = pytest.mark.django_db

LEVELS = "一级分类,二级分类,三级分类\n城乡建设,安全生产,事故处理\n城乡建设,安全生产,安全隐患\n"


def upload(text: str, name: str = "taxonomy.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_a_supervisor_imports_a_version_from_a_level_file(
    supervisor: User, signed_in: Callable[[User], Client]
) -> None:
    response = signed_in(supervisor).post(
        URL, {"name": "tipdm", "file": upload(LEVELS), "activate": "on"}
    )
    assert response.status_code == 302
    version = TaxonomyVersion.objects.get(name="tipdm")
    assert version.is_active
    assert list(Category.objects.filter(version=version).values_list("code", flat=True)) == [
        "01",
        "01.01",
        "01.01.01",
        "01.01.02",
    ]


def test_a_bad_file_lists_its_errors_and_creates_no_version(
    supervisor: User, signed_in: Callable[[User], Client]
) -> None:
    bad = "code,parent_code,name_zh\n01,,住房\n01.01,09,维修\n"
    response = signed_in(supervisor).post(URL, {"name": "broken", "file": upload(bad)})
    assert response.status_code == 200
    assert "parent_code" in response.content.decode()
    assert not TaxonomyVersion.objects.filter(name="broken").exists()


def test_a_file_that_is_not_a_table_is_refused_by_name(
    supervisor: User, signed_in: Callable[[User], Client]
) -> None:
    response = signed_in(supervisor).post(URL, {"name": "x", "file": upload("MZ\x90", "virus.exe")})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not TaxonomyVersion.objects.exists()


def test_a_desk_clerk_is_sent_to_the_admin_sign_in_and_imports_nothing(
    clerk: User, signed_in: Callable[[User], Client]
) -> None:
    response = signed_in(clerk).post(URL, {"name": "x", "file": upload(LEVELS)})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert not TaxonomyVersion.objects.exists()


def test_the_activate_action_switches_the_active_version(
    supervisor: User, signed_in: Callable[[User], Client]
) -> None:
    old = TaxonomyVersion.objects.create(name="old", is_active=True)
    new = TaxonomyVersion.objects.create(name="new")
    response = signed_in(supervisor).post(
        "/admin/taxonomy/taxonomyversion/",
        {"action": "activate", "_selected_action": [str(new.pk)]},
    )
    assert response.status_code == 302
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.is_active, new.is_active) == (False, True)


def test_a_name_too_long_is_an_error_not_a_silent_cut(
    supervisor: User, signed_in: Callable[[User], Client]
) -> None:
    long_name = "长" * 129
    coded = f"code,parent_code,name_zh\n01,,{long_name}\n"
    levels = f"一级分类,二级分类\n住房,{long_name}\n"
    for name, text in (("coded", coded), ("levels", levels)):
        response = signed_in(supervisor).post(URL, {"name": name, "file": upload(text)})
        assert response.status_code == 200
        assert "128" in response.content.decode()
    assert not TaxonomyVersion.objects.exists()


def test_themes_import_all_or_nothing_with_row_errors() -> None:
    header = "code,name_zh,name_en,description_zh,description_en,sort_order\n"
    bad = header + "t01,办事少跑腿,Fewer trips,,,1\nt02," + "长" * 65 + ",Too long,,,x\n"
    report = import_themes(read_table(bad.encode(), "themes.csv"))
    assert {(e.row, e.column) for e in report.errors} == {(3, "name_zh"), (3, "sort_order")}
    assert not Theme.objects.exists()
    good = header + "t01,办事少跑腿,Fewer trips,,,1\n"
    assert import_themes(read_table(good.encode(), "themes.csv")).created == 1
    assert import_themes(read_table(good.encode(), "themes.csv")).updated == 1
