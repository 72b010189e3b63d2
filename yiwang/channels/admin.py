from __future__ import annotations

from django.contrib import admin

from yiwang.adminreadonly import ReadOnlyAdmin
from yiwang.channels.models import Campaign, HallCodeRevocation, ReferenceRejection


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin[Campaign]):
    list_display = ["name_zh", "name_en", "slug", "starts_at", "ends_at"]
    search_fields = ["slug", "name_zh", "name_en"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["themes"]
    prepopulated_fields = {"slug": ["name_en"]}
    fields = [
        "name_zh",
        "name_en",
        "slug",
        ("starts_at", "ends_at"),
        "intro_zh",
        "intro_en",
        "themes",
    ]


@admin.register(ReferenceRejection)
class ReferenceRejectionAdmin(ReadOnlyAdmin[ReferenceRejection]):
    """Read-only: the log of refused hall references."""

    list_display = ["at", "reason", "hall_id", "ip_prefix", "token_hash"]
    list_filter = ["reason"]
    date_hierarchy = "at"


@admin.register(HallCodeRevocation)
class HallCodeRevocationAdmin(ReadOnlyAdmin[HallCodeRevocation]):
    """Read-only: revocations are made on the hall's QR page."""

    list_display = ["at", "hall", "generation", "by", "reason"]
    date_hierarchy = "at"
