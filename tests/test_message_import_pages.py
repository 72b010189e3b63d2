"""The staff pages of message imports: upload, mapping, dry run, progress, permission."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from yiwang.accounts.models import User
from yiwang.channels.imports.actions import do_create_run
from yiwang.channels.models import ImportRun, ImportSource, ImportStatus
from yiwang.intake.models import Message
from yiwang.orgs.models import Region

pytestmark = pytest.mark.django_db

HEADER = ["工单号", "来电时间", "诉求类型", "区划代码", "内容"]


def work_orders(*contents: str) -> SimpleUploadedFile:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for n, content in enumerate(contents, start=1):
        writer.writerow([f"GD{n:04d}", "2024-03-05 14:20", "咨询", "330106", content])
    return SimpleUploadedFile("工单.csv", buffer.getvalue().encode("gbk"), "text/csv")


def mapping_post(**overrides: str) -> dict[str, str]:
    values = {
        "map_external_id": "工单号",
        "map_submitted_at": "来电时间",
        "map_nature": "诉求类型",
        "map_region": "区划代码",
        "map_content": "内容",
        "mode": "all",
        "action": "dry_run",
    }
    values.update(overrides)
    return values


@pytest.fixture
def desk(
    supervisor: User, signed_in: Callable[[User], Client], regions: dict[str, Region]
) -> Client:
    return signed_in(supervisor)


def upload(client: Client, file: SimpleUploadedFile, source: str = "12345热线") -> Any:
    return client.post(reverse("channel_imports:imports"), {"file": file, "new_source": source})


def test_the_supervisor_uploads_a_file_and_gets_its_columns_to_map(desk: Client) -> None:
    response = upload(desk, work_orders("请问公积金怎么提取？需要哪些材料？"))
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("channel_imports:import_mapping", args=[run.pk])
    page = desk.get(response["Location"]).content.decode()
    assert '<option value="内容" selected>' in page  # guessed from the usual header
    assert ImportSource.objects.get().mapping["content"] == "内容"


def test_a_dry_run_from_the_page_checks_and_writes_nothing_then_imports_on_request(
    desk: Client, django_capture_on_commit_callbacks: Any
) -> None:
    upload(desk, work_orders("请问公积金怎么提取？需要哪些材料？"))
    run = ImportRun.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        mapping = reverse("channel_imports:import_mapping", args=[run.pk])
        response = desk.post(mapping, mapping_post())
    run.refresh_from_db()
    assert (run.status, run.dry_run, run.valid_count) == (ImportStatus.DONE, True, 1)
    assert not Message.objects.exists()
    assert "立即导入此文件" in desk.get(response["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(reverse("channel_imports:import_again", args=[run.pk]), {"mode": "all"})
    assert Message.objects.get().source == "12345热线"


def test_the_progress_page_lists_errors_with_row_and_column(
    desk: Client, django_capture_on_commit_callbacks: Any
) -> None:
    upload(desk, work_orders("请问公积金怎么提取？需要哪些材料？", "短"))
    run = ImportRun.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(
            reverse("channel_imports:import_mapping", args=[run.pk]), mapping_post(action="start")
        )
    page = desk.get(response["Location"]).content.decode()
    assert "<td>3</td><td>内容</td>" in page
    assert not Message.objects.exists()


def test_a_running_import_refreshes_its_page_without_javascript(
    desk: Client, regions: dict[str, Region]
) -> None:
    source = ImportSource.objects.create(name="旧系统")
    run = do_create_run(source, "/nonexistent.csv", "a.csv", None)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.WRITING, progress=0.42)
    page = desk.get(reverse("channel_imports:import_run", args=[run.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert 'value="42"' in page


def test_an_unreadable_upload_is_refused_on_the_form(desk: Client) -> None:
    file = SimpleUploadedFile("a.xlsx", b"not a workbook", "application/octet-stream")
    response = upload(desk, file)
    assert response.status_code == 200
    assert 'id="id_file_error"' in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_mapping_without_the_message_column_is_refused(desk: Client) -> None:
    upload(desk, work_orders("请问公积金怎么提取？需要哪些材料？"))
    run = ImportRun.objects.get()
    response = desk.post(
        reverse("channel_imports:import_mapping", args=[run.pk]), mapping_post(map_content="")
    )
    assert response.status_code == 200
    assert ImportRun.objects.get().status == ImportStatus.DRAFT


def test_a_desk_clerk_may_not_import(clerk: User, signed_in: Callable[[User], Client]) -> None:
    assert signed_in(clerk).get(reverse("channel_imports:imports")).status_code == 403
