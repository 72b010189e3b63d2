#!/usr/bin/env python
"""Campaign replay: 183,460 messages through the import path, with suggestions, duplicate
checks and routing, timed until the last follow-up is stored.

    .venv/bin/python bench/campaign_replay.py --database sqlite|postgres [--messages 183460]
        [--workers 1] [--json out.json]

Before the clock starts (not measured): a CSV of N messages is written, texts drawn from the
TipDM 2020 board (``../shared/data/tipdm2020``: labelled messages, messages with votes and
with replies) and varied the way a campaign repeats itself: a third as they are, the rest with
sentences reordered, punctuation changed, a character edited, a line added, a partial copy, or
in traditional script; citizens' mobile numbers come from a pool, so some write more than
once. A throwaway database is migrated (SQLite: a file in a temporary folder; PostgreSQL:
``bench_campaign``), the demo province and the default taxonomy are loaded, and a category
model is trained on the labelled TipDM messages as ``load_demo`` does.

Measured: from the start of ``do_run_import`` (all or nothing: a checking pass, then the
writing pass) while ``--workers`` task workers (``manage.py db_worker``, separate processes,
as ``script/run`` starts them) take the follow-up tasks the import enqueues, until every
imported message has its category suggestion, its department suggestion (model or routing
rule) and its duplicate check stored. The split by stage comes from the import run's passes
and the worker's task results. Peak memory: the importer's and the workers' resident memory
together, sampled every 0.2 s during the replay. The last line on stdout is one JSON object;
logs go to stderr.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from desk import fresh_postgres_database, log, machine, production_like

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "tipdm2020"
CAMPAIGN_MESSAGES = 183_460
HEADER = ["留言编号", "留言时间", "区划代码", "留言主题", "留言详情", "手机号"]
CITIZENS = 60_000  # distinct mobile numbers: about one citizen in three writes again
ADDED_LINES = ("请尽快处理。", "希望有关部门重视。", "盼复！", "此事已反映多次。", "谢谢！")


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process now (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    kilobytes = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))
    return int(kilobytes) / 1024


class MemoryWatch(threading.Thread):
    """The peak of the importer's and the workers' resident memory together, sampled every
    0.2 s while the replay runs (the model training before it does not count)."""

    def __init__(self, workers: list[subprocess.Popen[bytes]]) -> None:
        super().__init__(daemon=True)
        self.workers, self.peak, self.stopped = workers, 0.0, threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.2):
            now = rss_mb() + sum(rss_mb(worker.pid) for worker in self.workers)
            self.peak = max(self.peak, now)


# --- The campaign's messages ------------------------------------------------------------------


def source_texts() -> list[tuple[str, str]]:
    """(title, text) of every TipDM message with a text of 20 characters or more, once each
    (the labelled file names its columns in English, the other two in Chinese; a message
    without a title gets one derived from its text by the import, as any file's would)."""
    seen: dict[tuple[str, str], None] = {}
    for name in ("messages_labelled.csv", "messages_with_votes.csv", "messages_with_replies.csv"):
        with (DATA / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                title = (row.get("title") or row.get("留言主题") or "").strip()[:100]
                text = (row.get("text") or row.get("留言详情") or "").strip()
                if len(text) >= 20:
                    seen[(title, text)] = None
    return list(seen)


_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")


def varied(rng: random.Random, text: str) -> str:
    """One of the ways a campaign says the same thing again."""
    roll = rng.random()
    if roll < 0.34:
        return text
    if roll < 0.5:
        sentences = _SENTENCE.findall(text)
        rng.shuffle(sentences)
        return "".join(sentences)
    if roll < 0.62:
        return text.replace("，", ",").replace("。", ". ").replace("：", ":")
    if roll < 0.74:
        at = rng.randrange(len(text))
        return text[:at] + rng.choice("的了是在有") + text[at + 1 :]
    if roll < 0.86:
        return text + rng.choice(ADDED_LINES)
    if roll < 0.97:
        return text[: max(20, int(len(text) * rng.uniform(0.6, 0.9)))]
    import zhconv

    return str(zhconv.convert(text, "zh-hant"))


def write_campaign(path: Path, count: int, regions: list[str], seed: int = 2017) -> None:
    rng = random.Random(seed)
    texts = source_texts()
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(count):
            title, text = texts[rng.randrange(len(texts))]
            day, second = divmod(n * 55 * 86_400 // count, 86_400)  # 55 days, evenly
            month, mday = (
                (11, 20 + day) if day < 11 else (12, day - 10) if day < 42 else (1, day - 41)
            )
            year = 2018 if month == 1 else 2017
            writer.writerow(
                [
                    f"ZL{n:07d}",
                    f"{year}-{month:02d}-{mday:02d} {second // 3600:02d}:{second // 60 % 60:02d}",
                    rng.choice(regions),
                    title,
                    varied(rng, text),
                    f"139{rng.randrange(CITIZENS):08d}",
                ]
            )


# --- The platform -----------------------------------------------------------------------------


def prepare() -> list[str]:
    """Migrate, load the province and taxonomy, train the first category model."""
    from django.core.management import call_command

    from yiwang.channels.imports.actions import do_save_source
    from yiwang.channels.imports.mapping import guess_mapping
    from yiwang.classifier.learning import do_retrain
    from yiwang.classifier.models import Target
    from yiwang.demo.loader import load_default_taxonomy, load_reference_data
    from yiwang.demo.realdata import load_tipdm_training
    from yiwang.orgs.models import Region

    call_command("migrate", interactive=False, verbosity=0)
    load_reference_data()
    load_default_taxonomy()
    load_tipdm_training(DATA / "messages_labelled.csv")
    outcome = do_retrain(Target.CATEGORY)
    log(f"category model: {outcome.why}")
    do_save_source(
        "我向总理说句话",
        guess_mapping(HEADER),
        date_format="%Y-%m-%d %H:%M",
        default_nature="suggestion",
    )
    return list(Region.objects.filter(level="county").values_list("code", flat=True))


def start_workers(count: int, log_file: Path) -> list[subprocess.Popen[bytes]]:
    """Task workers as ``script/run`` starts them; what they say goes to ``log_file``."""
    command = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--interval", "0.2"]
    out = log_file.open("ab")
    log(f"worker log: {log_file}")
    return [
        subprocess.Popen(
            [*command, "--no-startup-delay", "--no-reload"], cwd=ROOT, stdout=out, stderr=out
        )
        for _ in range(count)
    ]


def follow_ups_pending() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()


def completed(created: int) -> dict[str, int]:
    """What is stored for the imported messages: it must be all of them, three times."""
    from yiwang.classifier.models import Suggestion, Target
    from yiwang.intake.models import Channel, Message

    imported = Message.objects.filter(channel=Channel.IMPORT)
    return {
        "messages": imported.count(),
        "category_suggestions": Suggestion.objects.filter(target=Target.CATEGORY).count(),
        "department_suggestions": Suggestion.objects.filter(target=Target.DEPARTMENT).count(),
        "duplicate_checks": imported.exclude(duplicates_checked_at=None).count(),
        "expected": created,
    }


def stage_seconds() -> dict[str, float]:
    """Seconds the workers spent in each kind of follow-up task (summed over workers)."""
    from django_tasks_db.models import DBTaskResult

    spent: dict[str, float] = {}
    rows = DBTaskResult.objects.filter(status="SUCCESSFUL").values_list(
        "task_path", "started_at", "finished_at"
    )
    for path, started, finished in rows:
        if started is None or finished is None:
            continue
        name = path.rsplit(".", 1)[-1]
        spent[name] = spent.get(name, 0.0) + (finished - started).total_seconds()
    return {name: round(value, 1) for name, value in sorted(spent.items())}


def replay(path: Path, count: int, workers: int) -> dict[str, object]:
    from yiwang.channels.imports.actions import do_create_run, do_prepare_run
    from yiwang.channels.imports.runner import do_run_import
    from yiwang.channels.models import ImportMode, ImportRun, ImportSource

    source = ImportSource.objects.get()
    run = do_create_run(source, str(path), path.name, None)
    do_prepare_run(run, mode=ImportMode.ALL_OR_NOTHING, dry_run=False)
    pool = start_workers(workers, path.parent / "workers.log")
    watch = MemoryWatch(pool)
    watch.start()
    marks: dict[str, float] = {}
    started = time.perf_counter()

    def progress(current: ImportRun) -> None:
        marks.setdefault(f"{current.status}_from", time.perf_counter() - started)
        if current.rows_read % 20_000 == 0:
            log(
                f"{current.status}: {current.rows_read} rows, {time.perf_counter() - started:.0f} s"
            )

    try:
        finished = do_run_import(run.pk, on_progress=progress)
        imported = time.perf_counter() - started
        if finished.created_count != count:
            raise SystemExit(f"created {finished.created_count} of {count}: {finished.errors[:3]}")
        while (pending := follow_ups_pending()) > 0:
            log(f"follow-ups pending: {pending}, {time.perf_counter() - started:.0f} s")
            time.sleep(0.5)
        seconds = time.perf_counter() - started
    finally:
        watch.stopped.set()
        for worker in pool:
            worker.terminate()
        for worker in pool:
            worker.wait()
    done = completed(finished.created_count)
    if len({done[k] for k in ("messages", "category_suggestions", "duplicate_checks")}) > 1:
        raise SystemExit(f"follow-ups incomplete: {done}")
    checking = marks.get("writing_from", 0.0)
    return {
        "seconds": seconds,
        "peak_mb": round(watch.peak),
        "stages": {
            "checking_pass": round(checking, 1),
            "writing_pass": round(imported - checking, 1),
            "after_import": round(seconds - imported, 1),
            "worker_task_seconds": stage_seconds(),
        },
        "stored": done,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="sqlite")
    parser.add_argument("--messages", type=int, default=CAMPAIGN_MESSAGES)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--pg-name", default="bench_campaign", help="PostgreSQL database (bench_*)")
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"needs the TipDM messages in {DATA}")
    folder = Path(tempfile.mkdtemp(prefix="yiwang-bench-campaign-"))
    production_like(folder, args.database, args.pg_name)
    if args.database == "postgres":
        fresh_postgres_database(args.pg_name, keep=False)
    import django

    django.setup()
    regions = prepare()
    path = folder / "campaign.csv"
    log(f"writing {args.messages} messages to {path}")
    write_campaign(path, args.messages, regions)
    print(machine())
    outcome = replay(path, args.messages, args.workers)
    seconds = float(outcome["seconds"])  # type: ignore[arg-type]
    log(json.dumps(outcome, ensure_ascii=False))
    result = {
        "messages": args.messages,
        "seconds": round(seconds, 1),
        "messages_per_second": round(args.messages / seconds),
        "peak_mb": outcome["peak_mb"],
        "database": args.database,
        "workers": args.workers,
        "stages": outcome["stages"],
    }
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
