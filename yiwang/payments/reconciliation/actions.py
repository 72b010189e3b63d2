"""Every write of daily reconciliation (``README.md`` in this folder).

A run loads the provider's statement into ``StatementLine``, finds the three kinds of mismatch
in SQL (``matching.py``), then resolves the mismatches a chunk at a time (``resolving.py``).
No database lock is held while a provider is called.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import Count
from django.utils import timezone

from yiwang.lib.batches import batched
from yiwang.payments.providers.base import Provider, ProviderUnavailable, StatementRow
from yiwang.payments.providers.registry import enabled, get_provider
from yiwang.payments.reconciliation.matching import find_mismatches
from yiwang.payments.reconciliation.models import (
    LineKind,
    Mismatch,
    ReconciliationRun,
    RunState,
    StatementLine,
)
from yiwang.payments.reconciliation.resolving import chunks, resolve_chunk, resolve_without_asking

log = logging.getLogger(__name__)

BATCH = 20_000  # statement lines held in memory at a time
RESOLVERS = 4  # chunks of mismatches resolved at once on PostgreSQL
# A run still "running" this long after it started lost its worker: it no longer blocks the day.
STALE_AFTER = dt.timedelta(hours=6)
FIRST_DAY = dt.date(2000, 1, 1)


class ReconciliationInProgress(Exception):
    """Another run of the same provider and day has not finished yet."""


class BadStatement(ValueError):
    """A statement line that cannot be a payment or a refund of ours."""


def do_reconcile(provider_name: str, day: dt.date) -> ReconciliationRun:
    """Reconcile ``provider_name``'s statement for ``day`` (site time zone). A provider that
    cannot give its statement leaves the run ``failed``; a new run of a day that was done
    supersedes the earlier one when it is done itself."""
    provider = get_provider(provider_name)
    run = _start(provider_name, day)
    try:
        with transaction.atomic():
            run.statement_rows = _load(run, provider.fetch_statement(day))
            find_mismatches(run)
            # The lines were a working copy: the provider keeps the statement.
            StatementLine.objects.filter(run=run).delete()
    except ProviderUnavailable as exc:
        return _fail(run, f"The provider's statement could not be fetched: {exc}")
    except Exception as exc:
        _fail(run, repr(exc))
        raise
    _resolve_all(run, provider)
    return _finish(run)


def _start(provider_name: str, day: dt.date) -> ReconciliationRun:
    now = timezone.now()
    ReconciliationRun.objects.filter(
        provider=provider_name, day=day, state=RunState.RUNNING, started_at__lt=now - STALE_AFTER
    ).update(state=RunState.FAILED, finished_at=now, error="interrupted (no worker finished it)")
    try:
        with transaction.atomic():
            return ReconciliationRun.objects.create(
                provider=provider_name, day=day, state=RunState.RUNNING, started_at=now
            )
    except IntegrityError as exc:
        raise ReconciliationInProgress(provider_name, day) from exc


Line = tuple[str, str, int, str]  # trade_no, provider_id, amount, kind
LINE_KINDS = frozenset(LineKind.values)  # once: ``.values`` builds a new list at every call


def _load(run: ReconciliationRun, rows: Iterable[StatementRow]) -> int:
    """Stage the statement's lines, a batch at a time; the number of lines."""
    loaded = 0
    # A batch is read before it is written: the statement may itself be read from this
    # database connection (the simulator's books), which cannot serve a query during COPY.
    for batch in batched(rows, BATCH):
        lines = [_checked(row) for row in batch]
        if connection.vendor == "postgresql":
            _copy(run, lines)
        else:
            StatementLine.objects.bulk_create(
                StatementLine(run=run, trade_no=t, provider_id=p, amount=a, kind=k)
                for t, p, a, k in lines
            )
        loaded += len(lines)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Fresh statistics let the planner choose hash joins over a million staged lines.
            cursor.execute(f"ANALYZE {_staging_table()}")
    return loaded


def _staging_table() -> str:
    return connection.ops.quote_name(StatementLine._meta.db_table)


