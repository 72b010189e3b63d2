from __future__ import annotations

from django.contrib import admin

from yiwang.adminreadonly import ReadOnlyAdmin
from yiwang.channels.models import (
    Campaign,
    Gateway,
    HallCodeRevocation,
    ImportSource,
    ReferenceRejection,
)


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


@admin.register(ImportSource)
class ImportSourceAdmin(admin.ModelAdmin[ImportSource]):
    """The saved column mappings; the import page saves them too."""

    list_display = ("name", "sheet", "date_format", "default_region", "updated_at")
    search_fields = ("name",)


@admin.register(Gateway)
class GatewayAdmin(admin.ModelAdmin[Gateway]):
    """Gateways are created by ``manage.py create_gateway`` (it shows the secret once)."""

    list_display = ("name", "label", "key_id", "is_active", "default_region", "created_at")
    exclude = ("secret_encrypted",)
    readonly_fields = ("name", "key_id", "created_at")

    def has_add_permission(self, request: object) -> bool:
        return False
