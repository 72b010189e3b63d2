"""Applications in the admin: read-only for auditors; every change goes through the actions."""

from __future__ import annotations

from django.contrib import admin

from yiwang.adminreadonly import ReadOnlyAdmin
from yiwang.applications.models import Application, FollowUp, Rating


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin[Application]):
    list_display = ("number", "implementation", "department", "state", "submitted_at")
    list_filter = ("state", "kind")
    search_fields = ("number",)
    exclude = ("identifier_encrypted", "mobile_encrypted", "address_encrypted", "query_code_digest")


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin[Rating]):
    list_display = ("application", "department", "score", "channel", "rated_at", "excluded")
    list_filter = ("score", "excluded")


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin[FollowUp]):
    list_display = ("rating", "department", "state", "due_date")
    list_filter = ("state",)
