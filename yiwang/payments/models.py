"""The unified payment platform's records (GOV.UK Pay's semantics; ``payments.md``).

Other apps never read these tables: they call ``payments.services``, the same functions the
HTTP API calls, and get plain data back.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentState(models.TextChoices):
    CREATED = "created", _("Created")
    STARTED = "started", _("Started")
    SUBMITTED = "submitted", _("Submitted")
    SUCCESS = "success", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    ERROR = "error", _("Error")


FINISHED_STATES = frozenset(
    {PaymentState.SUCCESS, PaymentState.FAILED, PaymentState.CANCELLED, PaymentState.ERROR}
)


class FailureCode(models.TextChoices):
    REJECTED = "P0010", _("Payment method rejected")
    EXPIRED = "P0020", _("Payment expired")
    CANCELLED_BY_USER = "P0030", _("Payment was cancelled by the user")
    CANCELLED_BY_SERVICE = "P0040", _("Payment was cancelled by the service")
    PROVIDER_ERROR = "P0050", _("Payment provider returned an error")


class Payment(models.Model):
    """One charge a service asked for. ``external_id`` is its public id and, sent to the
    provider, our trade number (out_trade_no)."""

    external_id = models.CharField(_("payment id"), max_length=26, unique=True)
    # Whose payment this is: "client:<id>" for an API client, or an app's name ("fines").
    owner = models.CharField(_("owner"), max_length=64)
    amount = models.PositiveBigIntegerField(_("amount (fen)"))
    reference = models.CharField(_("reference"), max_length=255)
    description = models.CharField(_("description"), max_length=255)
    return_url = models.CharField(_("return URL"), max_length=2000)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8, default="zh-hans")
    state = models.CharField(_("state"), max_length=16, choices=PaymentState.choices)
    failure_code = models.CharField(
        _("failure code"), max_length=5, choices=FailureCode.choices, blank=True
    )
    provider = models.CharField(_("provider"), max_length=16, blank=True)
    provider_id = models.CharField(_("provider's id"), max_length=64, blank=True)
    provider_url = models.CharField(_("provider's payment page"), max_length=2000, blank=True)
    refunded = models.PositiveBigIntegerField(_("refunded (fen)"), default=0)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    updated_at = models.DateTimeField(_("updated at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="payment_owner_created"),
            models.Index(fields=["owner", "reference"], name="payment_owner_reference"),
            models.Index(fields=["state", "expires_at"], name="payment_state_expires"),
        ]
        constraints = [
            models.CheckConstraint(
                name="payment_amount_positive", condition=models.Q(amount__gt=0)
            ),
            models.CheckConstraint(
                name="payment_refunded_within_amount",
                condition=models.Q(refunded__lte=models.F("amount")),
            ),
        ]

    def __str__(self) -> str:
        return self.external_id

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES


class IdempotencyKey(models.Model):
    """A caller's ``Idempotency-Key``: the same key and body within 24 hours give the same
    payment back; the same key with another body is refused."""

    owner = models.CharField(_("owner"), max_length=64)
    key = models.CharField(_("key"), max_length=255)
    body_hash = models.CharField(_("body hash"), max_length=64)
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="idempotency_owner_key")
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"


class EventSource(models.TextChoices):
    SERVICE = "service", _("The calling service")
    PAYER = "payer", _("The payer")
    NOTIFICATION = "notification", _("A provider notification")
    QUERY = "query", _("A provider query")
    STATEMENT = "statement", _("The provider's statement")
    EXPIRY = "expiry", _("Expiry")


class PaymentEvent(models.Model):
    """One change of a payment's state. Append-only."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    state = models.CharField(_("state"), max_length=16, choices=PaymentState.choices)
    source = models.CharField(_("source"), max_length=16, choices=EventSource.choices)
    at = models.DateTimeField(_("time"))
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")

    def __str__(self) -> str:
        return f"{self.payment_id} {self.state}"


class RefundState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    SUCCESS = "success", _("Refunded")
    ERROR = "error", _("Error")


class Refund(models.Model):
    external_id = models.CharField(_("refund id"), max_length=26, unique=True)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveBigIntegerField(_("amount (fen)"))
    state = models.CharField(_("state"), max_length=16, choices=RefundState.choices)
    provider_refund_id = models.CharField(_("provider's refund id"), max_length=64, blank=True)
    error = models.CharField(_("error"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.CheckConstraint(name="refund_amount_positive", condition=models.Q(amount__gt=0))
        ]

    def __str__(self) -> str:
        return self.external_id


class NotificationOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied")
    NO_CHANGE = "no_change", _("Nothing to change")  # e.g. a success after a success
    REFUSED = "refused", _("Refused")  # e.g. an amount that is not ours
    UNMATCHED = "unmatched", _("No such payment yet")  # applied once the payment is there


class ProviderNotification(models.Model):
    """A verified notification from a provider, kept once per provider and notification id:
    a re-sent notification finds its row and is not applied again."""

    provider = models.CharField(_("provider"), max_length=16)
    notification_id = models.CharField(_("notification id"), max_length=128)
    trade_no = models.CharField(_("trade number"), max_length=64)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    status = models.CharField(_("provider status"), max_length=16)
    amount = models.BigIntegerField(_("amount (fen)"), null=True, blank=True)
    provider_id = models.CharField(_("provider's id"), max_length=64, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=NotificationOutcome.choices)
    received_at = models.DateTimeField(_("received at"))
    times_received = models.PositiveIntegerField(_("times received"), default=1)

    class Meta:
        verbose_name = _("provider notification")
        verbose_name_plural = _("provider notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "notification_id"], name="notification_once_per_provider"
            )
        ]
        indexes = [models.Index(fields=["trade_no"], name="notification_trade_no")]

    def __str__(self) -> str:
        return f"{self.provider} {self.notification_id}"


class SimulatedCharge(models.Model):
    """The built-in simulator's own books: what the simulated provider knows of a charge.

    It stands for the provider's side and is read only by ``providers/simulator.py``; the
    payments core learns of it only through notifications, queries and the statement.
    """

    trade_no = models.CharField(_("trade number"), max_length=64, unique=True)
    provider_id = models.CharField(_("provider's id"), max_length=64, unique=True)
    amount = models.PositiveBigIntegerField(_("amount (fen)"))
    status = models.CharField(_("status"), max_length=16)
    notify_url = models.CharField(_("notification URL"), max_length=2000)
    return_url = models.CharField(_("return URL"), max_length=2000)
    created_at = models.DateTimeField(_("created at"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    refunded = models.PositiveBigIntegerField(_("refunded (fen)"), default=0)

    class Meta:
        verbose_name = _("simulated charge")
        verbose_name_plural = _("simulated charges")

    def __str__(self) -> str:
        return self.trade_no


# Models that live beside their code, imported here so that Django finds them.
from yiwang.payments.reconciliation.models import (  # noqa: E402, F401
    Mismatch,
    ReconciliationRun,
    StatementLine,
)
from yiwang.payments.webhooks.models import WebhookMessage, WebhookSubscription  # noqa: E402, F401
