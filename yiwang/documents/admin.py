from __future__ import annotations

from django.contrib import admin

from yiwang.adminreadonly import ReadOnlyAdmin
from yiwang.documents.models import ForwardingDocument, IssuingBody


@admin.register(IssuingBody)
class IssuingBodyAdmin(admin.ModelAdmin[IssuingBody]):
    list_display = ["department", "prefix"]
    raw_id_fields = ["department"]


@admin.register(ForwardingDocument)
class ForwardingDocumentAdmin(ReadOnlyAdmin[ForwardingDocument]):
    """Read only: documents are issued and voided by the casework moves alone."""

    list_display = ["reference", "message", "lead_department", "issued_at", "voided_at"]
    list_filter = ["year", "body"]
    search_fields = ["reference", "message__tracking_number"]
