"""Text messages and gateway replies through adapters, like Django's e-mail backends.

A site plugs in its operator's gateway by naming a class with a ``send(number, text)`` method
in ``YIWANG_SMS_BACKEND``, and its messaging gateways' client (``send(gateway, to, text)``) in
``YIWANG_GATEWAY_BACKEND``. Shipped for both: the console (development), a file of JSON lines
(staging, demonstrations) and memory (tests).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsBackend(Protocol):
    def send(self, number: str, text: str) -> None: ...


class GatewayBackend(Protocol):
    def send(self, gateway: str, to: str, text: str) -> None: ...


def _print(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _append(file_name: str, **record: Any) -> None:
    path = Path(file_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"at": timezone.now().isoformat(), **record}, ensure_ascii=False)
    with path.open("a", encoding="utf-8") as out:
        out.write(line + "\n")


class ConsoleSmsBackend:
    def send(self, number: str, text: str) -> None:
        _print(f"SMS to {number}: {text}")


class FileSmsBackend:
    """Appends one JSON object per text message to ``YIWANG_SMS_FILE``."""

    def send(self, number: str, text: str) -> None:
        _append(settings.YIWANG_SMS_FILE, to=number, text=text)


class MemorySmsBackend:
    """Keeps what was sent in ``MemorySmsBackend.outbox`` (for tests)."""

    outbox: list[tuple[str, str]] = []

    def send(self, number: str, text: str) -> None:
        MemorySmsBackend.outbox.append((number, text))


class ConsoleGatewayBackend:
    def send(self, gateway: str, to: str, text: str) -> None:
        _print(f"Gateway {gateway} to {to}: {text}")


class FileGatewayBackend:
    """Appends one JSON object per reply to ``YIWANG_GATEWAY_FILE``."""

    def send(self, gateway: str, to: str, text: str) -> None:
        _append(settings.YIWANG_GATEWAY_FILE, gateway=gateway, to=to, text=text)


class MemoryGatewayBackend:
    """Keeps what was sent in ``MemoryGatewayBackend.outbox`` (for tests)."""

    outbox: list[tuple[str, str, str]] = []

    def send(self, gateway: str, to: str, text: str) -> None:
        MemoryGatewayBackend.outbox.append((gateway, to, text))


def sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.YIWANG_SMS_BACKEND)()
    return backend


def gateway_backend() -> GatewayBackend:
    backend: GatewayBackend = import_string(settings.YIWANG_GATEWAY_BACKEND)()
    return backend
