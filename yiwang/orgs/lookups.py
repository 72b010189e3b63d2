"""Per-process look-ups of reference data read on every submission (regions, themes).

Reference data changes rarely and is read on every message, so each process keeps what it
has read for a minute. Saving a region or theme clears this process's copy at once; other
processes see the change within ``TTL_SECONDS``. Only hits are kept: a code not found is
asked again next time, so a newly added region works at once.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.db.models.signals import post_delete, post_save

from yiwang.orgs.models import Region
from yiwang.taxonomy.models import Theme

TTL_SECONDS = 60.0
_lock = threading.Lock()
_entries: dict[tuple[str, str], tuple[float, Any]] = {}


def cached(kind: str, code: str, load: Any) -> Any:
    """``load()``'s value, kept for ``TTL_SECONDS`` (until ``clear``) when not None."""
    key = (kind, code)
    now = time.monotonic()
    with _lock:
        hit = _entries.get(key)
    if hit is not None and now - hit[0] < TTL_SECONDS:
        return hit[1]
    value = load()
    if value is not None:
        with _lock:
            _entries[key] = (now, value)
    return value


def region_by_code(code: str) -> Region | None:
    found: Region | None = cached("region", code, lambda: Region.objects.filter(code=code).first())
    return found


def region_codes() -> dict[int, str]:
    """Every region's code by id (a province has a few hundred)."""
    codes: dict[int, str] = cached(
        "regions", "", lambda: dict(Region.objects.values_list("pk", "code"))
    )
    return codes


def active_theme_by_code(code: str) -> Theme | None:
    found: Theme | None = cached(
        "theme", code, lambda: Theme.objects.filter(code=code, is_active=True).first()
    )
    return found


def clear() -> None:
    with _lock:
        _entries.clear()


def _on_change(**kwargs: Any) -> None:
    clear()


for _model in (Region, Theme):
    post_save.connect(_on_change, sender=_model, dispatch_uid=f"lookups-{_model.__name__}-save")
    post_delete.connect(_on_change, sender=_model, dispatch_uid=f"lookups-{_model.__name__}-del")