def _copy(run: ReconciliationRun, lines: list[Line]) -> None:
    # COPY is PostgreSQL's bulk load: a million lines in seconds, where INSERTs take minutes.
    columns = "run_id, trade_no, provider_id, amount, kind"
    sql = f"COPY {_staging_table()} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for line in lines:
            copy.write_row((run.pk, *line))


def _checked(row: StatementRow) -> Line:
    # Plain tuples, not model instances: a million of those would cost more than the matching.
    if row.kind not in LINE_KINDS or type(row.amount) is not int or row.amount <= 0:
        raise BadStatement(f"statement line {row.trade_no!r}: kind {row.kind!r}, {row.amount!r}")
    return row.trade_no[:64], row.provider_id[:64], row.amount, row.kind


def _resolve_all(run: ReconciliationRun, provider: Provider) -> None:
    """First, in one statement each, the mismatches no provider answer can settle; then the
    rest a chunk at a time. On PostgreSQL several chunks at once: a real provider's answer
    takes tens of milliseconds over the network, and waiting on it, not the processor, is
    what takes time (SQLite takes one writer at a time)."""
    resolve_without_asking(run)
    parts = chunks(run)
    # Threads have connections of their own: they see only what is committed, so never
    # inside a caller's transaction.
    alone = connection.vendor != "postgresql" or connection.in_atomic_block
    if alone or len(parts) < 2:
        for ids in parts:
            resolve_chunk(ids, provider)
        return
    with ThreadPoolExecutor(RESOLVERS, thread_name_prefix="reconcile") as pool:
        list(pool.map(partial(_resolve_in_thread, provider), parts))


def _resolve_in_thread(provider: Provider, ids: list[int]) -> None:
    try:
        resolve_chunk(ids, provider)
    finally:
        close_old_connections()


def _fail(run: ReconciliationRun, error: str) -> ReconciliationRun:
    log.error("reconciliation of %s failed: %s", run, error)
    ReconciliationRun.objects.filter(pk=run.pk).update(
        state=RunState.FAILED, finished_at=timezone.now(), error=error
    )
    run.refresh_from_db()
    return run


def _finish(run: ReconciliationRun) -> ReconciliationRun:
    counts = dict(
        Mismatch.objects.filter(run=run).values_list("kind").annotate(n=Count("id")).order_by()
    )
    run.ours_only = counts.get("ours_only", 0)
    run.theirs_only = counts.get("theirs_only", 0)
    run.amount_differs = counts.get("amount_differs", 0)
    # Every statement line is matched, theirs only, or of another amount: exactly one.
    run.matched = run.statement_rows - run.theirs_only - run.amount_differs
    run.state, run.finished_at = RunState.DONE, timezone.now()
    with transaction.atomic():
        # The earlier answer for this day first: only one run of a day may be done.
        ReconciliationRun.objects.filter(
            provider=run.provider, day=run.day, state=RunState.DONE
        ).update(state=RunState.SUPERSEDED)
        run.save()
    return run


def is_done(provider_name: str, day: dt.date) -> bool:
    return ReconciliationRun.objects.filter(
        provider=provider_name, day=day, state=RunState.DONE
    ).exists()


def do_reconcile_day(day: dt.date) -> int:
    """Reconcile ``day`` for every enabled provider not done yet; the number of runs done."""
    done = 0
    for name in enabled():
        if is_done(name, day):
            continue
        try:
            done += do_reconcile(name, day).state == RunState.DONE
        except ReconciliationInProgress:
            log.info("reconciliation of %s %s is already running", name, day)
        except Exception:
            # Recorded on the run as failed; the other providers still get reconciled.
            log.exception("reconciliation of %s %s failed", name, day)
    return done


def do_run_day(provider_name: str, day: dt.date) -> int | None:
    """Run a day (again) from the finance page: the run's id, or None when that day is being
    reconciled already."""
    try:
        return do_reconcile(provider_name, day).pk
    except ReconciliationInProgress:
        log.info("reconciliation of %s %s is already running", provider_name, day)
        return None


def check_day(day: dt.date) -> None:
    """A day that may be reconciled: from 2000 to yesterday (site time zone) — today's
    statement does not exist yet. Raises ``ValueError``."""
    if day < FIRST_DAY:
        raise ValueError("too_early")
    if day >= timezone.localdate():
        raise ValueError("not_yet")
