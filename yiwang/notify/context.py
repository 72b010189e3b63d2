"""The unread-notice count for the navigation, counted only when a page shows it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from yiwang.notify.models import Notice


def unread_notices(request: HttpRequest) -> dict[str, Callable[[], int]]:
    def count() -> int:
        if not request.user.is_authenticated:
            return 0
        return Notice.objects.filter(recipient_id=request.user.pk, read_at__isnull=True).count()

    return {"unread_notices": count}
