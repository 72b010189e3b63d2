"""Resolving a run's mismatches, a chunk at a time (``README.md`` in this folder).

Each mismatch is decided by asking the provider (outside any transaction: no lock is held
while a provider is called); a chunk's outcomes are then recorded together, in one
transaction. A provider that is down, or any surprise, leaves that one mismatch
``needs_review`` and the run goes on.

Refunds are never made twice: a chunk's refund numbers are written (and committed) before the
provider is asked for any of them, and every mismatch of a trade number falls in one chunk
(``chunks``), so the same money is refunded under one number.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from yiwang.payments.actions import do_resolve
from yiwang.payments.ids import new_external_id
from yiwang.payments.models import EventSource, PaymentState
from yiwang.payments.providers.base import (
    Provider,
    ProviderRefused,
    ProviderStatus,
    ProviderUnavailable,
    QueriesMany,
    QueryResult,
    RefundResult,
)
from yiwang.payments.reconciliation.models import (
    LineKind,
    Mismatch,
    MismatchKind,
    Reason,
    ReconciliationRun,
    Resolution,
)

log = logging.getLogger(__name__)

SYSTEM = "system"  # who resolved it: reconciliation itself, not a person
CHUNK = 500  # mismatches read, numbered and recorded together


@dataclass(frozen=True)
class Outcome:
    resolution: str
    reason: str
    note: str = ""  # the provider's own words (status, error code, refund id), not translated


def chunks(run: ReconciliationRun) -> list[list[int]]:
    """The run's pending mismatches (ids) in chunks of about ``CHUNK``; a trade number's
    mismatches are never split between chunks (chunks may be resolved at the same time)."""
    pending = Mismatch.objects.filter(run=run, resolution=Resolution.PENDING)
    result: list[list[int]] = []
    current: list[int] = []
    last = None
    for pk, trade_no in pending.order_by("trade_no", "pk").values_list("pk", "trade_no"):
        if len(current) >= CHUNK and trade_no != last:
            result.append(current)
            current = []
        current.append(pk)
        last = trade_no
    if current:
        result.append(current)
    return result


def resolve_chunk(ids: list[int], provider: Provider) -> None:
    mismatches = list(
        Mismatch.objects.select_related("run", "payment")
        .filter(pk__in=ids, resolution=Resolution.PENDING)
        .order_by("trade_no", "pk")
    )
    numbers = _number_refunds([m for m in mismatches if _will_refund(m)])
    answers = _ask_at_once(provider, [m for m in mismatches if m.kind == MismatchKind.OURS_ONLY])
    outcomes: list[tuple[Mismatch, Outcome]] = []
    refunded: dict[str, Outcome] = {}  # trade number -> its refund, made in this chunk
    for mismatch in mismatches:
        outcome = refunded.get(mismatch.trade_no) if mismatch.pk in numbers else None
        if outcome is None:
            outcome = _safely(mismatch, provider, numbers.get(mismatch.pk), answers)
        if mismatch.pk in numbers and outcome.resolution == Resolution.REFUNDED:
            refunded[mismatch.trade_no] = outcome  # a second line of the same money
        outcomes.append((mismatch, outcome))
    _record(outcomes)


def resolve_without_asking(run: ReconciliationRun) -> int:
    """Mismatches that no provider answer settles, all at once: amounts that differ (money is
    never corrected by itself), refunds we have no record of, money for no payment of ours.
    The same outcomes ``_decide`` would give them one by one."""
    pending = Mismatch.objects.filter(run=run, resolution=Resolution.PENDING)
    groups = (
        (pending.filter(kind=MismatchKind.AMOUNT_DIFFERS), Reason.AMOUNTS_DIFFER),
        (pending.filter(line_kind=LineKind.REFUND), Reason.UNKNOWN_REFUND),
        (pending.filter(kind=MismatchKind.THEIRS_ONLY, payment__isnull=True), Reason.NO_PAYMENT),
    )
    done = 0
    for rows, reason in groups:
        done += rows.update(
            resolution=Resolution.NEEDS_REVIEW,
            reason=reason,
            resolved_by=SYSTEM,
            resolved_at=timezone.now(),
        )
    return done


Answers = dict[str, QueryResult | ProviderUnavailable | ProviderRefused]


def _ask_at_once(provider: Provider, mismatches: list[Mismatch]) -> Answers:
    """The provider's word on every trade of ``mismatches`` in one call, when it answers for
    many at once (``QueriesMany``); else nothing here, and each is asked on its own."""
    if not mismatches or not isinstance(provider, QueriesMany):
        return {}
    trade_nos = [m.trade_no for m in mismatches]
    try:
        return dict(provider.query_many(trade_nos))
    except (ProviderUnavailable, ProviderRefused) as exc:
        return dict.fromkeys(trade_nos, exc)


def _safely(
    mismatch: Mismatch, provider: Provider, refund: _Numbered | None, answers: Answers
) -> Outcome:
    try:
        return _decide(mismatch, provider, refund, answers)
    except ProviderUnavailable as exc:
        return Outcome(Resolution.NEEDS_REVIEW, Reason.PROVIDER_UNAVAILABLE, str(exc))
    except ProviderRefused as exc:
        return Outcome(Resolution.NEEDS_REVIEW, Reason.PROVIDER_DISAGREES, exc.code)
    except Exception as exc:
        # One odd mismatch must not leave the others of the run unresolved.
        log.exception("could not resolve mismatch %s", mismatch.pk)
        return Outcome(Resolution.NEEDS_REVIEW, Reason.FAILED, repr(exc))


def _decide(
    mismatch: Mismatch, provider: Provider, refund: _Numbered | None, answers: Answers
) -> Outcome:
    if mismatch.kind == MismatchKind.OURS_ONLY:
        return _ours_only(mismatch, provider, answers)
    if mismatch.kind == MismatchKind.AMOUNT_DIFFERS:
        return Outcome(Resolution.NEEDS_REVIEW, Reason.AMOUNTS_DIFFER)
    if mismatch.line_kind == LineKind.REFUND:
        return Outcome(Resolution.NEEDS_REVIEW, Reason.UNKNOWN_REFUND)
    return _theirs_only(mismatch, provider, refund)


def _ours_only(mismatch: Mismatch, provider: Provider, answers: Answers) -> Outcome:
    """We recorded money the statement does not show: the provider's word decides."""
    answer = answers.get(mismatch.trade_no) or provider.query(mismatch.trade_no)
    if isinstance(answer, Exception):
        raise answer
    if answer.status == ProviderStatus.SUCCESS and answer.amount == mismatch.our_amount:
        return Outcome(Resolution.CONFIRMED_PAID, Reason.PROVIDER_CONFIRMS)
    note = f"{answer.status} {answer.amount if answer.amount is not None else ''}".strip()
    return Outcome(Resolution.NEEDS_REVIEW, Reason.PROVIDER_DISAGREES, note)


