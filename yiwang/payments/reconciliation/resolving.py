"""Resolving a run's mismatches, one at a time (``README.md`` in this folder).

Each is decided by asking the provider (outside any transaction: no lock is held while a
provider is called) and recorded in its own transaction. A provider that is down, or any
surprise, leaves that one mismatch ``needs_review`` and the run goes on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from yiwang.payments.actions import do_resolve
from yiwang.payments.ids import new_external_id
from yiwang.payments.models import EventSource, PaymentState
from yiwang.payments.providers.base import (
    Provider,
    ProviderRefused,
    ProviderStatus,
    ProviderUnavailable,
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


@dataclass(frozen=True)
class Outcome:
    resolution: str
    reason: str
    note: str = ""  # the provider's own words (status, error code, refund id), not translated


def resolve(mismatch_id: int, provider: Provider) -> None:
    mismatch = Mismatch.objects.select_related("run", "payment").get(pk=mismatch_id)
    try:
        outcome = _decide(mismatch, provider)
    except ProviderUnavailable as exc:
        outcome = Outcome(Resolution.NEEDS_REVIEW, Reason.PROVIDER_UNAVAILABLE, str(exc))
    except ProviderRefused as exc:
        outcome = Outcome(Resolution.NEEDS_REVIEW, Reason.PROVIDER_DISAGREES, exc.code)
    except Exception as exc:
        # One odd mismatch must not leave the others of the run unresolved.
        log.exception("could not resolve mismatch %s", mismatch_id)
        outcome = Outcome(Resolution.NEEDS_REVIEW, Reason.FAILED, repr(exc))
    _record(mismatch, outcome)


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


def _decide(mismatch: Mismatch, provider: Provider) -> Outcome:
    if mismatch.kind == MismatchKind.OURS_ONLY:
        return _ours_only(mismatch, provider)
    if mismatch.kind == MismatchKind.AMOUNT_DIFFERS:
        return Outcome(Resolution.NEEDS_REVIEW, Reason.AMOUNTS_DIFFER)
    if mismatch.line_kind == LineKind.REFUND:
        return Outcome(Resolution.NEEDS_REVIEW, Reason.UNKNOWN_REFUND)
    return _theirs_only(mismatch, provider)


def _ours_only(mismatch: Mismatch, provider: Provider) -> Outcome:
    """We recorded money the statement does not show: the provider's word decides."""
    answer = provider.query(mismatch.trade_no)
    if answer.status == ProviderStatus.SUCCESS and answer.amount == mismatch.our_amount:
        return Outcome(Resolution.CONFIRMED_PAID, Reason.PROVIDER_CONFIRMS)
    note = f"{answer.status} {answer.amount if answer.amount is not None else ''}".strip()
    return Outcome(Resolution.NEEDS_REVIEW, Reason.PROVIDER_DISAGREES, note)


def _theirs_only(mismatch: Mismatch, provider: Provider) -> Outcome:
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
    return _refund(mismatch, provider)


def _refund(mismatch: Mismatch, provider: Provider) -> Outcome:
    """Paid after our payment ended (expired, cancelled, failed): the money goes back. No
    ``Refund`` row: the payments core refunds only paid payments; the mismatch records it."""
    earlier = _earlier_refund(mismatch)
    refund_no = earlier.refund_no if earlier is not None else new_external_id()
    # Written before the provider is asked: if we never hear its answer, the next run asks
    # with the same number, and the provider refunds a number once.
    Mismatch.objects.filter(pk=mismatch.pk).update(refund_no=refund_no)
    if earlier is not None and earlier.resolution == Resolution.REFUNDED:
        return Outcome(Resolution.REFUNDED, Reason.REFUNDED, earlier.note)
    amount = mismatch.their_amount or 0
    try:
        result = provider.refund(mismatch.trade_no, refund_no, amount, amount)
    except ProviderRefused as exc:
        result = RefundResult(False, error=exc.code)
    if result.accepted:
        return Outcome(Resolution.REFUNDED, Reason.REFUNDED, result.provider_refund_id)
    return Outcome(Resolution.NEEDS_REVIEW, Reason.REFUND_REFUSED, result.error)


def _earlier_refund(mismatch: Mismatch) -> Mismatch | None:
    """The same money's refund tried by an earlier run (of this day, run again): done ones
    first."""
    tried = (
        Mismatch.objects.filter(
            run__provider=mismatch.run.provider,
            trade_no=mismatch.trade_no,
            line_kind=LineKind.PAYMENT,
        )
        .exclude(refund_no="")
        .exclude(pk=mismatch.pk)
    )
    done = tried.filter(resolution=Resolution.REFUNDED).first()
    return done if done is not None else tried.order_by("-pk").first()


def _record(mismatch: Mismatch, outcome: Outcome) -> None:
    # Its own transaction: one mismatch's record never waits for, or rolls back, another's.
    with transaction.atomic():
        Mismatch.objects.filter(pk=mismatch.pk, resolution=Resolution.PENDING).update(
            resolution=outcome.resolution,
            reason=outcome.reason,
            note=outcome.note[:255],
            resolved_by=SYSTEM,
            resolved_at=timezone.now(),
        )
