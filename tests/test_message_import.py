"""Bulk import of messages from CSV/XLSX: mapping, row+column errors, modes, idempotence."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import Workbook, load_workbook

from yiwang.accounts.models import User
from yiwang.channels.imports import runner
from yiwang.channels.imports.actions import (
    do_create_run,
    do_prepare_run,
    do_save_source,
)
from yiwang.channels.imports.mapping import guess_mapping
from yiwang.channels.imports.runner import do_run_import
from yiwang.channels.models import ImportMode, ImportRun, ImportSource, ImportStatus
from yiwang.intake.models import Channel, Message
from yiwang.intake.personal import unseal
from yiwang.lib import streamtables
from yiwang.orgs.models import Region

pytestmark = pytest.mark.django_db

HEADER = ["工单号", "来电时间", "诉求类型", "区划代码", "标题", "内容", "手机号"]
HOTLINE = {
    "external_id": "工单号",
    "submitted_at": "来电时间",
    "nature": "诉求类型",
    "region": "区划代码",
    "title": "标题",
    "content": "内容",
    "mobile": "手机号",
}


def work_order(number: int, **overrides: str) -> list[str]:
    values = {
        "工单号": f"GD2024{number:06d}",
        "来电时间": "2024-03-05 14:20",
        "诉求类型": "投诉",
        "区划代码": "330106",
        "标题": f"路灯不亮 {number}",
        "内容": f"文三路第{number}根路灯已经坏了一周，晚上很黑，请尽快维修。",
        "手机号": f"1380013{number:04d}",
    }
    values.update(overrides)
    return [values[column] for column in HEADER]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([HEADER, *rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(
    path: Path,
    rows: list[list[Any]],
    sheet: str = "工单",
    header: list[str] = HEADER,
    merged: str = "",
) -> Path:
    book = Workbook()
    worksheet = book.active
    assert worksheet is not None
    worksheet.title = sheet
    for row in (header, *rows):
        worksheet.append(row)
    if merged:
        worksheet.merge_cells(merged)
    book.save(path)
    return path


@pytest.fixture
def hotline(regions: dict[str, Region]) -> ImportSource:
    return do_save_source("12345热线", HOTLINE)


@pytest.fixture
def run_import(hotline: ImportSource) -> Callable[..., ImportRun]:
    def _run(
        path: Path, *, mode: str = ImportMode.ALL_OR_NOTHING, dry_run: bool = False
    ) -> ImportRun:
        run = do_create_run(hotline, str(path), path.name, None)
        do_prepare_run(run, mode=mode, dry_run=dry_run)
        return do_run_import(run.pk)

    return _run


def errors_of(run: ImportRun) -> list[tuple[int, str]]:
    return [(e["row"], e["column"]) for e in run.errors]


def test_a_valid_file_creates_one_imported_message_per_row(
    tmp_path: Path, run_import: Callable[..., ImportRun]
) -> None:
    run = run_import(write_csv(tmp_path / "a.csv", [work_order(1), work_order(2)]))
    assert (run.status, run.created_count, run.error_count) == (ImportStatus.DONE, 2, 0)
    message = Message.objects.get(external_id="GD2024000001")
    assert (message.channel, message.source, message.nature) == (
        Channel.IMPORT,
        "12345热线",
        "complaint",
    )
    assert message.submitted_at == dt.datetime(2024, 3, 5, 6, 20, tzinfo=dt.UTC)
    assert unseal("mobile", message.mobile_encrypted) == "13800130001"


def test_a_row_with_an_empty_title_is_titled_by_the_start_of_its_content(
    tmp_path: Path, run_import: Callable[..., ImportRun]
) -> None:
    rows = [work_order(1, 标题=""), work_order(2, 标题="   ", 内容="\n  楼下餐馆油烟扰民\n第二行")]
    run = run_import(write_csv(tmp_path / "a.csv", rows))
    assert (run.created_count, run.error_count) == (2, 0)
    titles = dict(Message.objects.values_list("external_id", "title"))
    assert titles["GD2024000001"] == "文三路第1根路灯已经坏了一周，晚上很黑，请尽快维修。"[:30]
    assert titles["GD2024000002"] == "楼下餐馆油烟扰民"


def test_importing_the_same_file_again_skips_every_row_by_its_external_id(
    tmp_path: Path, run_import: Callable[..., ImportRun]
) -> None:
    path = write_csv(tmp_path / "a.csv", [work_order(1), work_order(2)])
    run_import(path)
    again = run_import(path)
    assert (again.created_count, again.skipped_count) == (0, 2)
    assert Message.objects.count() == 2


def test_an_external_id_repeated_within_one_file_is_imported_once(
    tmp_path: Path, run_import: Callable[..., ImportRun]
) -> None:
    rows = [work_order(1), work_order(2, 工单号="GD2024000001")]
    run = run_import(write_csv(tmp_path / "a.csv", rows), mode=ImportMode.VALID_ROWS)
    assert (run.created_count, run.skipped_count) == (1, 1)


def test_every_error_names_its_row_and_the_files_column(
    tmp_path: Path, run_import: Callable[..., ImportRun]
) -> None:
    rows = [
        work_order(1),
        work_order(2, 区划代码="999999"),
        work_order(3, 来电时间="昨天下午", 手机号="12345"),
    ]
    run = run_import(write_csv(tmp_path / "a.csv", rows))
    assert run.status == ImportStatus.REJECTED
    assert sorted(errors_of(run)) == [(3, "区划代码"), (4, "手机号"), (4, "来电时间")]
    assert run.error_count == 2  # rows


def test_all_or_nothing_writes_nothing_when_one_row_is_bad(
    tmp_path: Path, run_import: Callable[..., ImportRun]
) -> None:
    rows = [work_order(1), work_order(2, 内容="")]
    run = run_import(write_csv(tmp_path / "a.csv", rows))
    assert (run.status, run.valid_count, run.created_count) == (ImportStatus.REJECTED, 1, 0)
    assert not Message.objects.exists()


def test_import_the_valid_rows_keeps_them_and_lists_the_others(
    tmp_path: Path, run_import: Callable[..., ImportRun]
) -> None:
    rows = [work_order(1), work_order(2, 内容=""), work_order(3)]
    run = run_import(write_csv(tmp_path / "a.csv", rows), mode=ImportMode.VALID_ROWS)
    assert (run.status, run.created_count, run.error_count) == (ImportStatus.DONE, 2, 1)
    assert errors_of(run) == [(3, "内容")]


def test_a_dry_run_counts_what_it_would_do_and_writes_nothing(
    tmp_path: Path, run_import: Callable[..., ImportRun]
) -> None:
    run = run_import(write_csv(tmp_path / "a.csv", [work_order(1)]), dry_run=True)
    assert (run.status, run.valid_count, run.created_count) == (ImportStatus.DONE, 1, 0)
    assert not Message.objects.exists()


def test_a_gbk_encoded_csv_from_excel_imports(
    tmp_path: Path, run_import: Callable[..., ImportRun]
) -> None:
    run = run_import(write_csv(tmp_path / "gbk.csv", [work_order(1)], encoding="gbk"))
    assert run.created_count == 1
    assert Message.objects.get().title == "路灯不亮 1"


def test_a_utf8_csv_with_a_byte_order_mark_imports(
    tmp_path: Path, run_import: Callable[..., ImportRun]
) -> None:
    run = run_import(write_csv(tmp_path / "bom.csv", [work_order(1)], encoding="utf-8-sig"))
    assert run.created_count == 1


def test_a_csv_that_changes_encoding_halfway_is_stopped_at_that_line(
    tmp_path: Path, run_import: Callable[..., ImportRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streamtables, "SNIFF_BYTES", 64)  # the bad line is past the sniffed start
    path = write_csv(tmp_path / "mixed.csv", [work_order(1), work_order(2)])
    with path.open("ab") as out:
        out.write(",".join(work_order(3)).encode("gbk") + b"\n")
    run = run_import(path)
    assert (run.status, errors_of(run)) == (ImportStatus.REJECTED, [(4, "")])
    assert "UTF-8" in run.errors[0]["message"]
    assert not Message.objects.exists()


def test_an_xlsx_work_order_file_imports_with_real_date_cells(
    tmp_path: Path, run_import: Callable[..., ImportRun]
) -> None:
    row: list[Any] = work_order(1)
    row[1] = dt.datetime(2024, 3, 5, 14, 20)
    run = run_import(write_xlsx(tmp_path / "a.xlsx", [row]))
    assert run.created_count == 1
    assert Message.objects.get().submitted_at == dt.datetime(2024, 3, 5, 6, 20, tzinfo=dt.UTC)


def test_dates_typed_as_text_or_left_as_excel_serial_numbers_are_read(
    tmp_path: Path, run_import: Callable[..., ImportRun]
) -> None:
    rows = [work_order(1, 来电时间="2024年3月5日 14:20"), work_order(2, 来电时间="45356.5")]
    run = run_import(write_xlsx(tmp_path / "a.xlsx", rows))
    assert run.created_count == 2
    times = set(Message.objects.values_list("submitted_at", flat=True))
    assert dt.datetime(2024, 3, 5, 4, 0, tzinfo=dt.UTC) in times  # 45356.5 = 2024-03-05 12:00


def test_an_xlsx_with_merged_cells_is_rejected_naming_the_cells(
    tmp_path: Path, run_import: Callable[..., ImportRun]
) -> None:
    path = write_xlsx(tmp_path / "m.xlsx", [work_order(1), work_order(2)], merged="D2:D3")
    run = run_import(path)
    assert run.status == ImportStatus.REJECTED
    assert errors_of(run) == [(2, "D")]
    assert "D2:D3" in run.errors[0]["message"]


def test_a_source_that_names_a_missing_sheet_gets_the_sheets_the_workbook_has(
    tmp_path: Path, hotline: ImportSource, run_import: Callable[..., ImportRun]
) -> None:
    do_save_source(hotline.name, HOTLINE, sheet="留言")
    run = run_import(write_xlsx(tmp_path / "a.xlsx", [work_order(1)], sheet="工单"))
    assert run.status == ImportStatus.REJECTED
    assert "工单" in run.errors[0]["message"]


def test_the_wrong_sheet_shows_up_as_missing_columns_on_row_one(
    tmp_path: Path, run_import: Callable[..., ImportRun]
) -> None:
    path = write_xlsx(tmp_path / "other.xlsx", [["2024-03", 120]], "统计", header=["月份", "件数"])
    run = run_import(path)
    assert run.status == ImportStatus.REJECTED
    assert {row for row, _column in errors_of(run)} == {1}
    assert ("1", "内容") in {(str(r), c) for r, c in errors_of(run)}


def test_an_oversized_cell_is_an_error_on_its_row_and_column(
    tmp_path: Path, run_import: Callable[..., ImportRun]
) -> None:
    rows = [work_order(1, 标题="长" * 101), work_order(2, 内容="很长" * 30_000)]
    run = run_import(write_csv(tmp_path / "a.csv", rows), mode=ImportMode.VALID_ROWS)
    assert errors_of(run) == [(2, "标题"), (3, "内容")]
    assert not Message.objects.exists()


def test_a_cell_too_large_for_any_message_stops_the_file_with_its_line(
    tmp_path: Path, run_import: Callable[..., ImportRun]
) -> None:
    run = run_import(write_csv(tmp_path / "a.csv", [work_order(1, 内容="x" * (1 << 21))]))
    assert run.status == ImportStatus.REJECTED
    assert run.errors[0]["row"] == 2


def test_the_mapping_is_saved_per_source_and_reused_by_the_command(
    tmp_path: Path, regions: dict[str, Region]
) -> None:
    path = write_csv(tmp_path / "a.csv", [work_order(1)])
    call_command("import_messages", str(path), "--source", "旧系统", stdout=io.StringIO())
    source = ImportSource.objects.get(name="旧系统")
    assert source.mapping == HOTLINE  # guessed from the usual Chinese headers
    out = io.StringIO()
    call_command("import_messages", str(path), "--source", "旧系统", stdout=out)
    assert "0 created, 1 already imported" in out.getvalue()


def test_the_command_prints_progress_and_fails_on_a_rejected_file(
    tmp_path: Path, hotline: ImportSource
) -> None:
    path = write_csv(tmp_path / "a.csv", [work_order(1), work_order(2, 内容="")])
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 with errors"):
        call_command("import_messages", str(path), "--source", hotline.name, stdout=out, stderr=out)
    assert "rows" in out.getvalue()
    assert "row 3, column 内容" in out.getvalue()
    assert not Message.objects.exists()


def test_the_command_can_import_the_valid_rows_only(tmp_path: Path, hotline: ImportSource) -> None:
    path = write_csv(tmp_path / "a.csv", [work_order(1), work_order(2, 内容="")])
    call_command(
        "import_messages", str(path), "--source", hotline.name, "--valid-rows", stdout=io.StringIO()
    )
    assert Message.objects.count() == 1


def test_progress_and_counts_are_recorded_on_the_run_batch_by_batch(
    tmp_path: Path, hotline: ImportSource
) -> None:
    path = write_csv(tmp_path / "a.csv", [work_order(n) for n in range(1, 1_205)])
    run = do_prepare_run(
        do_create_run(hotline, str(path), path.name, None),
        mode=ImportMode.ALL_OR_NOTHING,
        dry_run=True,
    )
    seen: list[tuple[str, int]] = []
    do_run_import(run.pk, on_progress=lambda r: seen.append((r.status, r.rows_read)))
    assert seen == [("checking", 0), ("checking", 1_000), ("checking", 1_204)]
    run.refresh_from_db()
    assert (run.rows_read, run.valid_count, run.progress) == (1_204, 1_204, 1.0)


def test_headers_named_the_usual_way_are_mapped_automatically() -> None:
    assert guess_mapping(["编号", "留言详情", "Title", "电话"]) == {
        "external_id": "编号",
        "content": "留言详情",
        "title": "Title",
        "mobile": "电话",
    }


def test_imported_history_sends_no_receipt_to_the_citizen(
    tmp_path: Path,
    hotline: ImportSource,
    run_import: Callable[..., ImportRun],
    mailoutbox: list[Any],
) -> None:
    do_save_source(hotline.name, {**HOTLINE, "mobile": "", "email": "手机号"})
    run_import(write_csv(tmp_path / "a.csv", [work_order(1, 手机号="a@example.cn")]))
    assert Message.objects.count() == 1
    assert mailoutbox == []


def test_imported_messages_take_their_own_days_tracking_numbers_in_sequence(
    tmp_path: Path, run_import: Callable[..., ImportRun]
) -> None:
    rows = [
        work_order(1, 来电时间="2024-03-05 09:00"),
        work_order(2, 来电时间="2024-03-06 09:00"),
        work_order(3, 来电时间="2024-03-05 10:00"),
    ]
    run_import(write_csv(tmp_path / "a.csv", rows))
    numbers = dict(Message.objects.values_list("external_id", "tracking_number"))
    assert numbers == {
        "GD2024000001": "YW20240305000001",
        "GD2024000002": "YW20240306000001",
        "GD2024000003": "YW20240305000002",
    }


def test_a_file_with_more_rows_than_allowed_is_rejected_whole(
    tmp_path: Path, run_import: Callable[..., ImportRun], settings: Any
) -> None:
    settings.YIWANG_IMPORT_MAX_ROWS = 2
    run = run_import(write_csv(tmp_path / "a.csv", [work_order(n) for n in range(1, 4)]))
    assert (run.status, errors_of(run)) == (ImportStatus.REJECTED, [(4, "")])
    assert not Message.objects.exists()


def test_a_formula_imported_as_a_title_is_kept_as_typed_and_exported_as_text(
    tmp_path: Path,
    run_import: Callable[..., ImportRun],
    supervisor: User,
    signed_in: Callable[[User], Client],
) -> None:
    run_import(write_csv(tmp_path / "a.csv", [work_order(1, 标题="=cmd|' /C calc'!A0")]))
    assert Message.objects.get().title == "=cmd|' /C calc'!A0"
    response: Any = signed_in(supervisor).get("/staff/messages/export.xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    title = book.worksheets[0]["L2"]
    assert (title.value, title.data_type) == ("'=cmd|' /C calc'!A0", "s")


def test_a_file_that_breaks_while_being_written_stops_with_what_was_written_counted(
    tmp_path: Path, run_import: Callable[..., ImportRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_csv(tmp_path / "a.csv", [work_order(n) for n in range(1, 1_003)])
    monkeypatch.setattr(streamtables, "SNIFF_BYTES", 64)
    opened: list[int] = []

    def damaged_on_second_read(file: Path, *, sheet: str = "") -> Any:
        opened.append(1)
        if len(opened) == 2:  # the writing pass: the file was replaced after the check
            with file.open("ab") as out:
                out.write(",".join(work_order(9_999)).encode("gbk") + b"\n")
        return streamtables.open_table(file, sheet=sheet)

    monkeypatch.setattr(runner, "open_table", damaged_on_second_read)
    run = run_import(path)
    assert (run.status, run.created_count) == (ImportStatus.FAILED, 1_000)
    assert Message.objects.count() == 1_000