def _theirs_only(mismatch: Mismatch, provider: Provider, refund: _Numbered | None) -> Outcome:
    """The provider holds money for a trade number we do not count as paid."""
    payment = mismatch.payment
    if payment is None:
        return Outcome(Resolution.NEEDS_REVIEW, Reason.NO_PAYMENT)
    if payment.provider != mismatch.run.provider:
        return Outcome(Resolution.NEEDS_REVIEW, Reason.OTHER_PROVIDER, payment.provider)
    if not payment.finished:
        payment = do_resolve(payment.pk, source=EventSource.STATEMENT)
        if not payment.finished:
            return Outcome(Resolution.NEEDS_REVIEW, Reason.NOT_SETTLED, payment.state)
    if payment.state == PaymentState.SUCCESS:
        return Outcome(Resolution.SETTLED_BY_QUERY, Reason.SETTLED)
    if refund is None:  # it ended only now, by the query above: numbered on its own
        refund = _number_refunds([mismatch])[mismatch.pk]
    return _refund(mismatch, provider, refund)


@dataclass(frozen=True)
class _Numbered:
    refund_no: str
    earlier: Mismatch | None  # the same money's refund tried by an earlier run


def _will_refund(mismatch: Mismatch) -> bool:
    """Theirs only, for a payment of ours at this provider that ended unpaid."""
    payment = mismatch.payment
    return (
        mismatch.kind == MismatchKind.THEIRS_ONLY
        and mismatch.line_kind == LineKind.PAYMENT
        and payment is not None
        and payment.provider == mismatch.run.provider
        and payment.finished
        and payment.state != PaymentState.SUCCESS
    )


