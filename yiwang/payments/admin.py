"""Payments in the admin: read-only; every change goes through the actions."""

from __future__ import annotations

from django.contrib import admin

from yiwang.adminreadonly import ReadOnlyAdmin
from yiwang.payments.models import Payment, PaymentEvent, ProviderNotification, Refund
from yiwang.payments.webhooks.models import WebhookMessage, WebhookSubscription


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin[Payment]):
    list_display = ("external_id", "owner", "reference", "amount", "state", "created_at")
    list_filter = ("state", "provider", "failure_code")
    search_fields = ("external_id", "reference", "provider_id")


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin[PaymentEvent]):
    list_display = ("payment", "state", "source", "at")
    list_filter = ("state", "source")


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin[Refund]):
    list_display = ("external_id", "payment", "amount", "state", "created_at")
    list_filter = ("state",)


@admin.register(ProviderNotification)
class ProviderNotificationAdmin(ReadOnlyAdmin[ProviderNotification]):
    list_display = ("provider", "notification_id", "trade_no", "status", "outcome", "received_at")
    list_filter = ("provider", "outcome")
    search_fields = ("trade_no", "notification_id")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ReadOnlyAdmin[WebhookSubscription]):
    list_display = ("client", "callback_url", "active", "created_at")
    exclude = ("secret_encrypted",)


@admin.register(WebhookMessage)
class WebhookMessageAdmin(ReadOnlyAdmin[WebhookMessage]):
    list_display = ("event_type", "resource_id", "state", "attempts", "last_status", "created_at")
    list_filter = ("state", "event_type")
    search_fields = ("resource_id", "event_id")
