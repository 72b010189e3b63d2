#!/usr/bin/env python
"""Payment platform benchmark (issue 8): confirmed payments per second, and reconciling a
million-line statement. PostgreSQL only.

    .venv/bin/python bench/payments.py [--part all|throughput|reconcile] [--seconds 30]
        [--connections 16] [--workers 4] [--threads 2] [--rows 1000000] [--json PATH]

**Throughput.** A fresh database ``bench_payments``; gunicorn with DEBUG off serves the site
with the simulator as the only provider, paying every charge as soon as it is created
(``YIWANG_SIMULATOR_AUTOPAY``). This (second) process drives it over keep-alive connections;
for each payment:

1. ``POST /api/v1/payments`` with a Bearer key and an ``Idempotency-Key`` → 201;
2. ``POST /payments/pay/<id>/`` as the payer choosing the simulator (with a CSRF token) → the
   payment is opened, the charge is handed to the simulator, which pays it and sends its
   HMAC-signed notification; the platform verifies the signature and confirms the payment
   under its row lock. The simulator's notifications go through the task queue; the server
   runs the immediate task backend, so they are delivered in the same request, after the
   commit that created the charge (the database queue would only add a worker's round trip).

``payments_per_second`` = payments found ``success`` in the database afterwards / seconds.
Then, on the same server and connections for 10 s, a request that does no work (``GET
/api/v1/natures``, no database): ``trivial_requests_per_second``, the framework's ceiling on
this machine, and half of it, ``ceiling_payments_per_second``, which no payment of two requests
can pass.
``lost``: created (201) but not paid; ``doubled``: a payment confirmed twice (two success
events) or paid twice at the simulator, or one idempotency key with two payments.

**Reconcile.** A fresh database ``bench_payments_recon``; ``--rows`` paid payments and as many
simulated charges are written with ``COPY``; 1 % of them are made each kind of mismatch: ours
only (the simulator paid them the next day), theirs only (our payment expired, the simulator
was paid), amounts differ. Then ``do_reconcile("simulator", day)`` is timed end to end:
fetching the statement, loading it, matching in SQL, and resolving every mismatch (queries,
refunds). ``mismatches_found`` counts the run's mismatches.

The last line on stdout is one JSON object: payments_per_second, lost, doubled,
reconcile_seconds, mismatches_found, database, and more; logs go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desk import POSTGRES_SERVER, cpu_model, fresh_postgres_database, log, memory_gib  # noqa: E402
from intake import (  # noqa: E402
    ceiling,
    read_response,
    server_command,
    server_env,
    start_server,
)

PY = sys.executable
THROUGHPUT_DB = "bench_payments"
RECONCILE_DB = "bench_payments_recon"
MISMATCH_SHARE = 0.01
DAY = dt.date(2026, 11, 28)


# --- Throughput -------------------------------------------------------------------------------


@dataclass
class Stats:
    created: list[str] = field(default_factory=list)
    paid_pages: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    errors: int = 0


ISSUE_KEY = """
from yiwang.accounts.apikeys import do_issue_api_client
from yiwang.accounts.models import ApiClient
ApiClient.objects.filter(name="bench payments").delete()
_client, key = do_issue_api_client("bench payments", ["payments"], rate_limit_per_minute=10**7)
print(key)
"""


def throughput_env(port: int) -> dict[str, str]:
    env = server_env("postgres", Path(tempfile.mkdtemp(prefix="yiwang-bench-pay-")))
    env.update(
        DATABASE_URL=f"{POSTGRES_SERVER}/{THROUGHPUT_DB}",
        YIWANG_PAYMENT_PROVIDERS="simulator",
        YIWANG_SIMULATOR_IN_PRODUCTION="1",
        YIWANG_SIMULATOR_AUTOPAY="1",
        YIWANG_TASK_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        YIWANG_SITE_URL=f"http://127.0.0.1:{port}",
    )
    return env


def prepare_throughput(env: dict[str, str]) -> str:
    manage = [PY, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    out = subprocess.run(
        [*manage, "shell", "-c", ISSUE_KEY], env=env, check=True, cwd=ROOT, capture_output=True
    )
    return out.stdout.decode().strip().splitlines()[-1]


def create_request(key: str, run: str, seq: int) -> bytes:
    body = json.dumps(
        {
            "amount": 20000 + seq % 97,
            "reference": f"BENCH-{run}-{seq}",
            "description": "压测罚款",
            "return_url": "https://service.example/paid",
        }
    ).encode()
    head = (
        "POST /api/v1/payments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {key}\r\nIdempotency-Key: {run}-{seq}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def pay_request(payment_id: str, token: str) -> bytes:
    body = f"provider=simulator&action=pay&csrfmiddlewaretoken={token}".encode()
    head = (
        f"POST /payments/pay/{payment_id}/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Cookie: csrftoken={token}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def connection(
    port: int, key: str, run: str, counter: list[int], stop_at: float, stats: Stats
) -> None:
    token = secrets.token_hex(16)  # 32 characters: a CSRF secret, the same in cookie and form
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < stop_at:
            seq = counter[0]
            counter[0] += 1
            writer.write(create_request(key, run, seq))
            status, body, closing = await read_response(reader)
            stats.statuses[f"create {status}"] = stats.statuses.get(f"create {status}", 0) + 1
            if status != 201 or closing:
                break
            payment_id = json.loads(body)["payment_id"]
            stats.created.append(payment_id)
            writer.write(pay_request(payment_id, token))
            status, _body, closing = await read_response(reader)
            stats.statuses[f"pay {status}"] = stats.statuses.get(f"pay {status}", 0) + 1
            stats.paid_pages += status == 200
            if closing:
                break
    except (ConnectionError, asyncio.IncompleteReadError, ValueError):
        stats.errors += 1
    finally:
        writer.close()


async def drive(port: int, key: str, run: str, seconds: float, connections: int) -> Stats:
    stats, counter = Stats(), [0]
    stop_at = time.monotonic() + seconds
    await asyncio.gather(
        *(connection(port, key, run, counter, stop_at, stats) for _ in range(connections))
    )
    return stats


COUNT = """
import json
from django.db.models import Count
from yiwang.payments.models import IdempotencyKey, Payment, PaymentEvent, SimulatedCharge
run = Payment.objects.filter(reference__startswith="BENCH-{run}-")
ids = set(run.values_list("external_id", flat=True))
paid = set(run.filter(state="success").values_list("external_id", flat=True))
twice = PaymentEvent.objects.filter(payment__in=run, state="success").values("payment")
twice = twice.annotate(n=Count("id")).filter(n__gt=1).count()
keys = IdempotencyKey.objects.filter(key__startswith="{run}-").values("key")
keys = keys.annotate(n=Count("id")).filter(n__gt=1).count()
charges = SimulatedCharge.objects.filter(trade_no__in=ids).values("trade_no")
charges = charges.annotate(n=Count("id")).filter(n__gt=1).count()
print(json.dumps({{"ids": sorted(ids), "paid": sorted(paid), "doubled": twice + keys + charges}}))
"""


def counted(env: dict[str, str], run: str) -> dict[str, Any]:
    out = subprocess.run(
        [PY, str(ROOT / "manage.py"), "shell", "-c", COUNT.format(run=run)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def throughput(args: argparse.Namespace) -> dict[str, Any]:
    fresh_postgres_database(THROUGHPUT_DB, keep=False)
    env = throughput_env(args.port)
    log("preparing the throughput database")
    key = prepare_throughput(env)
    command = server_command("gunicorn", args.port, args.workers, args.threads)
    server = start_server(env, command, args.port)
    try:
        run = secrets.token_hex(4)
        log(f"warming up for {args.warmup}s")
        asyncio.run(drive(args.port, key, run + "w", args.warmup, args.connections))
        log(f"driving {args.connections} connections for {args.seconds}s")
        started = time.monotonic()
        stats = asyncio.run(drive(args.port, key, run, args.seconds, args.connections))
        elapsed = time.monotonic() - started
        log("measuring the framework's ceiling (a request that does no work) for 10s")
        trivial = asyncio.run(ceiling(args.port, 10.0, args.connections))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    found = counted(env, run)
    created, paid = set(stats.created), set(found["paid"])
    return {
        "payments_per_second": round(len(paid & created) / elapsed, 1),
        "lost": len(created - paid),
        "doubled": found["doubled"],
        "created": len(created),
        "paid": len(paid),
        "statuses": dict(sorted(stats.statuses.items())),
        "client_errors": stats.errors,
        "seconds": round(elapsed, 1),
        "connections": args.connections,
        "server": f"gunicorn gthread, {args.workers} workers x {args.threads} threads",
        "requests_per_payment": 2,
        # The same server answering a request that does nothing: no payment needing two
        # requests can go faster than half of this on this machine.
        "trivial_requests_per_second": round(trivial, 1),
        "ceiling_payments_per_second": round(trivial / 2, 1),
    }


# --- Reconciliation ---------------------------------------------------------------------------


def reconcile(args: argparse.Namespace) -> dict[str, Any]:
    from desk import production_like

    fresh_postgres_database(RECONCILE_DB, keep=False)
    production_like(Path(tempfile.mkdtemp(prefix="yiwang-bench-recon-")), "postgres", RECONCILE_DB)
    os.environ.update(YIWANG_PAYMENT_PROVIDERS="simulator", YIWANG_SIMULATOR_IN_PRODUCTION="1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    log(f"writing {args.rows:,} payments and simulated charges")
    started = time.perf_counter()
    kinds = preload(args.rows)
    log(f"written in {time.perf_counter() - started:.0f} s; reconciling {DAY}")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    from yiwang.payments.reconciliation.actions import do_reconcile

    started = time.perf_counter()
    run = do_reconcile("simulator", DAY)
    seconds = time.perf_counter() - started
    found = _counts(run.pk, "kind")
    return {
        "reconcile_seconds": round(seconds, 1),
        "mismatches_found": sum(found.values()),
        "mismatches_by_kind": found,
        "mismatches_made": kinds,
        "statement_rows": run.statement_rows,
        "resolutions": _counts(run.pk, "resolution"),
        "rows": args.rows,
    }


def _counts(run_id: int, column: str) -> dict[str, int]:
    """The run's mismatches counted by ``column`` (kind or resolution)."""
    from django.db.models import Count

    from yiwang.payments.reconciliation.models import Mismatch

    rows = Mismatch.objects.filter(run_id=run_id).values(column).annotate(n=Count("id"))
    return {row[column]: row["n"] for row in rows}