def _number_refunds(refunding: list[Mismatch]) -> dict[int, _Numbered]:
    """A refund number for each mismatch whose money goes back: an earlier run's for the same
    trade number, else a new one shared by the chunk's lines of that trade number. Written
    (and committed) before any provider is asked: if we never hear its answer, the next run
    asks with the same number, and the provider refunds a number once."""
    if not refunding:
        return {}
    earlier = _earlier_refunds(refunding)
    numbers: dict[int, _Numbered] = {}
    by_trade: dict[str, str] = {}
    for mismatch in refunding:
        before = earlier.get(mismatch.trade_no)
        refund_no = by_trade.get(mismatch.trade_no) or (
            before.refund_no if before is not None else new_external_id()
        )
        by_trade[mismatch.trade_no] = refund_no
        mismatch.refund_no = refund_no
        numbers[mismatch.pk] = _Numbered(refund_no, before)
    _update("refund_no = %s", "", [(m.refund_no, m.pk) for m in refunding])
    return numbers


def _earlier_refunds(mismatches: list[Mismatch]) -> dict[str, Mismatch]:
    """The same money's refunds tried by earlier runs (of this day, run again), by trade
    number: a done one first, else the latest."""
    run = mismatches[0].run
    tried = (
        Mismatch.objects.filter(
            run__provider=run.provider,
            trade_no__in={m.trade_no for m in mismatches},
            line_kind=LineKind.PAYMENT,
        )
        .exclude(refund_no="")
        .exclude(run=run)
        .order_by("pk")
    )
    found: dict[str, Mismatch] = {}
    for row in tried:
        held = found.get(row.trade_no)
        if held is None or held.resolution != Resolution.REFUNDED:
            found[row.trade_no] = row
    return found


def _refund(mismatch: Mismatch, provider: Provider, numbered: _Numbered) -> Outcome:
    """Paid after our payment ended (expired, cancelled, failed): the money goes back. No
    ``Refund`` row: the payments core refunds only paid payments; the mismatch records it."""
    earlier = numbered.earlier
    if earlier is not None and earlier.resolution == Resolution.REFUNDED:
        return Outcome(Resolution.REFUNDED, Reason.REFUNDED, earlier.note)
    amount = mismatch.their_amount or 0
    try:
        result = provider.refund(mismatch.trade_no, numbered.refund_no, amount, amount)
    except ProviderRefused as exc:
        result = RefundResult(False, error=exc.code)
    if result.accepted:
        return Outcome(Resolution.REFUNDED, Reason.REFUNDED, result.provider_refund_id)
    return Outcome(Resolution.NEEDS_REVIEW, Reason.REFUND_REFUSED, result.error)


def _record(outcomes: list[tuple[Mismatch, Outcome]]) -> None:
    """A chunk's outcomes; a mismatch someone resolved meanwhile (on the finance page) keeps
    that person's word."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = [(o.resolution, o.reason, o.note[:255], SYSTEM, now, m.pk) for m, o in outcomes]
    columns = "resolution = %s, reason = %s, note = %s, resolved_by = %s, resolved_at = %s"
    _update(columns, f" AND resolution = '{Resolution.PENDING.value}'", rows)


def _update(columns: str, condition: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """``UPDATE mismatch SET <columns> WHERE id = %s<condition>`` for each row, in one
    transaction and one batch of statements (``executemany``)."""
    if not rows:
        return
    table = connection.ops.quote_name(Mismatch._meta.db_table)
    # The table name comes from the model, quoted; the columns and condition are this
    # module's own text; every value travels as a parameter.
    sql = f"UPDATE {table} SET {columns} WHERE id = %s{condition}"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)
