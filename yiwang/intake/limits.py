"""Rate limits of intake and tracking, shared by the web form and the API.

Counters live in the default cache (Redis in production), through django-ratelimit's core.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from yiwang.lib.codes import normalize_tracking_number


class RateLimited(Exception):
    def __init__(self, scope: str) -> None:
        super().__init__(scope)
        self.scope = scope


def client_ip(request: HttpRequest) -> str:
    """The caller's address; behind N trusted proxies, the N-th address from the right."""
    proxies = settings.YIWANG_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return str(forwarded[-proxies])
    return str(request.META.get("REMOTE_ADDR", ""))


def _hit(request: HttpRequest, group: str, value: str, rate: str) -> None:
    if is_ratelimited(
        request, group=group, key=lambda _g, _r: value, rate=rate, method=ALL, increment=True
    ):
        raise RateLimited(group)


def check_ip_rate(request: HttpRequest, group: str, rate: str) -> None:
    """Count the caller's address in ``group``; a trusted gateway's address is not counted."""
    ip = client_ip(request)
    if ip not in settings.YIWANG_TRUSTED_CLIENT_IPS:
        _hit(request, group, ip, rate)


def check_submit_rate_by_ip(request: HttpRequest) -> None:
    check_ip_rate(request, "submit-ip", settings.YIWANG_RATE_SUBMIT_PER_IP)


def check_submit_rate_by_mobile(request: HttpRequest, mobile_hash: str) -> None:
    if mobile_hash:
        _hit(request, "submit-mobile", mobile_hash, settings.YIWANG_RATE_SUBMIT_PER_MOBILE)


def check_track_rate(request: HttpRequest, tracking_number: str) -> None:
    ip = client_ip(request)
    if ip not in settings.YIWANG_TRUSTED_CLIENT_IPS:
        _hit(request, "track-ip", ip, settings.YIWANG_RATE_TRACK_PER_IP)
    # Counted under the number's canonical spelling: padding or case must not buy more tries.
    number = normalize_tracking_number(tracking_number)
    _hit(request, "track-number", number, settings.YIWANG_RATE_TRACK_PER_NUMBER)


def check_client_rate(request: HttpRequest, client_id: int, per_minute: int) -> None:
    _hit(request, "api-client", str(client_id), f"{per_minute}/m")


def check_open_read_rate(request: HttpRequest) -> None:
    """Public reads that need no key (Open311 discovery and services), per IP."""
    ip = client_ip(request)
    if ip not in settings.YIWANG_TRUSTED_CLIENT_IPS:
        _hit(request, "open-read-ip", ip, settings.YIWANG_RATE_OPEN_READ_PER_IP)
