"""Outgoing webhooks to the services that created payments (GOV.UK Pay's webhooks)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

EVENT_TYPES = (
    "payment_succeeded",
    "payment_failed",
    "payment_cancelled",
    "payment_error",
    "refund_succeeded",
)


class WebhookSubscription(models.Model):
    """Where an API client wants to hear of its payments, and the secret its signatures use."""

    client = models.ForeignKey(
        "accounts.ApiClient", on_delete=models.PROTECT, related_name="payment_webhooks"
    )
    callback_url = models.CharField(_("callback URL"), max_length=2000)
    secret_encrypted = models.TextField(_("signing secret (encrypted)"))
    event_types = models.JSONField(_("event types"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment webhook")
        verbose_name_plural = _("payment webhooks")

    def __str__(self) -> str:
        return f"{self.client_id} → {self.callback_url}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed for good")


class WebhookMessage(models.Model):
    """One event for one subscription, sent until answered 2xx or out of retries."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="messages"
    )
    event_id = models.CharField(_("event id"), max_length=26, unique=True)
    event_type = models.CharField(_("event type"), max_length=32)
    resource_id = models.CharField(_("payment id"), max_length=26)
    body = models.TextField(_("body"))
    state = models.CharField(_("state"), max_length=16, choices=DeliveryState.choices)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook message")
        verbose_name_plural = _("webhook messages")
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhook_due")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.resource_id}"