def preload(rows: int) -> dict[str, int]:
    """``rows`` paid payments on DAY and their charges; 1 % of each kind made to mismatch."""
    from django.db import connection, transaction

    each = int(rows * MISMATCH_SHARE)
    start = dt.datetime.combine(DAY, dt.time(2), tzinfo=dt.UTC)  # 10:00 in Beijing
    payments, charges = io.StringIO(), io.StringIO()
    for seq in range(rows):
        _rows_for(seq, each, start, payments, charges)
    with transaction.atomic(), connection.cursor() as cursor:
        _copy(cursor, "payments_payment", PAYMENT_COLUMNS, payments)
        _copy(cursor, "payments_simulatedcharge", CHARGE_COLUMNS, charges)
    return {"ours_only": each, "theirs_only": each, "amount_differs": each}


PAYMENT_COLUMNS = (
    "external_id, owner, amount, reference, description, return_url, metadata, language, state,"
    " failure_code, provider, provider_id, provider_url, refunded, created_at, expires_at,"
    " updated_at, finished_at"
)
CHARGE_COLUMNS = (
    "trade_no, provider_id, amount, status, notify_url, return_url, created_at, paid_at, refunded"
)


def _rows_for(
    seq: int, each: int, start: dt.datetime, payments: io.StringIO, charges: io.StringIO
) -> None:
    trade_no = f"{seq:026d}"
    at = start + dt.timedelta(seconds=seq % 40_000)
    amount = 20000 + seq % 97
    state, failure, finished = "success", "", at.isoformat()
    paid_at, their_amount = at, amount
    if seq < each:  # ours only: the simulator paid it the next day
        paid_at = at + dt.timedelta(days=1)
    elif seq < 2 * each:  # theirs only: ours expired, the simulator was paid
        state, failure = "failed", "P0020"
    elif seq < 3 * each:  # amounts differ
        their_amount = amount + 100
    payments.write(
        f"{trade_no}\tbench\t{amount}\tR{seq}\tbench\thttps://x.example/\t{{}}\tzh-hans\t{state}"
        f"\t{failure}\tsimulator\tSIM{seq}\t\t0\t{at.isoformat()}"
        f"\t{(at + dt.timedelta(minutes=90)).isoformat()}\t{at.isoformat()}\t{finished}\n"
    )
    charges.write(
        f"{trade_no}\tSIM{seq}\t{their_amount}\tsuccess\t\t\t{at.isoformat()}"
        f"\t{paid_at.isoformat()}\t0\n"
    )


