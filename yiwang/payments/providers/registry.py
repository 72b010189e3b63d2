"""The providers this site offers (``YIWANG_PAYMENT_PROVIDERS``), built once per process."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from yiwang.payments.providers.base import Provider

_BUILT: dict[str, Provider] = {}


class UnknownProvider(LookupError):
    pass


def enabled() -> list[str]:
    """The providers a payer may choose, in the order the page offers them."""
    return list(settings.YIWANG_PAYMENT_PROVIDERS)


def get_provider(name: str) -> Provider:
    if name not in enabled():
        raise UnknownProvider(name)
    if name not in _BUILT:
        _BUILT[name] = _build(name)
    return _BUILT[name]


def _build(name: str) -> Provider:
    if name == "simulator":
        from yiwang.payments.providers.simulator import SimulatorProvider

        return SimulatorProvider()
    from yiwang.payments.providers.configured import build_configured

    return build_configured(name)


def install(name: str, provider: Provider) -> None:
    """Use ``provider`` for ``name`` in this process (tests stand fakes in this way)."""
    _BUILT[name] = provider


def clear() -> None:
    _BUILT.clear()


@receiver(setting_changed)
def _settings_changed(setting: str, **kwargs: Any) -> None:
    if setting.startswith("YIWANG_PAYMENT") or setting.startswith("YIWANG_SIMULATOR"):
        clear()
