#!/usr/bin/env python
"""Intake benchmark: messages per second through POST /api/v1/messages, as in production.

    .venv/bin/python bench/intake.py --database postgres|sqlite [--seconds 60]

It migrates the database (PostgreSQL: DATABASE_URL if set, else the local server's ``test``
database; SQLite: a new file in a temporary folder), starts gunicorn with DEBUG off and
Redis-backed rate limits, and drives it from this (second) process with keep-alive
connections, each request a distinct message with a distinct mobile number. Rate limiting
stays on; the load client's address is a trusted gateway (YIWANG_TRUSTED_CLIENT_IPS) and so
exempt from the per-IP limit only, which the JSON reports. Accepted = HTTP 201, returned after
the commit. Afterwards every accepted message is looked up in the database: ``lost`` counts
accepted messages that are not stored, ``duplicated`` messages stored more than once.

The run's messages (titled "压测留言 <run id> #n") and their follow-up tasks are deleted at
the end unless --keep is given, so repeated runs start from the same table size.

The last line on stdout is one JSON object; logs go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/test"


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


@dataclass
class Stats:
    latencies_ms: list[float] = field(default_factory=list)
    accepted: list[int] = field(default_factory=list)  # sequence numbers answered 201
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0


def server_env(database: str, var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
        YIWANG_VAR_DIR=str(var_dir),
        YIWANG_PII_KEYS="bench:" + secrets.token_urlsafe(32),
        YIWANG_HASH_KEY=secrets.token_urlsafe(32),
        YIWANG_QUERY_CODE_KEY=secrets.token_urlsafe(32),
        YIWANG_TRUSTED_CLIENT_IPS="127.0.0.1",
        # The benchmark sends thousands of messages a minute; the per-mobile limit still
        # counts every one (each has its own number).
        LOG_LEVEL="WARNING",
    )
    if database == "postgres":
        env["DATABASE_URL"] = os.environ.get("DATABASE_URL") or LOCAL_POSTGRES
    else:
        env.pop("DATABASE_URL", None)
        env["YIWANG_ALLOW_SQLITE_IN_PRODUCTION"] = "1"
    return env


def prepare(env: dict[str, str]) -> None:
    manage = [PY, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "shell", "-c", SEED], env=env, check=True, cwd=ROOT)
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()


SEED = """
from yiwang.orgs.models import Region
get = Region.objects.get_or_create
p, _ = get(code="330000", defaults={"name_zh": "浙江省", "level": "province"})
get(code="330106", defaults={"name_zh": "西湖区", "level": "county", "parent": p})
"""


def server_command(server: str, port: int, workers: int, threads: int) -> list[str]:
    binary = str(Path(PY).parent / server)
    if server == "granian":
        return [
            binary,
            "--interface",
            "wsgi",
            "yiwang.wsgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ]
    return [
        binary,
        "yiwang.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--keep-alive",
        "30",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]


def start_server(env: dict[str, str], command: list[str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=sys.stderr, stderr=sys.stderr)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            import urllib.request

            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/natures", timeout=2)
            return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("the server did not start")


def body_for(run: str, seq: int) -> bytes:
    mobile = f"1{3 + seq % 7}{(seq * 7919) % 10**9:09d}"
    return json.dumps(
        {
            "title": f"压测留言 {run} #{seq}",
            "content": f"这是第{seq}条压力测试留言，内容各不相同，检验恰好受理一次。批次{run}。",
            "nature": "suggestion",
            "region": "330106",
            "mobile": mobile,
            "consent_publish": False,
        },
        ensure_ascii=False,
    ).encode()


async def connection(port: int, run: str, counter: list[int], stop_at: float, stats: Stats) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < stop_at:
            seq = counter[0]
            counter[0] += 1
            body = body_for(run, seq)
            head = (
                f"POST /api/v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
            started = time.perf_counter()
            writer.write(head + body)
            status, _body, closing = await read_response(reader)
            stats.latencies_ms.append((time.perf_counter() - started) * 1000)
            stats.statuses[status] = stats.statuses.get(status, 0) + 1
            if status == 201:
                stats.accepted.append(seq)
            if closing:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except (ConnectionError, asyncio.IncompleteReadError):
        stats.errors += 1
    finally:
        writer.close()


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """The status, the body, and whether the server closes the connection."""
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    length, closing = 0, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "connection" and "close" in value.lower():
            closing = True
    body = await reader.readexactly(length)
    return status, body, closing


async def drive(port: int, run: str, seconds: float, concurrency: int) -> Stats:
    stats, counter = Stats(), [0]
    stop_at = time.monotonic() + seconds
    await asyncio.gather(
        *(connection(port, run, counter, stop_at, stats) for _ in range(concurrency))
    )
    return stats


def stored_counts(env: dict[str, str], run: str, keep: bool) -> dict[int, int]:
    """How often each sequence number of this run is stored; then remove the run's rows."""
    script = (
        "import json\nfrom collections import Counter\n"
        "from yiwang.intake.models import Message\n"
        f"runs = Message.objects.filter(title__startswith='压测留言 {run}')\n"
        f"titles = runs.filter(title__startswith='压测留言 {run} #')"
        ".values_list('title', flat=True)\n"
        "print(json.dumps(Counter(int(t.rsplit('#', 1)[1]) for t in titles)))\n"
    )
    if not keep:
        script += CLEAN_UP
    out = subprocess.run(
        [PY, str(ROOT / "manage.py"), "shell", "-c", script],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {int(k): v for k, v in json.loads(out.strip().splitlines()[-1]).items()}


CLEAN_UP = """
from django.db import transaction
from django_tasks_db.models import DBTaskResult
from yiwang.intake.models import MessageEvent
ids = list(runs.values_list("pk", flat=True))
with transaction.atomic():
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        DBTaskResult.objects.filter(
            task_path="yiwang.intake.tasks.process_new_message", args_kwargs__args__0__in=chunk
        ).delete()
        MessageEvent.objects.filter(message_id__in=chunk).delete()
        Message.objects.filter(pk__in=chunk).delete()
"""


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["postgres", "sqlite"], required=True)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--server", choices=["gunicorn", "granian"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--json", type=Path, help="also write the result here")
    parser.add_argument("--keep", action="store_true", help="keep the run's messages afterwards")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="yiwang-bench-"))
    env = server_env(args.database, var_dir)
    log(f"preparing the {args.database} database")
    prepare(env)
    command = server_command(args.server, args.port, args.workers, args.threads)
    server = start_server(env, command, args.port)
    try:
        run = secrets.token_hex(4)
        log(f"warming up for {args.warmup}s")
        asyncio.run(drive(args.port, run + "w", args.warmup, args.concurrency))
        log(f"driving {args.concurrency} connections for {args.seconds}s")
        started = time.monotonic()
        stats = asyncio.run(drive(args.port, run, args.seconds, args.concurrency))
        elapsed = time.monotonic() - started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    stored = stored_counts(env, run, args.keep)
    accepted = set(stats.accepted)
    result = {
        "accepted_per_second": round(len(accepted) / elapsed, 1),
        "p50_ms": round(statistics.median(stats.latencies_ms), 2) if stats.latencies_ms else None,
        "p99_ms": round(percentile(stats.latencies_ms, 0.99), 2),
        "lost": len(accepted - set(stored)),
        "duplicated": sum(1 for count in stored.values() if count > 1),
        "database": args.database,
        "server": f"{args.server}, {args.workers} workers x {args.threads} threads",
        "accepted": len(accepted),
        "stored_without_201": len(set(stored) - accepted),
        "statuses": {str(k): v for k, v in sorted(stats.statuses.items())},
        "client_errors": stats.errors,
        "seconds": round(elapsed, 1),
        "concurrency": args.concurrency,
        "rate_limiting": "on (Redis); per-IP limit exempts the load client 127.0.0.1 "
        "(YIWANG_TRUSTED_CLIENT_IPS); per-mobile limit applies",
        "follow_up_tasks": "enqueued in the database task queue, not run during the benchmark",
        "machine": f"{cpu_model()}, {os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}",
    }
    line = json.dumps(result, ensure_ascii=False)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(line + "\n", encoding="utf-8")
    print(line)


if __name__ == "__main__":
    main()


TRIVIAL = b"GET /api/v1/natures HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


async def trivial_connection(port: int, stop_at: float, answered: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < stop_at:
            writer.write(TRIVIAL)
            status, _body, closing = await read_response(reader)
            answered[0] += status == 200
            if closing:
                break
    finally:
        writer.close()


async def ceiling(port: int, seconds: float, connections: int) -> float:
    """The framework's ceiling (requests a second): the same server answering a request that
    does no work (a fixed list, no database), as fast as it can. Used by bench/payments.py
    and bench/disclosure.py."""
    answered = [0]
    started = time.monotonic()
    stop_at = started + seconds
    await asyncio.gather(*(trivial_connection(port, stop_at, answered) for _ in range(connections)))
    return answered[0] / (time.monotonic() - started)
