"""Parking cases in the admin: read-only; every change goes through the actions."""

from __future__ import annotations

from django.contrib import admin

from yiwang.adminreadonly import ReadOnlyAdmin
from yiwang.fines.models import CaseEvent, CasePayment, ParkingCase


@admin.register(ParkingCase)
class ParkingCaseAdmin(ReadOnlyAdmin[ParkingCase]):
    list_display = ("decision_number", "plate", "bureau", "amount", "state", "decided_on")
    list_filter = ("state", "region")
    search_fields = ("decision_number", "plate")


@admin.register(CasePayment)
class CasePaymentAdmin(ReadOnlyAdmin[CasePayment]):
    list_display = ("payment_id", "case", "amount", "late_fee", "outcome", "created_at")


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin[CaseEvent]):
    list_display = ("case", "action", "actor", "office", "at")
    list_filter = ("action",)
