from django.contrib import admin

from yiwang.notify.models import Notice, OutboxItem


@admin.register(OutboxItem)
class OutboxItemAdmin(admin.ModelAdmin[OutboxItem]):
    """Read-only: staff watch delivery here; the outbox is written only by its actions."""

    list_display = ("key", "channel", "created_at", "sent_at", "attempts", "last_error")
    list_filter = ("channel", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("key",)
    readonly_fields = [f.name for f in OutboxItem._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin[Notice]):
    list_display = ("message", "stage", "deadline", "recipient", "created_at", "read_at")
    list_filter = ("stage",)
    readonly_fields = [f.name for f in Notice._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
