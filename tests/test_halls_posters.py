"""Printable posters: one A4 page per hall with its name and QR code; a region's as a ZIP."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from yiwang.accounts.models import User
from yiwang.channels.actions import do_revoke_hall_codes
from yiwang.channels.models import Campaign
from yiwang.channels.poster_pdf import file_name
from yiwang.channels.posters import NoHalls, single_poster_pdf, write_region_zip
from yiwang.orgs.models import Region, ServiceHall

pytestmark = pytest.mark.django_db

A4 = (595, 842)  # points, rounded


def pages_of(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def size_of(data: bytes) -> tuple[int, int]:
    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def test_a_poster_is_one_a4_page_with_the_hall_name_and_its_address(
    halls: dict[str, ServiceHall],
) -> None:
    data = single_poster_pdf(halls["xihu"])
    (text,) = pages_of(data)
    assert size_of(data) == A4
    assert "西湖区政务服务中心" in text
    assert "扫码留言" in text
    assert "/q/" in text  # the address, for those who type it


def test_a_poster_shows_which_version_of_the_code_it_carries(
    halls: dict[str, ServiceHall], administrator: User
) -> None:
    do_revoke_hall_codes(administrator, halls["xihu"])
    halls["xihu"].refresh_from_db()
    hall = ServiceHall.objects.select_related("region", "qr_code").get(pk=halls["xihu"].pk)
    assert "第2版" in pages_of(single_poster_pdf(hall))[0]


def test_a_hall_name_with_a_character_the_font_lacks_still_prints(
    halls: dict[str, ServiceHall],
) -> None:
    hall = halls["xihu"]
    hall.name_zh = "西湖区\U0001f3db服务中心"
    assert "服务中心" in pages_of(single_poster_pdf(hall))[0]


def test_a_regions_zip_holds_one_pdf_per_active_hall_below_it(
    halls: dict[str, ServiceHall], regions: dict[str, Region]
) -> None:
    ServiceHall.objects.filter(pk=halls["xihu_town"].pk).update(is_active=False)
    out = io.BytesIO()
    assert write_region_zip(regions["city"], out) == 2
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert names == ["BJ01-滨江区政务服务中心.pdf", "XH01-西湖区政务服务中心.pdf"]
        assert "滨江区政务服务中心" in pages_of(archive.read(names[0]))[0]


def test_a_region_without_halls_is_a_clear_error_not_an_empty_zip(
    regions: dict[str, Region],
) -> None:
    with pytest.raises(NoHalls, match="330000 浙江省 has no active service hall"):
        write_region_zip(regions["province"], io.BytesIO())


@pytest.mark.parametrize(
    ("code", "name", "expected"),
    [
        ("H/1", "../../etc/passwd", "H_1-etc_passwd.pdf"),
        ("H 2", "大厅 “一楼”: 东区\\", "H_2-大厅_一楼_东区.pdf"),
        ("..", "...", "hall.pdf"),
    ],
)
def test_file_names_in_the_zip_are_safe(code: str, name: str, expected: str) -> None:
    assert file_name(code, name, set()) == expected


def test_two_halls_with_the_same_safe_name_get_different_files() -> None:
    taken: set[str] = set()
    first = file_name("A/1", "厅", taken)
    second = file_name("A:1", "厅", taken)
    assert (first, second) == ("A_1-厅.pdf", "A_1-厅-2.pdf")


def test_the_command_writes_the_regions_zip(halls: dict[str, ServiceHall], tmp_path: Path) -> None:
    out = tmp_path / "posters.zip"
    stdout = io.StringIO()
    call_command("hall_posters", "--region", "330106", "--out", str(out), stdout=stdout)
    assert "2 posters written" in stdout.getvalue()
    assert len(zipfile.ZipFile(out).namelist()) == 2


def test_the_command_refuses_a_region_without_halls_and_leaves_no_file(
    halls: dict[str, ServiceHall], regions: dict[str, Region], tmp_path: Path
) -> None:
    Region.objects.create(code="330110", name_zh="余杭区", level="county", parent=regions["city"])
    out = tmp_path / "posters.zip"
    with pytest.raises(CommandError, match="330110 余杭区 has no active service hall"):
        call_command("hall_posters", "--region", "330110", "--out", str(out))
    assert list(tmp_path.iterdir()) == []


def test_the_command_refuses_an_unknown_region(regions: dict[str, Region], tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no region with the code '999999'"):
        call_command("hall_posters", "--region", "999999", "--out", str(tmp_path / "x.zip"))


def test_an_administrator_downloads_a_regions_posters(
    halls: dict[str, ServiceHall], administrator: User, signed_in: Callable[[User], Client]
) -> None:
    response = signed_in(administrator).get("/staff/halls/posters/330100.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert len(zipfile.ZipFile(io.BytesIO(data)).namelist()) == 3


def test_downloading_the_posters_of_a_region_without_halls_says_why(
    halls: dict[str, ServiceHall], administrator: User, signed_in: Callable[[User], Client]
) -> None:
    ServiceHall.objects.filter(region=halls["binjiang"].region).update(is_active=False)
    response = signed_in(administrator).get("/staff/halls/posters/330108.zip")
    assert response.status_code == 404
    assert "滨江区" in response.content.decode()


def test_a_desk_clerk_may_not_download_posters(
    halls: dict[str, ServiceHall], clerk: User, signed_in: Callable[[User], Client]
) -> None:
    assert signed_in(clerk).get("/staff/halls/posters/330100.zip").status_code == 403


def test_worker_processes_write_the_same_zip_in_the_same_order(
    halls: dict[str, ServiceHall], regions: dict[str, Region], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("yiwang.channels.posters.BATCH", 1)
    out = io.BytesIO()
    assert write_region_zip(regions["city"], out, workers=2) == 3
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert names[0] == "BJ01-滨江区政务服务中心.pdf"
        assert "西湖区转塘街道便民服务中心" in pages_of(archive.read(names[2]))[0]


def test_a_campaign_poster_names_its_campaign(halls: dict[str, ServiceHall]) -> None:
    now = timezone.now()
    campaign = Campaign.objects.create(
        slug="say-it",
        name_zh="我向总理说句话",
        starts_at=now,
        ends_at=now + dt.timedelta(days=30),
    )
    (text,) = pages_of(single_poster_pdf(halls["xihu"], campaign))
    assert "“我向总理说句话”" in text
    assert "□" not in text
