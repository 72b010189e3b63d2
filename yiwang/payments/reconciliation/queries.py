"""The read side of reconciliation: the finance page's lists."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from yiwang.payments.reconciliation.models import (
    Mismatch,
    MismatchKind,
    ReconciliationRun,
    Resolution,
)


def runs() -> QuerySet[ReconciliationRun]:
    """Newest first, each with how many of its mismatches still need a person."""
    needs_review = Count("mismatches", filter=Q(mismatches__resolution=Resolution.NEEDS_REVIEW))
    return ReconciliationRun.objects.annotate(needs_review=needs_review).order_by(
        "-day", "-started_at", "-id"
    )


def mismatches(run: ReconciliationRun, kind: str = "", resolution: str = "") -> QuerySet[Mismatch]:
    """A run's mismatches, by kind then trade number; a filter value that is not a known
    choice filters nothing."""
    found = Mismatch.objects.filter(run=run).select_related("payment")
    if kind in MismatchKind.values:
        found = found.filter(kind=kind)
    if resolution in Resolution.values:
        found = found.filter(resolution=resolution)
    return found.order_by("kind", "trade_no", "id")
