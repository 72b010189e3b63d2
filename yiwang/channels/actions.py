"""Every write of the channels app: refused hall references, revoking a hall's QR codes."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.channels.models import HallCode, HallCodeRevocation, ReferenceRejection
from yiwang.channels.references import RefusedReference
from yiwang.orgs.models import ServiceHall

log = logging.getLogger(__name__)
REJECTION_ROWS_PER_MINUTE = 30
REASON_LIMIT = 200


def ip_prefix(address: str) -> str:
    """The client's network, not the address: /24 for IPv4, /48 for IPv6."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    bits = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{bits}", strict=False))


def token_digest(token: str) -> str:
    """Enough to tell the same bad token seen twice; the token itself is never stored."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _within_row_budget(network: str) -> bool:
    """At most ``REJECTION_ROWS_PER_MINUTE`` rows a minute per network.

    Scanning is anonymous: without a cap, a script trying made-up codes would fill the table.
    Past it, refusals are still logged, just not stored.
    """
    key = f"hallref-rejections:{network}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        return cache.incr(key) <= REJECTION_ROWS_PER_MINUTE
    except ValueError:  # the entry expired between add and incr
        return True


def do_record_rejection(token: str, refused: RefusedReference, client_ip: str) -> None:
    """Keep a row and write a log line for a refused reference (never what the citizen wrote)."""
    network = ip_prefix(client_ip)
    digest = token_digest(token)
    stored = _within_row_budget(network)
    if stored:
        ReferenceRejection.objects.create(
            at=timezone.now(),
            reason=refused.reason,
            token_hash=digest,
            ip_prefix=network,
            hall_id=refused.hall_id,
        )
    log.warning(
        "hall reference refused: reason=%s hall=%s token_sha256=%s network=%s stored=%s",
        refused.reason.value,
        refused.hall_id,
        digest[:16],
        network,
        stored,
    )


def do_prune_rejections(now: dt.datetime | None = None) -> int:
    """Forget refused references older than ``YIWANG_KEEP_REFUSED_REFERENCES_DAYS`` (a
    network's record of probing, kept long enough to investigate, not for ever)."""
    keep = dt.timedelta(days=settings.YIWANG_KEEP_REFUSED_REFERENCES_DAYS)
    cutoff = (now or timezone.now()) - keep
    deleted, _by_model = ReferenceRejection.objects.filter(at__lt=cutoff).delete()
    return deleted


def do_revoke_hall_codes(user: User, hall: ServiceHall, reason: str = "") -> int:
    """Move the hall to a new generation of codes; every code printed before stops working.

    Returns the new generation. The row is locked: two people revoking at once get two new
    generations one after the other, each recorded, never the same one twice.
    """
    with transaction.atomic():
        HallCode.objects.get_or_create(hall=hall)
        code = HallCode.objects.select_for_update().get(hall=hall)
        code.generation += 1
        code.save(update_fields=["generation"])
        HallCodeRevocation.objects.create(
            hall=hall,
            generation=code.generation,
            at=timezone.now(),
            by=user,
            reason=reason.strip()[:REASON_LIMIT],
        )
    log.info("hall %s QR codes revoked by %s: now generation %s", hall.code, user, code.generation)
    return code.generation
