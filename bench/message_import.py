#!/usr/bin/env python
"""Message import benchmark: rows per second and peak memory of a large CSV import.

    .venv/bin/python bench/message_import.py --database sqlite|postgres [--rows 1000000]
        [--valid-rows] [--json out.json]

It writes a CSV of N hotline work orders (external id, time, nature, region, title, content,
mobile; every row distinct) in a temporary folder, migrates a throwaway database (SQLite: a
file in that folder; PostgreSQL: ``bench_imports`` on the local server, dropped and created
again), and imports the file with ``do_run_import`` exactly as the worker does: all or nothing
(a checking pass, then a writing pass, 1,000 rows per transaction) unless --valid-rows.

Peak RSS (``resource.getrusage``) is printed every 10 % of the rows; constant memory means it
stops growing after the first batches. The machine goes to stdout before the result; the last
line on stdout is one JSON object; logs go to stderr.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import secrets
import sys
import tempfile
import time
from pathlib import Path

from desk import POSTGRES_SERVER, fresh_postgres_database, log, machine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HEADER = ["工单号", "来电时间", "诉求类型", "区划代码", "标题", "内容", "手机号"]
NATURES = ("投诉", "咨询", "求助", "建议", "举报")
REGIONS = ("330106", "330108")
PLACES = ("文三路", "学院路", "江南大道", "滨盛路", "古墩路", "莫干山路", "天目山路")
PROBLEMS = ("路灯不亮", "噪音扰民", "占道经营", "垃圾未清运", "公交站牌损坏", "井盖缺失")


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def write_file(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(rows):
            place, problem = PLACES[n % len(PLACES)], PROBLEMS[n % len(PROBLEMS)]
            day, minute = 1 + n % 28, n % 1440
            writer.writerow(
                [
                    f"GD{n:09d}",
                    f"2024/{1 + n % 12:02d}/{day:02d} {minute // 60:02d}:{minute % 60:02d}",
                    NATURES[n % len(NATURES)],
                    REGIONS[n % len(REGIONS)],
                    f"{place}{problem}",
                    f"市民来电反映{place}附近{problem}，已持续多日，请有关部门尽快处理。工单{n}。",
                    f"13{n % 10}{n:08d}"[:11],
                ]
            )


def configure(database: str, folder: Path, pg_name: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="yiwang.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        YIWANG_SINGLE_PROCESS="1",
        YIWANG_VAR_DIR=str(folder),
        YIWANG_PII_KEYS="bench:" + secrets.token_urlsafe(32),
        YIWANG_HASH_KEY=secrets.token_urlsafe(32),
        YIWANG_QUERY_CODE_KEY=secrets.token_urlsafe(32),
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)
    if database == "postgres":
        os.environ["DATABASE_URL"] = f"{POSTGRES_SERVER}/{pg_name}"
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["YIWANG_ALLOW_SQLITE_IN_PRODUCTION"] = "1"


def prepare() -> None:
    from django.core.management import call_command

    from yiwang.channels.imports.actions import do_save_source
    from yiwang.channels.imports.mapping import guess_mapping
    from yiwang.orgs.models import Region

    call_command("migrate", interactive=False, verbosity=0)
    province = Region.objects.create(code="330000", name_zh="浙江省", level="province")
    city = Region.objects.create(code="330100", name_zh="杭州市", level="city", parent=province)
    for code, name in zip(REGIONS, ("西湖区", "滨江区"), strict=True):
        Region.objects.create(code=code, name_zh=name, level="county", parent=city)
    do_save_source("12345热线", guess_mapping(HEADER), date_format="%Y/%m/%d %H:%M")


def run(
    path: Path, rows: int, valid_rows: bool, dry_run: bool
) -> tuple[float, list[dict[str, object]]]:
    from yiwang.channels.imports.actions import do_create_run, do_prepare_run
    from yiwang.channels.imports.runner import do_run_import
    from yiwang.channels.models import ImportMode, ImportRun, ImportSource

    source = ImportSource.objects.get()
    import_run = do_create_run(source, str(path), path.name, None)
    mode = ImportMode.VALID_ROWS if valid_rows else ImportMode.ALL_OR_NOTHING
    do_prepare_run(import_run, mode=mode, dry_run=dry_run)
    samples: list[dict[str, object]] = []
    step = max(rows // 10, 1_000)
    started = time.perf_counter()

    def progress(current: ImportRun) -> None:
        if current.rows_read % step == 0 or current.rows_read == rows:
            elapsed = time.perf_counter() - started
            sample = {"pass": current.status, "rows": current.rows_read, "peak_mb": peak_mb()}
            samples.append({**sample, "seconds": round(elapsed, 1)})
            log(f"{current.status}: {current.rows_read} rows, {elapsed:.0f} s, {peak_mb()} MB")

    finished = do_run_import(import_run.pk, on_progress=progress)
    seconds = time.perf_counter() - started
    if (finished.valid_count if dry_run else finished.created_count) != rows:
        raise SystemExit(f"created {finished.created_count} of {rows}: {finished.errors[:3]}")
    return seconds, samples


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="sqlite")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--valid-rows", action="store_true", help="one pass instead of two")
    parser.add_argument("--dry-run", action="store_true", help="the checking pass only")
    parser.add_argument("--pg-name", default="bench_imports", help="PostgreSQL database (bench_*)")
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="yiwang-bench-import-"))
    path = folder / "work-orders.csv"
    log(f"writing {args.rows} rows to {path}")
    write_file(path, args.rows)
    configure(args.database, folder, args.pg_name)
    if args.database == "postgres":
        fresh_postgres_database(args.pg_name, keep=False)
    import django

    django.setup()
    prepare()
    print(machine())
    before = peak_mb()
    seconds, samples = run(path, args.rows, args.valid_rows, args.dry_run)
    result = {
        "rows": args.rows,
        "seconds": round(seconds, 1),
        "rows_per_second": round(args.rows / seconds),
        "peak_mb": peak_mb(),
        "peak_mb_before_import": before,
        "file_mb": round(path.stat().st_size / 1024**2, 1),
        "mode": "dry_run"
        if args.dry_run
        else "valid_rows"
        if args.valid_rows
        else "all_or_nothing",
        "samples": samples,
        "database": args.database,
    }
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
