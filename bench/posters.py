#!/usr/bin/env python
"""Poster benchmark: the QR-code posters of N service halls as one region ZIP.

    .venv/bin/python bench/posters.py [--halls 4000] [--database sqlite|postgres] [--json F]

It builds a throwaway database (SQLite in a temporary folder, removed at the end; PostgreSQL:
``bench_posters`` on the local server, dropped and created again), migrates it, creates a
province with 20 districts and N active service halls spread over them (names drawn from a
pool of place-name characters, so the batch font holds several hundred glyphs as a real
province's would), then times ``write_region_zip`` for the province into a temporary file,
as ``manage.py hall_posters`` does (``--workers`` processes render the pages, default one
per core; the peak memory reported is the main process's). It checks the ZIP (one PDF per hall)
and reports seconds, posters per second, the ZIP's size and the process's peak memory.

The machine goes to stdout before the result; the last line on stdout is one JSON object
``{"halls", "seconds", "zip_mb", ...}``; logs go to stderr.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from desk import fresh_postgres_database, log, machine, production_like, report  # noqa: E402

DISTRICTS = 20
PLACE_CHARACTERS = (
    "东南西北中上下前后新老大小长安宁平和兴华明光龙凤山水江河湖海林森石桥塘湾港口岭峰"
    "金银玉泉溪源清白青红黄丰盛富康乐福寿永定太阳春秋文武德仁义礼智信忠孝贤良善美嘉"
    "庆祥瑞吉昌隆泰恒通达远广博高云天星月花草梅兰竹菊松柏桃李杨柳荷莲桂枫岗坡坪岩洲"
    "沙滩浦渡堰坝闸埠集镇乡村里坊巷街路园苑庄店铺场站城关门楼台阁亭寺庙观堂府署营屯"
    "堡寨卫所旗盟县区市州"
)
SUFFIXES = ("政务服务中心", "街道便民服务中心", "镇便民服务中心", "乡便民服务站", "社区服务站")


def configure(args: argparse.Namespace, var_dir: Path) -> None:
    production_like(var_dir, args.database, args.pg_name)
    os.environ.update(
        YIWANG_PRIVATE_DIR=str(var_dir / "private"),
        YIWANG_HALL_REFERENCE_KEY="bench-hall-reference-key-0123456789-0123",
        YIWANG_SITE_URL="https://yiwang.example.gov.cn",
    )


def place_name(rng: random.Random) -> str:
    return "".join(rng.choice(PLACE_CHARACTERS) for _ in range(rng.choice((2, 2, 3))))


def create_halls(count: int) -> Any:
    """A province, its districts, and ``count`` halls spread over them (bulk inserts)."""
    from yiwang.orgs.models import Region, ServiceHall

    rng = random.Random(2026)
    province = Region.objects.create(code="990000", name_zh="试验省", level="province")
    districts = [
        Region.objects.create(
            code=f"9901{n:02d}", name_zh=f"{place_name(rng)}区", level="county", parent=province
        )
        for n in range(1, DISTRICTS + 1)
    ]
    halls = [
        ServiceHall(
            code=f"B{n:06d}",
            name_zh=f"{districts[n % DISTRICTS].name_zh}{place_name(rng)}{rng.choice(SUFFIXES)}",
            region=districts[n % DISTRICTS],
            address_zh=f"{place_name(rng)}路{rng.randint(1, 999)}号",
        )
        for n in range(count)
    ]
    ServiceHall.objects.bulk_create(halls, batch_size=1000)
    return province


def build_zip(province: Any, out: Path, workers: int) -> tuple[int, float]:
    from yiwang.channels.posters import write_region_zip

    started = time.perf_counter()
    with out.open("wb") as stream:
        written = write_region_zip(province, stream, workers=workers)
    return written, time.perf_counter() - started


def check_zip(out: Path, halls: int) -> None:
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        if len(names) != halls or len(set(names)) != halls:
            raise SystemExit(f"the ZIP holds {len(names)} files for {halls} halls")
        if not archive.read(names[0]).startswith(b"%PDF"):
            raise SystemExit("the ZIP's first file is not a PDF")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--halls", type=int, default=4000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-name", default="bench_posters", help="PostgreSQL database")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args()
    if args.halls < 1:
        parser.error("--halls must be positive")
    var_dir = Path(tempfile.mkdtemp(prefix="yiwang-bench-posters-"))
    try:
        run(args, var_dir)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def run(args: argparse.Namespace, var_dir: Path) -> None:
    configure(args, var_dir)
    if args.database == "postgres":
        fresh_postgres_database(args.pg_name, keep=False)
    import django

    django.setup()
    from django.core.management import call_command

    log(f"preparing the {args.database} database")
    call_command("migrate", interactive=False, verbosity=0)
    province = create_halls(args.halls)
    log(f"writing the posters of {args.halls:,} halls")
    out = var_dir / "posters.zip"
    written, seconds = build_zip(province, out, args.workers)
    check_zip(out, args.halls)
    result = {
        "halls": written,
        "seconds": round(seconds, 1),
        "zip_mb": round(out.stat().st_size / 1e6, 1),
        "posters_per_second": round(written / seconds, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "workers": args.workers,
        "database": args.database,
        "machine": machine(),
    }
    report(result, args.json)


if __name__ == "__main__":
    main()
