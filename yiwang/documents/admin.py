from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from yiwang.documents.models import ForwardingDocument, IssuingBody


@admin.register(IssuingBody)
class IssuingBodyAdmin(admin.ModelAdmin[IssuingBody]):
    list_display = ["department", "prefix"]
    raw_id_fields = ["department"]


@admin.register(ForwardingDocument)
class ForwardingDocumentAdmin(admin.ModelAdmin[ForwardingDocument]):
    """Read only: documents are issued and voided by the casework moves alone."""

    list_display = ["reference", "message", "lead_department", "issued_at", "voided_at"]
    list_filter = ["year", "body"]
    search_fields = ["reference", "message__tracking_number"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
