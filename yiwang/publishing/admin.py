"""Impact records and publications are read in the admin by auditors, never edited there: every
change goes through the editors' pages (``publishing.actions``)."""

from __future__ import annotations

from django.contrib import admin

from yiwang.adminreadonly import ReadOnlyAdmin
from yiwang.publishing.models import ImpactRecord, Publication


@admin.register(ImpactRecord)
class ImpactRecordAdmin(ReadOnlyAdmin[ImpactRecord]):
    list_display = ("assessed_at", "action", "publication", "assessed_by", "consent", "form")
    list_filter = ("action", "consent", "form")
    date_hierarchy = "assessed_at"


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin[Publication]):
    list_display = ("title", "state", "form", "proposed_at", "published_at")
    list_filter = ("state", "form")
    search_fields = ("title",)
