"""The records of daily reconciliation (对账): a run per provider and day, the mismatches it
found and how each was resolved, and the staging table the statement is loaded into so that
matching happens in SQL (``README.md``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.payments.models import Payment
from yiwang.payments.providers.money import yuan_from_fen

__all__ = [
    "LineKind",
    "Mismatch",
    "MismatchKind",
    "Reason",
    "ReconciliationRun",
    "Resolution",
    "RunState",
    "StatementLine",
]


class RunState(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    SUPERSEDED = "superseded", _("Replaced by a later run")  # the day was run again


class ReconciliationRun(models.Model):
    """One reconciliation of one provider's statement for one day (site time zone)."""

    provider = models.CharField(_("provider"), max_length=16)
    day = models.DateField(_("day"))
    state = models.CharField(_("state"), max_length=16, choices=RunState.choices)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    statement_rows = models.PositiveIntegerField(_("statement rows"), default=0)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    ours_only = models.PositiveIntegerField(_("ours only"), default=0)
    theirs_only = models.PositiveIntegerField(_("theirs only"), default=0)
    amount_differs = models.PositiveIntegerField(_("amounts differ"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-day", "-started_at", "-id"]
        verbose_name = _("reconciliation run")
        verbose_name_plural = _("reconciliation runs")
        constraints = [
            # One finished answer per provider and day: running a day again supersedes it.
            models.UniqueConstraint(
                fields=["provider", "day"],
                condition=models.Q(state="done"),
                name="reconciliation_done_once_per_day",
            ),
            # Two runs of the same day at once would resolve (and refund) the same mismatch
            # twice: the second cannot start.
            models.UniqueConstraint(
                fields=["provider", "day"],
                condition=models.Q(state="running"),
                name="reconciliation_one_running_per_day",
            ),
        ]
        indexes = [models.Index(fields=["-day", "-started_at"], name="reconciliation_newest")]

    def __str__(self) -> str:
        return f"{self.provider} {self.day:%Y-%m-%d}"


class MismatchKind(models.TextChoices):
    OURS_ONLY = "ours_only", _("Ours only")
    THEIRS_ONLY = "theirs_only", _("Theirs only")
    AMOUNT_DIFFERS = "amount_differs", _("Amounts differ")


class LineKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund")


class Resolution(models.TextChoices):
    PENDING = "pending", _("Not resolved yet")
    CONFIRMED_PAID = "confirmed_paid", _("Confirmed paid by the provider")
    SETTLED_BY_QUERY = "settled_by_query", _("Settled by asking the provider")
    REFUNDED = "refunded", _("Refunded")
    NEEDS_REVIEW = "needs_review", _("Needs review")


class Reason(models.TextChoices):
    """Why a mismatch was resolved the way it was (shown to finance staff)."""

    PROVIDER_CONFIRMS = (
        "provider_confirms",
        _("The provider confirms the payment; its statement carries it on another day."),
    )
    PROVIDER_DISAGREES = (
        "provider_disagrees",
        _("The provider does not show this payment as paid with our amount."),
    )
    PROVIDER_UNAVAILABLE = "provider_unavailable", _("The provider could not be reached.")
    SETTLED = "settled", _("Our unfinished payment was settled by asking the provider.")
    NOT_SETTLED = "not_settled", _("Asking the provider did not settle our payment.")
    REFUNDED = "refunded", _("Paid after our payment had ended: the money was refunded.")
    REFUND_REFUSED = "refund_refused", _("The provider refused to refund the money.")
    NO_PAYMENT = "no_payment", _("No payment of ours has this trade number.")
    OTHER_PROVIDER = "other_provider", _("Our payment was handed to another provider.")
    AMOUNTS_DIFFER = "amounts_differ", _("The amounts differ: money is never corrected itself.")
    UNKNOWN_REFUND = "unknown_refund", _("A refund we have no record of.")
    FAILED = "failed", _("Resolving it failed unexpectedly; the log has the details.")


class Mismatch(models.Model):
    """A statement line or a payment of ours that did not match, and what was decided."""

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="mismatches")
    kind = models.CharField(_("kind"), max_length=16, choices=MismatchKind.choices)
    line_kind = models.CharField(_("line kind"), max_length=8, choices=LineKind.choices)
    trade_no = models.CharField(_("trade number"), max_length=64)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    our_amount = models.BigIntegerField(_("our amount (fen)"), null=True, blank=True)
    their_amount = models.BigIntegerField(_("their amount (fen)"), null=True, blank=True)
    provider_id = models.CharField(_("provider's id"), max_length=64, blank=True)
    resolution = models.CharField(_("resolution"), max_length=16, choices=Resolution.choices)
    reason = models.CharField(_("reason"), max_length=24, choices=Reason.choices, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)  # the provider's words
    # Kept before the provider is asked, so a run of the same day again reuses it and the
    # provider, which refunds once per refund number, cannot refund twice.
    refund_no = models.CharField(_("refund number"), max_length=26, blank=True)
    resolved_by = models.CharField(_("resolved by"), max_length=64, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["run", "kind", "id"]
        verbose_name = _("mismatch")
        verbose_name_plural = _("mismatches")
        indexes = [models.Index(fields=["trade_no"], name="mismatch_trade_no")]

    def __str__(self) -> str:
        return f"{self.kind} {self.trade_no}"

    @property
    def our_yuan(self) -> str:
        return "" if self.our_amount is None else yuan_from_fen(self.our_amount)

    @property
    def their_yuan(self) -> str:
        return "" if self.their_amount is None else yuan_from_fen(self.their_amount)


class StatementLine(models.Model):
    """A provider's statement line, staged for matching in SQL; deleted when the run's
    matching is done (the provider keeps the statement, the mismatches keep what matters).

    No index: matching a day is hash joins over all of a run's lines, and an index would
    cost more to keep up while a million lines are loaded than it saves. On PostgreSQL the
    table is UNLOGGED (migration 0004): after a crash it is empty, and the interrupted run
    is simply run again."""

    run = models.ForeignKey(
        ReconciliationRun, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    trade_no = models.CharField(_("trade number"), max_length=64)
    provider_id = models.CharField(_("provider's id"), max_length=64, blank=True)
    amount = models.BigIntegerField(_("amount (fen)"))
    kind = models.CharField(_("kind"), max_length=8, choices=LineKind.choices)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")

    def __str__(self) -> str:
        return f"{self.kind} {self.trade_no}"
