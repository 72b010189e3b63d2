"""Finding the mismatches of a run in SQL: one ``INSERT … SELECT`` per kind, so a million
statement lines against a million payments is a few hash joins in the database, never a
Python loop over the rows (``README.md``). The same SQL runs on SQLite and PostgreSQL.

Every mismatch is written ``pending``; resolving them is the next step (``resolving.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.utils import timezone

from yiwang.payments.models import Payment, PaymentState, Refund, RefundState
from yiwang.payments.reconciliation.models import (
    LineKind,
    Mismatch,
    MismatchKind,
    ReconciliationRun,
    Resolution,
    StatementLine,
)

_HEAD = (
    "INSERT INTO {mismatch} (run_id, kind, line_kind, trade_no, payment_id, our_amount,"
    " their_amount, provider_id, resolution, reason, note, refund_no, resolved_by) "
)
# Each SELECT gives: run, kind, line kind (%s), the row's own columns, then the pending
# resolution (%s) and empty reason, note, refund number and resolver.
_PENDING = "%s, '', '', '', ''"


def _insert(select: str) -> str:
    """``INSERT INTO mismatch … SELECT``, the table names filled in (quoted, from the models:
    no outside text reaches the SQL; values travel as parameters)."""
    tables = {
        "payment": Payment,
        "refund": Refund,
        "line": StatementLine,
        "mismatch": Mismatch,
        "run": ReconciliationRun,
    }
    names = {key: connection.ops.quote_name(m._meta.db_table) for key, m in tables.items()}
    return (_HEAD + select).format(**names, pending=_PENDING)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of ``day`` and of the next, in the site's time zone."""
    zone = timezone.get_default_timezone()
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min), zone)
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min), zone)
    return start, end


def find_mismatches(run: ReconciliationRun) -> None:
    with connection.cursor() as cursor:
        for sql, params in (
            _ours_only(run),
            _theirs_only(run),
            _amounts_differ(run),
            _unknown_refunds(run),
        ):
            cursor.execute(sql, params)


def _ours_only(run: ReconciliationRun) -> tuple[str, list[Any]]:
    """Our payments finished as paid that day at this provider, absent from the statement."""
    start, end = (connection.ops.adapt_datetimefield_value(at) for at in day_bounds(run.day))
    sql = _insert(
        "SELECT %s, %s, %s, p.external_id, p.id, p.amount, NULL, p.provider_id, {pending}"
        " FROM {payment} p"
        " WHERE p.provider = %s AND p.state = %s AND p.finished_at >= %s AND p.finished_at < %s"
        " AND NOT EXISTS (SELECT 1 FROM {line} s"
        "  WHERE s.run_id = %s AND s.kind = %s AND s.trade_no = p.external_id)"
    )
    head = [run.pk, MismatchKind.OURS_ONLY, LineKind.PAYMENT, Resolution.PENDING]
    where = [run.provider, PaymentState.SUCCESS, start, end, run.pk, LineKind.PAYMENT]
    return sql, head + where


def _theirs_only(run: ReconciliationRun) -> tuple[str, list[Any]]:
    """Statement payments that are not a paid payment of ours at this provider: none at all,
    or one that ended otherwise or has not ended (any day: a payment is paid once)."""
    sql = _insert(
        "SELECT %s, %s, %s, s.trade_no, p.id, p.amount, s.amount, s.provider_id, {pending}"
        " FROM {line} s LEFT JOIN {payment} p ON p.external_id = s.trade_no"
        " WHERE s.run_id = %s AND s.kind = %s"
        " AND (p.id IS NULL OR p.state <> %s OR p.provider <> %s)"
    )
    head = [run.pk, MismatchKind.THEIRS_ONLY, LineKind.PAYMENT, Resolution.PENDING]
    where = [run.pk, LineKind.PAYMENT, PaymentState.SUCCESS, run.provider]
    return sql, head + where


def _amounts_differ(run: ReconciliationRun) -> tuple[str, list[Any]]:
    """Both sides paid, for different amounts."""
    sql = _insert(
        "SELECT %s, %s, %s, s.trade_no, p.id, p.amount, s.amount, s.provider_id, {pending}"
        " FROM {line} s JOIN {payment} p ON p.external_id = s.trade_no"
        " WHERE s.run_id = %s AND s.kind = %s"
        " AND p.state = %s AND p.provider = %s AND p.amount <> s.amount"
    )
    head = [run.pk, MismatchKind.AMOUNT_DIFFERS, LineKind.PAYMENT, Resolution.PENDING]
    where = [run.pk, LineKind.PAYMENT, PaymentState.SUCCESS, run.provider]
    return sql, head + where


def _unknown_refunds(run: ReconciliationRun) -> tuple[str, list[Any]]:
    """Statement refunds with neither a successful refund of ours of that amount for that
    payment, nor a refund made by an earlier reconciliation (recorded on its mismatch)."""
    sql = _insert(
        "SELECT %s, %s, %s, s.trade_no, p.id, NULL, s.amount, s.provider_id, {pending}"
        " FROM {line} s LEFT JOIN {payment} p ON p.external_id = s.trade_no"
        " WHERE s.run_id = %s AND s.kind = %s"
        " AND NOT EXISTS (SELECT 1 FROM {refund} r"
        "  WHERE r.payment_id = p.id AND r.state = %s AND r.amount = s.amount)"
        " AND NOT EXISTS (SELECT 1 FROM {mismatch} m JOIN {run} rr ON rr.id = m.run_id"
        "  WHERE m.trade_no = s.trade_no AND m.resolution = %s AND m.their_amount = s.amount"
        "  AND rr.provider = %s)"
    )
    head = [run.pk, MismatchKind.THEIRS_ONLY, LineKind.REFUND, Resolution.PENDING]
    where = [run.pk, LineKind.REFUND, RefundState.SUCCESS, Resolution.REFUNDED, run.provider]
    return sql, head + where