def _copy(cursor: Any, table: str, columns: str, data: io.StringIO) -> None:
    data.seek(0)
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        while chunk := data.read(1 << 20):
            copy.write(chunk)


# --- Main -------------------------------------------------------------------------------------


def machine() -> str:
    import platform

    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres") as conn:
        row = conn.execute("SHOW server_version").fetchone()
    version = row[0] if row else "?"
    return (
        f"{cpu_model()}, {os.cpu_count()} cores, {memory_gib()} GiB RAM, {platform.machine()}, "
        f"Python {platform.python_version()}, PostgreSQL {version}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["all", "throughput", "reconcile"], default="all")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args()
    result: dict[str, Any] = {}
    if args.part in ("all", "throughput"):
        result["throughput"] = throughput(args)
    if args.part in ("all", "reconcile"):
        result["reconcile"] = reconcile(args)
    flat = {
        "payments_per_second": result.get("throughput", {}).get("payments_per_second"),
        "lost": result.get("throughput", {}).get("lost"),
        "doubled": result.get("throughput", {}).get("doubled"),
        "reconcile_seconds": result.get("reconcile", {}).get("reconcile_seconds"),
        "mismatches_found": result.get("reconcile", {}).get("mismatches_found"),
        "database": "postgres",
        **result,
        "machine": machine(),
    }
    line = json.dumps(flat, ensure_ascii=False)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(line + "\n", encoding="utf-8")
    print(line)


if __name__ == "__main__":
    main()
