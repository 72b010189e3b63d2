from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from yiwang.accounts.models import ApiClient, PersonalDataAccess, User


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ["username", "display_name", "department", "is_active"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("yiwang", {"fields": ("department", "display_name")}),
    )
    raw_id_fields = ["department"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin[ApiClient]):
    """Keys are issued with ``manage.py create_api_client``, which shows the key once."""

    list_display = [
        "name",
        "key_prefix",
        "scopes",
        "rate_limit_per_minute",
        "revoked_at",
        "last_used_at",
    ]
    readonly_fields = ["key_prefix", "key_hash", "created_at", "created_by", "last_used_at"]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin[PersonalDataAccess]):
    list_display = ["at", "user", "message", "fields", "reason", "ip_address"]
    list_filter = ["user"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
