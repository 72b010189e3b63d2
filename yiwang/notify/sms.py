"""Text messages through an adapter, like Django's e-mail backends.

A site plugs in its operator's gateway by naming a class with a ``send(number, text)`` method
in ``YIWANG_SMS_BACKEND``. Shipped: the console (development), a file of JSON lines (staging,
demonstrations) and memory (tests).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsBackend(Protocol):
    def send(self, number: str, text: str) -> None: ...


class ConsoleSmsBackend:
    def send(self, number: str, text: str) -> None:
        sys.stdout.write(f"SMS to {number}: {text}\n")
        sys.stdout.flush()


class FileSmsBackend:
    """Appends one JSON object per text message to ``YIWANG_SMS_FILE``."""

    def send(self, number: str, text: str) -> None:
        path = Path(settings.YIWANG_SMS_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"at": timezone.now().isoformat(), "to": number, "text": text}, ensure_ascii=False
        )
        with path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")


class MemorySmsBackend:
    """Keeps what was sent in ``MemorySmsBackend.outbox`` (for tests)."""

    outbox: list[tuple[str, str]] = []

    def send(self, number: str, text: str) -> None:
        MemorySmsBackend.outbox.append((number, text))


def sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.YIWANG_SMS_BACKEND)()
    return backend
