from django.contrib import admin

from yiwang.channels.models import Gateway, ImportSource


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
