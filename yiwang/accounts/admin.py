from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_lazy

from yiwang.accounts.apikeys import do_revoke_api_client
from yiwang.accounts.models import ApiClient, PersonalDataAccess, User
from yiwang.adminreadonly import ReadOnlyAdmin


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
    # Scopes and revocation change only through the checked actions, never by hand.
    readonly_fields = [
        "key_prefix",
        "key_hash",
        "scopes",
        "revoked_at",
        "created_at",
        "created_by",
        "last_used_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=gettext_lazy("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        if not request.user.has_perm("accounts.manage_api_clients"):
            raise PermissionDenied
        for client in queryset:
            do_revoke_api_client(client)
        self.message_user(request, gettext("The selected keys no longer work."))


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin[PersonalDataAccess]):
    list_display = ["at", "user", "message", "application", "fields", "reason", "ip_address"]
    list_filter = ["user"]
